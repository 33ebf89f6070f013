// Form fields drawn from the server's config schema ({name, type, default}), and the server's own
// validation errors placed next to the field they name. Values the console cannot read as the type
// asks are sent as typed, so the server's message (naming the field) is the one the user sees.

import { h, uid } from './dom.js';

const WORDS = { http: 'HTTP', grpc: 'gRPC', ip: 'IP', ms: '(ms)', bps: '(bytes/s)', percent: '(%)', graphql: 'GraphQL', websocket: 'WebSocket', id: 'ID' };
/** A number as people type one: 5, -5, +5, 0.5, .5, 5., 1e3 (.5 went as text, and the server refused it as not a number). */
export const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** fixed_delay_ms → "Fixed delay (ms)", http_error_probability → "HTTP error probability". */
export function label(name) {
  const words = name.split('_').map(w => WORDS[w] || w);
  const first = words[0];
  words[0] = first === first.toLowerCase() ? first.charAt(0).toUpperCase() + first.slice(1) : first;
  return words.join(' ');
}

const shown = v => (v === null || v === undefined ? '' : Array.isArray(v) && v.every(x => typeof x !== 'object')
  ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v, null, 2) : String(v));

const scalar = (text, numeric) => (numeric && NUMBER.test(text) ? Number(text) : text);

/**
 * A field for spec under prefix (its data-field is "prefix.name", as the server names it in errors),
 * showing value (undefined: the default as a placeholder). read() gives what to send, undefined for nothing.
 */
export function field(spec, value, prefix) {
  const id = uid('f');
  const path = prefix ? `${prefix}.${spec.name}` : spec.name;
  const hint = h('p', { class: 'hint', id: `${id}-hint` }, h('code', {}, spec.name),
    spec.type.endsWith('s') && spec.type !== 'boolean' ? ', comma-separated' : spec.type === 'object' ? ', JSON' : null);
  const error = h('p', { class: 'error', id: `${id}-error` });
  const described = `${id}-hint ${id}-error`;
  if (spec.type === 'boolean') {
    const input = h('input', { id, type: 'checkbox', checked: value === undefined ? spec.default !== false : !!value,
      'aria-describedby': described });
    return { path, input, el: h('div', { class: 'field check', 'data-field': path }, input, h('label', { for: id }, label(spec.name)), error),
      read: () => input.checked };
  }
  const numeric = ['integer', 'number', 'integers', 'numbers'].includes(spec.type);
  const placeholder = spec.default === null || spec.default === undefined ? null : shown(spec.default);
  const input = spec.type === 'object'
    ? h('textarea', { id, class: 'code', rows: 3, placeholder, 'aria-describedby': described })
    : h('input', { id, type: 'text', inputmode: numeric && !spec.type.endsWith('s') ? 'decimal' : null, placeholder,
      autocomplete: 'off', spellcheck: 'false', 'aria-describedby': described });
  input.value = shown(value);
  const read = () => {
    const text = input.value.trim();
    if (text === '') {
      return undefined;
    }
    if (spec.type === 'object') {
      try {
        return JSON.parse(text);
      } catch (e) {
        return text;
      }
    }
    if (spec.type.endsWith('s')) {
      return text.split(',').map(s => s.trim()).filter(s => s !== '').map(s => scalar(s, numeric));
    }
    return scalar(text, numeric);
  };
  return { path, input, el: h('div', { class: 'field', 'data-field': path }, h('label', { for: id }, label(spec.name)), input, hint, error), read };
}

/** The object of every field's value that is set. */
export function readAll(fields) {
  const out = {};
  fields.forEach(f => {
    const v = f.read();
    if (v !== undefined) {
      out[f.path.split('.').pop()] = v;
    }
  });
  return out;
}

/** What form's fields hold as typed (text, ticks), to tell whether it was edited since: equal text, no edit. */
export function formText(form) {
  return JSON.stringify([...form.querySelectorAll('input, textarea, select')].map(e => (e.type === 'checkbox' ? e.checked : e.value)));
}

/** "Latency", "Latency and Rate limit", "Latency, Bulkhead and Rate limit". */
export function listed(names) {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Removes every error shown in form. */
export function clearErrors(form) {
  form.querySelectorAll('.error').forEach(e => { e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
}

/**
 * steps[1].condition.value → steps[1].condition → steps[1] → steps → ''. An unknown key the server names as it was given
 * (`field_faults[0].x]`, `bogus[`) is cut at its last `.` or `[`: the walk up stood still there, and the page hung.
 */
export function parentPath(path) {
  const next = /\[\d+\]$/.test(path) ? path.replace(/\[\d+\]$/, '') : path.replace(/\.?[^.[\]]*$/, '');
  if (next.length < path.length) {
    return next;
  }
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut > 0 ? path.slice(0, cut) : '';
}

/**
 * Shows message at the field the server named (latency.probability, match.path, http_errors[1] under
 * fault_injection...): the field itself, else the nearest enclosing one, else the form's own error line.
 * Answers the element it went to.
 */
export function showError(form, fieldName, message) {
  let name = fieldName || '';
  while (name) {
    const candidate = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (candidate) {
      candidate.querySelector(':scope > .error').textContent = message;
      const input = candidate.querySelector('input, textarea, select');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
      }
      return candidate;
    }
    name = parentPath(name);
  }
  const general = form.querySelector(':scope .form-error');
  general.textContent = fieldName ? `${fieldName}: ${message}` : message;
  return general;
}

/**
 * A field around an input made elsewhere: its label, an optional hint and the error line, under
 * data-field="path" so that showError finds it by the name the server gives.
 */
export function labelled(path, text, input, hintText) {
  const id = input.id || uid('f');
  input.id = id;
  const hint = hintText ? h('p', { class: 'hint', id: `${id}-hint` }, hintText) : null;
  const error = h('p', { class: 'error', id: `${id}-error` });
  input.setAttribute('aria-describedby', hint ? `${id}-hint ${id}-error` : `${id}-error`);
  return h('div', { class: 'field', 'data-field': path }, h('label', { for: id }, text), input, hint, error);
}

/** The local time a datetime-local input holds, as ISO-8601 in UTC (what the API reads); '' when empty. */
export function isoTime(input) {
  return input.value ? new Date(input.value).toISOString() : '';
}
