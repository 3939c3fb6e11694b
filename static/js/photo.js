// The photo dialog closes once a photo was saved: htmx triggers "photo-changed".
document.addEventListener("photo-changed", () => {
  const dialog = document.getElementById("photo-dialog");
  if (dialog && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(dialog).hide();
  dialog?.querySelectorAll("input[type=file], input[type=url]").forEach((input) => {
    input.value = "";
  });
});
