// The visual builder: an orchestration document (the tree of its YAML or JSON, from the server's
// converter) edited in place through cards and forms, checked by the server's validator after every
// edit with each problem shown at the field or card it names, and saved back as YAML (or JSON, if it
// was JSON) through the same converter.

import { get, post, put } from '../lib/api.js';
import { download, fill, h, notice, outcome } from '../lib/dom.js';
import { clearErrors, showError } from '../lib/fields.js';
import { METRICS, conditionEditor } from './condition.js';
import { hooksEditor } from './hooks.js';
import { assertionsEditor } from './assertions.js';
import { any, check, inputId, number, strings, text } from './inputs.js';
import { variables } from './lists.js';
import { stepList } from './steps.js';
import { showProblems } from './problems.js';
import { mayReplace } from '../pages/library.js';

const VALIDATE_AFTER_MS = 350;
const STEP_LISTS = ['steps', 'advanced_steps', 'conditional_steps'];

export class Builder {
  /** onRun(entryName): offers to run a saved entry. */
  constructor(el, onRun) {
    this.el = el;
    this.onRun = onRun;
    this.doc = null;
    this.format = 'yaml';
    this.form = h('div', { class: 'builder-body' });
    this.summary = h('div', { class: 'card validation', 'aria-live': 'polite' });
    this.entry = h('input', { id: 'builder-entry', type: 'text', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': 'builder-entry-hint builder-entry-error' });
    const status = h('p', { class: 'small' });
    this.say = notice(status);
    this.toolbar = h('form', { class: 'card toolbar', novalidate: true, 'aria-label': 'Save and run' },
      h('div', { class: 'fields' },
        h('div', { class: 'field', 'data-field': 'name' }, h('label', { for: 'builder-entry' }, 'Library entry name'), this.entry,
          h('p', { class: 'hint', id: 'builder-entry-hint' }, `saved as ${this.format.toUpperCase()}; letters, digits, _ - .`),
          h('p', { class: 'error', id: 'builder-entry-error' }))),
      h('p', { class: 'error form-error', role: 'alert' }),
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary' }, 'Save to library'),
        h('button', { type: 'button', onclick: () => this.save(true) }, 'Save and run…'),
        h('button', { type: 'button', onclick: () => this.download('yaml') }, 'Download YAML'),
        h('button', { type: 'button', onclick: () => this.download('json') }, 'Download JSON'),
        h('a', { href: '#/orchestrations', class: 'button' }, 'Back to the library')),
      status);
    this.toolbar.addEventListener('submit', event => {
      event.preventDefault();
      this.save(false);
    });
    this.lists = h('div', {});
    fill(el, h('h1', { id: 'builder-title' }, 'Orchestration builder'), this.toolbar, this.summary, this.form, this.lists);
    this.ctx = {
      edited: () => this.changed(),
      structural: focusId => this.redraw(focusId),
      countSteps: () => STEP_LISTS.reduce((n, k) => n + (Array.isArray(this.doc[k]) ? this.doc[k].length : 0), 0),
      valueField: (map, name, path) => any(this.ctx, map, name, path, `Value of variable ${name}`, { emptyText: '', bare: true }),
    };
  }

  /** Opens a library entry, or a new orchestration when name is null. */
  async open(name) {
    const scenarios = get('/api/chaos/scenarios').catch(() => ({ scenarios: [] }));
    this.opened = name; // saving under another name that is in use asks first
    if (name) {
      const entry = await get(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`);
      this.format = entry.text.trimStart().startsWith('{') ? 'json' : 'yaml';
      this.doc = await post('/api/chaos/orchestration/convert?to=json', entry.text);
      this.entry.value = name;
    } else {
      this.doc = { name: 'new_orchestration', description: 'Built in the console', steps: [{ name: 'step_1', scenario: 'network_degradation', duration_seconds: 10 }] };
      this.entry.value = 'new_orchestration';
    }
    this.toolbar.querySelector('.hint').textContent = `saved as ${this.format.toUpperCase()}; letters, digits, _ - .`;
    this.scenarioNames = (await scenarios).scenarios.map(s => s.name);
    this.redraw();
    this.savedText = canonical(this.doc); // as drawn: a form that fills in a default is no edit
  }

  /** What leaving would lose: null when the document is as it was opened or last saved. */
  unsaved() {
    if (this.savedText === undefined || canonical(this.doc) === this.savedText) {
      return null;
    }
    return this.opened
      ? `Your changes to ${this.opened} are not saved to the library: leaving drops them.`
      : 'This orchestration is not saved to the library: leaving drops it.';
  }

  redraw(focusId) {
    const active = focusId || (document.activeElement && this.el.contains(document.activeElement) ? document.activeElement.id : null);
    const d = this.doc;
    fill(this.form,
      h('section', { class: 'card', 'aria-labelledby': 'b-orchestration' },
        h('h2', { id: 'b-orchestration' }, 'Orchestration'),
        h('div', { class: 'fields' },
          text(this.ctx, d, 'name', 'name', 'Name'),
          text(this.ctx, d, 'description', 'description', 'Description'),
          strings(this.ctx, d, 'tags', 'tags', 'Tags'),
          check(this.ctx, d, 'parallel', 'parallel', 'Run the steps in parallel', { hint: 'their chaos merged, each measured over its own duration' }),
          check(this.ctx, d, 'loop_orchestration', 'loop_orchestration', 'Loop'),
          number(this.ctx, d, 'max_iterations', 'max_iterations', 'Max iterations', { hint: 'when looping; 0 runs until stopped' }),
          text(this.ctx, d, 'schedule', 'schedule', 'Schedule (cron)', { hint: 'a library entry runs at these minutes, e.g. */30 * * * *' }),
          'enable_reporting' in d ? check(this.ctx, d, 'enable_reporting', 'enable_reporting', 'Enable reporting') : null,
          'report_path' in d ? text(this.ctx, d, 'report_path', 'report_path', 'Report path') : null),
        this.abortGuard()),
      h('section', { class: 'card', 'aria-labelledby': 'b-variables' },
        h('h2', { id: 'b-variables' }, 'Variables'),
        variables(this.ctx, d, 'variables', 'variables', 'Variables (a run may override them)', this.ctx.valueField)),
      h('section', { class: 'card', 'aria-labelledby': 'b-steps' },
        h('h2', { id: 'b-steps' }, 'Steps'),
        h('p', { class: 'hint' }, 'They run in this order: steps, then advanced steps, then conditional steps.'),
        stepList(this.ctx, d, 'steps', 'steps', 'plain', null),
        'advanced_steps' in d ? stepList(this.ctx, d, 'advanced_steps', 'advanced_steps', 'advanced', 'Advanced steps') : null,
        stepList(this.ctx, d, 'conditional_steps', 'conditional_steps', 'conditional', 'Conditional steps')),
      h('section', { class: 'card', 'aria-labelledby': 'b-hooks' },
        h('h2', { id: 'b-hooks' }, 'Hooks'),
        hooksEditor(this.ctx, d, 'hooks', 'hooks', null, null)),
      h('section', { class: 'card', 'aria-labelledby': 'b-assertions' },
        h('h2', { id: 'b-assertions' }, 'Assertions over the whole run'),
        assertionsEditor(this.ctx, d, 'assertions', 'assertions', null)));
    fill(this.lists,
      datalist('builder-scenarios', this.scenarioNames || []),
      datalist('builder-metrics', METRICS),
      datalist('builder-variables', Object.keys(d.variables && typeof d.variables === 'object' ? d.variables : {})),
      datalist('builder-steps', allStepNames(d)));
    document.getElementById('builder-title').textContent = `Orchestration builder: ${d.name || '(unnamed)'}`;
    this.focus(active);
    this.changed();
  }

  abortGuard() {
    const d = this.doc;
    if (!d.abort_when || typeof d.abort_when !== 'object') {
      return h('button', { type: 'button', id: inputId('abort_when', 'add'), onclick: () => {
        d.abort_when = { condition: { type: 'metric_threshold', metric: 'error_rate', operator: 'greater_than', threshold: 0.5 }, for_seconds: 10 };
        this.redraw(inputId('abort_when.condition.type'));
      } }, 'Add an abort guard');
    }
    return h('fieldset', { 'data-path': 'abort_when' }, h('legend', {}, 'Abort when'), h('p', { class: 'problem', hidden: true }),
      d.abort_when.condition ? conditionEditor(this.ctx, d.abort_when, 'condition', 'abort_when.condition', 'Condition') : null,
      h('div', { class: 'fields' },
        number(this.ctx, d.abort_when, 'for_seconds', 'abort_when.for_seconds', 'Holding for (s)'),
        number(this.ctx, d.abort_when, 'window_seconds', 'abort_when.window_seconds', 'Over a window of (s)')),
      h('button', { type: 'button', onclick: () => {
        delete d.abort_when;
        this.redraw(inputId('abort_when', 'add'));
      } }, 'Remove the abort guard'));
  }

  focus(id) {
    let el = id ? document.getElementById(id) : null;
    if (!el && id && id.startsWith('b:')) {
      const box = this.el.querySelector(`[data-path="${CSS.escape(id.slice(2, id.lastIndexOf(':')))}"]`);
      el = box ? box.querySelector('input, select, textarea, button') : null;
    }
    if (el && el.disabled) {
      // a card moved to the top or bottom: its other move button, or its remove button, takes the focus
      el = el.parentElement.querySelector('button:not([disabled])');
    }
    if (el) {
      el.focus();
    }
  }

  /** Asks the server's validator about the document, a moment after the last edit. */
  changed() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.validate(), VALIDATE_AFTER_MS);
  }

  async validate() {
    const generation = (this.generation = (this.generation || 0) + 1);
    try {
      const result = await post('/api/chaos/orchestration/validate', JSON.stringify(this.doc));
      if (generation === this.generation) {
        showProblems(this.el, this.summary, result.problems, id => this.focus(id));
        // what this node's hook permissions will refuse when the run comes to it (commands off, a URL not allowed)
        const warnings = result.warnings || [];
        if (warnings.length) {
          this.say(warnings.map(w => `Warning (${w.path}): ${w.message}.`).join(' '), 'warn');
          this.warned = true;
        } else if (this.warned) {
          this.say('');
          this.warned = false;
        }
      }
    } catch (e) {
      if (generation === this.generation) { // an older document's failure says nothing of the one shown
        this.say(`Could not validate: ${e.message}`, 'error');
        this.warned = true; // cleared, as a warning is, by the next validation that has none
      }
    }
  }

  async save(thenRun) {
    if (this.saving) {
      return; // one save at a time: the library keeps the last that arrives, and so must what leaving asks about
    }
    clearErrors(this.toolbar);
    const name = this.entry.value.trim();
    if (!name) { // sent, it was a PUT to .../library/, answered "method PUT not allowed"
      showError(this.toolbar, 'name', 'is required: the name the library keeps this orchestration under');
      this.entry.focus();
      return;
    }
    const body = JSON.stringify(this.doc); // edits made while it saves are not in it, and stay unsaved
    this.saving = true;
    try {
      if (name && name !== this.opened && !await mayReplace(name)) {
        this.say(`Not saved: the library's ${name} is kept; give this one another name.`, 'error');
        this.entry.focus();
        return;
      }
      const text = await post(`/api/chaos/orchestration/convert?to=${this.format}`, body, { raw: true });
      const saved = await put(`/api/chaos/orchestration/library/${encodeURIComponent(name)}`, text);
      this.opened = name;
      this.savedText = canonical(JSON.parse(body));
      this.say(...outcome(`Saved to the library as ${name}.`, saved));
      if (thenRun) {
        this.onRun(name);
      }
    } catch (e) {
      if (!e.field || e.field === 'name' || e.field === 'body') {
        showError(this.toolbar, e.field === 'body' ? null : e.field, e.message);
      } else {
        this.say(`Not saved: ${e.message}`, 'error');
        this.validate();
      }
    } finally {
      this.saving = false;
    }
  }

  async download(format) {
    try {
      const text = await post(`/api/chaos/orchestration/convert?to=${format}`, JSON.stringify(this.doc), { raw: true });
      download(`${this.entry.value.trim() || 'orchestration'}.${format}`, text, format === 'json' ? 'application/json' : 'application/yaml');
    } catch (e) {
      this.say(`Could not convert: ${e.message}`, 'error');
    }
  }
}

/** value as JSON with every object's keys in order: a field cleared and typed again (its key now last) is no change. */
function canonical(value) {
  return JSON.stringify(value, (key, v) => v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]])) : v);
}

function datalist(id, values) {
  return h('datalist', { id }, values.map(v => h('option', { value: v })));
}

function allStepNames(d) {
  const names = [];
  const walk = list => (Array.isArray(list) ? list : []).forEach(s => {
    if (s && typeof s === 'object') {
      if (typeof s.name === 'string') {
        names.push(s.name);
      }
      walk(s.then_steps);
      walk(s.else_steps);
    }
  });
  STEP_LISTS.forEach(k => walk(d[k]));
  return names;
}
