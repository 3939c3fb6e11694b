// Keyboard shortcuts: "/" search, "n" new person, "c" new company, "e" edit the
// open card, "a" add to its timeline, "j"/"k" and Enter through the list's rows,
// Ctrl/⌘+Enter saves a form, "?" the list of shortcuts. The URLs come from data attributes rendered by Django: on <body>, and
// aria-keyshortcuts on the link a key follows.
(() => {
  // A tick box or a button takes no text: a letter pressed there is a shortcut.
  const NOT_TYPED = ["button", "checkbox", "color", "file", "image", "radio", "range", "reset", "submit"];
  function isTyping(target) {
    const field = target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])");
    return field !== null && !(field.tagName === "INPUT" && NOT_TYPED.includes(field.type));
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

  // Ctrl/⌘+Enter saves the form being filled in, through its main (primary) button, so the
  // server hears the same button as from a click. A form without one (the list's bulk
  // actions, a deletion to confirm) is left to its own buttons.
  function save(target) {
    const form = target.closest('form[method="post"]');
    const button = form && form.querySelector('button[type="submit"].btn-primary, input[type="submit"].btn-primary');
    if (!button) return false;
    edited = false;
    form.requestSubmit(button);
    return true;
  }

  // The list's rows: "j" and "k" move the focus to the next or previous row's link (the
  // row is highlighted and scrolled into view), Enter opens it. The rows are looked up
  // afresh on each key: the live search replaces them.
  const CURRENT = "row-current";
  const rowsOf = () => [...document.querySelectorAll("[data-keyboard-rows] > tr")]
    .filter((row) => row.getClientRects().length > 0 && row.querySelector("a[href]"));
  function currentRow() {
    const rows = rowsOf();
    const focused = document.activeElement && document.activeElement.closest("[data-keyboard-rows] > tr");
    return rows.find((row) => row === focused) || rows.find((row) => row.classList.contains(CURRENT));
  }
  function markCurrent(row) {
    document.querySelectorAll(`[data-keyboard-rows] > tr.${CURRENT}`).forEach((other) => {
      if (other !== row) other.classList.remove(CURRENT);
    });
    row.classList.add(CURRENT);
  }
  function moveRow(step) {
    const rows = rowsOf();
    if (!rows.length) return false;
    const current = currentRow();
    const index = current ? Math.min(Math.max(rows.indexOf(current) + step, 0), rows.length - 1) : 0;
    const row = rows[index];
    markCurrent(row);
    row.querySelector("a[href]").focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    return true;
  }
  // A row reached with Tab is where "j" and "k" go on from. A click (a tick box) does not
  // highlight its row: the tint would read as a selection of its own.
  document.addEventListener("focusin", (event) => {
    const row = event.target instanceof Element && event.target.closest("[data-keyboard-rows] > tr");
    if (row && event.target.matches(":focus-visible")) markCurrent(row);
  });

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || !(event.target instanceof Element)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (!event.shiftKey && save(event.target)) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || isTyping(event.target)) return;
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
    } else if (event.key === "e") {
      const edit = document.querySelector('a[aria-keyshortcuts="e"]');
      if (edit) leave(edit.href);
    } else if (event.key === "a") {
      // The card's timeline: its add link opens the dialog (crm.js puts the cursor in the
      // text once the form is there), or without Bootstrap goes to the form's page.
      const add = document.querySelector('a[aria-keyshortcuts="a"]');
      if (add) {
        event.preventDefault();
        if (window.bootstrap) add.click();
        else leave(add.href);
      }
    } else if (event.key === "j" || event.key === "k") {
      if (moveRow(event.key === "j" ? 1 : -1)) event.preventDefault();
    } else if (event.key === "Enter" && !event.shiftKey && event.target.closest("body, [data-keyboard-rows] > tr") === event.target) {
      // Enter on a row's link opens it by itself; on the page, it opens the highlighted row.
      const row = currentRow();
      if (row) {
        event.preventDefault();
        leave(row.querySelector("a[href]").href);
      }
    } else if (event.key === "?") {
      const dialog = document.getElementById("shortcuts");
      if (dialog && window.bootstrap) {
        event.preventDefault();
        bootstrap.Modal.getOrCreateInstance(dialog).show();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    // Arrived through "/" from another page: the list opens with the search focused.
    const search = document.getElementById("search");
    if (search && window.location.hash === "#search") search.focus();
    // A form that asks for it opens with its first field focused, unless crm.js has already
    // put the focus on the first field in error.
    const form = document.querySelector("form[data-focus-first]");
    if (form && document.activeElement === document.body) {
      const field = [...form.querySelectorAll("input, select, textarea")].find(
        (f) => f.type !== "hidden" && !f.disabled && f.getClientRects().length > 0,
      );
      if (field) field.focus();
    }
  });
})();
