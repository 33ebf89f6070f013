// The validator's problems, each at the field or card whose path it names (or the nearest enclosing
// one), and all of them in a summary whose entries take you to the field.

import { fill, h } from '../lib/dom.js';
import { parentPath } from '../lib/fields.js';

function target(root, path) {
  for (let p = path; p; p = parentPath(p)) {
    const el = root.querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (el) {
      return el;
    }
  }
  return null;
}

/** Shows problems ([{path, line, message}]) in root and summary; focus(id) moves to a field. */
export function showProblems(root, summary, problems, focus) {
  root.querySelectorAll('.problem:not(.local)').forEach(p => { // (a .local one is what the page itself said of an edit)
    p.textContent = '';
    p.hidden = true;
  });
  root.querySelectorAll('[aria-invalid]').forEach(el => el.removeAttribute('aria-invalid'));
  const placed = problems.map(problem => {
    const el = problem.path ? target(root, problem.path) : null;
    if (el) {
      const slot = el.querySelector(':scope > .problem:not(.local)');
      slot.textContent = slot.textContent ? `${slot.textContent} ${problem.message}` : problem.message;
      slot.hidden = false;
      const input = el.querySelector(':scope > input, :scope > select, :scope > textarea');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
      }
    }
    return { problem, el };
  });
  if (!problems.length) {
    fill(summary, h('p', { class: 'valid' }, '✓ Valid: the server’s validator finds no problem.'));
    summary.dataset.valid = 'true';
    return;
  }
  summary.dataset.valid = 'false';
  fill(summary,
    h('p', { class: 'error' }, `${problems.length} problem${problems.length > 1 ? 's' : ''} found by the server’s validator:`),
    h('ul', { class: 'problems' }, placed.map(({ problem, el }) => h('li', {},
      problem.path ? h('code', {}, problem.path) : null, problem.path ? ': ' : '', problem.message, ' ',
      el ? h('button', { type: 'button', class: 'quiet small', onclick: () => {
        const input = el.querySelector('input, select, textarea, button');
        focus(input && input.id);
        el.scrollIntoView({ block: 'center' });
      } }, `Go to ${problem.path}`) : null))));
}
