// Orchestrations: #/orchestrations is the library and the run in progress; #/orchestrations/edit/NAME
// opens an entry in the builder, #/orchestrations/new starts a new one.

import { fill, h } from '../lib/dom.js';
import { Builder } from '../builder/builder.js';
import { Library } from './library.js';
import { RunPanel, runDialog } from './run.js';

export default {
  mount(el, { live, rest, navigate, unsaved }) {
    if (rest[0] === 'edit' || rest[0] === 'new') {
      // A run started from the builder is followed on the library page.
      const builder = new Builder(el, name => runDialog(name, () => navigate('#/orchestrations'))
        .catch(e => builder.say(`Could not start ${name}: ${e.message}`, 'error')));
      builder.open(rest[0] === 'edit' ? rest[1] : null).catch(e => fill(el,
        h('h1', {}, 'Orchestration builder'),
        h('p', { class: 'error', role: 'alert' }, `Could not open ${rest[1]}: ${e.message}`),
        h('a', { href: '#/orchestrations' }, 'Back to the library')));
      unsaved(() => builder.unsaved());
      return null;
    }
    const run = new RunPanel(live);
    const library = new Library(name => runDialog(name, () => run.refresh())
      .catch(e => library.say(`Could not start ${name}: ${e.message}`, 'error')));
    fill(el, h('h1', {}, 'Orchestrations'), run.el, library.el);
    library.load();
    const reload = () => {
      library.load();
      run.refresh();
    };
    live.addEventListener('reconnected', reload);
    // entries saved or deleted elsewhere (another tab, the CLI, another node) show within seconds
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') {
        library.load();
      }
    }, 5000);
    return () => {
      clearInterval(timer);
      run.destroy();
      live.removeEventListener('reconnected', reload);
    };
  },
};
