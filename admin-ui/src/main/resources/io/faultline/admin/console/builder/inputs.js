// The builder's inputs, each bound to one key of one object of the orchestration document: typing
// writes the key (an empty input removes it), drawing never writes, so a document opened and saved
// unchanged is the document it was. Each field carries the path the server's validator names
// (steps[0].duration_seconds), where its problems are shown.

import { h } from '../lib/dom.js';
import { NUMBER } from '../lib/fields.js';

/** A value of any JSON type as typed: 42, true, null, [1,2] and {"a":1} are read as JSON, anything else is text. */
export function showAny(value) {
  if (value === undefined) {
    return '';
  }
  if (typeof value !== 'string') {
    return JSON.stringify(value);
  }
  try {
    JSON.parse(value);
    return JSON.stringify(value); // text that would read as another type keeps its quotes: "42"
  } catch (e) {
    return value;
  }
}

export function readAny(text) {
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return text;
  }
}

export const inputId = (path, role = 'value') => `b:${path}:${role}`;

function wrap(path, labelText, input, hint) {
  const problem = h('p', { class: 'problem', id: `${input.id}:problem`, hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: `${input.id}:hint` }, hint) : null;
  input.setAttribute('aria-describedby', [problem.id, hintEl && hintEl.id].filter(Boolean).join(' '));
  const check = input.type === 'checkbox';
  return h('div', { class: check ? 'field check' : 'field', 'data-path': path },
    check ? [input, h('label', { for: input.id }, labelText)] : [h('label', { for: input.id }, labelText), input],
    hintEl, problem);
}

function bind(ctx, obj, key, input, read, event = 'input') {
  input.addEventListener(event, () => {
    const value = read();
    if (value === undefined) {
      delete obj[key];
    } else {
      obj[key] = value;
    }
    ctx.edited();
  });
}

/** Text; an empty input removes the key. */
export function text(ctx, obj, key, path, labelText, { hint, list, multiline } = {}) {
  const input = multiline
    ? h('textarea', { id: inputId(path), rows: 3 })
    : h('input', { id: inputId(path), type: 'text', list, autocomplete: 'off', spellcheck: 'false' });
  input.value = obj[key] === undefined || obj[key] === null ? '' : typeof obj[key] === 'string' ? obj[key] : JSON.stringify(obj[key]);
  bind(ctx, obj, key, input, () => (input.value === '' ? undefined : input.value));
  return wrap(path, labelText, input, hint);
}

/** A number; what does not read as one is kept as typed, for the validator to name. */
export function number(ctx, obj, key, path, labelText, { hint } = {}) {
  const input = h('input', { id: inputId(path), type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  input.value = obj[key] === undefined || obj[key] === null ? '' : String(obj[key]);
  bind(ctx, obj, key, input, () => {
    const t = input.value.trim();
    return t === '' ? undefined : NUMBER.test(t) ? Number(t) : t;
  });
  return wrap(path, labelText, input, hint);
}

/** A yes/no key: unticking writes false (it only writes when changed). */
export function check(ctx, obj, key, path, labelText, { hint } = {}) {
  const input = h('input', { id: inputId(path), type: 'checkbox', checked: obj[key] === true });
  bind(ctx, obj, key, input, () => input.checked, 'change');
  return wrap(path, labelText, input, hint);
}

/** One of options ([value, text] pairs); a value that is not among them is still shown, and kept. */
export function select(ctx, obj, key, path, labelText, options, { blank, onchange } = {}) {
  const current = obj[key];
  const all = current !== undefined && !options.some(([v]) => v === current) ? [[current, String(current)], ...options] : options;
  const input = h('select', { id: inputId(path) },
    blank !== undefined ? h('option', { value: '' }, blank) : null,
    all.map(([v, t]) => h('option', { value: v, selected: v === current }, t)));
  if (onchange) {
    input.addEventListener('change', () => onchange(input.value));
  } else {
    bind(ctx, obj, key, input, () => (input.value === '' ? undefined : input.value), 'change');
  }
  return wrap(path, labelText, input);
}

/** Any JSON value (a variable's, a condition's): see showAny. emptyText: what an empty input means (default: nothing). */
export function any(ctx, obj, key, path, labelText, { hint, emptyText, bare } = {}) {
  const input = h('input', { id: inputId(path), type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-label': bare ? labelText : null });
  input.value = showAny(obj[key]);
  bind(ctx, obj, key, input, () => (input.value === '' && emptyText !== undefined ? emptyText : readAny(input.value)));
  if (bare) {
    return h('div', { 'data-path': path }, input, h('p', { class: 'problem', id: `${input.id}:problem`, hidden: true }));
  }
  return wrap(path, labelText, input, hint || 'numbers, true/false and JSON are read as such; anything else is text');
}

/** A JSON object or list, in a text area; text that is not JSON is kept as typed, for the validator to name. */
export function json(ctx, obj, key, path, labelText, { hint } = {}) {
  const input = h('textarea', { id: inputId(path), class: 'code', rows: obj[key] === undefined ? 2 : 4, spellcheck: 'false' });
  input.value = obj[key] === undefined ? '' : JSON.stringify(obj[key], null, 2);
  bind(ctx, obj, key, input, () => readAny(input.value.trim()));
  return wrap(path, labelText, input, hint);
}

/** A list of strings, comma-separated (lines: one per line, for command arguments). */
export function strings(ctx, obj, key, path, labelText, { lines, hint } = {}) {
  const input = lines ? h('textarea', { id: inputId(path), rows: 3, spellcheck: 'false' })
    : h('input', { id: inputId(path), type: 'text', autocomplete: 'off' });
  const current = Array.isArray(obj[key]) ? obj[key] : [];
  input.value = current.join(lines ? '\n' : ', ');
  bind(ctx, obj, key, input, () => {
    const items = input.value.split(lines ? '\n' : ',').map(s => (lines ? s : s.trim())).filter(s => s.trim() !== '');
    return items.length ? items : undefined;
  });
  return wrap(path, labelText, input, hint || (lines ? 'one per line' : 'comma-separated'));
}
