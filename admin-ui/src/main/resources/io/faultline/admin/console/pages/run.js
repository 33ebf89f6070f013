// Running orchestrations: a dialog to run a library entry with its variables, and the live progress
// of the current run (step, iteration, percentage, each step as it ends) with a stop button.

import { get, post } from '../lib/api.js';
import { fill, h, readNotice, uid } from '../lib/dom.js';
import { readAny, showAny } from '../builder/inputs.js';

const PROGRESS = 'subscription { orchestrationProgress }';

/** Asks for the variables of entry name, then runs it; started() after the server accepted. */
export async function runDialog(name, started) {
  const entry = await get(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`);
  const doc = await post('/api/chaos/orchestration/convert?to=json', entry.text);
  const vars = doc.variables && typeof doc.variables === 'object' ? doc.variables : {};
  const titleId = uid('run-title');
  const rows = Object.entries(vars).map(([key, value]) => {
    const id = uid('var');
    return { key, input: h('input', { id, type: 'text', value: showAny(value), autocomplete: 'off' }), id };
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const dialog = h('dialog', { class: 'form', 'aria-labelledby': titleId },
    h('form', { method: 'dialog' },
      h('h2', { id: titleId }, `Run ${name}`),
      rows.length ? h('p', { class: 'hint' }, 'Variables for this run (numbers, true/false and JSON are read as such):')
        : h('p', { class: 'hint' }, 'This orchestration has no variables.'),
      rows.map(r => h('div', { class: 'field' }, h('label', { for: r.id }, r.key), r.input)),
      error,
      h('div', { class: 'actions' },
        // not a submit button: Enter in a field submits through the form's first one, which cancelled the run
        h('button', { type: 'button', class: 'quiet', onclick: () => dialog.close() }, 'Cancel'),
        h('button', { value: 'run', class: 'primary', type: 'submit' }, 'Start the run'))));
  dialog.querySelector('form').addEventListener('submit', async event => {
    event.preventDefault();
    const variables = Object.fromEntries(rows.map(r => [r.key, readAny(r.input.value) ?? '']));
    try {
      await post('/api/chaos/orchestration/execute', { name, variables });
      dialog.close();
      started();
    } catch (e) {
      error.textContent = `${e.field ? `${e.field}: ` : ''}${e.message}`;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

export class RunPanel {
  constructor(live) {
    this.body = h('div', {});
    const status = h('p', { class: 'small' });
    this.say = readNotice(status);
    this.el = h('section', { class: 'card run', 'aria-labelledby': 'run-title' },
      h('h2', { id: 'run-title' }, 'Current run'), this.body, status);
    this.steps = [];
    this.runId = null;
    this.stop = live.subscribe(PROGRESS, data => this.update(data.orchestrationProgress));
    this.refresh();
  }

  async refresh() {
    try {
      this.update(await get('/api/chaos/orchestration/status'));
      this.say.readDone();
    } catch (e) {
      this.say.readFailed(`Could not read the run's status: ${e.message}`);
    }
  }

  /** One progress event (the run's status): steps that ended are marked; at the end, the report gives their outcomes. */
  update(run) {
    if (!run || !run.run_id) {
      fill(this.body, h('p', { class: 'muted' }, 'No orchestration has run on this cluster’s leader since it started.'));
      return;
    }
    if (run.run_id !== this.runId) {
      this.runId = run.run_id;
      this.steps = [];
      this.done = 0;
      this.report = null;
    }
    // a step that ran before this event and more steps done: it has ended. Not the step this event shows running
    // (a page opened mid-run learns of it and of the steps done before it from one event)
    const wereRunning = this.steps.filter(s => s.status === 'running');
    if (run.current_step && !this.steps.some(s => s.name === run.current_step && s.iteration === run.iteration)) {
      this.steps.push({ name: run.current_step, iteration: run.iteration, status: 'running' });
    }
    if (run.steps_done > this.done) {
      wereRunning.forEach(s => { s.status = 'ended'; });
      this.done = run.steps_done;
    }
    if (!run.is_running && !this.report) {
      this.report = 'loading';
      get(`/api/chaos/orchestration/reports/${encodeURIComponent(run.run_id)}`).then(report => {
        if (run.run_id !== this.runId) {
          return; // another run has the panel now: a late report of this one drew over it, and its own was never read
        }
        this.report = report;
        this.steps = report.steps.map(s => ({ name: s.name, iteration: s.iteration, status: s.status, error: s.error }));
        this.render(run);
      }).catch(() => {
        if (run.run_id === this.runId) {
          this.report = null;
        }
      });
    }
    this.render(run);
  }

  render(run) {
    // none for a run the node rebuilt from its report after a restart: not shown as 0 %
    const percent = typeof run.progress === 'number' ? Math.round(run.progress * 100) : null;
    fill(this.body,
      h('div', { class: 'spread' },
        h('p', {}, h('b', {}, run.name), ' ', h('span', { class: `badge ${run.status}`, id: 'run-status' }, run.status)),
        run.is_running ? h('button', { type: 'button', class: 'danger', onclick: () => this.stopRun() }, 'Stop the run')
          : this.report && this.report !== 'loading'
            ? h('a', { class: 'button', href: `#/reports/${encodeURIComponent(run.run_id)}` }, 'Open its report') : null),
      h('p', { class: 'small' }, `Step: ${run.current_step || '–'} · iteration ${run.iteration} · ${run.steps_done} step(s) done`),
      percent === null ? null : h('div', { class: 'row' },
        h('progress', { max: 100, value: percent, 'aria-label': 'Progress of the run' }),
        h('span', { id: 'run-percent' }, `${percent} %`)),
      h('ol', { class: 'run-steps' }, this.steps.map(s => h('li', { 'data-step': s.name },
        `${s.name} (iteration ${s.iteration}) `, h('span', { class: `badge ${s.status}` }, s.status),
        s.error ? h('span', { class: 'muted small' }, ` ${s.error}`) : null))));
  }

  async stopRun() {
    try {
      await post('/api/chaos/orchestration/stop');
      this.say('Stop asked: the run ends after undoing its chaos.', 'ok');
    } catch (e) {
      this.say(`Could not stop: ${e.message}`, 'error');
    }
  }

  destroy() {
    this.stop();
  }
}
