// A condition of reference 004, edited in place: its type, then the fields that type takes; and/or hold
// a list of conditions, not holds one.

import { h } from '../lib/dom.js';
import { any, inputId, json, number, select, text } from './inputs.js';

export const CONDITION_TYPES = [
  ['previous_step_succeeded', 'previous step succeeded'], ['previous_step_failed', 'previous step failed'],
  ['metric_threshold', 'metric against a threshold'], ['equals', 'variable equals'], ['not_equals', 'variable differs from'],
  ['greater_than', 'variable greater than'], ['less_than', 'variable less than'], ['exists', 'variable exists'],
  ['and', 'all of (and)'], ['or', 'any of (or)'], ['not', 'not'],
];
export const METRICS = ['request_count', 'error_count', 'error_rate', 'fault_count', 'avg_latency', 'p50_latency',
  'p95_latency', 'p99_latency', 'max_error_rate', 'max_avg_latency', 'max_p99_latency'];
const OPERATORS = ['greater_than', 'less_than', 'equals', 'not_equals', 'greater_than_or_equal', 'less_than_or_equal'];

/** What a condition of a new type starts as. */
function fresh(type) {
  if (type === 'and' || type === 'or') {
    return { type, conditions: [{ type: 'previous_step_succeeded' }] };
  }
  if (type === 'not') {
    return { type, condition: { type: 'previous_step_failed' } };
  }
  if (type === 'metric_threshold') {
    return { type, metric: 'error_rate', operator: 'less_than', threshold: 0.05 };
  }
  return { type };
}

/**
 * The condition holder[key] at path, titled title. With onRemove, it has a button that removes it
 * (whoever holds it says how).
 */
export function conditionEditor(ctx, holder, key, path, title, onRemove) {
  const c = holder[key];
  if (!c || typeof c !== 'object' || Array.isArray(c)) {
    return json(ctx, holder, key, path, title, { hint: 'not a condition object: edit it as JSON' });
  }
  const typeField = select(ctx, c, 'type', `${path}.type`, 'Type', CONDITION_TYPES, {
    onchange: value => {
      holder[key] = fresh(value);
      ctx.structural(inputId(`${path}.type`));
    },
  });
  const body = [];
  switch (c.type) {
    case 'equals': case 'not_equals': case 'greater_than': case 'less_than':
      body.push(text(ctx, c, 'variable', `${path}.variable`, 'Variable', { list: 'builder-variables' }),
        any(ctx, c, 'value', `${path}.value`, 'Value'));
      break;
    case 'exists':
      body.push(text(ctx, c, 'variable', `${path}.variable`, 'Variable', { list: 'builder-variables' }));
      break;
    case 'metric_threshold': {
      const metricKey = 'metric_name' in c && !('metric' in c) ? 'metric_name' : 'metric';
      body.push(select(ctx, c, metricKey, `${path}.${metricKey}`, 'Metric', METRICS.map(m => [m, m]), { blank: '(choose)' }),
        select(ctx, c, 'operator', `${path}.operator`, 'Operator', OPERATORS.map(o => [o, o.replaceAll('_', ' ')]), { blank: '(choose)' }),
        number(ctx, c, 'threshold', `${path}.threshold`, 'Threshold'));
      break;
    }
    case 'and': case 'or': {
      const list = Array.isArray(c.conditions) ? c.conditions : [];
      body.push(h('div', { class: 'branch', 'data-path': `${path}.conditions` },
        h('p', { class: 'problem', hidden: true }),
        list.map((_, i) => conditionEditor(ctx, list, i, `${path}.conditions[${i}]`, `Condition ${i + 1}`, () => {
          list.splice(i, 1);
          ctx.structural(inputId(`${path}.type`));
        })),
        h('button', { type: 'button', id: inputId(`${path}.conditions`, 'add'), onclick: () => {
          c.conditions = [...list, { type: 'previous_step_succeeded' }];
          ctx.structural(inputId(`${path}.conditions[${list.length}].type`));
        } }, `Add a condition to ${title.toLowerCase()}`)));
      break;
    }
    case 'not':
      if (c.condition && typeof c.condition === 'object') {
        body.push(h('div', { class: 'branch' }, conditionEditor(ctx, c, 'condition', `${path}.condition`, 'Negated condition')));
      }
      break;
    default:
      break;
  }
  return h('fieldset', { class: 'condition', 'data-path': path },
    h('legend', {}, title),
    h('p', { class: 'problem', hidden: true }),
    h('div', { class: 'fields' }, typeField, body.filter(b => b.tagName !== 'DIV' || !b.classList.contains('branch'))),
    body.filter(b => b.classList && b.classList.contains('branch')),
    onRemove ? h('button', { type: 'button', id: inputId(path, 'remove'), onclick: onRemove }, `Remove ${title.toLowerCase()}`) : null);
}

/**
 * holder.condition at path: its editor, or a button that adds one (addLabel). removable: the editor
 * has a button that takes the condition away again (a conditional step's own condition has none).
 */
export function optionalCondition(ctx, holder, path, title, addLabel, removable = true) {
  if (holder.condition) {
    return conditionEditor(ctx, holder, 'condition', path, title, removable ? () => {
      delete holder.condition;
      ctx.structural(inputId(path, 'add'));
    } : null);
  }
  return h('button', { type: 'button', id: inputId(path, 'add'), onclick: () => {
    holder.condition = { type: 'previous_step_succeeded' };
    ctx.structural(inputId(`${path}.type`));
  } }, addLabel);
}
