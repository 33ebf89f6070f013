// History: the runs history keeps, newest first, filtered as GET /api/history/runs filters them; 2 or 3
// picked for comparison; the same list as CSV from the export endpoint (fetched with the token header,
// so the token never goes in a URL). The server's refusals are shown at the filter they name.

import { get, STORE_TIMEOUT_MS } from '../lib/api.js';
import { dateTime, download, fill, h, notice } from '../lib/dom.js';
import { clearErrors, isoTime, labelled, showError } from '../lib/fields.js';

const STATUSES = ['succeeded', 'failed', 'stopped', 'aborted'];
const MAX_COMPARED = 3;
const fixed = (v, d, unit = '') => (v === null || v === undefined ? '–' : `${Number(v).toFixed(d)}${unit}`);

export class RunList {
  /** onCompare(ids) when the user compares the picked runs; onTrend(name) when they ask for an orchestration's trend. */
  constructor({ onCompare, onTrend }) {
    this.onCompare = onCompare;
    this.onTrend = onTrend;
    this.picked = [];
    const input = (id, attrs = {}) => h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
    this.inputs = {
      name: input('filter-name', { list: 'history-names' }),
      tag: input('filter-tag'),
      status: h('select', { id: 'filter-status' }, h('option', { value: '' }, 'any'), STATUSES.map(s => h('option', { value: s }, s))),
      since: h('input', { id: 'filter-since', type: 'datetime-local' }),
      until: h('input', { id: 'filter-until', type: 'datetime-local' }),
      min_score: input('filter-min-score', { inputmode: 'decimal', placeholder: '0–100' }),
    };
    this.datalist = h('datalist', { id: 'history-names' });
    // the filters as last submitted: a live reload (a run recorded) reads these, not a value half typed since
    this.submitted = new URLSearchParams();
    this.form = h('form', { class: 'filters', onsubmit: e => { e.preventDefault(); this.submitted = this.query(); this.load(); } },
      h('div', { class: 'fields' },
        labelled('name', 'Orchestration', this.inputs.name, 'its name, exactly'),
        labelled('tag', 'Tag', this.inputs.tag),
        labelled('status', 'Status', this.inputs.status),
        labelled('since', 'Started after', this.inputs.since),
        labelled('until', 'Started before', this.inputs.until),
        labelled('min_score', 'Minimum score', this.inputs.min_score)),
      this.datalist,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Show runs'),
        h('button', { type: 'button', 'aria-label': 'Download these runs as CSV', onclick: () => this.csv() }, 'Download CSV')),
      h('p', { class: 'error form-error', role: 'alert' }));
    this.count = h('p', { class: 'small', 'aria-live': 'polite' });
    this.compare = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => this.onCompare([...this.picked]) },
      'Compare selected runs');
    this.pickedText = h('span', { class: 'small muted' });
    this.table = h('div', { class: 'table-wrap' });
    this.status = h('p', { class: 'small' });
    this.say = notice(this.status);
    this.el = h('section', { id: 'runs', class: 'card', 'aria-labelledby': 'runs-title' },
      h('h2', { id: 'runs-title', tabindex: '-1' }, 'Runs'), this.form, this.status,
      h('div', { class: 'spread' }, this.count, h('div', { class: 'row' }, this.pickedText, this.compare)), this.table);
    this.showPicked();
  }

  /** The known orchestration names, offered by the name filter. */
  names(list) {
    fill(this.datalist, list.map(n => h('option', { value: n })));
  }

  /** The filters as query parameters: only those set, times as ISO-8601 UTC. */
  query() {
    const q = new URLSearchParams();
    for (const [key, el] of Object.entries(this.inputs)) {
      const value = el.type === 'datetime-local' ? isoTime(el) : el.value.trim();
      if (value) {
        q.set(key, value);
      }
    }
    return q;
  }

  async load() {
    clearErrors(this.form);
    // only the newest load draws: a slow answer to an earlier filter (the store may take 45 s) drew over a later one
    const seq = (this.seq = (this.seq || 0) + 1);
    try {
      const { runs } = await get(`/api/history/runs?${this.submitted}`, { timeoutMs: STORE_TIMEOUT_MS });
      if (seq !== this.seq) {
        return;
      }
      this.count.textContent = runs.length ? `${runs.length} run${runs.length === 1 ? '' : 's'}, newest first` + (runs.length === 100 ? ' (the first 100)' : '')
        : '';
      fill(this.table, runs.length ? this.render(runs)
        : h('p', { class: 'muted' }, 'No run matches. Runs appear here as orchestrations end (Orchestrations page).'));
      this.showPicked();
    } catch (e) {
      if (seq !== this.seq) {
        return;
      }
      showError(this.form, e.field, e.message);
      // the rows shown answered the filter before: left up, they read as the answer to this one
      this.count.textContent = '';
      fill(this.table, h('p', { class: 'muted' }, 'No runs shown: the filter above was refused.'));
      this.showPicked(); // the picks, none of them shown now
    }
  }

  render(runs) {
    return h('table', { class: 'stack runs' },
      h('thead', {}, h('tr', {}, ['Compare', 'Started', 'Orchestration', 'Status', 'Score', 'Error rate', 'p95', 'Requests', 'Tags', 'Run']
        .map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, runs.map(r => h('tr', { 'data-run': r.id, 'data-name': r.name },
        h('td', { 'data-label': 'Compare' }, h('input', { type: 'checkbox', class: 'pick', value: r.id, checked: this.picked.includes(r.id),
          'aria-label': `Compare run ${r.id} (${r.name})`, onchange: e => this.pick(r.id, e.target.checked) })),
        h('td', { 'data-label': 'Started' }, r.started_at ? dateTime(r.started_at) : '–'),
        h('td', { 'data-label': 'Orchestration' }, h('button', { type: 'button', class: 'link', 'aria-label': `Show the score of ${r.name} over time`,
          onclick: () => this.onTrend(r.name) }, r.name)),
        h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${r.status}` }, r.status)),
        h('td', { 'data-label': 'Score', 'data-score': r.resilience_score }, h('b', {}, fixed(r.resilience_score, 1))),
        h('td', { 'data-label': 'Error rate' }, r.error_rate === null ? '–' : fixed(r.error_rate * 100, 1, ' %')),
        h('td', { 'data-label': 'p95' }, fixed(r.p95_latency, 1, ' ms')),
        h('td', { 'data-label': 'Requests' }, r.request_count ?? '–'),
        h('td', { 'data-label': 'Tags' }, (r.tags || []).map(t => h('span', { class: 'badge' }, t))),
        h('td', { 'data-label': 'Run' }, h('code', {}, r.id))))));
  }

  pick(id, on) {
    this.picked = on ? [...this.picked.filter(x => x !== id), id] : this.picked.filter(x => x !== id);
    this.showPicked();
  }

  /**
   * The compare button works with 2 or 3 runs; at 3 the other boxes are disabled. Picked runs the filter now hides are
   * named, with a way to let them go: unseen, they disabled every box and were compared, one of them as the base.
   */
  showPicked() {
    const n = this.picked.length;
    this.compare.disabled = n < 2;
    this.compare.textContent = n >= 2 ? `Compare ${n} runs` : 'Compare selected runs';
    const boxes = [...this.table.querySelectorAll('input.pick')];
    const shown = new Set(boxes.map(box => box.value));
    const hidden = this.picked.filter(id => !shown.has(id));
    fill(this.pickedText, n < 2 ? `Pick 2 or ${MAX_COMPARED} runs to compare (${n} picked). ` : '',
      hidden.length ? h('span', { class: 'hidden-picks' }, `${hidden.length === 1 ? 'A picked run is' : `${hidden.length} picked runs are`}`
        + ` not in this list: ${hidden.join(', ')}. `,
      h('button', { type: 'button', class: 'link', onclick: () => this.clearPicks() }, 'Clear the picks')) : null);
    boxes.forEach(box => { box.disabled = !box.checked && n >= MAX_COMPARED; });
  }

  clearPicks() {
    this.picked = [];
    this.table.querySelectorAll('input.pick').forEach(box => { box.checked = false; });
    this.showPicked();
  }

  async csv() {
    clearErrors(this.form);
    // the filters as the form shows them, and the list read again with them when they changed since it was read: the file
    // is the list shown (it was the form's, the table another's)
    const filters = this.query();
    if (filters.toString() !== this.submitted.toString()) {
      this.submitted = filters;
      this.load();
    }
    const q = new URLSearchParams(filters);
    q.set('format', 'csv');
    try {
      const file = await get(`/api/history/export?${q}`, { raw: true, withHeaders: true, timeoutMs: STORE_TIMEOUT_MS });
      download('faultline-history.csv', file.body, 'text/csv');
      const truncated = file.headers.get('X-Faultline-Truncated');
      this.say(truncated ? `Downloaded faultline-history.csv: it holds ${truncated}.` : 'Downloaded faultline-history.csv.', truncated ? 'warn' : 'ok');
    } catch (e) {
      showError(this.form, e.field, e.message);
    }
  }
}
