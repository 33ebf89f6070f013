// Small DOM helpers: elements from tag, attributes and children; dialogs; downloads; times.

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': '...'}, 'text', child...). Attributes whose
 * value is null, undefined or false are left out; true gives an empty attribute; on* are listeners.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value' || key === 'checked') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Replaces the children of el, as fill, for a view polled every few seconds: when the new content reads the same, nothing
 * changes, and when it does not, the focus goes back to the control that had it (the one with the same aria-label).
 * Redrawn every two seconds, a list took the focus from its Stop or Cancel button under a keyboard user, and its live
 * region was read out again each time.
 */
export function refill(el, ...children) {
  const next = document.createElement(el.tagName);
  append(next, children);
  if (next.innerHTML === el.innerHTML) {
    return el;
  }
  const active = document.activeElement;
  const label = active && active !== el && el.contains(active) ? active.getAttribute('aria-label') : null;
  el.replaceChildren(...next.childNodes);
  if (label) {
    const again = [...el.querySelectorAll('[aria-label]')].find(e => e.getAttribute('aria-label') === label);
    if (again) {
      again.focus();
    }
  }
  return el;
}

let ids = 0;

/** A document-unique id with a readable prefix. */
export function uid(prefix) {
  ids++;
  return `${prefix}-${ids}`;
}

/**
 * Asks to confirm in a modal dialog (focus stays in it, Escape cancels). Resolves true when the
 * confirming button was chosen. {@code safe}: the focus starts on Cancel (the confirming button loses work).
 */
export function confirmDialog(title, text, confirmLabel, { safe = false } = {}) {
  return new Promise(resolve => {
    const titleId = uid('dialog-title');
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      h('p', {}, text),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { value: 'cancel', class: 'quiet', autofocus: safe }, 'Cancel'),
        h('button', { value: 'ok', class: 'primary', autofocus: !safe }, confirmLabel)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Offers text as a file download. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * 14:03:22 for a moment of today, 2026-11-29 14:03:22 for one of another day, in the browser's time zone (yesterday's
 * change, the time alone, read as today's).
 */
export function clock(ms, now = Date.now()) {
  const time = new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return new Date(ms).toDateString() === new Date(now).toDateString() ? time : `${dateTime(ms).slice(0, 10)} ${time}`;
}

/** 2026-11-30 14:03 */
export function dateTime(ms) {
  const d = new Date(ms);
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "3 s ago", "2 min ago". */
export function ago(ms, now = Date.now()) {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

/**
 * `load` run one at a time: called while it runs, it runs once more after (however many calls came in between), and that
 * run's promise is the answer. A page that reads every few seconds from a server slow to answer (a read may take 15 s)
 * asked again on each tick, the reads piling up, and their answers could land out of order: an older list drawn over a
 * newer one (an entry just deleted back, a Stop button for an experiment that had ended).
 */
export function serially(load) {
  let running = null;
  let again = null;
  const run = () => {
    if (!running) {
      running = Promise.resolve().then(load).finally(() => {
        running = null;
      });
      return running;
    }
    if (!again) {
      again = running.catch(() => {}).then(() => {
        again = null;
        return run();
      });
    }
    return again;
  };
  return run;
}

/** A status line whose text screen readers announce; returns a function setting text and kind. */
export function notice(el) {
  el.setAttribute('role', 'status');
  return (text, kind = 'info') => {
    el.textContent = text || '';
    el.dataset.kind = kind;
  };
}

/**
 * A status line for a page that reads something again and again: `notice(el)`'s voice, plus `readFailed(text)`, whose
 * message stays until the next good read (`readDone()`) takes it away. What else is said there (an action's answer)
 * stays until something else is said: a good read does not take it.
 */
export function readNotice(el) {
  const say = notice(el);
  let failedRead = false;
  const tell = (text, kind) => {
    failedRead = false;
    say(text, kind);
  };
  tell.readFailed = text => {
    say(text, 'error');
    failedRead = true;
  };
  tell.readDone = () => {
    if (failedRead) {
      tell('');
    }
  };
  return tell;
}

/**
 * What to say once a change is done: done, with the node's warnings if any, as [text, kind]. The library's (a scenario the
 * node lacks), and a chaos change's: a run that holds the config and will put back the one it found, this change going
 * with it; a cluster that could not store it yet. Said as plain "done", the change then vanished without a word.
 */
export function outcome(done, reply) {
  const warnings = (reply && reply.warnings) || [];
  return [`${done}${warnings.map(w => ` Warning: ${w}.`).join('')}`, warnings.length ? 'warn' : 'ok'];
}

/** An in-page link's click: scrolls to the section with that id and focuses its h2, leaving the route (the hash) alone. */
export function jump(id) {
  return event => {
    event.preventDefault();
    const target = document.getElementById(id);
    target.scrollIntoView();
    target.querySelector('h2').focus();
  };
}
