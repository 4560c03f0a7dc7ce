// Pickers for the editor's authors and tags: as the user types a name into
// a comma-separated field, the existing names that match it are offered
// below (an ARIA 1.2 combobox with a list popup). Choosing one puts it in
// place of the name being typed, so an existing author is picked rather
// than retyped. Without this script the fields are plain text, and the
// server asks before it creates a name it does not know.

// DELAY is how long typing must pause, in ms, before the server is asked.
const DELAY = 120;

// currentName returns where the name under the caret starts and ends in
// the field's value, and the name itself, trimmed.
function currentName(input) {
  const v = input.value;
  const caret = input.selectionStart ?? v.length;
  const start = v.lastIndexOf(",", caret - 1) + 1;
  let end = v.indexOf(",", caret);
  if (end < 0) end = v.length;
  return { start, end, name: v.slice(start, end).trim() };
}

// takenNames are the names already in the field, folded, other than the
// one being typed: they are not offered again.
function takenNames(input, skipStart) {
  const taken = new Set();
  let at = 0;
  for (const part of input.value.split(",")) {
    if (at !== skipStart) taken.add(part.trim().toLowerCase());
    at += part.length + 1;
  }
  return taken;
}

function picker(input) {
  const url = input.dataset.suggest;
  const list = document.createElement("ul");
  list.id = input.id + "-suggestions";
  list.className = "nr-picker";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.suggestLabel || "Suggestions");
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  let timer = 0;
  let asked = 0; // the number of the newest request; older answers are dropped
  let active = -1;

  function options() {
    return [...list.querySelectorAll("[role=option]")];
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    const opts = options();
    opts.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
    active = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(name) {
    const { start, end } = currentName(input);
    const v = input.value;
    const before = v.slice(0, start).replace(/\s*$/, "");
    const after = v.slice(end).replace(/^,?\s*/, "");
    const head = (before ? before + " " : "") + name + ", ";
    input.value = head + after;
    input.setSelectionRange(head.length, head.length);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    close();
    input.focus();
  }

  function show(items) {
    const { start } = currentName(input);
    const taken = takenNames(input, start);
    items = items.filter((it) => !taken.has(it.name.toLowerCase()));
    list.replaceChildren();
    active = -1;
    if (items.length === 0) {
      close();
      return;
    }
    items.forEach((it, i) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = it.name;
      // mousedown, not click: the input keeps its focus.
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        choose(it.name);
      });
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function ask() {
    const { name } = currentName(input);
    if (name === "") {
      close();
      return;
    }
    const n = ++asked;
    try {
      const resp = await fetch(url + "?q=" + encodeURIComponent(name), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!resp.ok || n !== asked) return;
      const data = await resp.json();
      if (n === asked && document.activeElement === input) show(data.items || []);
    } catch {
      // Offline or signed out: the field stays a plain text field.
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });
  input.addEventListener("keydown", (e) => {
    const opts = options();
    if (list.hidden || opts.length === 0) {
      if (e.key === "ArrowDown" && currentName(input).name !== "") ask();
      return;
    }
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        highlight((active + 1) % opts.length);
        break;
      case "ArrowUp":
        e.preventDefault();
        highlight(active <= 0 ? opts.length - 1 : active - 1);
        break;
      case "Enter":
      case "Tab":
        if (active >= 0) {
          e.preventDefault();
          choose(opts[active].textContent);
        } else {
          close();
        }
        break;
      case "Escape":
        e.preventDefault();
        close();
        break;
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

for (const input of document.querySelectorAll("input[data-suggest]")) {
  picker(input);
}
