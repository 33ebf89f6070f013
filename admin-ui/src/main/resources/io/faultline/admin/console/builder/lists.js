// A list of objects in the document (hooks, actions, assertions, variables): each item in a box with
// a remove button, and an add button. Adding or removing redraws the builder.

import { h } from '../lib/dom.js';
import { inputId } from './inputs.js';

/**
 * holder[key] as a list at path: render(item, itemPath, index) draws an item, fresh() makes a new one,
 * noun names an item ("hook", "action"). A list emptied by removing is removed from the document.
 */
export function items(ctx, holder, key, path, { title, noun, render, fresh }) {
  const list = Array.isArray(holder[key]) ? holder[key] : [];
  const add = () => {
    holder[key] = [...list, fresh()];
    ctx.structural(inputId(`${path}[${list.length}]`, 'first'));
  };
  return h('div', { class: 'items', 'data-path': path },
    title ? h('h4', { class: 'small' }, title) : null,
    h('p', { class: 'problem', hidden: true }),
    list.map((item, i) => h('div', { class: 'list-item', 'data-path': `${path}[${i}]` },
      h('p', { class: 'problem', hidden: true }),
      render(item, `${path}[${i}]`, i),
      h('button', { type: 'button', id: inputId(`${path}[${i}]`, 'remove'), onclick: () => {
        list.splice(i, 1);
        if (!list.length) {
          delete holder[key];
        }
        ctx.structural(inputId(path, 'add'));
      } }, `Remove ${noun} ${i + 1}`))),
    h('button', { type: 'button', id: inputId(path, 'add'), onclick: add }, `Add ${noun}`));
}

/**
 * A map of variables at holder[key]: one row per name and value. Renaming keeps the order; an emptied
 * map is removed from the document.
 */
export function variables(ctx, holder, key, path, title, valueField) {
  const map = holder[key] && typeof holder[key] === 'object' ? holder[key] : {};
  // what a refused rename says is the page's own: the server's problems at this path go in a slot of their own, so the
  // answer of a validation asked before the rename (350 ms after the last edit) no longer wipes it
  const problem = h('p', { class: 'problem local', hidden: true, role: 'alert' });
  const rename = (from, to, input) => {
    if (to === from) {
      problem.hidden = true; // the name put back as it was: nothing to say
      return;
    }
    if (!to || Object.prototype.hasOwnProperty.call(map, to)) {
      // the document keeps from: left as typed, the row read as renamed (two rows named alike) and saved as it was
      input.value = from;
      problem.textContent = !to ? `A variable needs a name: ${from} keeps its own.`
        : `A variable named ${to} exists already: ${from} keeps its name.`;
      problem.hidden = false;
      return;
    }
    holder[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k === from ? to : k, v]));
    ctx.structural(inputId(`${path}.${to}`, 'name'));
  };
  return h('div', { class: 'items', 'data-path': path },
    h('h4', { class: 'small' }, title),
    problem,
    h('p', { class: 'problem', hidden: true }),
    Object.keys(map).map(name => h('div', { class: 'kv' },
      h('input', { id: inputId(`${path}.${name}`, 'name'), type: 'text', value: name, 'aria-label': `Name of variable ${name}`,
        onchange: event => rename(name, event.target.value.trim(), event.target) }),
      valueField(map, name, `${path}.${name}`),
      h('button', { type: 'button', class: 'icon', 'aria-label': `Remove variable ${name}`, onclick: () => {
        delete map[name];
        if (!Object.keys(map).length) {
          delete holder[key];
        }
        ctx.structural(inputId(path, 'add'));
      } }, '✕'))),
    h('button', { type: 'button', id: inputId(path, 'add'), onclick: () => {
      let n = Object.keys(map).length + 1;
      while (`variable_${n}` in map) {
        n++;
      }
      holder[key] = { ...map, [`variable_${n}`]: '' };
      ctx.structural(inputId(`${path}.variable_${n}`, 'name'));
    } }, `Add a variable${title.includes('step') ? ' to this step' : ''}`));
}
