// History: the A/B tests and breaking-point searches this node's history keeps (GET /api/history/experiments),
// newest first, with what each has found; a running one can be stopped (POST .../experiments/ID/stop), which
// puts its chaos config back and keeps what it found so far. Read again every two seconds while one runs.
// An A/B test of two library entries starts from here too (POST /api/history/ab).

import { get, post } from '../lib/api.js';
import { dateTime, fill, h, notice, refill, serially } from '../lib/dom.js';
import { clearErrors, labelled, showError } from '../lib/fields.js';

const REFRESH_MS = 2_000;
const KINDS = { ab: 'A/B test', breaking_point: 'Breaking point' };
const METRICS = { resilience_score: 'resilience score (higher wins)', error_rate: 'error rate (lower wins)',
  p95_latency: 'p95 latency (lower wins)', avg_latency: 'average latency (lower wins)' };

/** What an experiment has done so far, in a few words. */
function progress(e) {
  const p = e.progress || {};
  if (e.kind === 'ab') {
    return p.samples ? `sample ${p.sample} of ${p.samples}` : 'first sample';
  }
  const tried = p.tried || [];
  const last = tried[tried.length - 1];
  return tried.length ? `${tried.length} value${tried.length === 1 ? '' : 's'} tried, last ${last.value} (${last.held ? 'held' : 'broke'})`
    : 'first value';
}

export class Experiments {
  constructor() {
    this.table = h('div', { class: 'table-wrap', 'aria-live': 'polite' });
    this.status = h('p', { class: 'small' });
    this.say = notice(this.status);
    this.a = h('select', { id: 'ab-a' });
    this.b = h('select', { id: 'ab-b' });
    this.samples = h('input', { id: 'ab-samples', type: 'text', inputmode: 'numeric', value: '5', autocomplete: 'off' });
    this.metric = h('select', { id: 'ab-metric' }, Object.entries(METRICS).map(([value, text]) => h('option', { value }, text)));
    this.form = h('form', { class: 'fields ab-form', 'aria-label': 'Start an A/B test', onsubmit: e => { e.preventDefault(); this.startAb(); } },
      labelled('a', 'Variant A', this.a),
      labelled('b', 'Variant B', this.b),
      labelled('samples', 'Runs of each', this.samples, '2 to 20, run A, B, A, B, …'),
      labelled('metric', 'Compared on', this.metric),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, 'Start the A/B test')),
      h('p', { class: 'error form-error', role: 'alert' }));
    this.el = h('section', { id: 'experiments', class: 'card', 'aria-labelledby': 'experiments-title' },
      h('h2', { id: 'experiments-title', tabindex: '-1' }, 'Experiments'),
      h('p', { class: 'hint' }, 'A/B tests and breaking-point searches (POST /api/history/ab, /api/history/breaking-point), newest first.'
        + ' An A/B test runs two library entries in turn while traffic flows, and names the better one if the difference is significant.'),
      this.form, this.status, this.table);
    this.timer = null;
    // read every 2 s while one runs, every 5 s for the entries, and after each action: one read at a time, answered in order
    this.load = serially(this.load.bind(this));
    this.entries = serially(this.entries.bind(this));
  }

  /** The library's entries that validate, for the two variants; the selects are left as they are when those did not change. */
  async entries() {
    const { entries } = await get('/api/chaos/orchestration/library');
    const names = entries.filter(e => e.valid !== false).map(e => e.name);
    const seen = JSON.stringify(names);
    if (seen === this.seen) {
      return; // unchanged: a select the user has open stays open
    }
    this.seen = seen;
    for (const [select, pick] of [[this.a, 0], [this.b, 1]]) {
      const current = select.value;
      fill(select, names.map(n => h('option', { value: n }, n)));
      select.value = names.includes(current) ? current : names[Math.min(pick, names.length - 1)] || '';
    }
  }

  async startAb() {
    clearErrors(this.form);
    const samples = this.samples.value.trim();
    if (samples === '') {
      showError(this.form, 'samples', 'is required: a whole number from 2 to 20');
      return;
    }
    try {
      // a number as a number (2.5 is then told it is not whole); text as it is, for the server to say what it got
      const started = await post('/api/history/ab', { a: this.a.value, b: this.b.value, metric: this.metric.value,
        samples: Number.isFinite(Number(samples)) ? Number(samples) : samples });
      this.say(`A/B test ${started.id} started: ${this.a.value} against ${this.b.value}.`, 'ok');
    } catch (e) {
      showError(this.form, e.field, e.message);
    }
    await this.load().catch(() => {});
  }

  async load() {
    const { experiments } = await get('/api/history/experiments?limit=20');
    refill(this.table, experiments.length ? h('table', { class: 'stack' },
      h('thead', {}, h('tr', {}, ['Experiment', 'Status', 'Started', 'Found'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, experiments.map(e => h('tr', { 'data-experiment': e.id },
        h('td', { 'data-label': 'Experiment' }, h('b', {}, KINDS[e.kind] || e.kind), h('div', { class: 'small muted' }, h('code', {}, e.id))),
        h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${e.status}` }, e.status),
          e.status === 'running' ? [' ', h('span', { class: 'small muted' }, progress(e)), ' ',
            h('button', { type: 'button', class: 'danger', 'data-stop': e.id, 'aria-label': `Stop experiment ${e.id}`,
              onclick: () => this.stop(e.id) }, 'Stop')] : null),
        h('td', { 'data-label': 'Started' }, dateTime(e.started_at),
          e.ended_at ? h('div', { class: 'small muted' }, `${((e.ended_at - e.started_at) / 1000).toFixed(1)} s`) : null),
        h('td', { 'data-label': 'Found' }, e.result && e.result.conclusion ? e.result.conclusion
          : e.error ? h('span', { class: 'failed-text' }, e.error) : '–')))))
      : h('p', { class: 'muted' }, 'No experiment yet.'));
    this.poll(experiments.some(e => e.status === 'running'));
  }

  /** Reads the list again every two seconds while an experiment runs, and stops reading when none does. */
  poll(running) {
    if (running && this.timer === null && !this.closed) { // (a load answered after the page was left starts nothing)
      this.timer = setInterval(() => this.load().catch(e => this.say(`Could not read the experiments: ${e.message}`, 'error')), REFRESH_MS);
    } else if (!running && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  async stop(id) {
    try {
      const stopped = await post(`/api/history/experiments/${encodeURIComponent(id)}/stop`);
      this.say(`Experiment ${id} stopped; its chaos config is back.${stopped.result && stopped.result.conclusion
        ? ` ${stopped.result.conclusion}.` : ''}`, 'ok');
    } catch (e) {
      this.say(`Could not stop experiment ${id}: ${e.message}`, 'error');
    }
    await this.load().catch(() => {});
  }

  close() {
    this.closed = true;
    this.poll(false);
  }
}
