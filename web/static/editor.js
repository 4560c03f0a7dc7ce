// The article editor's enhancements, over a form that works without them:
// a formatting toolbar with keyboard shortcuts that writes Markdown into the
// body, images pasted, dropped or chosen from the media library and
// uploaded in place (with alt text, caption and credit), the feature image
// picked the same way, a word count and reading time as you type, a
// warning before leaving with unsaved changes, and an autosave to the
// server every few seconds while you type.

const form = document.getElementById("editor");
const body = document.getElementById("body");

// WORDS_PER_MINUTE is byline.WordsPerMinute, the reading speed of the
// reading time the article page shows.
const WORDS_PER_MINUTE = 230;

// replaceSelection puts text in place of the body's selection, through the
// browser's editing commands where it has them, so Undo undoes it; then
// selects [selStart, selEnd) of the new text.
function replaceSelection(el, text, selStart = text.length, selEnd = selStart) {
  const start = el.selectionStart;
  el.focus();
  let done = false;
  try {
    done = document.execCommand("insertText", false, text);
  } catch {
    done = false;
  }
  if (!done || el.value.slice(start, start + text.length) !== text) {
    el.setRangeText(text, start, el.selectionEnd, "end");
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
  el.setSelectionRange(start + selStart, start + selEnd);
}

// wrap surrounds the selection with a mark (** or _); with nothing
// selected it inserts a placeholder, selected, to type over.
function wrap(el, mark, placeholder) {
  const sel = el.value.slice(el.selectionStart, el.selectionEnd);
  const inner = sel || placeholder;
  replaceSelection(el, mark + inner + mark, mark.length, mark.length + inner.length);
}

// link makes the selection a link's text (or, if it is an address, the
// link's address) and selects what is left to type.
function link(el) {
  const sel = el.value.slice(el.selectionStart, el.selectionEnd);
  if (/^https?:\/\/\S+$/.test(sel)) {
    const text = "link text";
    replaceSelection(el, `[${text}](${sel})`, 1, 1 + text.length);
    return;
  }
  const text = sel || "link text";
  const url = "https://";
  replaceSelection(el, `[${text}](${url})`, text.length + 3, text.length + 3 + url.length);
}

// prefixLines adds prefix to each line the selection touches, or takes it
// away if every one has it already.
function prefixLines(el, prefix) {
  const v = el.value;
  const start = v.lastIndexOf("\n", el.selectionStart - 1) + 1;
  let end = v.indexOf("\n", el.selectionEnd);
  if (end < 0 || (el.selectionEnd > el.selectionStart && v[el.selectionEnd - 1] === "\n")) {
    end = end < 0 ? v.length : el.selectionEnd - 1;
  }
  const lines = v.slice(start, end).split("\n");
  const has = lines.every((l) => l.startsWith(prefix));
  const out = lines.map((l) => (has ? l.slice(prefix.length) : prefix + l.replace(/^(#+ |> |- )/, ""))).join("\n");
  el.setSelectionRange(start, end);
  replaceSelection(el, out, out.length);
}

// The toolbar's actions, by data-format.
const formats = {
  bold: () => wrap(body, "**", "bold text"),
  italic: () => wrap(body, "_", "italic text"),
  link: () => link(body),
  heading: () => prefixLines(body, "## "),
  list: () => prefixLines(body, "- "),
  quote: () => prefixLines(body, "> "),
  image: () => images && images.open("body"),
};

// shortcuts maps a key chord to a format: Ctrl (Cmd on a Mac) with the key.
function shortcut(e) {
  if (!(e.ctrlKey || e.metaKey)) return "";
  const k = e.key.toLowerCase();
  if (!e.shiftKey && !e.altKey) return { b: "bold", i: "italic", k: "link" }[k] || "";
  if (e.altKey && !e.shiftKey && (e.code === "Digit2" || k === "2")) return "heading";
  if (e.shiftKey && !e.altKey) {
    if (e.code === "Digit8" || k === "8" || k === "*") return "list";
    if (e.code === "Digit9" || k === "9" || k === "(") return "quote";
    if (k === "m") return "image";
  }
  return "";
}

const toolbar = document.getElementById("toolbar");
if (body && toolbar && !body.disabled && !body.closest("fieldset[disabled]")) {
  toolbar.hidden = false;
  const buttons = [...toolbar.querySelectorAll("button")];
  // One tab stop for the whole toolbar; arrow keys move along it.
  buttons.forEach((b, i) => (b.tabIndex = i === 0 ? 0 : -1));
  toolbar.addEventListener("keydown", (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % buttons.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + buttons.length) % buttons.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = buttons.length - 1;
    if (j < 0) return;
    e.preventDefault();
    buttons[i].tabIndex = -1;
    buttons[j].tabIndex = 0;
    buttons[j].focus();
  });
  toolbar.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-format]");
    if (b) formats[b.dataset.format]();
  });
  body.addEventListener("keydown", (e) => {
    const f = shortcut(e);
    if (f && formats[f]) {
      e.preventDefault();
      formats[f]();
    }
  });
}

// upload sends a file to the upload handler and returns the stored image,
// or throws an Error with the server's sentence.
async function upload(file) {
  const data = new FormData();
  data.append("image", file, file.name || "pasted-image");
  const res = await fetch(body.dataset.uploads, {
    method: "POST",
    body: data,
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  let answer = null;
  try {
    answer = await res.json();
  } catch {
    answer = null;
  }
  if (!res.ok) throw new Error((answer && answer.error) || `The upload failed (${res.status}).`);
  return answer;
}

// imageMarkdown is markdown.ImageMarkdown: an image alone, with its
// caption and credit in the title.
function imageMarkdown(url, alt, caption, credit) {
  const clean = (s) =>
    s.trim().split(/\s+/).filter(Boolean).join(" ").replaceAll('"', "”").replaceAll("|", "/").replaceAll("[", "(").replaceAll("]", ")");
  alt = clean(alt);
  caption = clean(caption);
  credit = clean(credit);
  let title = caption;
  if (credit) title += " | " + credit;
  return title ? `![${alt}](${url} "${title}")` : `![${alt}](${url})`;
}

// The image dialog: upload a file or choose one from the library; for the
// body, describe it, then insert it; for the feature image, just pick it.
const dialog = document.getElementById("image-dialog");
const images =
  body && body.dataset.uploads && dialog
    ? (() => {
        const $ = (id) => document.getElementById(id);
        const choose = $("image-choose"), details = $("image-details"), error = $("image-error"), status = $("image-status");
        const file = $("image-file"), library = $("image-library"), chosenImg = $("image-chosen");
        const alt = $("image-alt"), caption = $("image-caption"), credit = $("image-credit"), insert = $("image-insert");
        let mode = "body";
        let chosen = null;
        let selection = [0, 0];

        const showError = (msg) => {
          error.textContent = msg;
          error.hidden = !msg;
        };
        const reset = () => {
          chosen = null;
          showError("");
          status.textContent = "";
          file.value = "";
          alt.value = caption.value = credit.value = "";
          alt.required = false;
          choose.hidden = false;
          details.hidden = true;
          insert.hidden = true;
        };
        const pick = (up) => {
          chosen = up;
          if (mode === "feature") {
            feature.set(up.url);
            dialog.close("picked");
            return;
          }
          choose.hidden = true;
          details.hidden = false;
          insert.hidden = false;
          alt.required = true;
          chosenImg.src = up.url;
          chosenImg.alt = "";
          alt.focus();
        };
        const loadLibrary = async () => {
          library.replaceChildren();
          try {
            const res = await fetch(body.dataset.uploads, { headers: { Accept: "application/json" }, credentials: "same-origin" });
            if (!res.ok) throw new Error(`The media library could not be read (${res.status}).`);
            const list = await res.json();
            if (!list.uploads.length) {
              const li = document.createElement("li");
              li.textContent = "No images yet.";
              library.append(li);
            }
            for (const up of list.uploads) {
              const li = document.createElement("li");
              const b = document.createElement("button");
              b.type = "button";
              b.className = "nr-library__item";
              const img = document.createElement("img");
              img.src = up.url;
              if (up.srcset) img.srcset = up.srcset;
              img.sizes = "8rem";
              img.alt = "";
              img.loading = "lazy";
              img.width = up.width;
              img.height = up.height;
              const name = document.createElement("span");
              name.textContent = `${up.name}, ${up.width}×${up.height}`;
              b.append(img, name);
              b.addEventListener("click", () => pick(up));
              li.append(b);
              library.append(li);
            }
          } catch (err) {
            showError(err.message);
          }
        };
        const uploadThen = async (f) => {
          showError("");
          status.textContent = `Uploading ${f.name || "the image"}…`;
          try {
            const up = await upload(f);
            status.textContent = "";
            pick(up);
          } catch (err) {
            status.textContent = "";
            showError(err.message);
          }
        };
        file.addEventListener("change", () => file.files[0] && uploadThen(file.files[0]));
        dialog.addEventListener("close", () => {
          if (mode === "body" && dialog.returnValue === "insert" && chosen) {
            body.focus();
            body.setSelectionRange(...selection);
            const before = body.value.slice(0, selection[0]);
            const after = body.value.slice(selection[1]);
            // An image stands in a paragraph of its own, so it is a figure.
            const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
            const tail = after === "" || after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
            replaceSelection(body, lead + imageMarkdown(chosen.url, alt.value, caption.value, credit.value) + tail);
          } else if (mode === "body") {
            body.focus();
          }
        });
        return {
          // open shows the dialog; given a file (pasted or dropped), it
          // uploads it at once and asks for its description.
          open(m, f) {
            mode = m;
            reset();
            selection = [body.selectionStart, body.selectionEnd];
            dialog.returnValue = "";
            $("image-dialog-title").textContent = m === "feature" ? "Feature image" : "Image";
            dialog.showModal();
            if (f) uploadThen(f);
            else {
              loadLibrary();
              file.focus();
            }
          },
        };
      })()
    : null;

// Paste or drop an image into the body to upload it where the caret is.
if (images) {
  const imageFile = (dt) => dt && [...dt.files].find((f) => f.type.startsWith("image/"));
  body.addEventListener("paste", (e) => {
    const f = imageFile(e.clipboardData);
    if (!f) return;
    e.preventDefault();
    images.open("body", f);
  });
  body.addEventListener("dragover", (e) => {
    if (e.dataTransfer && [...e.dataTransfer.types].includes("Files")) e.preventDefault();
  });
  body.addEventListener("drop", (e) => {
    const f = imageFile(e.dataTransfer);
    if (!f) return;
    e.preventDefault();
    images.open("body", f);
  });
}

// The feature image: chosen or uploaded in the dialog, shown beside its
// address.
const featureInput = document.getElementById("feature_image_url");
const feature = {
  preview: document.getElementById("feature-preview"),
  set(url) {
    featureInput.value = url;
    featureInput.dispatchEvent(new Event("input", { bubbles: true }));
    this.show();
  },
  show() {
    if (!this.preview) return;
    const url = featureInput.value.trim();
    this.preview.hidden = !url.startsWith("/");
    if (url.startsWith("/")) this.preview.src = url;
  },
};
if (images && featureInput && document.getElementById("feature-actions") && !featureInput.closest("fieldset[disabled]")) {
  document.getElementById("feature-actions").hidden = false;
  document.getElementById("feature-pick").addEventListener("click", () => images.open("feature"));
  document.getElementById("feature-clear").addEventListener("click", () => feature.set(""));
  featureInput.addEventListener("change", () => feature.show());
  feature.show();
}

// countWords counts the words a reader will read in a Markdown body: the
// text of links, not their addresses; no images, no markup.
export function countWords(src) {
  const text = src
    .replace(/```[\s\S]*?```/g, (m) => m.replace(/```\w*/g, ""))
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, " ")
    .replace(/[#>*_`~|-]+(?=\s|$)/g, " ")
    .replace(/(^|\s)[#>*_`~-]+/g, "$1");
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

const stats = document.getElementById("body-stats");
if (body && stats) {
  const show = () => {
    const words = countWords(body.value);
    const minutes = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
    stats.textContent = `${words.toLocaleString("en")} ${words === 1 ? "word" : "words"} · ${minutes} min read`;
  };
  stats.hidden = false;
  body.addEventListener("input", show);
  show();
}

// Warn before leaving with changes that were not saved.
if (form) {
  const snapshot = () => new URLSearchParams(new FormData(form)).toString();
  let saved = snapshot();
  let submitting = false;
  form.addEventListener("submit", () => (submitting = true));
  window.addEventListener("beforeunload", (e) => {
    if (submitting || snapshot() === saved) return;
    e.preventDefault();
    e.returnValue = "";
  });
  // Other scripts (the autosave) mark the form saved.
  form.addEventListener("byline:saved", () => (saved = snapshot()));
}

// Autosave: a few seconds after typing stops (and at least every
// AUTOSAVE_MAX_WAIT while it goes on), send the form to the server, which
// keeps it apart from the article, one per article and user. It is not a
// save and makes no revision; after a crash or a closed tab, the editor
// offers to restore it.
const AUTOSAVE_DELAY = 2000;
const AUTOSAVE_MAX_WAIT = 10000;
const autosaveStatus = document.getElementById("autosave-status");
if (form && form.dataset.autosave) {
  const url = form.dataset.autosave;
  const fields = () => {
    const data = new FormData(form);
    data.delete("action");
    return new URLSearchParams(data);
  };
  let sent = fields().toString();
  let timer = 0;
  let firstChange = 0;
  let inflight = null;
  let stopped = false;
  const show = (text, problem = false) => {
    if (!autosaveStatus) return;
    autosaveStatus.hidden = false;
    autosaveStatus.textContent = text;
    autosaveStatus.classList.toggle("nr-autosave-status--problem", problem);
  };
  const send = async () => {
    clearTimeout(timer);
    timer = 0;
    firstChange = 0;
    if (stopped) return;
    const data = fields();
    const text = data.toString();
    if (text === sent) return;
    inflight = new AbortController();
    try {
      const res = await fetch(url, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual", // signed out: the sign-in page is no answer
        signal: inflight.signal,
      });
      let answer = null;
      try {
        answer = await res.json();
      } catch {
        answer = null;
      }
      if (res.type === "opaqueredirect") throw new Error("Not autosaved: you are signed out. Sign in again in another tab, then go on.");
      if (!res.ok || !answer) throw new Error((answer && answer.error) || `Not autosaved (the server answered ${res.status}).`);
      sent = text;
      show(`Autosaved at ${answer.time}.`);
    } catch (err) {
      if (err.name === "AbortError") return;
      show(err.message || "Not autosaved: the server could not be reached.", true);
      schedule(); // try again
    } finally {
      inflight = null;
    }
  };
  const schedule = () => {
    if (stopped) return;
    const now = Date.now();
    if (!firstChange) firstChange = now;
    clearTimeout(timer);
    timer = setTimeout(send, Math.max(0, Math.min(AUTOSAVE_DELAY, firstChange + AUTOSAVE_MAX_WAIT - now)));
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // Saving makes the autosave pointless (the server removes it).
  form.addEventListener("submit", () => {
    stopped = true;
    clearTimeout(timer);
    if (inflight) inflight.abort();
  });
  // The tab going away with typing not yet sent: send it as it goes.
  window.addEventListener("pagehide", () => {
    if (stopped || !timer) return;
    clearTimeout(timer);
    const data = fields();
    if (data.toString() !== sent) navigator.sendBeacon(url, data);
  });
}
