// Assertions: a variable equals a value, a metric lies in a range, a step succeeded or failed, a condition holds.

import { h } from '../lib/dom.js';
import { METRICS, conditionEditor } from './condition.js';
import { any, inputId, number, select, text } from './inputs.js';
import { items } from './lists.js';

const TYPES = [['metric_in_range', 'metric in range'], ['variable_equals', 'variable equals'],
  ['step_succeeded', 'step succeeded'], ['step_failed', 'step failed'], ['condition', 'condition holds']];

function fresh(type) {
  switch (type) {
    case 'metric_in_range': return { type, metric: 'error_rate', min: 0, max: 0.05 };
    case 'condition': return { type, condition: { type: 'previous_step_succeeded' } };
    default: return { type };
  }
}

export function assertionsEditor(ctx, holder, key, path, title) {
  return items(ctx, holder, key, path, {
    title,
    noun: 'assertion',
    fresh: () => fresh('metric_in_range'),
    render: (a, p) => {
      const list = holder[key];
      const type = select(ctx, a, 'type', `${p}.type`, 'Assert that', TYPES, {
        onchange: value => {
          list[list.indexOf(a)] = fresh(value);
          ctx.structural(inputId(`${p}.type`));
        },
      });
      switch (a.type) {
        case 'metric_in_range':
          return h('div', { class: 'fields' }, type,
            text(ctx, a, 'metric', `${p}.metric`, 'Metric', { list: 'builder-metrics', hint: `${METRICS[2]}, p99_latency…, or custom.NAME` }),
            number(ctx, a, 'min', `${p}.min`, 'At least'),
            number(ctx, a, 'max', `${p}.max`, 'At most'));
        case 'variable_equals':
          return h('div', { class: 'fields' }, type,
            text(ctx, a, 'variable', `${p}.variable`, 'Variable', { list: 'builder-variables' }),
            any(ctx, a, 'expected', `${p}.expected`, 'Expected'));
        case 'step_succeeded': case 'step_failed':
          return h('div', { class: 'fields' }, type, text(ctx, a, 'step', `${p}.step`, 'Step', { list: 'builder-steps' }));
        case 'condition':
          return [h('div', { class: 'fields' }, type), a.condition ? conditionEditor(ctx, a, 'condition', `${p}.condition`, 'Condition') : null];
        default:
          return h('div', { class: 'fields' }, type);
      }
    },
  });
}
