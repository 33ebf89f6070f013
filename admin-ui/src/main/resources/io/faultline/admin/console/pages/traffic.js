// The Overview's traffic: per listener, the latest second in numbers and four live charts (requests/s,
// error rate, faults by type, p50/p99 latency), fed by the node's once-a-second traffic summaries.

import { TimeChart } from '../lib/chart.js';
import { fill, h } from '../lib/dom.js';

const fixed = digits => v => Number(v).toFixed(digits);
const percent = v => `${(v * 100).toFixed(v > 0 && v < 0.1 ? 1 : 0)} %`;
const millis = v => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
// a listener replaced under the same name (another port, upstream or protocol) is another listener: a card of its own
const identity = l => [l.name, l.protocol, l.port, l.upstream].join('\u0000');

export class TrafficCharts {
  constructor() {
    this.el = h('div', { class: 'listeners' }, h('p', { class: 'muted' }, 'Waiting for the first traffic summary…'));
    this.cards = new Map();
    this.identities = '';
    this.lastAt = 0;
  }

  reset() {
    this.destroy();
    this.cards = new Map();
    this.identities = '';
    this.lastAt = 0;
  }

  /** Adds one summary ({at, interval_ms, request_metrics, listeners: [...]}); older or repeated ones are skipped. */
  add(summary) {
    if (!summary || summary.at <= this.lastAt) {
      return;
    }
    this.lastAt = summary.at;
    const identities = summary.listeners.map(identity).join('\n');
    if (identities !== this.identities) {
      this.build(summary);
      this.identities = identities;
    }
    const perSecond = 1000 / summary.interval_ms;
    for (const listener of summary.listeners) {
      const card = this.cards.get(listener.name);
      const faults = Object.fromEntries(Object.entries(listener.faults).map(([type, n]) => [type, n * perSecond]));
      const allFaults = Object.values(faults).reduce((a, b) => a + b, 0);
      fill(card.now,
        h('span', {}, h('b', { 'data-metric': 'rps' }, fixed(1)(listener.requests_per_second)), ' req/s'),
        h('span', {}, h('b', { 'data-metric': 'error-rate' }, percent(listener.error_rate)), ' errors'),
        h('span', {}, h('b', { 'data-metric': 'faults' }, fixed(1)(allFaults)), ' faults/s'),
        h('span', {}, 'p50 ', h('b', { 'data-metric': 'p50' }, listener.p50_ms === null ? '–' : millis(listener.p50_ms))),
        h('span', {}, 'p99 ', h('b', { 'data-metric': 'p99' }, listener.p99_ms === null ? '–' : millis(listener.p99_ms))));
      card.requests.push(summary.at, { 'requests/s': listener.requests_per_second });
      card.errors.push(summary.at, { 'error rate': listener.error_rate });
      card.faults.push(summary.at, { all: allFaults, ...faults });
      card.latency.push(summary.at, { p50: listener.p50_ms, p99: listener.p99_ms });
    }
  }

  /**
   * Cards for the summary's listeners: a listener still there, on the same port and upstream, keeps its card
   * and what its charts hold; one replaced under its name gets a new card (its old one showed the old port).
   */
  build(summary) {
    const before = this.cards;
    this.cards = new Map();
    const cards = summary.listeners.map(listener => {
      const kept = before.get(listener.name);
      if (kept && kept.identity === identity(listener)) {
        before.delete(listener.name);
        this.cards.set(listener.name, kept);
        return kept.article;
      }
      const chart = (title, format, minTop) => {
        const plot = h('div', { class: 'plot' });
        const figure = h('figure', { class: 'chart', 'aria-label': `${title} of listener ${listener.name}`, role: 'group' },
          h('h3', {}, title), plot);
        return { figure, chart: new TimeChart(plot, format, minTop) };
      };
      const requests = chart('Requests per second', fixed(1), 1);
      const errors = chart('Error rate (5xx and dropped)', percent, 0.05);
      const faults = chart('Injected faults per second, by type', fixed(1), 1);
      const latency = chart('Latency to first byte, p50 and p99', millis, 10);
      const now = h('div', { class: 'now', 'aria-live': 'off' });
      const article = h('article', { class: 'listener', 'data-listener': listener.name, 'aria-labelledby': `listener-${listener.name}` },
        h('div', { class: 'listener-head' },
          h('h3', { id: `listener-${listener.name}` }, listener.name),
          h('span', { class: 'badge' }, listener.protocol),
          h('span', { class: 'muted' }, `port ${listener.port} → ${listener.upstream}`)),
        now,
        h('div', { class: 'charts' }, requests.figure, errors.figure, faults.figure, latency.figure));
      this.cards.set(listener.name,
        { identity: identity(listener), article, now, requests: requests.chart, errors: errors.chart, faults: faults.chart, latency: latency.chart });
      return article;
    });
    TrafficCharts.destroyAll(before); // the listeners that are gone
    fill(this.el,
      summary.request_metrics ? null : h('p', { class: 'hint' },
        'This node does not count requests (metrics.requests: false), so these charts stay at zero.'),
      cards.length ? cards : h('p', { class: 'muted' }, 'This node has no listeners.'));
  }

  destroy() {
    TrafficCharts.destroyAll(this.cards);
  }

  static destroyAll(cards) {
    cards.forEach(card => [card.requests, card.errors, card.faults, card.latency].forEach(c => c.destroy()));
  }
}
