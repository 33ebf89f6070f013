// Cluster: the nodes (id, region, zone, status, last heartbeat), the leader and its term, and the
// distributed tasks with each node's part, a running one with a button that cancels it. Read again every
// two seconds while shown (nodes heartbeat once a second); a standalone node shows itself, leading.

import { ApiError, get, post } from '../lib/api.js';
import { ago, clock, dateTime, fill, h, readNotice, refill, serially } from '../lib/dom.js';

const REFRESH_MS = 2_000;

export default {
  mount(el) {
    const summary = h('p', {});
    const nodes = h('div', { class: 'table-wrap' });
    const tasks = h('div', { class: 'table-wrap' });
    const status = h('p', { class: 'small' });
    const say = readNotice(status);
    fill(el, h('h1', {}, 'Cluster'),
      h('section', { class: 'card', 'aria-labelledby': 'nodes-title' },
        h('h2', { id: 'nodes-title' }, 'Nodes'), summary, nodes, status),
      h('section', { class: 'card', 'aria-labelledby': 'tasks-title' },
        h('h2', { id: 'tasks-title' }, 'Distributed tasks'), tasks));

    let standalone = false;
    let reads = 0; // an answer to a read older than the last one shown is dropped (a poll's after a cancel's showed it running)
    async function load() {
      const read = ++reads;
      const [registry, leader] = await Promise.all([get('/api/cluster/nodes'), get('/api/cluster/leader')]);
      if (read !== reads) {
        return;
      }
      refill(summary, registry.cluster ? ['Cluster ', h('b', {}, registry.cluster), ' · '] : 'Standalone node · ',
        'leader ', h('b', { id: 'leader' }, leader.node || 'none'), ` (term ${leader.term ?? '–'})`,
        ' · this node ', h('b', {}, registry.self));
      refill(nodes, h('table', { class: 'stack' },
        h('thead', {}, h('tr', {}, ['Node', 'Region', 'Zone', 'Status', 'Last heartbeat', 'Admin address', 'Protocols']
          .map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, registry.nodes.map(n => h('tr', { 'data-node': n.id },
          h('td', { 'data-label': 'Node' }, h('b', {}, n.id), n.id === leader.node ? [' ', h('span', { class: 'badge on' }, 'leader')] : null,
            n.id === registry.self ? [' ', h('span', { class: 'badge' }, 'this node')] : null),
          h('td', { 'data-label': 'Region' }, n.region || '–'),
          h('td', { 'data-label': 'Zone' }, n.zone || '–'),
          h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${n.status}` }, n.status)),
          h('td', { 'data-label': 'Heartbeat' }, n.last_heartbeat
            ? h('time', { datetime: new Date(n.last_heartbeat).toISOString(), title: dateTime(n.last_heartbeat) },
              `${clock(n.last_heartbeat)} (${ago(n.last_heartbeat)})`) : '–'),
          h('td', { 'data-label': 'Address' }, h('code', {}, n.address || '–')),
          h('td', { 'data-label': 'Protocols' }, (n.capabilities || []).join(', ')))))));
      if (!standalone) { // a standalone node answers 409 once and for all: not asked again every two seconds
        try {
          const list = await get('/api/cluster/tasks');
          if (read !== reads) {
            return;
          }
          refill(tasks, list.tasks.length ? taskTable(list.tasks, cancel) : h('p', { class: 'muted' }, 'No distributed task yet.'));
        } catch (e) {
          standalone = e instanceof ApiError && e.status === 409;
          fill(tasks, h('p', { class: 'muted' }, standalone ? e.message : `Could not list tasks: ${e.message}`));
        }
      }
      say.readDone();
    }

    const read = serially(load); // a slow read (up to 15 s) is not joined by another every two seconds, answered out of order

    async function cancel(id) {
      try {
        await post(`/api/cluster/tasks/${encodeURIComponent(id)}/cancel`);
        say(`Task ${id} cancelled: its running parts end on their nodes.`, 'ok');
      } catch (e) {
        say(`Could not cancel task ${id}: ${e.message}`, 'error');
      }
      read().catch(() => {});
    }

    const tick = () => read().catch(e => {
      say.readFailed(`Could not read the cluster: ${e.message}`);
    });
    tick();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') {
        tick();
      }
    }, REFRESH_MS);
    return () => clearInterval(timer);
  },
};

function taskTable(list, cancel) {
  return h('table', { class: 'stack' },
    h('thead', {}, h('tr', {}, ['Task', 'Mode', 'Chaos', 'Status', 'Per node'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, [...list].reverse().map(t => h('tr', { 'data-task': t.id },
      h('td', { 'data-label': 'Task' }, h('code', {}, t.id), h('div', { class: 'muted small' }, t.created_at ? dateTime(t.created_at) : '')),
      h('td', { 'data-label': 'Mode' }, t.mode),
      h('td', { 'data-label': 'Chaos' }, t.orchestration ? `orchestration ${t.orchestration.name}`
        : t.scenario || Object.keys(t.sections || {}).join(', ') || '–',
        h('div', { class: 'muted small' }, t.duration_ms == null ? 'as long as its runs' : `${Math.round(t.duration_ms / 1000)} s`)),
      h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${t.status}` }, t.status),
        t.status === 'running' ? [' ', h('button', { type: 'button', class: 'danger', 'data-cancel': t.id,
          'aria-label': `Cancel task ${t.id}`, onclick: () => cancel(t.id) }, 'Cancel')] : null),
      h('td', { 'data-label': 'Per node' }, h('ul', { class: 'plain' }, (t.items || []).map(i =>
        h('li', {}, `${i.node || `part ${i.index + 1}`}: `, h('span', { class: `badge ${i.state}` }, i.state)))))))));
}
