// History: what history keeps of the orchestration runs (filtered, compared, as CSV), an orchestration's
// score over time, the experiments (A/B tests, breaking-point searches) and the flight recorder's search.
// All from /api/history/* and /api/recorder/search.

import { get, STORE_TIMEOUT_MS } from '../lib/api.js';
import { dateTime, fill, h, jump, notice, serially } from '../lib/dom.js';
import { RunList } from './history-runs.js';
import { Compare } from './history-compare.js';
import { Trend } from './history-trend.js';
import { RecorderSearch } from './history-recorder.js';
import { Experiments } from './history-experiments.js';

export default {
  mount(el, { live }) {
    const summary = h('p', { class: 'summary' });
    const message = h('p', {});
    const say = notice(message);
    const compare = new Compare();
    const trend = new Trend();
    const runs = new RunList({ onCompare: ids => compare.show(ids), onTrend: name => trend.show(name) });
    const recorder = new RecorderSearch();
    const experiments = new Experiments();
    fill(el,
      h('h1', {}, 'History'),
      h('nav', { class: 'row small', 'aria-label': 'Parts of this page' },
        h('a', { href: '#/history', onclick: jump('runs') }, 'Runs'),
        h('a', { href: '#/history', onclick: jump('trend') }, 'Score over time'),
        h('a', { href: '#/history', onclick: jump('experiments') }, 'Experiments'),
        h('a', { href: '#/history', onclick: jump('recorder') }, 'Flight recorder')),
      summary, message, runs.el, compare.el, trend.el, experiments.el, recorder.el);

    async function load() {
      const s = await get('/api/history/summary', { timeoutMs: STORE_TIMEOUT_MS });
      const statuses = Object.entries(s.by_status).map(([status, n]) => `${n} ${status}`).join(', ');
      fill(summary, s.runs ? [h('b', {}, `${s.runs} run${s.runs === 1 ? '' : 's'}`), ` kept (${statuses})`,
        s.avg_resilience_score === null ? '' : ` · average score ${s.avg_resilience_score.toFixed(1)}`,
        ` · from ${dateTime(s.first_run_at)} to ${dateTime(s.last_run_at)}`]
        : 'No orchestration run is kept yet: runs are recorded as they end.');
      const names = s.orchestrations.map(o => o.name).sort();
      runs.names(names);
      await Promise.all([runs.load(), trend.names(names), experiments.load(), experiments.entries()]);
      say('');
    }

    const read = serially(load); // a run recorded asks twice (1 s and 4 s on): one read at a time, answered in order
    const reload = () => read().catch(e => say(`Could not read the history: ${e.message}`, 'error'));
    live.addEventListener('reconnected', reload);
    // a run recorded while the page is open (from here, another tab, the CLI or a schedule) shows in a second:
    // the event comes as history queues the run, and its writer stores a batch every 200 ms by default
    const timers = new Set();
    const later = ms => {
      const t = setTimeout(() => {
        timers.delete(t);
        reload();
      }, ms);
      timers.add(t);
    };
    const unsubscribe = live.subscribe('subscription { runRecorded }', () => {
      later(1000);
      later(4000); // a slow shared database
    });
    reload();
    // library entries saved or deleted elsewhere (another tab, the CLI, another node) reach the A/B variants within seconds
    const entries = setInterval(() => {
      if (document.visibilityState === 'visible') {
        experiments.entries().catch(() => {});
      }
    }, 5000);
    return () => {
      clearInterval(entries);
      timers.forEach(clearTimeout);
      unsubscribe();
      live.removeEventListener('reconnected', reload);
      trend.close();
      experiments.close();
    };
  },
};
