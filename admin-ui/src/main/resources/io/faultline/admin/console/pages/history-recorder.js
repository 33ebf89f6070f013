// History: the flight recorder's search (POST /api/recorder/search with reference 001's fields:
// status_code, path, fault, listener, since, until, limit): the requests a fault touched, newest first.

import { post, STORE_TIMEOUT_MS } from '../lib/api.js';
import { fill, h } from '../lib/dom.js';
import { clearErrors, isoTime, labelled, showError } from '../lib/fields.js';

const WHOLE = /^\d+$/;

/** 14:03:22.123 on 2026-11-30, in the browser's time zone. */
function when(ms) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:`
    + `${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class RecorderSearch {
  constructor() {
    const input = (id, attrs = {}) => h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
    this.inputs = {
      status_code: input('recorder-status', { inputmode: 'numeric', placeholder: '500' }),
      path: input('recorder-path', { placeholder: '/api/orders/*' }),
      fault: input('recorder-fault', { placeholder: 'http_error' }),
      listener: input('recorder-listener', { placeholder: 'web' }),
      since: h('input', { id: 'recorder-since', type: 'datetime-local' }),
      until: h('input', { id: 'recorder-until', type: 'datetime-local' }),
      limit: input('recorder-limit', { inputmode: 'numeric', value: '100' }),
    };
    const i = this.inputs;
    this.form = h('form', { class: 'recorder-form', onsubmit: e => { e.preventDefault(); this.search(); } },
      h('div', { class: 'fields' },
        labelled('status_code', 'Status code', i.status_code),
        labelled('path', 'Path', i.path, 'exact, or a prefix ending in *'),
        labelled('fault', 'Fault type', i.fault, 'latency, http_error, timeout, …'),
        labelled('listener', 'Listener', i.listener),
        labelled('since', 'After', i.since),
        labelled('until', 'Before', i.until),
        labelled('limit', 'At most', i.limit, '1 to 10000 requests')),
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Search the recorder')),
      h('p', { class: 'error form-error', role: 'alert' }));
    this.results = h('div', { class: 'table-wrap', 'aria-live': 'polite' });
    this.el = h('section', { id: 'recorder', class: 'card', 'aria-labelledby': 'recorder-title' },
      h('h2', { id: 'recorder-title', tabindex: '-1' }, 'Flight recorder'),
      h('p', { class: 'hint' }, 'Every request a fault touched (and a sample of the others, with recorder.sample_rate), on this node.'),
      this.form, this.results);
  }

  /** Reference 001's body: the fields that are set; whole numbers as numbers, anything else as typed (the server names it). */
  body() {
    const body = {};
    for (const [key, el] of Object.entries(this.inputs)) {
      const value = el.type === 'datetime-local' ? isoTime(el) : el.value.trim();
      if (value) {
        body[key] = (key === 'status_code' || key === 'limit') && WHOLE.test(value) ? Number(value) : value;
      }
    }
    return body;
  }

  async search() {
    clearErrors(this.form);
    try {
      const body = this.body();
      const { records, count } = await post('/api/recorder/search', body, { timeoutMs: STORE_TIMEOUT_MS });
      // as many as the limit (the server's 100 unless set): the newest of maybe more, not all there are
      const limited = count === (typeof body.limit === 'number' ? body.limit : 100);
      fill(this.results, h('p', { class: 'small', 'data-count': count }, limited
        ? `The newest ${count === 1 ? 'request' : `${count} requests`}: as many as "At most" allows, so there may be more (narrow the search, or raise it).`
        : `${count} request${count === 1 ? '' : 's'} found, newest first.`),
        records.length ? h('table', { class: 'stack recorder' },
          h('thead', {}, h('tr', {}, ['Time', 'Listener', 'Request', 'Status', 'Faults', 'Duration', 'Trace']
            .map(t => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, records.map(r => h('tr', { 'data-status': r.status_code },
            h('td', { 'data-label': 'Time' }, when(r.at)),
            h('td', { 'data-label': 'Listener' }, r.listener, ' ', h('span', { class: 'badge' }, r.protocol),
              h('div', { class: 'small muted' }, `node ${r.node}`)),
            h('td', { 'data-label': 'Request' }, r.method ? `${r.method} ` : '', h('code', {}, r.path || r.operation || '–')),
            h('td', { 'data-label': 'Status' }, h('b', {}, r.status_code ?? '–'), r.outcome ? h('div', { class: 'small muted' }, r.outcome) : null),
            h('td', { 'data-label': 'Faults' }, (r.faults || []).map(f => h('span', { class: 'badge' }, f))),
            h('td', { 'data-label': 'Duration' }, r.duration_ms === null ? '–' : `${r.duration_ms.toFixed(1)} ms`,
              r.injected_delay_ms ? h('div', { class: 'small muted' }, `${r.injected_delay_ms} ms injected`) : null),
            h('td', { 'data-label': 'Trace' }, r.trace_id ? h('code', { class: 'small' }, r.trace_id) : '–'))))) : null);
    } catch (e) {
      showError(this.form, e.field, e.message);
    }
  }
}
