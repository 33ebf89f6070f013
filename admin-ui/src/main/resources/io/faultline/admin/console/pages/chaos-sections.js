// One form per config section, filled from the live config; Apply sends the section, Clear removes it.
// A form the user has not edited follows changes made elsewhere; one being edited is left alone, and leaving the
// page asks first.

import { del, put } from '../lib/api.js';
import { fill, h, notice, outcome } from '../lib/dom.js';
import { clearErrors, field, formText, label, readAll, showError } from '../lib/fields.js';

export class SectionForms {
  constructor(schema) {
    this.schema = schema;
    this.forms = new Map();
    const cards = Object.keys(schema.sections).map(name => this.card(name));
    this.el = h('section', { id: 'sections', 'aria-labelledby': 'sections-title' },
      h('h2', { id: 'sections-title', tabindex: '-1' }, 'Config sections'),
      h('p', { class: 'hint' }, 'The global chaos config, one section at a time. A section that is not set injects nothing; rules may set their own.'),
      h('div', { class: 'masonry' }, cards));
  }

  card(name) {
    const badge = h('span', { class: 'badge' });
    const fields = h('div', { class: 'fields' });
    const status = h('p', { class: 'small' });
    const clear = h('button', { type: 'button', onclick: () => this.clear(name) }, `Clear ${label(name)}`);
    const form = h('form', { class: 'card section', 'data-section': name, 'aria-labelledby': `section-${name}`, novalidate: true },
      h('div', { class: 'spread' }, h('h3', { id: `section-${name}` }, label(name)), badge),
      fields,
      h('p', { class: 'error form-error', role: 'alert' }),
      h('div', { class: 'actions' }, clear, h('button', { type: 'submit', class: 'primary' }, `Apply ${label(name)}`)),
      status);
    const entry = { form, badge, fields, clear, say: notice(status), inputs: [], shown: null };
    form.addEventListener('submit', event => {
      event.preventDefault();
      this.apply(name);
    });
    // a form passed over while the caret sat in it, unedited, catches up once the focus leaves it: it went on showing the
    // old value, and an Apply of another field in it sent that value back
    const catchUp = () => {
      if (entry.behind && !form.contains(document.activeElement)) {
        entry.behind = false; // (edited, it stays as the user left it: leaving the page asks first)
        if (!edited(entry)) {
          this.render(name, this.latest[name]);
        }
      }
    };
    form.addEventListener('focusout', event => {
      if (entry.behind && !form.contains(event.relatedTarget)) {
        // a press on what takes no focus (a label) blurs first and clicks after: not redrawn under that click, and a label
        // gives the focus back to its field
        setTimeout(catchUp, event.relatedTarget ? 0 : 300);
      }
    });
    this.forms.set(name, entry);
    return form;
  }

  /** Fills every form the user is not editing (edited, or being typed in: a redraw would take the caret) from config. */
  show(config) {
    this.latest = config;
    this.forms.forEach((entry, name) => {
      if (!edited(entry) && !typingIn(entry.form)) {
        this.render(name, config[name]);
      } else {
        entry.behind = true; // not redrawn under the caret: redrawn once the focus leaves the form, if not edited by then
      }
    });
  }

  /** The labels of the sections whose forms hold edits not applied (none: an empty list). */
  unsaved() {
    return [...this.forms].filter(([, entry]) => edited(entry)).map(([name]) => label(name));
  }

  render(name, value) {
    const entry = this.forms.get(name);
    entry.inputs = this.schema.sections[name].map(spec => field(spec, value ? value[spec.name] : undefined, name));
    fill(entry.fields, entry.inputs.map(f => f.el));
    entry.badge.textContent = value ? 'set' : 'not set';
    entry.badge.className = `badge ${value ? 'on' : ''}`;
    entry.clear.hidden = !value;
    entry.shown = formText(entry.form);
    entry.behind = false;
  }

  async apply(name) {
    const entry = this.forms.get(name);
    clearErrors(entry.form);
    entry.say('');
    try {
      const status = await put(`/api/chaos/config/${name}`, readAll(entry.inputs));
      this.latest = status.config;
      this.render(name, status.config[name]);
      entry.say(...outcome(`Applied: config version ${status.version}.`, status));
    } catch (e) {
      showError(entry.form, e.field, e.message).scrollIntoView({ block: 'nearest' });
      entry.say(`Not applied: ${e.message}`, 'error');
    }
  }

  async clear(name) {
    const entry = this.forms.get(name);
    clearErrors(entry.form);
    try {
      // one change on the node: an active scenario goes on, and nothing set meanwhile is written over
      const status = await del(`/api/chaos/config/${name}`);
      this.latest = status.config;
      this.render(name, status.config[name]);
      entry.say(...outcome(`Cleared: config version ${status.version}.`, status));
    } catch (e) {
      showError(entry.form, e.field, e.message);
    }
  }
}

/** Whether a section's form holds something other than what it was last filled with. */
function edited(entry) {
  return entry.shown !== null && formText(entry.form) !== entry.shown;
}

/** Whether the focus is in one of form's text fields. */
function typingIn(form) {
  const active = document.activeElement;
  return !!active && form.contains(active) && (active.tagName === 'TEXTAREA' || (active.tagName === 'INPUT' && active.type === 'text'));
}
