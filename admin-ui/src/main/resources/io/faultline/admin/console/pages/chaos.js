// Chaos: every config section as a form, the rules (targeting), the scenarios.

import { get } from '../lib/api.js';
import { fill, h, jump, notice } from '../lib/dom.js';
import { listed } from '../lib/fields.js';
import { SectionForms } from './chaos-sections.js';
import { Rules } from './chaos-rules.js';
import { Scenarios } from './chaos-scenarios.js';

const CHANGED = 'subscription { chaosChanged { version scenario config } }';

export default {
  mount(el, { live, unsaved }) {
    const message = h('p', {});
    const say = notice(message);
    const body = h('div', {}, h('p', { class: 'muted' }, 'Loading the live config…'));
    fill(el,
      h('h1', {}, 'Chaos'),
      h('nav', { class: 'row small', 'aria-label': 'Parts of this page' },
        h('a', { href: '#/chaos', onclick: jump('sections') }, 'Config sections'),
        h('a', { href: '#/chaos', onclick: jump('rules') }, 'Rules'),
        h('a', { href: '#/chaos', onclick: jump('scenarios') }, 'Scenarios')),
      message, body);

    let parts = null;
    async function load() {
      const [schema, config, rules, scenarios] = await Promise.all([get('/api/chaos/schema'), get('/api/chaos/config'),
        get('/api/chaos/rules'), get('/api/chaos/scenarios')]);
      if (!parts) {
        parts = { sections: new SectionForms(schema), rules: new Rules(schema), scenarios: new Scenarios() };
        fill(body, parts.sections.el, parts.rules.el, parts.scenarios.el);
      }
      parts.sections.show(config);
      parts.rules.show(rules.rules);
      parts.scenarios.show(scenarios, config);
    }

    const reload = () => load().catch(e => say(`Could not load the config: ${e.message}`, 'error'));
    const stop = live.subscribe(CHANGED, data => {
      if (parts) {
        parts.sections.show(data.chaosChanged.config);
        parts.rules.show(data.chaosChanged.config.rules || []);
        parts.scenarios.config = data.chaosChanged.config;
        parts.scenarios.reload().catch(() => {});
      }
    });
    live.addEventListener('reconnected', reload);
    reload();
    // leaving with a section's edits not applied, or a rule's not saved, asks first (the app's question)
    unsaved(() => {
      if (!parts) {
        return null;
      }
      const sections = parts.sections.unsaved();
      const lost = [sections.length ? `Your changes to ${listed(sections)} are not applied` : null, parts.rules.unsaved()].filter(Boolean);
      const it = lost.length === 1 && !sections.length && lost[0].startsWith('The new rule');
      return lost.length ? `${lost.join('; ')}: leaving drops ${it ? 'it' : 'them'}.` : null;
    });
    return () => {
      stop();
      live.removeEventListener('reconnected', reload);
    };
  },
};
