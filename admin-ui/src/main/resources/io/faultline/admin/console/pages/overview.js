// Overview: is chaos on (and the kill switch), what runs, the node's health and anomalies, each listener's
// live traffic, recent changes.

import { get, post } from '../lib/api.js';
import { confirmDialog, fill, h, notice, outcome } from '../lib/dom.js';
import { TrafficCharts } from './traffic.js';
import { ChangeList } from './changes.js';
import { Health } from './health.js';

const CHANGED = 'subscription { chaosChanged { enabled version scenario activeFaults rules change } }';
const TRAFFIC = 'subscription { traffic }';
const PROGRESS = 'subscription { orchestrationProgress }';

export default {
  mount(el, { live }) {
    const state = h('div', { class: 'status-line' });
    // usable once chaos's state is known: before, a click could only guess which way to switch it
    const kill = h('button', { type: 'button', class: 'kill primary', disabled: true, onclick: () => toggle() }, 'Loading…');
    const killNotice = h('p', { class: 'small' });
    const say = notice(killNotice);
    const running = h('p', { class: 'small' });
    const charts = new TrafficCharts();
    const changes = new ChangeList();
    const health = new Health();
    let status = null;

    fill(el,
      h('h1', {}, 'Overview'),
      h('section', { class: 'card', 'aria-labelledby': 'chaos-title' },
        h('h2', { id: 'chaos-title' }, 'Chaos'),
        h('div', { class: 'spread' }, state, kill),
        running, killNotice),
      h('section', { class: 'card', 'aria-labelledby': 'health-title' },
        h('h2', { id: 'health-title' }, 'Health and anomalies'), health.el),
      h('section', { class: 'card', 'aria-labelledby': 'traffic-title' },
        h('h2', { id: 'traffic-title' }, 'Traffic by listener'),
        h('p', { class: 'hint' }, 'This node’s listeners, once a second over the last two minutes.'),
        charts.el),
      h('section', { class: 'card', 'aria-labelledby': 'changes-title' },
        h('h2', { id: 'changes-title' }, 'Recent chaos changes'),
        changes.el));

    function showStatus(next) {
      status = next;
      const faults = next.active_faults || next.activeFaults || [];
      fill(state,
        h('span', { class: 'big', id: 'chaos-state' }, next.enabled ? 'Chaos is on' : 'Chaos is off'),
        h('span', { class: `badge ${next.enabled ? 'on' : 'off'}` }, next.enabled ? 'ON' : 'OFF'),
        h('span', { class: 'muted' }, `version ${next.version}`),
        h('span', {}, 'Scenario: ', h('b', {}, next.scenario || 'none')),
        h('span', {}, 'Active faults: ', h('b', {}, faults.length ? faults.join(', ') : 'none')));
      kill.textContent = next.enabled ? 'Disable chaos' : 'Enable chaos';
      kill.className = `kill ${next.enabled ? 'danger' : 'primary'}`;
      kill.disabled = false;
    }

    function showRun(run) {
      if (!run || !run.is_running) {
        fill(running, 'Orchestration: none running. ', h('a', { href: '#/orchestrations' }, 'Orchestrations'));
        return;
      }
      fill(running, 'Orchestration: ', h('b', {}, run.name), ` · step ${run.current_step || '–'} · iteration ${run.iteration}`
        + ` · ${Math.round((run.progress || 0) * 100)} % · `, h('a', { href: '#/orchestrations' }, 'follow it'));
    }

    async function toggle() {
      const off = status && status.enabled;
      const ok = await confirmDialog(off ? 'Disable chaos?' : 'Enable chaos?',
        off ? 'Every listener stops injecting faults at once; the config is kept for when chaos is enabled again.'
          : 'Every listener starts injecting the configured faults at once.',
        off ? 'Yes, disable chaos' : 'Yes, enable chaos');
      if (!ok) {
        kill.focus();
        return;
      }
      try {
        const status = await post(off ? '/api/chaos/disable' : '/api/chaos/enable');
        showStatus(status);
        say(...outcome(off ? 'Chaos disabled.' : 'Chaos enabled.', status));
      } catch (e) {
        say(`Could not switch chaos: ${e.message}`, 'error');
      }
      loadFailed = false; // said over a load failure: the next good load leaves what was said here
      kill.focus();
    }

    // each part on its own: one that fails (the orchestration status asks the cluster's leader, which may be away)
    // left the others unshown, the kill switch too, which then offered to enable chaos whatever its state
    async function load() {
      const part = (what, done) => done.then(() => null, e => `${what}: ${e.message}`);
      const failed = (await Promise.all([
        part('the chaos status', get('/api/chaos/status').then(showStatus)),
        part('the orchestration status', get('/api/chaos/orchestration/status').then(showRun)),
        part('the recent changes', get('/api/chaos/changes?limit=15').then(log => changes.show(log.changes))),
        part('the traffic', get('/api/traffic/recent?seconds=120').then(recent => {
          charts.reset();
          recent.summaries.forEach(s => charts.add(s));
        })),
      ])).filter(Boolean);
      if (failed.length) {
        throw new Error(failed.join('; '));
      }
    }

    const stops = [
      live.subscribe(CHANGED, data => {
        showStatus(data.chaosChanged);
        if (data.chaosChanged.change) {
          changes.prepend(data.chaosChanged.change);
        }
      }),
      live.subscribe(TRAFFIC, data => charts.add(data.traffic)),
      live.subscribe(PROGRESS, data => showRun(data.orchestrationProgress)),
    ];
    let loadFailed = false; // a failure said is taken back once everything loads again (a reconnect, the leader back)
    const reload = () => load().then(() => {
      if (loadFailed) {
        loadFailed = false;
        say('');
      }
    }, e => {
      loadFailed = true;
      say(`Could not load: ${e.message}`, 'error');
    });
    const rehealth = () => health.start();
    live.addEventListener('reconnected', reload);
    live.addEventListener('reconnected', rehealth);
    reload();
    health.start();
    return () => {
      stops.forEach(stop => stop());
      live.removeEventListener('reconnected', reload);
      live.removeEventListener('reconnected', rehealth);
      health.stop();
      charts.destroy();
    };
  },
};
