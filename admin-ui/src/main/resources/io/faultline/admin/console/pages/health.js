// The Overview's health: this node's health score (GET /api/analytics/health) with what cost it points,
// and the anomalies its live detector flagged (GET /api/analytics/anomalies). No subscription carries
// them, so they are read again once per analytics interval (never faster, and at most once a second),
// only while the tab is shown, asking only for anomalies newer than the newest one seen.

import { get } from '../lib/api.js';
import { clock, fill, h } from '../lib/dom.js';

const TYPES = { high_error_rate: 'High error rate', latency_anomaly: 'Latency anomaly', event_spike: 'Chaos event spike',
  unexpected_quiet: 'Unexpectedly quiet' };
const KEPT = 5;
const MIN_POLL_MS = 1_000;

export class Health {
  constructor() {
    this.score = h('div', { class: 'health-score' });
    this.factors = h('ul', { class: 'plain small factors' });
    this.method = h('p', { class: 'hint' });
    this.list = h('ol', { class: 'anomalies', 'aria-live': 'polite', 'aria-relevant': 'additions' });
    this.error = h('p', { class: 'error', role: 'alert' });
    this.anomalies = [];
    this.el = h('div', { class: 'health' },
      h('div', {}, h('h3', {}, 'Health of this node, last minute'), this.score, this.factors),
      h('div', {}, h('h3', {}, 'Recent anomalies'), this.list, this.method),
      this.error);
  }

  /** Reads everything again (on mount and after a reconnection) and keeps reading every interval. */
  async start() {
    clearTimeout(this.timer);
    this.stopped = false;
    try {
      const a = await get('/api/analytics/anomalies');
      const m = a.method;
      this.interval = Math.max(MIN_POLL_MS, m.interval_ms);
      this.method.textContent = `A sample of the traffic every ${m.interval_ms / 1000} s; an anomaly is one at least ${m.z_threshold} `
        + `standard deviations from its EWMA mean (weight ${m.ewma_alpha}), past a floor against noise.`;
      this.anomalies = a.anomalies.slice(0, KEPT);
      this.showAnomalies();
      await this.readHealth();
    } catch (e) {
      this.error.textContent = `Could not read the analytics: ${e.message}`;
    }
    this.schedule();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  schedule() {
    if (!this.stopped) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.tick(), this.interval || MIN_POLL_MS);
    }
  }

  async tick() {
    if (document.visibilityState === 'visible') {
      try {
        const since = this.anomalies.length ? `?since=${this.anomalies[0].detected_at + 1}` : '';
        const a = await get(`/api/analytics/anomalies${since}`);
        if (a.anomalies.length) {
          this.anomalies = [...a.anomalies, ...this.anomalies].slice(0, KEPT);
          this.showAnomalies();
        }
        await this.readHealth();
        this.error.textContent = '';
      } catch (e) {
        this.error.textContent = `Could not read the analytics: ${e.message}`;
      }
    }
    this.schedule();
  }

  async readHealth() {
    const health = await get('/api/analytics/health');
    const score = health.score;
    fill(this.score, score === null
      ? h('p', { class: 'muted', id: 'health' }, `No score: ${health.reason}.`)
      : h('p', { id: 'health', 'data-score': score },
        h('span', { class: 'big' }, score.toFixed(1)), h('span', { class: 'muted' }, ' / 100 '),
        h('meter', { min: 0, max: 100, low: 60, high: 90, optimum: 100, value: score, 'aria-label': 'Health score' })));
    fill(this.factors, (health.factors || []).map(f => h('li', { 'data-factor': f.name },
      h('b', {}, f.name), `: ${f.impact >= 0.05 ? '−' : ''}${f.impact.toFixed(1)} points · ${f.measured}`)),
    health.formula ? h('li', { class: 'muted' }, `health = ${health.formula}`) : null);
  }

  showAnomalies() {
    fill(this.list, this.anomalies.length ? this.anomalies.map(a => h('li', { 'data-type': a.type, 'data-detected-at': a.detected_at },
      h('div', { class: 'row' },
        h('time', { datetime: new Date(a.detected_at).toISOString(), class: 'muted small' }, clock(a.detected_at)),
        h('span', { class: 'badge anomaly' }, TYPES[a.type] || a.type)),
      h('div', { class: 'small' }, a.description)))
      : h('li', { class: 'muted' }, 'None flagged since this node started.'));
  }
}
