// Search overlay: the header's Search link opens a modal dialog with a
// combobox (the WAI-ARIA 1.2 combobox pattern with a listbox popup). As the
// reader types, suggestions come from /api/v1/suggest, debounced. Arrow keys
// move through them; Enter on one opens it, Enter otherwise submits the
// form to the results page; Escape closes the list, then the dialog.
// Without this script the link and the form work on their own.

const DEBOUNCE_MS = 150;
const MIN_CHARS = 2;

const dialog = document.getElementById('search-overlay');
const opener = document.querySelector('[data-search-open]');

if (dialog && opener && typeof dialog.showModal === 'function') {
  setUp(dialog, opener);
}

function setUp(dialog, opener) {
  const input = dialog.querySelector('[role="combobox"]');
  const list = document.getElementById(input.getAttribute('aria-controls'));
  const status = document.getElementById('search-overlay-status');
  let options = [];
  let active = -1;
  let timer = 0;
  let pending = null;
  let leaving = false;

  // go opens a suggestion's page, once however many events ask for it.
  function go(url) {
    if (!leaving) {
      leaving = true;
      location.assign(url);
    }
  }

  // The link becomes a button that opens a dialog.
  opener.setAttribute('role', 'button');
  opener.setAttribute('aria-haspopup', 'dialog');
  opener.setAttribute('aria-controls', dialog.id);
  opener.addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // a new tab or window still gets the results page
    }
    event.preventDefault();
    open();
  });
  opener.addEventListener('keydown', (event) => {
    if (event.key === ' ') {
      event.preventDefault();
      open();
    }
  });

  function open() {
    dialog.showModal();
    input.focus();
    input.select();
    if (input.value.trim().length >= MIN_CHARS) {
      suggest();
    }
  }

  dialog.addEventListener('close', () => {
    closeList();
    opener.focus();
  });
  // Escape: close the suggestions first, the dialog only when none show.
  dialog.addEventListener('cancel', (event) => {
    if (!list.hidden) {
      event.preventDefault();
      closeList();
    }
  });
  dialog.querySelector('[data-search-close]').addEventListener('click', () => dialog.close());
  // A click on the backdrop (the dialog itself, outside its content) closes.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) {
      dialog.close();
    }
  });

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', onKeyDown);
  // Enter with a suggestion chosen opens it, however the browser turns
  // the key into a submission.
  input.form.addEventListener('submit', (event) => {
    if (!list.hidden && active >= 0) {
      event.preventDefault();
      go(options[active].dataset.url);
    }
  });
  // Keep the focus in the input when an option is clicked.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) {
      go(option.dataset.url);
    }
  });

  function onKeyDown(event) {
    switch (event.key) {
      case 'ArrowDown':
        if (options.length === 0) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          showList();
        }
        select(active + 1 >= options.length ? 0 : active + 1);
        break;
      case 'ArrowUp':
        if (options.length === 0) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          showList();
        }
        select(active <= 0 ? options.length - 1 : active - 1);
        break;
      case 'Enter':
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          go(options[active].dataset.url);
        }
        // Otherwise the form submits: the results page.
        break;
      case 'Escape':
        // Handled here, not left to the browser, which would also clear
        // the search field: the list closes first, then the dialog.
        event.preventDefault();
        if (!list.hidden) {
          closeList();
        } else {
          dialog.close();
        }
        break;
      default:
        break;
    }
  }

  async function suggest() {
    const text = input.value;
    if (text.trim().length < MIN_CHARS) {
      clearList();
      return;
    }
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    let data;
    try {
      const response = await fetch('/api/v1/suggest?q=' + encodeURIComponent(text), {
        signal: pending.signal,
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        clearList();
        return;
      }
      data = await response.json();
    } catch (error) {
      if (error.name !== 'AbortError') {
        clearList();
      }
      return;
    }
    if (input.value !== text) {
      return; // the reader typed on; a newer answer is coming
    }
    render(data.suggestions || []);
  }

  function render(suggestions) {
    list.replaceChildren();
    options = suggestions.map((s, i) => {
      const option = document.createElement('li');
      option.id = 'search-suggestion-' + i;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.dataset.url = s.url;
      appendMarked(option, s.title_html);
      if (s.published_at) {
        const time = document.createElement('time');
        time.dateTime = s.published_at;
        time.textContent = new Date(s.published_at).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
        option.append(time);
      }
      list.append(option);
      return option;
    });
    active = -1;
    input.removeAttribute('aria-activedescendant');
    if (options.length === 0) {
      closeList();
      status.textContent = 'No suggestions. Press Enter to search.';
      return;
    }
    showList();
    status.textContent = options.length === 1
      ? '1 suggestion. Use the arrow keys to choose it, or press Enter to search.'
      : options.length + ' suggestions. Use the arrow keys to choose one, or press Enter to search.';
  }

  // appendMarked adds the server's marked headline (escaped text with
  // <mark>) to parent, building text nodes and marks itself, so nothing
  // else in it could ever become markup.
  function appendMarked(parent, html) {
    const doc = new DOMParser().parseFromString('<p>' + html + '</p>', 'text/html');
    const span = document.createElement('span');
    for (const node of doc.body.firstChild.childNodes) {
      if (node.nodeName === 'MARK') {
        const mark = document.createElement('mark');
        mark.textContent = node.textContent;
        span.append(mark);
      } else {
        span.append(node.textContent);
      }
    }
    parent.append(span);
  }

  function select(i) {
    if (active >= 0 && options[active]) {
      options[active].setAttribute('aria-selected', 'false');
    }
    active = i;
    const option = options[active];
    option.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({ block: 'nearest' });
  }

  function showList() {
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function closeList() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    if (active >= 0 && options[active]) {
      options[active].setAttribute('aria-selected', 'false');
    }
    active = -1;
  }

  function clearList() {
    closeList();
    list.replaceChildren();
    options = [];
    status.textContent = '';
  }
}
