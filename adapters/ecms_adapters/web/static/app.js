// Progressive enhancement only: every page works without this script.
// The receiver <select> becomes a search box (ARIA combobox) that asks /orgs?q= as the clerk types.
"use strict";

function enhanceOrgPicker(select) {
  const picker = select.closest(".org-picker");
  const label = picker.querySelector("label[for='" + select.id + "']");
  const input = document.createElement("input");
  const list = document.createElement("ul");
  const chosen = document.createElement("p");
  input.id = select.id + "-search";
  // Sent with the form: when nothing was picked, the server says whether anything matches it.
  input.name = select.name + "_query";
  input.type = "text";
  input.autocomplete = "off";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", select.id + "-results");
  const described = select.getAttribute("aria-describedby");
  if (described) input.setAttribute("aria-describedby", described);
  if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
  list.id = select.id + "-results";
  list.className = "org-results";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  chosen.className = "org-chosen";
  chosen.setAttribute("aria-live", "polite");
  if (label) label.htmlFor = input.id;
  select.hidden = true;
  select.tabIndex = -1;
  select.insertAdjacentElement("afterend", chosen);
  select.insertAdjacentElement("afterend", list);
  select.insertAdjacentElement("afterend", input);
  let active = -1;
  let items = [];
  let timer = null;

  function show(current) {
    const option = select.selectedOptions[0];
    chosen.textContent = option && option.value ? "✓ " + option.textContent : "";
    if (current && option && option.value) input.value = option.textContent;
  }
  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function choose(item) {
    let option = Array.from(select.options).find((o) => o.value === item.id);
    if (!option) {
      option = new Option(item.label, item.id);
      select.add(option);
    }
    select.value = item.id;
    show(true);
    close();
  }
  function highlight(index) {
    const nodes = list.querySelectorAll("li");
    nodes.forEach((node, i) => node.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (nodes[index]) {
      input.setAttribute("aria-activedescendant", nodes[index].id);
      nodes[index].scrollIntoView({ block: "nearest" });
    }
  }
  function render(found) {
    items = found;
    list.replaceChildren();
    if (!found.length && input.value.trim() && select.dataset.none) {
      const none = document.createElement("li");
      none.className = "org-none";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.textContent = select.dataset.none;
      list.appendChild(none);
    }
    found.forEach((item, i) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.textContent = item.label;
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(item); });
      list.appendChild(li);
    });
    list.hidden = list.childElementCount === 0;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    active = -1;
  }
  let asked = 0;
  async function search() {
    // Answers can come back out of order (the full list asked on focus after the typed search):
    // only the answer to the latest question is shown.
    const mine = ++asked;
    const response = await fetch(select.dataset.search + "?q=" + encodeURIComponent(input.value), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    const found = await response.json();
    if (mine === asked) render(found);
  }
  input.addEventListener("input", () => {
    // Typing again un-picks the earlier choice: the letter never goes to a name no longer shown.
    const option = select.selectedOptions[0];
    if (option && option.value && input.value !== option.textContent) {
      select.value = "";
      show(false);
    }
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("focus", () => { if (!input.value) search(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) search(); else highlight(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose(items[active]); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  show(true);
  if (!select.value && select.dataset.query) input.value = select.dataset.query;
}

// An action that cannot be undone (reject, withdraw, dismiss...) asks first: its button (or its form)
// carries the question in data-confirm. Without the script the server still requires a reason.
function confirmForms() {
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const button = event.submitter;
      const question = (button && button.dataset.confirm) || form.dataset.confirm;
      if (question && !window.confirm(question)) event.preventDefault();
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-search]").forEach(enhanceOrgPicker);
  confirmForms();
});
