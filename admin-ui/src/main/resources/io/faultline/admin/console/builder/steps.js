// Steps as cards: plain steps (steps:), advanced steps (advanced_steps:, their chaos under base:) and
// conditional steps (conditional_steps:, a condition with then and else branches of steps). Cards move
// up and down within their list, which is the order they run in.

import { h } from '../lib/dom.js';
import { assertionsEditor } from './assertions.js';
import { optionalCondition } from './condition.js';
import { hooksEditor } from './hooks.js';
import { check, inputId, json, number, readAny, text } from './inputs.js';
import { variables } from './lists.js';

const NOUN = { plain: 'step', advanced: 'advanced step', conditional: 'conditional step', branch: 'step' };

/** What a new step of a kind starts as; n numbers it. */
export function freshStep(kind, n) {
  switch (kind) {
    case 'conditional':
      return { name: `check_${n}`, condition: { type: 'previous_step_succeeded' }, then_steps: [{ name: `then_${n}`, duration_seconds: 10 }] };
    case 'advanced':
      return { name: `step_${n}`, base: { duration_seconds: 10 } };
    default:
      return { name: `step_${n}`, duration_seconds: 10 };
  }
}

/** holder[key] as a list of step cards of a kind (branch: plain or advanced, by whether a step has base). */
export function stepList(ctx, holder, key, path, kind, title) {
  const list = Array.isArray(holder[key]) ? holder[key] : [];
  return h('div', { class: 'step-list', 'data-path': path },
    title ? h('h3', {}, title) : null,
    h('p', { class: 'problem', hidden: true }),
    list.map((step, i) => card(ctx, list, i, `${path}[${i}]`, kind === 'branch' ? (step && step.base ? 'advanced' : 'plain') : kind, () => {
      list.splice(i, 1);
      if (!list.length && kind === 'branch') {
        delete holder[key];
      }
      ctx.structural(inputId(path, 'add'));
    })),
    h('button', { type: 'button', id: inputId(path, 'add'), onclick: () => {
      holder[key] = [...list, freshStep(kind === 'branch' ? 'plain' : kind, ctx.countSteps() + 1)];
      ctx.structural(inputId(`${path}[${list.length}].name`));
    } }, `Add ${kind === 'branch' ? (key === 'then_steps' ? 'a then step' : 'an else step') : `a ${NOUN[kind]}`}`));
}

function card(ctx, list, i, path, kind, remove) {
  const step = list[i];
  if (!step || typeof step !== 'object') {
    return h('div', { class: 'step-card', 'data-path': path }, h('p', { class: 'problem', hidden: true }),
      json(ctx, list, i, path, `Step ${i + 1} (not an object)`));
  }
  const name = step.name || '(unnamed)';
  const move = (to, role) => () => {
    [list[i], list[to]] = [list[to], list[i]];
    ctx.structural(inputId(path.replace(/\[\d+\]$/, `[${to}]`), role));
  };
  const head = h('div', { class: 'step-head' },
    h('h3', {}, `${i + 1}. ${name}`, ' ', h('span', { class: 'badge' }, NOUN[kind])),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'icon', id: inputId(path, 'up'), disabled: i === 0, 'aria-label': `Move ${name} up`, onclick: move(i - 1, 'up') }, '↑'),
      h('button', { type: 'button', class: 'icon', id: inputId(path, 'down'), disabled: i === list.length - 1, 'aria-label': `Move ${name} down`, onclick: move(i + 1, 'down') }, '↓'),
      h('button', { type: 'button', id: inputId(path, 'remove'), 'aria-label': `Remove ${name}`, onclick: remove }, 'Remove')));
  const body = kind === 'conditional' ? conditional(ctx, step, path) : runnable(ctx, step, path, kind === 'advanced');
  return h('article', { class: `step-card ${kind}`, 'data-path': path, 'aria-label': `${NOUN[kind]} ${name}` },
    head, h('p', { class: 'problem', hidden: true }), body);
}

/** A step that applies chaos: for an advanced one, scenario and timing live under base. */
function runnable(ctx, step, path, advanced) {
  if (advanced && step.base !== undefined && (!step.base || typeof step.base !== 'object' || Array.isArray(step.base))) {
    return json(ctx, step, 'base', `${path}.base`, 'Base (not an object: edit it as JSON)');
  }
  // An advanced step may leave base out; it is added to the document only when one of its fields is written.
  const core = !advanced ? step : step.base || new Proxy({}, {
    set(target, key, value) {
      target[key] = value;
      step.base = target;
      return true;
    },
  });
  const corePath = advanced ? `${path}.base` : path;
  const hooksOpen = !!(step.pre_hooks || step.post_hooks || step.variables);
  return [
    h('div', { class: 'fields' },
      text(ctx, step, 'name', `${path}.name`, 'Name'),
      ...scenario(ctx, core, corePath),
      number(ctx, core, 'duration_seconds', `${corePath}.duration_seconds`, 'Duration (s)'),
      number(ctx, core, 'delay_before_seconds', `${corePath}.delay_before_seconds`, 'Delay before (s)'),
      check(ctx, core, 'continue_on_failure', `${corePath}.continue_on_failure`, 'Continue on failure'),
      text(ctx, step, 'description', `${path}.description`, 'Description')),
    scenarioConfig(ctx, core, corePath),
    optionalCondition(ctx, step, `${path}.condition`, 'Run only if', `Add a condition to ${step.name || 'this step'}`),
    assertionsEditor(ctx, step, 'assertions', `${path}.assertions`, 'Assertions'),
    h('details', { open: hooksOpen },
      h('summary', {}, 'Step variables and hooks'),
      variables(ctx, step, 'variables', `${path}.variables`, 'Variables this step sets',
        (map, n, p) => ctx.valueField(map, n, p)),
      hooksEditor(ctx, step, 'pre_hooks', `${path}.pre_hooks`, 'Before the step', 'pre_step'),
      hooksEditor(ctx, step, 'post_hooks', `${path}.post_hooks`, 'After the step', 'post_step')),
  ];
}

/** The scenario's name: scenario: NAME, or scenario: {name, config}. */
function scenario(ctx, core, corePath) {
  const s = core.scenario;
  if (s && typeof s === 'object') {
    return [text(ctx, s, 'name', `${corePath}.scenario.name`, 'Scenario', { list: 'builder-scenarios' })];
  }
  return [text(ctx, core, 'scenario', `${corePath}.scenario`, 'Scenario', { list: 'builder-scenarios' })];
}

/** The step's own chaos config (JSON): written under scenario: {name, config}, so a named scenario keeps its name. */
function scenarioConfig(ctx, core, corePath) {
  const s = core.scenario;
  const hint = 'chaos config sections as JSON, e.g. {"latency": {"fixed_delay_ms": 200}}; with a built-in scenario, its fields refine it';
  if (s && typeof s === 'object') {
    return json(ctx, s, 'config', `${corePath}.scenario.config`, 'Chaos config', { hint });
  }
  const holder = {};
  const field = json(ctx, holder, 'config', `${corePath}.scenario.config`, 'Chaos config', { hint });
  field.querySelector('textarea').addEventListener('change', event => {
    const value = readAny(event.target.value.trim());
    if (value !== undefined) {
      // the name as it is now: one typed since the card was drawn (which did not redraw it) was put back, or lost
      const name = core.scenario;
      core.scenario = typeof name === 'string' && name !== '' ? { name, config: value } : { config: value };
      ctx.structural(inputId(`${corePath}.scenario.config`));
    }
  });
  return field;
}

function conditional(ctx, step, path) {
  return [
    h('div', { class: 'fields' },
      text(ctx, step, 'name', `${path}.name`, 'Name'),
      text(ctx, step, 'description', `${path}.description`, 'Description')),
    optionalCondition(ctx, step, `${path}.condition`, 'If', 'Add the condition', false),
    h('div', { class: 'branch' }, stepList(ctx, step, 'then_steps', `${path}.then_steps`, 'branch', 'Then')),
    h('div', { class: 'branch' }, stepList(ctx, step, 'else_steps', `${path}.else_steps`, 'branch', 'Else')),
  ];
}

