// Contact Us: the captcha of the widget on every page and of the Contact Us
// page. Without this script both still work (see web/captcha.go): the
// widget's image comes from a <noscript> image and a cookie, and "Not
// readable? Change text." submits the form, which comes back with new
// characters and the text kept.
//
// With it, the widget asks for a challenge only when the reader starts
// writing, so showing a page costs the server no write, and the change link
// swaps the image in place.

const ALT = "Distorted characters to type. Use the audio link if you cannot read them.";

for (const form of document.querySelectorAll("form[data-contact-form]")) {
  enhance(form);
}

function enhance(form) {
  const box = form.querySelector("[data-captcha]");
  const idInput = box?.querySelector("[data-captcha-id]");
  const imageBox = box?.querySelector("[data-captcha-image]");
  if (!box || !idInput || !imageBox) return;
  const audio = box.querySelector("[data-captcha-audio]");
  const change = box.querySelector("[data-captcha-change]");
  const status = box.querySelector("[data-captcha-status]");
  const answer = box.querySelector('input[name="captcha"]');

  let img = imageBox.querySelector("img");
  let pending = null;
  let retried = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const show = (c) => {
    idInput.value = c.id;
    if (!img) {
      img = document.createElement("img");
      img.width = 300;
      img.height = 100;
      img.alt = ALT;
      img.addEventListener("error", imageFailed);
      imageBox.replaceChildren(img);
    }
    img.src = c.image;
    if (audio) audio.href = c.audio;
  };

  // issue asks for a new challenge; concurrent calls share one request.
  const issue = () => {
    pending ??= (async () => {
      const res = await fetch("/captcha", { method: "POST", headers: { Accept: "application/json" } });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error || "The captcha could not be made.");
      show(body);
    })().finally(() => {
      pending = null;
    });
    return pending;
  };

  // refresh gives the form's challenge new characters, or gets a new
  // challenge if it has expired.
  const refresh = async () => {
    if (!idInput.value) return issue();
    const res = await fetch(`/captcha/${encodeURIComponent(idInput.value)}/refresh`, {
      method: "POST",
      headers: { Accept: "application/json" },
    });
    if (res.status === 404) {
      idInput.value = "";
      return issue();
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || "The captcha could not be changed.");
    show(body);
  };

  // An image that fails to load has usually expired: get a new one, once.
  function imageFailed() {
    if (retried) return;
    retried = true;
    idInput.value = "";
    issue().catch((err) => say(err.message));
  }
  if (img) img.addEventListener("error", imageFailed);

  if (!idInput.value) {
    // The widget: the characters come when the reader starts writing.
    const hint = document.createElement("p");
    hint.className = "captcha__hint";
    hint.textContent = "The characters appear when you start writing.";
    imageBox.replaceChildren(hint);
    if (audio) audio.hidden = true;
    const start = () => {
      if (idInput.value) return;
      issue()
        .then(() => {
          if (audio) audio.hidden = false;
        })
        .catch((err) => {
          hint.textContent = err.message + " Use “Not readable? Change text.” to try again.";
        });
    };
    form.addEventListener("focusin", start);
    form.addEventListener("input", start, { once: true });
  }

  change?.addEventListener("click", async (event) => {
    event.preventDefault();
    change.disabled = true;
    try {
      await refresh();
      retried = false;
      if (audio) audio.hidden = false;
      if (answer) answer.value = "";
      say("New characters are shown.");
    } catch (err) {
      say(err.message);
    } finally {
      change.disabled = false;
    }
  });
}
