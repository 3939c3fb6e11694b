// Keyboard shortcuts (SPEC X3): "/" search, "n" new person, "c" new company, "?" the list
// of shortcuts. The URLs come from data attributes on <body>, rendered by Django.
(() => {
  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])");
  }

  // Once something is typed into a form to be saved, no shortcut leaves the page: what was
  // typed would be lost without a word.
  let edited = false;
  const noteEdit = (event) => {
    if (event.target instanceof Element && event.target.closest('form[method="post"]')) edited = true;
  };
  document.addEventListener("input", noteEdit);
  document.addEventListener("change", noteEdit);
  const leave = (url) => {
    if (!edited) window.location.href = url;
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!(event.target instanceof Element) || isTyping(event.target)) return;
    if (document.querySelector(".modal.show")) return;
    const urls = document.body.dataset;
    if (event.key === "/") {
      const search = document.getElementById("search");
      event.preventDefault();
      if (search) {
        search.focus();
        search.select();
      } else if (urls.searchUrl) {
        leave(urls.searchUrl);
      }
    } else if (event.key === "n" && urls.newPersonUrl) {
      leave(urls.newPersonUrl);
    } else if (event.key === "c" && urls.newCompanyUrl) {
      leave(urls.newCompanyUrl);
    } else if (event.key === "?") {
      const dialog = document.getElementById("shortcuts");
      if (dialog && window.bootstrap) {
        event.preventDefault();
        bootstrap.Modal.getOrCreateInstance(dialog).show();
      }
    }
  });

  // Arrived through "/" from another page: the list opens with the search focused.
  document.addEventListener("DOMContentLoaded", () => {
    const search = document.getElementById("search");
    if (search && window.location.hash === "#search") search.focus();
  });
})();
