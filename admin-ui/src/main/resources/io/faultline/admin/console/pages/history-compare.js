// History: 2 or 3 runs side by side (GET /api/history/compare?ids=&rank_by=): overall and per step, each
// later run's figures with their difference from the first, the tests the API computes with what each
// asks in a sentence, and the ranking by a figure the user picks.

import { get, STORE_TIMEOUT_MS } from '../lib/api.js';
import { dateTime, fill, h } from '../lib/dom.js';
import { pValue } from './history-trend.js';

const ALPHA = 0.05;
const percent = v => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`);
const ms = v => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const count = v => String(Math.round(v));
/** Figures shown, with their label, format, and whether more is better (null: neither). */
const FIGURES = [
  ['resilience_score', 'Resilience score', v => v.toFixed(1), true],
  ['request_count', 'Requests', count, null],
  ['error_count', 'Errors', count, false],
  ['error_rate', 'Error rate', percent, false],
  ['fault_count', 'Injected faults', count, null],
  ['avg_latency', 'Average latency', ms, false],
  ['p50_latency', 'p50 latency', ms, false],
  ['p95_latency', 'p95 latency', ms, false],
  ['p99_latency', 'p99 latency', ms, false],
  ['duration_ms', 'Duration', v => `${(v / 1000).toFixed(1)} s`, null],
];
const RANKABLE = ['resilience_score', 'error_rate', 'error_count', 'p95_latency', 'avg_latency', 'duration_ms', 'request_count'];
const ERROR_TEST = 'Two-proportion z-test: could the two error rates differ by chance alone? p is how often a difference at least '
  + 'this large would appear if both runs had the same error rate; below 0.05 it is called significant.';
const LATENCY_TEST = 'Mann–Whitney U test on the recorded latency distributions: do requests of one run tend to take longer than '
  + 'those of the other? It assumes no shape of distribution; p is how often a difference this large would appear if both came '
  + 'from one distribution.';

/** A value, and for later runs its difference from the first, marked better or worse where that has a meaning. */
function cell(value, delta, format, moreIsBetter) {
  if (value === null || value === undefined) {
    return '–';
  }
  if (delta === undefined || delta === null || delta === 0) {
    return format(value);
  }
  const better = moreIsBetter === null ? '' : (delta > 0) === moreIsBetter ? 'better' : 'worse';
  const shown = format(Math.abs(delta));
  return [format(value), ' ', h('span', { class: `delta ${better}`, title: better ? `${better} than the first run` : null },
    `(${delta > 0 ? '+' : '−'}${shown})`)];
}

export class Compare {
  constructor() {
    this.rankBy = h('select', { id: 'rank-by', onchange: () => this.load() },
      RANKABLE.map(f => h('option', { value: f }, FIGURES.find(x => x[0] === f)[1])));
    this.body = h('div', {});
    this.el = h('section', { id: 'compare', class: 'card', 'aria-labelledby': 'compare-title', hidden: true },
      h('div', { class: 'spread' }, h('h2', { id: 'compare-title', tabindex: '-1' }, 'Compare runs'),
        h('div', { class: 'row' }, h('label', { for: 'rank-by' }, 'Rank by'), this.rankBy)),
      this.body);
  }

  /** Compares ids (the first is the one the others are measured against) and brings the result into view. */
  async show(ids) {
    this.ids = ids;
    this.el.hidden = false;
    await this.load();
    this.el.scrollIntoView();
    this.el.querySelector('h2').focus();
  }

  async load() {
    const seq = (this.seq = (this.seq || 0) + 1); // only the newest load draws (a rank changed twice drew the first last)
    try {
      const c = await get(`/api/history/compare?ids=${this.ids.map(encodeURIComponent).join(',')}&rank_by=${this.rankBy.value}`, { timeoutMs: STORE_TIMEOUT_MS });
      if (seq !== this.seq) {
        return;
      }
      const label = run => `${run.name} · ${run.id}`;
      const byId = Object.fromEntries(c.runs.map(r => [r.id, r]));
      fill(this.body,
        h('p', {}, 'Differences are from the first run, ', h('b', {}, label(c.runs[0])), '. Ranked by ',
          `${this.rankBy.selectedOptions[0].text.toLowerCase()} (${c.ranking.higher_is_better ? 'higher' : 'lower'} is better):`),
        h('ol', { class: 'ranking', 'data-ranking': c.ranking.by }, c.ranking.ids.map(id => h('li', { 'data-run': id }, label(byId[id])))),
        h('h3', {}, 'Overall'),
        h('table', { class: 'stack compare-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Figure'), c.runs.map(r => h('th', { scope: 'col' }, runHead(r))))),
          h('tbody', {}, FIGURES.map(([f, name, format, better]) => h('tr', { 'data-figure': f },
            h('th', { scope: 'row' }, name),
            c.runs.map(r => h('td', { 'data-label': label(r), 'data-run': r.id }, cell(r[f], r.delta[f], format, better))))))),
        h('h3', {}, 'Tests against the first run'),
        c.tests.map(t => tests(t, byId)),
        h('h3', {}, 'Per step'),
        c.steps.length ? stepTable(c) : h('p', { class: 'muted' }, 'These runs recorded no steps.'));
    } catch (e) {
      if (seq !== this.seq) {
        return;
      }
      fill(this.body, h('p', { class: 'error', role: 'alert' }, `Could not compare ${this.ids.join(', ')}: ${e.message}`));
    }
  }
}

function runHead(r) {
  return [h('b', {}, r.name), h('div', { class: 'small' }, h('code', {}, r.id)),
    h('div', { class: 'small muted' }, r.started_at ? dateTime(r.started_at) : ''), h('span', { class: `badge ${r.status}` }, r.status)];
}

function verdict(p) {
  return p === null || p === undefined ? 'not computed'
    : p < ALPHA ? `significant at the 5 % level (p ${pValue(p).startsWith('<') ? '' : '= '}${pValue(p)})`
      : `not significant (p = ${pValue(p)})`;
}

/** Why a test was not computed, as the API says (a run with no requests has nothing to test). */
function notComputed(test) {
  return test.p_value === null || test.p_value === undefined ? `: ${test.reason || 'the API gave no reason'}` : '';
}

function tests(t, byId) {
  const e = t.error_rate;
  const l = t.latency;
  return h('div', { class: 'test-pair', 'data-against': t.b },
    h('p', {}, h('b', {}, `${byId[t.b].name} (${t.b})`), ' against ', h('b', {}, `${byId[t.a].name} (${t.a})`)),
    h('dl', { class: 'tests' },
      h('dt', {}, 'Error rate'),
      h('dd', { 'data-test': 'error_rate', 'data-p': e.p_value },
        `${percent(e.rate_b)} against ${percent(e.rate_a)}: `, h('b', {}, verdict(e.p_value)), notComputed(e),
        e.z === null ? '' : `, z = ${e.z.toFixed(2)}`, e.cohen_h === null ? '' : `, Cohen’s h = ${e.cohen_h.toFixed(2)}`,
        e.approximation_holds || e.p_value === null || e.p_value === undefined ? '' : ' — fewer than 5 expected errors or successes in a run: the normal approximation is poor here.',
        h('p', { class: 'hint' }, ERROR_TEST)),
      h('dt', {}, 'Latency'),
      h('dd', { 'data-test': 'latency', 'data-p': l.p_value },
        l.p_value === null || l.p_value === undefined ? [h('b', {}, 'not computed'), notComputed(l)]
          : [h('b', {}, verdict(l.p_value)), `, over ${l.count_b} and ${l.count_a} requests; a request of ${t.a} is slower than one of `
            + `${t.b} with probability ${l.p_a_slower === null ? '–' : l.p_a_slower.toFixed(2)}`],
        h('p', { class: 'hint' }, LATENCY_TEST))));
}

function stepTable(c) {
  const label = id => `${c.runs.find(r => r.id === id).name} · ${id}`;
  return h('table', { class: 'stack compare-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Step'), c.runs.map(r => h('th', { scope: 'col' }, label(r.id))))),
    h('tbody', {}, c.steps.map(s => h('tr', { 'data-step': s.name },
      h('th', { scope: 'row' }, s.name, s.iteration > 1 ? ` (iteration ${s.iteration})` : ''),
      c.runs.map(r => {
        const f = s.runs.find(x => x.id === r.id);
        return h('td', { 'data-label': label(r.id) }, f ? [h('span', { class: `badge ${f.status}` }, f.status),
          h('div', { class: 'small' }, 'errors ', cell(f.error_rate, f.delta?.error_rate, percent, false)),
          h('div', { class: 'small' }, 'p95 ', cell(f.p95_latency, f.delta?.p95_latency, ms, false)),
          h('div', { class: 'small' }, 'requests ', cell(f.request_count, f.delta?.request_count, count, null))] : 'not run');
      })))));
}
