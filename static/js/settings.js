// Drag and drop reordering for the settings lists. The up/down buttons do the same
// without a mouse or script; this only adds dragging a row by its handle.
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function refreshButtons(body) {
    const rows = Array.from(body.querySelectorAll("tr[data-id]"));
    rows.forEach((row, index) => {
      const up = row.querySelector("[data-move=up]");
      const down = row.querySelector("[data-move=down]");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === rows.length - 1;
    });
  }

  function announce(body, text) {
    const status = (body.closest("section") || document).querySelector("[data-reorder-status]");
    if (status) status.textContent = text;
  }

  function saveOrder(body) {
    const data = new FormData();
    body.querySelectorAll("tr[data-id]").forEach((row) => data.append("ids", row.dataset.id));
    return fetch(body.dataset.reorderUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    }).then((response) => {
      if (!response.ok) throw new Error(response.status);
      announce(body, body.dataset.savedMessage || "");
    }).catch(() => {
      window.alert(body.dataset.failedMessage || "Error");
      window.location.reload();
    });
  }

  function rowAfter(body, y) {
    // The first row whose middle lies below the pointer: the dragged row goes before it.
    const rows = Array.from(body.querySelectorAll("tr[data-id]:not(.dragging)"));
    return rows.find((row) => {
      const box = row.getBoundingClientRect();
      return y < box.top + box.height / 2;
    }) || null;
  }

  function enhance(body) {
    let dragged = null;
    let before = null;

    body.querySelectorAll("tr[data-id]").forEach((row) => {
      const handle = row.querySelector(".drag-handle");
      if (!handle) return;
      handle.style.cursor = "grab";
      // Only the handle starts a drag: the rest of the row keeps text selection and clicks.
      handle.addEventListener("mousedown", () => { row.draggable = true; });
      handle.addEventListener("mouseup", () => { row.draggable = false; });
      row.addEventListener("dragstart", (event) => {
        dragged = row;
        before = row.nextElementSibling;
        row.classList.add("dragging", "table-active");
        row.style.opacity = "0.6";
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.id);
      });
      row.addEventListener("dragend", (event) => {
        row.classList.remove("dragging", "table-active");
        row.style.opacity = "";
        row.draggable = false;
        if (event.dataTransfer.dropEffect === "none") {
          // Dropped outside the list, or cancelled with Escape: put the row back.
          body.insertBefore(row, before);
        } else if (dragged && row.nextElementSibling !== before) {
          refreshButtons(body);
          saveOrder(body);
        }
        dragged = null;
      });
    });

    body.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      const next = rowAfter(body, event.clientY);
      if (next !== dragged.nextElementSibling) body.insertBefore(dragged, next);
    });
    body.addEventListener("drop", (event) => {
      if (dragged) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("tbody[data-reorder-url]").forEach(enhance);
  });
})();

// The currency picker: find a currency by name or code, count the checked ones, and
// checking one means "only the currencies checked".
(function () {
  "use strict";

  function enhance(picker) {
    const form = picker.closest("form");
    const tools = picker.querySelector("[data-currency-tools]");
    const filter = picker.querySelector("[data-currency-filter]");
    const count = picker.querySelector("[data-currency-count]");
    const boxes = Array.from(picker.querySelectorAll("input[type=checkbox]"));
    const chosen = form.querySelector("input[name=offer][value=chosen]");

    const showCount = () => {
      const checked = boxes.filter((box) => box.checked).length;
      count.textContent = count.dataset.template
        .replace("%(checked)s", checked)
        .replace("%(total)s", boxes.length);
    };
    tools.hidden = false;
    filter.addEventListener("input", () => {
      const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      picker.querySelectorAll("[data-currency-option]").forEach((option) => {
        const text = option.textContent.toLowerCase();
        option.hidden = !words.every((word) => text.includes(word));
      });
    });
    filter.addEventListener("keydown", (event) => {
      // Enter in the search box must not submit the whole form.
      if (event.key === "Enter") event.preventDefault();
    });
    const defaultSelect = form.querySelector("select[name=default_currency]");
    if (defaultSelect) {
      // The default must be offered: check it when only checked currencies are offered.
      defaultSelect.addEventListener("change", () => {
        const box = boxes.find((b) => b.value === defaultSelect.value);
        if (box && chosen && chosen.checked && !box.checked) {
          box.checked = true;
          showCount();
        }
      });
    }
    boxes.forEach((box) => box.addEventListener("change", () => {
      if (box.checked && chosen) chosen.checked = true;
      showCount();
    }));
    showCount();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-currency-picker]").forEach(enhance);
  });
})();

// A website form's labels: their placeholders show the default labels in the language
// chosen for the form, as soon as it is chosen.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const select = document.querySelector("select[name=language]");
    const inputs = document.querySelectorAll("input[data-placeholders]");
    if (!select || !inputs.length) return;
    select.addEventListener("change", () => {
      inputs.forEach((input) => {
        const placeholder = JSON.parse(input.dataset.placeholders)[select.value];
        if (placeholder) input.placeholder = placeholder;
      });
    });
  });
})();
