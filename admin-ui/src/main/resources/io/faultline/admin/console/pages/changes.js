// The chaos change log as a list: when, from where, what, and the config's diff.

import { clock, fill, h } from '../lib/dom.js';

const KEPT = 15;
const DIFF_SHOWN = 6;

const ACTIONS = {
  'faultline.chaos.set': 'config changed',
  'faultline.chaos.enable': 'chaos enabled',
  'faultline.chaos.disable': 'chaos disabled',
  'faultline.chaos.reset': 'config reset',
  'faultline.chaos.rebase': 'config reloaded',
  'faultline.chaos.rules.put': 'rule saved',
  'faultline.chaos.rules.remove': 'rule removed',
  'faultline.chaos.rules.replace': 'rule replaced',
  'faultline.chaos.restore': 'config put back',
  'faultline.scenario.start': 'scenario started',
  'faultline.scenario.stop': 'scenario stopped',
  'faultline.scenario.save': 'scenario saved',
  'faultline.scenario.delete': 'scenario deleted',
};

/** "rest" → "REST", "orchestration:run-1a2b" → "orchestration run-1a2b", "node:n2" → "node n2". */
export function sourceName(source) {
  const [kind, id] = String(source || 'event-bus').split(/:(.*)/s);
  const names = { rest: 'REST', cli: 'CLI', console: 'console', graphql: 'GraphQL', reload: 'config reload', 'event-bus': 'event bus' };
  return (names[kind] || kind) + (id ? ` ${id}` : '');
}

// a whole rule added or removed reads as what it is, its JSON on hover; other values as they are
const value = v => (v === null || v === undefined ? '–' : Array.isArray(v) ? JSON.stringify(v)
  : typeof v === 'object' ? h('span', { title: JSON.stringify(v) }, v.name ? `rule ${v.name}` : '{…}') : String(v));

export class ChangeList {
  constructor() {
    this.el = h('ol', { class: 'changes', 'aria-live': 'polite', 'aria-relevant': 'additions' });
    this.entries = [];
  }

  show(changes) {
    this.entries = changes.slice(0, KEPT);
    this.render();
  }

  prepend(change) {
    if (this.entries.some(e => e.version === change.version && e.node === change.node && e.at === change.at)) {
      return;
    }
    this.entries = [change, ...this.entries].slice(0, KEPT);
    this.render();
  }

  render() {
    if (!this.entries.length) {
      fill(this.el, h('li', { class: 'muted' }, 'No changes since this node started.'));
      return;
    }
    fill(this.el, this.entries.map(change => {
      const diff = change.diff || [];
      return h('li', { 'data-source': change.source },
        h('div', { class: 'row' },
          h('time', { datetime: new Date(change.at).toISOString(), class: 'muted small' }, clock(change.at)),
          h('span', { class: 'badge' }, sourceName(change.source)),
          h('b', {}, ACTIONS[change.address] || change.address),
          change.name ? h('span', { class: 'change-name' }, change.name) : null, // the rule or scenario it was about
          change.detail ? h('span', {}, change.detail) : null,
          h('span', { class: 'muted small' }, `v${change.version} on ${change.node}`)),
        diff.length ? h('ul', { class: 'diff' },
          diff.slice(0, DIFF_SHOWN).map(d => h('li', {}, h('code', {}, d.path), ': ', value(d.from), ' → ', value(d.to))),
          diff.length > DIFF_SHOWN ? h('li', {}, `and ${diff.length - DIFF_SHOWN} more`) : null) : null);
    }));
  }
}
