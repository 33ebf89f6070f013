// Hooks (pre/post step, pre/post orchestration) and their actions: log, set_variable, record_metric,
// http_request, command; each with the fields reference 004 gives it.

import { h } from '../lib/dom.js';
import { optionalCondition } from './condition.js';
import { any, check, inputId, json, number, select, strings, text } from './inputs.js';
import { items } from './lists.js';

const HOOK_TYPES = ['pre_orchestration', 'post_orchestration', 'pre_step', 'post_step'].map(t => [t, t.replace('_', ' ')]);
const ACTION_TYPES = ['log', 'set_variable', 'record_metric', 'http_request', 'command'].map(t => [t, t.replace('_', ' ')]);
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'].map(l => [l, l]);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'].map(m => [m, m]);

/** holder[key]: a list of hooks; defaultType is what a hook without hook_type is (a step's pre_step or post_step). */
export function hooksEditor(ctx, holder, key, path, title, defaultType) {
  return items(ctx, holder, key, path, {
    title,
    noun: 'hook',
    fresh: () => (defaultType ? { name: 'hook', actions: [{ type: 'log', message: 'hello' }] }
      : { name: 'hook', hook_type: 'pre_orchestration', actions: [{ type: 'log', message: 'hello' }] }),
    render: (hook, p) => [
      h('div', { class: 'fields' },
        text(ctx, hook, 'name', `${p}.name`, 'Hook name'),
        select(ctx, hook, 'hook_type', `${p}.hook_type`, 'When', HOOK_TYPES,
          defaultType ? { blank: `(${defaultType.replace('_', ' ')})` } : { blank: '(choose)' }),
        check(ctx, hook, 'required', `${p}.required`, 'Required (its failure fails the step)')),
      optionalCondition(ctx, hook, `${p}.condition`, 'Only if', 'Add a condition to this hook'),
      items(ctx, hook, 'actions', `${p}.actions`, {
        title: 'Actions', noun: 'action', fresh: () => ({ type: 'log', message: '' }),
        render: (action, ap) => actionFields(ctx, hook.actions, action, ap),
      }),
    ],
  });
}

function actionFields(ctx, list, action, p) {
  const type = select(ctx, action, 'type', `${p}.type`, 'Action', ACTION_TYPES, {
    onchange: value => {
      const index = list.indexOf(action);
      list[index] = { type: value };
      ctx.structural(inputId(`${p}.type`));
    },
  });
  const fields = [type];
  switch (action.type) {
    case 'log':
      fields.push(text(ctx, action, 'message', `${p}.message`, 'Message'),
        select(ctx, action, 'level', `${p}.level`, 'Level', LEVELS, { blank: '(info)' }));
      break;
    case 'set_variable': case 'record_metric':
      fields.push(text(ctx, action, 'name', `${p}.name`, action.type === 'set_variable' ? 'Variable' : 'Metric'),
        any(ctx, action, 'value', `${p}.value`, 'Value'));
      break;
    case 'http_request':
      fields.push(text(ctx, action, 'url', `${p}.url`, 'URL'),
        select(ctx, action, 'method', `${p}.method`, 'Method', METHODS, { blank: '(GET)' }),
        number(ctx, action, 'timeout_ms', `${p}.timeout_ms`, 'Timeout (ms)'),
        any(ctx, action, 'expected_status', `${p}.expected_status`, 'Expected status'),
        text(ctx, action, 'body', `${p}.body`, 'Body', { multiline: true }),
        json(ctx, action, 'headers', `${p}.headers`, 'Headers', { hint: 'a JSON object: {"Authorization": "..."}' }));
      break;
    case 'command':
      fields.push(text(ctx, action, 'command', `${p}.command`, 'Command'),
        strings(ctx, action, 'args', `${p}.args`, 'Arguments', { lines: true }),
        number(ctx, action, 'timeout_seconds', `${p}.timeout_seconds`, 'Timeout (s)'),
        text(ctx, action, 'working_dir', `${p}.working_dir`, 'Working directory'));
      break;
    default:
      break;
  }
  return h('div', { class: 'fields' }, fields);
}
