// Reports: every orchestration run the cluster kept, newest first; open one (its HTML report, shown in a
// sandboxed frame), download it as JSON or JUnit XML. #/reports/ID opens one directly.

import { get } from '../lib/api.js';
import { dateTime, download, fill, h, readNotice, serially } from '../lib/dom.js';

const base = id => `/api/chaos/orchestration/reports/${encodeURIComponent(id)}`;

export default {
  mount(el, { rest, navigate }) {
    const table = h('div', { class: 'table-wrap' });
    const viewer = h('div', {});
    const status = h('p', { class: 'small' });
    const say = readNotice(status);
    fill(el, h('h1', {}, 'Reports'),
      h('section', { class: 'card', 'aria-labelledby': 'reports-title' },
        h('h2', { id: 'reports-title' }, 'Runs, newest first'), status, table),
      viewer);

    async function open(id) {
      try {
        const html = await get(`${base(id)}?format=html`, { raw: true });
        // No scripts and no access to this page: the report is shown, nothing in it runs.
        const frame = h('iframe', { class: 'report', sandbox: '', title: `Report ${id}`, srcdoc: html });
        fill(viewer, h('section', { class: 'card', 'aria-labelledby': 'report-title' },
          h('div', { class: 'spread' }, h('h2', { id: 'report-title', tabindex: '-1' }, `Report ${id}`),
            h('div', { class: 'row' }, downloads(id), h('a', { class: 'button', href: '#/reports' }, 'Close'))),
          frame));
        viewer.querySelector('h2').focus();
      } catch (e) {
        fill(viewer, h('p', { class: 'error', role: 'alert' }, `Could not open report ${id}: ${e.message}`));
      }
    }

    function downloads(id) {
      const fetchAs = async (format, ext, type) => {
        try {
          download(`${id}.${ext}`, await get(`${base(id)}?format=${format}`, { raw: true }), type);
        } catch (e) {
          say(`Could not download ${id}: ${e.message}`, 'error');
        }
      };
      return [
        h('button', { type: 'button', 'aria-label': `Download report ${id} as JSON`, onclick: () => fetchAs('json', 'json', 'application/json') }, 'JSON'),
        h('button', { type: 'button', 'aria-label': `Download report ${id} as JUnit XML`, onclick: () => fetchAs('junit', 'xml', 'application/xml') }, 'JUnit XML'),
      ];
    }

    let seen;
    const list = serially(() => get('/api/chaos/orchestration/reports').then(({ reports }) => {
      say.readDone();
      const sorted = [...reports].sort((a, b) => (b.started_at || 0) - (a.started_at || 0));
      if (JSON.stringify(sorted) === seen) {
        return; // unchanged: the table (and the focus in it) stays
      }
      seen = JSON.stringify(sorted);
      if (!sorted.length) {
        fill(table, h('p', { class: 'muted' }, 'No run has finished yet: run an orchestration and its report appears here.'));
        return;
      }
      fill(table, h('table', { class: 'stack' },
        h('thead', {}, h('tr', {}, ['Started', 'Orchestration', 'Status', 'Run', ''].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, sorted.map(r => h('tr', { 'data-report': r.id },
          h('td', { 'data-label': 'Started' }, r.started_at ? dateTime(r.started_at) : '–'),
          h('td', { 'data-label': 'Orchestration' }, h('b', {}, r.name)),
          h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${r.status}` }, r.status)),
          h('td', { 'data-label': 'Run' }, h('code', {}, r.id)),
          h('td', { 'data-label': 'Actions' }, h('div', { class: 'row' },
            h('button', { type: 'button', 'aria-label': `Open report ${r.id}`, onclick: () => navigate(`#/reports/${encodeURIComponent(r.id)}`) }, 'Open'),
            downloads(r.id))))))));
    }).catch(e => {
      seen = undefined; // the next answer is shown, whatever it is
      say.readFailed(`Could not list the reports: ${e.message}`);
    }));
    list();
    // a run that ends while the page is open adds its report within seconds
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') {
        list();
      }
    }, 5000);

    if (rest[0]) {
      open(rest[0]);
    }
    return () => clearInterval(timer);
  },
};
