// The orchestration library: every entry with open, run, download (YAML or JSON) and delete; import a
// file (YAML or JSON) as a new entry named after it.

import { del, get, post, put } from '../lib/api.js';
import { confirmDialog, dateTime, download, fill, h, outcome, readNotice, serially } from '../lib/dom.js';

/** What became of an entry's schedule the last time it came due: started (with its run), skipped or failed (with why). */
function lastSchedule(last) {
  const badge = last.outcome === 'started' ? 'succeeded' : 'failed';
  return h('div', { class: 'small last-schedule' }, h('span', { class: `badge ${badge}` }, last.outcome), ` ${dateTime(last.due_at)}`,
    last.run_id ? h('span', { class: 'muted' }, ` · ${last.run_id}`) : null,
    last.reason ? h('div', { class: 'muted' }, last.reason) : null);
}

/** "Spike Test.v2.yaml" → "Spike_Test.v2": what the server accepts as an entry name. */
export function entryName(filename) {
  return filename.replace(/\.(ya?ml|json)$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 64) || 'imported';
}

/**
 * Whether an entry may be saved as {@code name}: yes when the library has none of that name; when it has one, the user
 * is asked (a save under a name in use replaced that entry on every node without a word). Throws what the API said if
 * it could not tell.
 */
export async function mayReplace(name) {
  try {
    await get(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`);
  } catch (e) {
    if (e.status === 404) {
      return true;
    }
    throw e;
  }
  return confirmDialog(`Replace ${name}?`, `The library has an entry named ${name}: saving replaces it on every node.`, 'Replace entry');
}

export class Library {
  constructor(onRun) {
    this.onRun = onRun;
    this.table = h('div', { class: 'table-wrap' });
    const status = h('p', { class: 'small' });
    this.say = readNotice(status);
    const file = h('input', { id: 'import-file', type: 'file', accept: '.yaml,.yml,.json,application/json,application/yaml', multiple: true,
      onchange: event => this.import([...event.target.files]).finally(() => { event.target.value = ''; }) });
    this.el = h('section', { class: 'card', 'aria-labelledby': 'library-title' },
      h('div', { class: 'spread' }, h('h2', { id: 'library-title' }, 'Library'),
        h('div', { class: 'row' },
          h('a', { href: '#/orchestrations/new', class: 'button' }, 'New orchestration'),
          file, h('label', { for: 'import-file', class: 'button' }, 'Import a file…'))),
      h('p', { class: 'hint' }, 'Entries are kept on every node of the cluster (and on disk with a data directory).'),
      status, this.table);
    file.classList.add('visually-hidden');
    this.load = serially(this.load.bind(this)); // every 5 s, and after each change: one read at a time, answered in order
  }

  async load() {
    try {
      const { entries } = await get('/api/chaos/orchestration/library');
      this.say.readDone();
      const seen = JSON.stringify(entries);
      if (seen === this.seen) {
        return; // unchanged: the table (and the focus in it) stays
      }
      this.seen = seen;
      this.show(entries);
    } catch (e) {
      this.seen = undefined; // the next answer is shown, whatever it is
      this.say.readFailed(`Could not list the library: ${e.message}`);
    }
  }

  show(entries) {
    if (!entries.length) {
      fill(this.table, h('p', { class: 'muted' }, 'The library is empty: import a file or build a new orchestration.'));
      return;
    }
    fill(this.table, h('table', { class: 'stack' },
      h('thead', {}, h('tr', {}, ['Entry', 'Orchestration', 'Steps', 'Schedule', ''].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, entries.map(e => h('tr', { 'data-entry': e.name },
        h('td', { 'data-label': 'Entry' }, h('b', {}, e.name)),
        e.valid === false
          ? h('td', { 'data-label': 'Orchestration' }, h('span', { class: 'badge failed' }, 'not valid'),
            h('div', { class: 'muted small' }, `${e.problems.join('; ')}. Open it to mend it.`))
          : h('td', { 'data-label': 'Orchestration' }, e.orchestration, e.description ? h('div', { class: 'muted small' }, e.description) : null),
        h('td', { 'data-label': 'Steps' }, e.steps == null ? '–' : String(e.steps)),
        h('td', { 'data-label': 'Schedule' }, e.schedule ? h('code', {}, e.schedule) : '–', e.last_schedule ? lastSchedule(e.last_schedule) : null),
        h('td', { 'data-label': 'Actions' }, h('div', { class: 'row' },
          h('a', { class: 'button', href: `#/orchestrations/edit/${encodeURIComponent(e.name)}`, 'aria-label': `Open ${e.name} in the builder` }, 'Open'),
          h('button', { type: 'button', 'aria-label': `Run ${e.name}`, onclick: () => this.onRun(e.name) }, 'Run…'),
          h('button', { type: 'button', 'aria-label': `Download ${e.name} as YAML`, onclick: () => this.download(e.name, 'yaml') }, 'YAML'),
          h('button', { type: 'button', 'aria-label': `Download ${e.name} as JSON`, onclick: () => this.download(e.name, 'json') }, 'JSON'),
          h('button', { type: 'button', 'aria-label': `Delete ${e.name}`, onclick: () => this.remove(e.name) }, 'Delete'))))))));
  }

  async import(files) {
    for (const file of files) {
      const name = entryName(file.name);
      try {
        if (!await mayReplace(name)) {
          this.say(`${file.name} was not imported: the library's ${name} is kept.`, 'ok');
          continue;
        }
        const reply = await put(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`, await file.text());
        this.say(...outcome(`Imported ${file.name} as ${name}.`, reply));
      } catch (e) {
        this.say(`${file.name} was not imported: ${e.field ? `${e.field}: ` : ''}${e.message}`, 'error');
      }
    }
    await this.load();
  }

  async download(name, format) {
    try {
      const { text } = await get(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`);
      const converted = await post(`/api/chaos/orchestration/convert?to=${format}`, text, { raw: true });
      download(`${name}.${format}`, converted, format === 'json' ? 'application/json' : 'application/yaml');
    } catch (e) {
      this.say(`Could not download ${name}: ${e.message}`, 'error');
    }
  }

  async remove(name) {
    if (!await confirmDialog(`Delete ${name}?`, 'The entry is removed from the library of every node.', 'Delete entry')) {
      return;
    }
    try {
      await del(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`);
      this.say(`${name} deleted.`, 'ok');
      await this.load();
    } catch (e) {
      this.say(`Could not delete ${name}: ${e.message}`, 'error');
    }
  }
}
