// The newsroom's enhancements, for pages that work without them: a live
// preview of the article body, rendered by the server with the same code
// as the public page, and a hint of the address made from the headline.

const body = document.getElementById("body");
const preview = document.getElementById("preview");

if (body && preview) {
  let timer = 0;
  let controller = null;
  const refresh = async () => {
    if (controller) controller.abort();
    controller = new AbortController();
    const form = new URLSearchParams({ body: body.value });
    try {
      const res = await fetch("/newsroom/preview", {
        method: "POST",
        body: form,
        signal: controller.signal,
        credentials: "same-origin",
      });
      if (!res.ok) return;
      // The server's markdown package sanitized this HTML, as it does for
      // every saved article.
      preview.innerHTML = await res.text();
    } catch (err) {
      if (err.name !== "AbortError") console.warn("preview failed", err);
    }
  };
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  if (!preview.innerHTML.trim() && body.value.trim()) refresh();
}

const headline = document.getElementById("headline");
const slug = document.getElementById("slug");
if (headline && slug) {
  const hint = () => {
    slug.placeholder = headline.value
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80);
  };
  headline.addEventListener("input", hint);
  hint();
}

// Read-only fields hold addresses to copy: select them whole on focus.
for (const input of document.querySelectorAll("input[readonly]")) {
  input.addEventListener("focus", () => input.select());
}
