// Scenarios: start one (its config replaces the current one), stop the active one, save the current
// config as a new scenario, delete saved ones.

import { del, get, post } from '../lib/api.js';
import { confirmDialog, fill, h, notice, outcome } from '../lib/dom.js';
import { clearErrors, field, showError } from '../lib/fields.js';

// the node's own: a scenario is sections, and starting one keeps the rules and seed and switches chaos on
const OWN = ['seed', 'scenario', 'rules', 'enabled'];

export class Scenarios {
  constructor() {
    this.config = {};
    this.active = h('p', {});
    this.list = h('div', { class: 'table-wrap' });
    this.status = h('p', { class: 'small' });
    this.say = notice(this.status);
    this.name = field({ name: 'name', type: 'string' }, '', '');
    this.description = field({ name: 'description', type: 'string' }, '', '');
    this.form = h('form', { novalidate: true, 'aria-labelledby': 'save-scenario-title' },
      h('h3', { id: 'save-scenario-title' }, 'Save the current config as a scenario'),
      h('div', { class: 'fields' }, this.name.el, this.description.el),
      h('p', { class: 'error form-error', role: 'alert' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save scenario')));
    this.form.addEventListener('submit', event => {
      event.preventDefault();
      this.save();
    });
    this.el = h('section', { id: 'scenarios', class: 'card', 'aria-labelledby': 'scenarios-title' },
      h('h2', { id: 'scenarios-title', tabindex: '-1' }, 'Scenarios'), this.active, this.list, this.status, this.form);
  }

  /** Lists the scenarios again (saving or deleting one is no chaos change, so nothing else says so). */
  async reload() {
    this.show(await get('/api/chaos/scenarios'), this.config);
  }

  show(reply, config) {
    this.config = config;
    const activeName = reply.active || config.scenario || null;
    fill(this.active, activeName
      ? ['Active scenario: ', h('b', {}, activeName), ' ',
        h('button', { type: 'button', onclick: () => this.stop(), 'aria-label': `Stop scenario ${activeName}` }, 'Stop scenario')]
      : h('span', { class: 'muted' }, 'No scenario is active.'));
    fill(this.list, h('table', { class: 'stack' },
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Kind', ''].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, reply.scenarios.map(s => h('tr', { 'data-scenario': s.name },
        h('td', { 'data-label': 'Name' }, h('b', {}, s.name), s.name === activeName ? [' ', h('span', { class: 'badge active' }, 'active')] : null),
        h('td', { 'data-label': 'Description' }, s.description || ''),
        h('td', { 'data-label': 'Kind' }, s.built_in ? 'built-in' : 'saved'),
        h('td', { 'data-label': 'Actions' }, h('div', { class: 'row' },
          h('button', { type: 'button', 'aria-label': `Start scenario ${s.name}`, onclick: () => this.start(s.name) }, 'Start'),
          s.built_in ? null : h('button', { type: 'button', 'aria-label': `Delete scenario ${s.name}`, onclick: () => this.remove(s.name) }, 'Delete'))))))));
  }

  async start(name) {
    try {
      this.say(...outcome(`Scenario ${name} started.`, await post(`/api/chaos/scenarios/${encodeURIComponent(name)}`)));
    } catch (e) {
      this.say(`Could not start ${name}: ${e.message}`, 'error');
    }
  }

  async stop() {
    try {
      this.say(...outcome('Scenario stopped.', await post('/api/chaos/scenarios/stop')));
    } catch (e) {
      this.say(`Could not stop the scenario: ${e.message}`, 'error');
    }
  }

  async save() {
    clearErrors(this.form);
    const config = Object.fromEntries(Object.entries(this.config).filter(([k]) => !OWN.includes(k)));
    const body = { name: this.name.read() || '', config };
    if (this.description.read()) {
      body.description = this.description.read();
    }
    try {
      const saved = await post('/api/chaos/scenarios', body);
      this.name.input.value = '';
      this.description.input.value = '';
      this.say(`Scenario ${saved.name || body.name} saved.`, 'ok');
      await this.reload();
    } catch (e) {
      showError(this.form, e.field, e.message);
    }
  }

  async remove(name) {
    if (!await confirmDialog(`Delete scenario ${name}?`, 'The saved scenario is removed from this cluster.', 'Delete scenario')) {
      return;
    }
    try {
      // with the node's warning when a library entry names it (its start then fails until the scenario is saved again)
      this.say(...outcome(`Scenario ${name} deleted.`, await del(`/api/chaos/scenarios/${encodeURIComponent(name)}`)));
      await this.reload();
    } catch (e) {
      this.say(`Could not delete ${name}: ${e.message}`, 'error');
    }
  }
}
