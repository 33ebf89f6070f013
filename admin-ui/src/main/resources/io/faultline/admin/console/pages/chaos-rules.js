// Rules: chaos for the traffic a match selects. The list, and an editor for one rule: its match and
// the sections it sets (drawn with the same fields as the global sections).

import { del, post, put } from '../lib/api.js';
import { confirmDialog, fill, h, notice, outcome, uid } from '../lib/dom.js';
import { clearErrors, field, formText, label, readAll, showError } from '../lib/fields.js';

export class Rules {
  constructor(schema) {
    this.schema = schema;
    this.rules = [];
    this.list = h('div', { class: 'table-wrap' });
    this.editor = h('div', {});
    this.status = h('p', { class: 'small' });
    this.say = notice(this.status);
    /** The rule in the editor: its form, what the form held when opened, and the rule's name (null: a new rule). */
    this.editing = null;
    this.el = h('section', { id: 'rules', class: 'card', 'aria-labelledby': 'rules-title' },
      h('div', { class: 'spread' }, h('h2', { id: 'rules-title', tabindex: '-1' }, 'Rules'),
        h('button', { type: 'button', onclick: () => this.open(null) }, 'Add rule')),
      h('p', { class: 'hint' }, 'The first rule whose match fits a request wins; the sections it sets replace the global ones for that request.'
        + ' A listener\'s own chaos (listener:NAME) is not tried in order: it is the base of that listener\'s traffic, under whichever rule wins.'),
      this.list, this.status, this.editor);
  }

  show(rules) {
    this.rules = rules;
    if (!rules.length) {
      fill(this.list, h('p', { class: 'muted' }, 'No rules: the global sections apply to all traffic.'));
      return;
    }
    fill(this.list, h('table', { class: 'stack' },
      h('thead', {}, h('tr', {}, ['Name', 'Enabled', 'Match', 'Sets', ''].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rules.map(rule => h('tr', { 'data-rule': rule.name },
        h('td', { 'data-label': 'Name' }, h('b', {}, rule.name),
          ownListener(rule) ? h('div', { class: 'small muted' }, `${ownListener(rule)}'s own chaos, under every rule`) : null),
        h('td', { 'data-label': 'Enabled' }, h('span', { class: `badge ${rule.enabled ? 'on' : 'off'}` }, rule.enabled ? 'yes' : 'no')),
        h('td', { 'data-label': 'Match' }, h('code', {}, matchText(rule.match))),
        h('td', { 'data-label': 'Sets' }, Object.keys(this.schema.sections).filter(s => rule[s]).map(label).join(', ') || '–'),
        h('td', { 'data-label': 'Actions' }, h('div', { class: 'row' },
          h('button', { type: 'button', 'aria-label': `Edit rule ${rule.name}`, onclick: () => this.open(rule) }, 'Edit'),
          h('button', { type: 'button', 'aria-label': `Delete rule ${rule.name}`, onclick: () => this.remove(rule.name) }, 'Delete'))))))));
  }

  /**
   * Opens {@code rule} (null: a new one) in the editor, asking first when the rule open there has edits not saved:
   * another rule's Edit, or Add rule, replaced them without a word.
   */
  async open(rule) {
    const lost = this.unsaved();
    if (lost && !await confirmDialog('Discard your edits?', `${lost}: opening ${rule ? `rule ${rule.name}` : 'a new rule'} drops them.`,
      'Discard edits', { safe: true })) {
      return;
    }
    this.edit(rule);
  }

  edit(rule) {
    const fields = [];
    const sectionFields = {};
    const name = field({ name: 'name', type: 'string' }, rule ? rule.name : '', '');
    const enabled = field({ name: 'enabled', type: 'boolean', default: true }, rule ? rule.enabled : true, '');
    const match = this.schema.match.map(spec => field(spec, rule && rule.match ? empty(rule.match[spec.name]) : undefined, 'match'));
    fields.push(...match);
    const sections = Object.entries(this.schema.sections).map(([section, specs]) => {
      const id = uid('set');
      const inner = specs.map(spec => field(spec, rule && rule[section] ? rule[section][spec.name] : undefined, section));
      sectionFields[section] = inner;
      const box = h('fieldset', { class: 'fields-box', hidden: !(rule && rule[section]) },
        h('legend', {}, label(section)), h('div', { class: 'fields' }, inner.map(f => f.el)));
      const toggle = h('input', { type: 'checkbox', id, checked: !!(rule && rule[section]),
        onchange: event => { box.hidden = !event.target.checked; } });
      return h('div', { 'data-field': section }, h('div', { class: 'field check' }, toggle, h('label', { for: id }, `This rule sets ${label(section)}`)),
        h('p', { class: 'error' }), box);
    });
    const form = h('form', { class: 'rule-editor', novalidate: true, 'aria-label': rule ? `Edit rule ${rule.name}` : 'New rule' },
      h('h3', {}, rule ? `Rule ${rule.name}` : 'New rule'),
      h('div', { class: 'fields' }, name.el, enabled.el),
      h('fieldset', {}, h('legend', {}, 'Match (every field set must match)'), h('div', { class: 'fields' }, match.map(f => f.el))),
      h('fieldset', {}, h('legend', {}, 'Sections'), sections),
      h('p', { class: 'error form-error', role: 'alert' }),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => this.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, 'Save rule')));
    form.addEventListener('submit', async event => {
      event.preventDefault();
      clearErrors(form);
      const body = { name: name.read() || '', enabled: enabled.read(), match: readAll(match) };
      Object.entries(sectionFields).forEach(([section, inner]) => {
        if (form.querySelector(`[data-field="${section}"] input[type=checkbox]`).checked) {
          body[section] = readAll(inner);
        }
      });
      // the API replaces a rule posted under its name: here, a new or renamed rule must not take another's
      // name, which silently replaced that rule
      if ((!rule || rule.name !== body.name) && this.rules.some(r => r.name === body.name)) {
        showError(form, 'name', `a rule named ${body.name} exists: give this one another name, or edit that rule`)
          .scrollIntoView({ block: 'nearest' });
        return;
      }
      try {
        // an edit replaces the rule in its place, renamed or not: first match wins, so its place decides its traffic
        const saved = await (rule ? put(`/api/chaos/rules/${encodeURIComponent(rule.name)}`, body) : post('/api/chaos/rules', body));
        this.close();
        this.say(...outcome(`Rule ${body.name} saved.`, saved));
      } catch (e) {
        showError(form, e.field, e.message).scrollIntoView({ block: 'nearest' });
      }
    });
    fill(this.editor, form);
    this.editing = { form, shown: formText(form), name: rule ? rule.name : null };
    name.input.focus();
  }

  close() {
    fill(this.editor);
    this.editing = null;
  }

  /** What leaving would lose: the rule in the editor, if it was edited since it was opened; else null. */
  unsaved() {
    const e = this.editing;
    if (!e || formText(e.form) === e.shown) {
      return null;
    }
    return e.name ? `Your changes to rule ${e.name} are not saved` : 'The new rule is not saved';
  }

  async remove(name) {
    if (!await confirmDialog(`Delete rule ${name}?`, 'Its traffic gets the global chaos again.', 'Delete rule')) {
      return;
    }
    try {
      this.say(...outcome(`Rule ${name} deleted.`, await del(`/api/chaos/rules/${encodeURIComponent(name)}`)));
    } catch (e) {
      this.say(`Could not delete rule ${name}: ${e.message}`, 'error');
    }
  }
}

/** Lists and maps that are empty show as blank fields, not as [] or {}. */
function empty(value) {
  return value === null || (Array.isArray(value) && !value.length) || (value && typeof value === 'object' && !Object.keys(value).length)
    ? undefined : value;
}

/** The listener whose own chaos rule is (named listener:NAME, matching that listener and nothing else), or null. */
function ownListener(rule) {
  const m = rule.match || {};
  return m.listener && rule.name === `listener:${m.listener}` && matchText(m) === `listener=${m.listener}` ? m.listener : null;
}

function matchText(match) {
  const parts = Object.entries(match || {}).filter(([k, v]) => empty(v) !== undefined && !(k === 'node_percent' && v === 100));
  return parts.length ? parts.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ') : 'all traffic';
}
