// Orchestrations: #/orchestrations is the library and the run in progress; #/orchestrations/edit/NAME
// opens an entry in the builder, #/orchestrations/new starts a new one.

import { fill, h } from '../lib/dom.js';
import { Builder } from '../builder/builder.js';
import { Library } from './library.js';
import { RunPanel, runDialog } from './run.js';

export default {
  mount(el, { live, rest, navigate }) {
    const run = new RunPanel(live);
    const afterStart = () => {
      run.refresh();
      navigate('#/orchestrations');
    };
    if (rest[0] === 'edit' || rest[0] === 'new') {
      const builder = new Builder(el, name => runDialog(name, afterStart));
      builder.open(rest[0] === 'edit' ? rest[1] : null).catch(e => fill(el,
        h('h1', {}, 'Orchestration builder'),
        h('p', { class: 'error', role: 'alert' }, `Could not open ${rest[1]}: ${e.message}`),
        h('a', { href: '#/orchestrations' }, 'Back to the library')));
      return () => run.destroy();
    }
    const library = new Library(name => runDialog(name, () => run.refresh()));
    fill(el, h('h1', {}, 'Orchestrations'), run.el, library.el);
    library.load();
    const reload = () => {
      library.load();
      run.refresh();
    };
    live.addEventListener('reconnected', reload);
    return () => {
      run.destroy();
      live.removeEventListener('reconnected', reload);
    };
  },
};
