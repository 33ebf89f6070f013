// History: one orchestration's resilience score over time (GET /api/history/trends/NAME?days=), with the
// direction the API reads from the score's regression slope and that slope's 95 % interval, in words.

import { get, STORE_TIMEOUT_MS } from '../lib/api.js';
import { dateTime, fill, h } from '../lib/dom.js';
import { clearErrors, labelled, showError } from '../lib/fields.js';
import { ScoreChart } from '../lib/score-chart.js';

const DIRECTIONS = {
  improving: 'improving',
  worsening: 'worsening',
  no_significant_change: 'no significant change',
  insufficient_data: 'not enough runs to tell',
};

const signed = v => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(2)}`;

/** The trend in a sentence, with the figures it rests on. */
export function trendSentence(trend) {
  if (trend.direction === 'insufficient_data') {
    return `Only ${trend.scored_runs} scored run${trend.scored_runs === 1 ? '' : 's'}: a trend needs at least 3.`;
  }
  const [low, high] = trend.interval_95;
  const slope = `${signed(trend.slope_per_day)} points a day (95 % interval ${signed(low)} to ${signed(high)}, p = ${pValue(trend.p_value)})`;
  return trend.direction === 'no_significant_change'
    ? `The score moves ${slope}; the interval includes 0, so the runs show no significant change.`
    : `The score moves ${slope}; the whole interval is ${low > 0 ? 'above' : 'below'} 0: ${DIRECTIONS[trend.direction]}.`;
}

/** p-values as the compare and trend texts show them. */
export function pValue(p) {
  return p === null || p === undefined ? '–' : p < 0.0001 ? '< 0.0001' : p.toPrecision(2);
}

export class Trend {
  constructor() {
    this.name = h('select', { id: 'trend-name' });
    this.days = h('input', { id: 'trend-days', type: 'text', inputmode: 'numeric', value: '30', autocomplete: 'off', placeholder: '1–3650' });
    // the days as last submitted: a live reload (a run recorded) reads these, not a value half typed since
    this.submittedDays = '30';
    this.form = h('form', { class: 'fields trend-form', onsubmit: e => { e.preventDefault(); this.submittedDays = this.days.value.trim(); this.load(); } },
      labelled('name', 'Orchestration', this.name),
      labelled('days', 'Days', this.days),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, 'Show trend')),
      h('p', { class: 'error form-error', role: 'alert' }));
    this.summary = h('div', { class: 'trend-summary', 'aria-live': 'polite' });
    this.runs = h('div', {});
    this.plot = h('div', { class: 'plot' });
    this.chart = new ScoreChart(this.plot);
    this.figure = h('figure', { class: 'chart trend-chart', role: 'group', 'aria-label': 'Resilience score over time', hidden: true },
      this.plot);
    this.el = h('section', { id: 'trend', class: 'card', 'aria-labelledby': 'trend-title' },
      h('h2', { id: 'trend-title', tabindex: '-1' }, 'Score over time'),
      h('p', { class: 'hint' }, 'An orchestration’s resilience score run by run, and the least-squares slope of the score on time.'),
      this.form, this.summary, this.figure, this.runs);
  }

  /** The orchestrations history knows, for the select; the first is shown unless one already is. */
  names(list) {
    const current = this.name.value;
    fill(this.name, list.map(n => h('option', { value: n }, n)));
    if (list.includes(current)) {
      this.name.value = current;
    }
    return list.length ? this.load() : fill(this.summary, h('p', { class: 'muted' }, 'No run yet.'));
  }

  /** Shows name's trend and brings it into view. */
  show(name) {
    if (![...this.name.options].some(o => o.value === name)) {
      this.name.append(h('option', { value: name }, name));
    }
    this.name.value = name;
    this.submittedDays = this.days.value.trim(); // asked for by a click: the days as shown
    return this.load().then(() => {
      this.el.scrollIntoView();
      this.el.querySelector('h2').focus();
    });
  }

  async load() {
    clearErrors(this.form);
    const name = this.name.value;
    const seq = (this.seq = (this.seq || 0) + 1); // only the newest load draws (an older, slower one drew over it)
    try {
      const t = await get(`/api/history/trends/${encodeURIComponent(name)}?days=${encodeURIComponent(this.submittedDays)}`,
        { timeoutMs: STORE_TIMEOUT_MS }); // it reads up to 100,000 runs
      if (seq !== this.seq) {
        return;
      }
      fill(this.summary,
        h('p', {}, h('b', {}, t.name), `: ${t.runs} run${t.runs === 1 ? '' : 's'} in the last ${t.days} days`,
          t.success_rate === null ? '' : ` · ${t.success_rate.toFixed(0)} % succeeded`,
          t.avg_resilience_score === null ? '' : ` · average score ${t.avg_resilience_score.toFixed(1)}`),
        h('p', { 'data-direction': t.trend.direction },
          h('span', { class: `badge trend-${t.trend.direction}` }, DIRECTIONS[t.trend.direction]), ' ', trendSentence(t.trend)),
        h('p', { class: 'hint' }, `Method: ${t.trend.method}.`));
      fill(this.runs, t.points.length ? h('details', {}, h('summary', {}, 'The runs in the chart'),
        h('ul', { class: 'plain small' }, t.points.map(p => h('li', {}, `${dateTime(p.started_at)} · `, h('code', {}, p.id),
          ` · ${p.status} · score ${p.resilience_score === null ? '–' : p.resilience_score.toFixed(1)}`)))) : null);
      this.figure.hidden = !t.points.length;
      this.figure.setAttribute('aria-label', `Resilience score of ${t.name} over the last ${t.days} days`);
      if (t.points.length) {
        this.chart.show(t.points, t.trend.fitted_line);
      }
    } catch (e) {
      if (seq !== this.seq) {
        return;
      }
      // the trend shown before answered another question: it must not read as this one's answer
      fill(this.summary);
      fill(this.runs);
      this.figure.hidden = true;
      showError(this.form, e.field, e.message);
    }
  }

  close() {
    this.chart.close();
  }
}
