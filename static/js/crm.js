// Small enhancements: every page also works without this file.
document.documentElement.classList.add("js");

function addRow(section) {
  const total = section.querySelector('input[name$="-TOTAL_FORMS"]');
  const html = section.querySelector("template[data-formset-template]").innerHTML
    .replace(/__prefix__/g, total.value);
  const rows = section.querySelector("[data-formset-rows]");
  rows.insertAdjacentHTML("beforeend", html);
  total.value = Number(total.value) + 1;
  const row = rows.lastElementChild;
  // A row's type-ahead (a position's company) asks htmx once it is on the page.
  if (window.htmx) htmx.process(row);
  enhanceRow(row);
  const input = row.querySelector("input:not([type=checkbox]):not([type=hidden]), textarea");
  if (input) input.focus();
}

function enhanceRow(row) {
  const del = row.querySelector("[data-delete] input[type=checkbox]");
  const button = row.querySelector("[data-remove-row]");
  if (!del || !button || button.dataset.bound) return;
  button.dataset.bound = "1";
  button.addEventListener("click", () => {
    del.checked = true;
    row.hidden = true;
  });
}

function enhanceTags(box) {
  const input = box.querySelector("input");
  const url = box.dataset.suggestUrl;
  const chips = document.createElement("div");
  chips.className = "tag-chips d-flex flex-wrap gap-1 mb-2";
  const entry = document.createElement("input");
  entry.className = "form-control";
  entry.setAttribute("list", input.id + "-options");
  entry.setAttribute("aria-label", input.labels[0] ? input.labels[0].textContent.trim() : "Tags");
  entry.autocomplete = "off";
  entry.maxLength = 50;
  const list = document.createElement("datalist");
  list.id = input.id + "-options";
  const tags = () => input.value.split(",").map((t) => t.trim()).filter(Boolean);
  const render = () => {
    chips.replaceChildren(...tags().map((tag) => {
      const chip = document.createElement("span");
      chip.className = "badge text-bg-light border d-inline-flex align-items-center gap-1";
      chip.textContent = tag;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close";
      remove.setAttribute("aria-label", "× " + tag);
      remove.addEventListener("click", () => {
        input.value = tags().filter((t) => t !== tag).join(", ");
        render();
      });
      chip.append(remove);
      return chip;
    }));
  };
  const commit = () => {
    const tag = entry.value.replace(/,/g, " ").trim();
    if (tag && !tags().some((t) => t.toLowerCase() === tag.toLowerCase())) {
      input.value = tags().concat([tag]).join(", ");
    }
    entry.value = "";
    render();
  };
  entry.addEventListener("keydown", (event) => {
    // Ctrl/⌘+Enter is left to the shortcut that saves the form.
    if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === ",") {
      event.preventDefault();
      commit();
    }
  });
  entry.addEventListener("change", () => {
    if ([...list.options].some((o) => o.value === entry.value)) commit();
  });
  // A slower answer to an earlier keystroke must not replace the newer suggestions.
  let asked = 0;
  entry.addEventListener("input", async () => {
    const ask = ++asked;
    const response = await fetch(url + "?q=" + encodeURIComponent(entry.value));
    const html = response.ok ? await response.text() : null;
    if (html !== null && ask === asked) list.innerHTML = html;
  });
  input.form.addEventListener("submit", commit);
  input.type = "hidden";
  input.after(chips, entry, list);
  render();
}

function enhance(root) {
  root.querySelectorAll("[data-formset-row]").forEach(enhanceRow);
  root.querySelectorAll("[data-autosubmit]").forEach((el) =>
    el.addEventListener("change", () => el.form.submit()));
}

document.addEventListener("DOMContentLoaded", () => {
  enhance(document);
  document.querySelectorAll("[data-tag-input]").forEach(enhanceTags);
  document.querySelectorAll("[data-add-row]").forEach((button) =>
    button.addEventListener("click", (event) => {
      event.preventDefault();
      addRow(button.closest("[data-formset]"));
    }));
});
document.addEventListener("htmx:afterSwap", (event) => enhance(event.target));

// The live search listens once htmx has started: what was typed into the box before (a
// slow connection, a quick typist) made no request, and htmx took the typed text as the
// box's starting value, so only a further change would search. Search for it now, once.
document.addEventListener("htmx:load", () => {
  const search = document.getElementById("search");
  if (search && search.value !== search.defaultValue) htmx.trigger(search, "search");
}, { once: true });

// The list's selection: tick the page, count what is selected, offer
// "select all matching" once the whole page is ticked.
function updateSelection() {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const boxes = [...document.querySelectorAll('input[name="selected"][form="bulk-form"]')];
  const ticked = boxes.filter((box) => box.checked).length;
  const page = document.querySelector("[data-select-page]");
  page.checked = ticked > 0 && ticked === boxes.length;
  page.indeterminate = ticked > 0 && ticked < boxes.length;
  const matching = form.querySelector("[data-select-all-matching]");
  const all = form.querySelector('input[name="all"]');
  if (matching) {
    matching.hidden = !page.checked;
    if (matching.hidden) all.checked = false;
  }
  const count = form.querySelector("[data-selection-count]");
  if (all && all.checked) count.textContent = "";
  else if (ticked === 1) count.textContent = form.dataset.oneSelected;
  else if (ticked > 1) count.textContent = form.dataset.manySelected.replace("__count__", ticked);
  else count.textContent = "";
}

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches("[data-select-page]")) {
    document.querySelectorAll('input[name="selected"][form="bulk-form"]')
      .forEach((other) => { other.checked = box.checked; });
  }
  if (box.matches('[data-select-page], input[name="selected"], #select-all-matching')) updateSelection();
});
document.addEventListener("DOMContentLoaded", updateSelection);
document.addEventListener("htmx:afterSwap", updateSelection);

// The import's mapping step: a column set to "Do not import" is highlighted as it changes.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!select.matches || !select.matches(".mapping-table select")) return;
  const row = select.closest("tr");
  row.classList.toggle("table-warning", !select.value);
  const badge = row.querySelector(".badge");
  if (badge) badge.hidden = Boolean(select.value);
});

// A form that came back with errors: its first invalid field takes the focus, so that a
// keyboard or screen reader user lands on it (its error is linked by aria-describedby).
document.addEventListener("DOMContentLoaded", () => {
  if (document.activeElement !== document.body) return;
  const invalid = document.querySelector('main [aria-invalid="true"]');
  if (invalid) invalid.focus();
});

// "Select all" for a page whose row boxes belong to one form (the trash): ticks them all,
// and shows whether some, all or none are ticked.
document.addEventListener("change", (event) => {
  const box = event.target;
  const all = box.matches("[data-select-all]") ? box
    : box.matches('input[name="selected"][form]')
      ? document.querySelector(`[data-select-all="${box.getAttribute("form")}"]`) : null;
  if (!all) return;
  const boxes = [...document.querySelectorAll(`input[name="selected"][form="${all.dataset.selectAll}"]`)];
  if (box === all) boxes.forEach((other) => { other.checked = all.checked; });
  const ticked = boxes.filter((other) => other.checked).length;
  all.checked = ticked > 0 && ticked === boxes.length;
  all.indeterminate = ticked > 0 && ticked < boxes.length;
});

// The list's forms send only the fields that say something: the address reads
// "?kind=person", not "?kind=person&type=&tag=&…" with every filter left at "Any". Only
// where a form asks for it: elsewhere (the import's mapping) an empty choice is a choice.
const SENT_AS_CHOSEN = ["submit", "button", "checkbox", "radio", "file"];
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches("form[method=get][data-drop-empty]")) return;
  const empty = [...form.elements].filter((field) => field.name && !field.disabled
    && field.value === "" && !SENT_AS_CHOSEN.includes(field.type));
  empty.forEach((field) => { field.disabled = true; });
  // Once the browser has read the form: coming back to this page, they work again.
  setTimeout(() => empty.forEach((field) => { field.disabled = false; }));
});
document.addEventListener("htmx:configRequest", (event) => {
  const data = event.detail.formData;
  const asked = event.detail.elt.closest && event.detail.elt.closest("[data-drop-empty]");
  if (event.detail.verb !== "get" || !data || !asked) return;
  for (const name of new Set(data.keys())) {
    const values = data.getAll(name);
    if (!values.includes("")) continue;
    data.delete(name);
    values.filter((value) => value !== "").forEach((value) => data.append(name, value));
  }
});

// The filters' tag box takes several tags, separated by commas: its suggestions, the
// CRM's tags as the bulk tag box offers them, complete the tag being typed after the
// ones already chosen.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!input.matches || !input.matches("[data-tag-suggestions]")) return;
  const list = input.list;
  if (!list) return;
  if (!list.tags) list.tags = [...list.options].map((option) => option.value);
  const typed = input.value.split(",");
  const chosen = typed.slice(0, -1).map((tag) => tag.trim()).filter(Boolean);
  const before = chosen.length ? chosen.join(", ") + ", " : "";
  const taken = new Set(chosen.map((tag) => tag.toLowerCase()));
  list.replaceChildren(...list.tags.filter((tag) => !taken.has(tag.toLowerCase())).map((tag) => {
    const option = document.createElement("option");
    option.value = before + tag;
    return option;
  }));
});

// The timeline's add dialog: its form arrives when it opens, the cursor goes to the text.
function focusEventText() {
  document.querySelector("#event-dialog.show textarea")?.focus();
}
document.addEventListener("shown.bs.modal", focusEventText);
document.addEventListener("htmx:afterSwap", focusEventText);
