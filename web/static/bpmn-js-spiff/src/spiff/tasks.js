// Groups for tasks: user-task forms, guest access, task metadata, signal
// button labels, service-task operators, call activities and business rule
// tasks.

import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useRef, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { ListGroup } from '@bpmn-io/properties-panel';
import {
  Changes,
  bodyExtension,
  eventDefinitionOfType,
  findExtension,
  getBusinessObject,
  is,
  isAny,
  setBodyExtension,
  setSpiffProperties,
  spiffProperty,
} from './helpers.js';
import { checkbox, custom, hostNotice, select, text } from './entries.js';
import { MarkdownEditor } from './editors.js';

// uiSchemaFor names the UI schema file that goes with a JSON schema file,
// as SpiffArena does.
export function uiSchemaFor(name) {
  if (name.endsWith('-schema.json')) {
    return name.slice(0, -'-schema.json'.length) + '-uischema.json';
  }
  if (name.endsWith('.schema.json')) {
    return name.slice(0, -'.schema.json'.length) + '.uischema.json';
  }
  return name.replace('schema.json', 'uischema.json');
}

function isSchemaFile(name) {
  return (name.endsWith('-schema.json') || name.endsWith('.schema.json')) && !name.endsWith('uischema.json');
}

// FormPicker picks or creates the form's JSON schema file.
function FormPicker(props) {
  const { element, id, host, get, set } = props;
  const [, setTick] = useState(0);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  useEffect(() => host.subscribe('files', () => setTick((n) => n + 1)), []);
  const files = host.list('files');
  const current = get();
  const options = (files || []).map((f) => f.name).filter(isSchemaFile);
  if (current && !options.includes(current)) {
    options.unshift(current);
  }
  const create = async () => {
    const base = name.trim().replace(/(-schema)?\.json$/, '');
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(base)) {
      setError('Use letters, digits, "-", "_" or "." for the form name.');
      return;
    }
    const schema = base + '-schema.json';
    const ui = base + '-uischema.json';
    const blank = JSON.stringify({ title: base, type: 'object', required: [], properties: {} }, null, 2) + '\n';
    const r1 = await host.createFile(schema, blank);
    if (!r1.ok && r1.status !== 409) {
      setError('Could not create ' + schema + ': ' + problemText(r1));
      return;
    }
    const r2 = await host.createFile(ui, '{}\n');
    if (!r2.ok && r2.status !== 409) {
      setError('Could not create ' + ui + ': ' + problemText(r2));
      return;
    }
    setError('');
    setCreating(false);
    setName('');
    host.reload('files');
    set(schema);
  };
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': id }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, 'JSON schema file'),
    h('select', {
      id,
      name: id,
      class: 'bio-properties-panel-input',
      value: current,
      onChange: (e) => set(e.target.value),
    }, [h('option', { value: '' }, files === undefined ? 'Loading…' : '<none>'), ...options.map((o) => h('option', { value: o }, o))]),
    current
      ? h('p', { class: 'wm-links' }, [
        h('a', { href: host.fileURL(current), target: '_blank', rel: 'noopener' }, 'Edit ' + current),
        ' · ',
        h('a', { href: host.fileURL(uiSchemaFor(current)), target: '_blank', rel: 'noopener' }, 'Edit ' + uiSchemaFor(current)),
      ])
      : null,
    creating
      ? h('div', { class: 'wm-inline-form' }, [
        h('input', {
          class: 'bio-properties-panel-input',
          'aria-label': 'New form name',
          placeholder: 'e.g. approve',
          value: name,
          onInput: (e) => setName(e.target.value),
        }),
        h('button', { type: 'button', class: 'wm-btn', onClick: create }, 'Create'),
        h('button', { type: 'button', class: 'wm-btn', onClick: () => setCreating(false) }, 'Cancel'),
      ])
      : h('div', { class: 'wm-entry-buttons' }, h('button', { type: 'button', class: 'wm-btn', onClick: () => setCreating(true) }, 'New form…')),
    error ? h('p', { class: 'wm-bad', role: 'alert' }, error) : null,
  ]);
}

function problemText(r) {
  if (r.data && typeof r.data === 'object') {
    if (r.data.message) {
      return r.data.message;
    }
    if (r.data.problems && r.data.problems.length) {
      return r.data.problems.map((p) => p.message).join('; ');
    }
  }
  return 'HTTP ' + r.status;
}

export function userTaskGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:UserTask')) {
    return null;
  }
  return {
    id: 'user_task_properties',
    label: 'Web form (JSON schema)',
    entries: [
      custom('spiff_form_schema', FormPicker, {
        host: ctx.host,
        get: () => spiffProperty(bo, 'formJsonSchemaFilename'),
        set: (v) =>
          setSpiffProperties(ctx.injector, element, bo, {
            formJsonSchemaFilename: v,
            formUiSchemaFilename: v ? uiSchemaFor(v) : '',
          }),
      }),
      text('spiff_variable_name', 'Variable name', () => bodyExtension(bo, 'spiffworkflow:VariableName'),
        (v) => setBodyExtension(ctx.injector, element, bo, 'spiffworkflow:VariableName', v),
        { description: 'Store the submitted form under this name instead of merging it into the task data.' }),
    ],
  };
}

// guestGroup: SpiffArena writes the checkbox as <spiffworkflow:allowGuest>
// with the body true or false (unchecking keeps the element, with false).
// The confirmation is Markdown, edited like the instructions.
export function guestGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!isAny(bo, ['bpmn:UserTask', 'bpmn:ManualTask'])) {
    return null;
  }
  const allow = 'spiffworkflow:AllowGuest';
  const confirmation = 'spiffworkflow:GuestConfirmation';
  return {
    id: 'allow_guest_user',
    label: 'Guest options',
    entries: [
      checkbox('spiff_allow_guest', 'Guest can complete this task', () => String(bodyExtension(bo, allow)) === 'true',
        (v) => setBodyExtension(ctx.injector, element, bo, allow, v ? 'true' : 'false'),
        { description: 'A guest with the link may submit this task without signing in, and nothing else.' }),
      custom('spiff_guest_confirmation', MarkdownEditor, {
        label: 'Guest confirmation',
        help: 'Markdown shown to the guest after submitting; {{ name }} inserts task data.',
        get: () => bodyExtension(bo, confirmation),
        set: (v) => setBodyExtension(ctx.injector, element, bo, confirmation, v),
      }),
    ],
  };
}

export function signalButtonGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:BoundaryEvent') || !eventDefinitionOfType(bo, 'bpmn:SignalEventDefinition')) {
    return null;
  }
  const host = bo.get('attachedToRef');
  if (!host || !isAny(host, ['bpmn:UserTask', 'bpmn:ManualTask'])) {
    return null;
  }
  return {
    id: 'signal_button',
    label: 'Button',
    entries: [
      text('spiff_signal_button_label', 'Button label', () => bodyExtension(bo, 'spiffworkflow:SignalButtonLabel'),
        (v) => setBodyExtension(ctx.injector, element, bo, 'spiffworkflow:SignalButtonLabel', v),
        { description: 'Shown on the task form; pressing it sends the signal.' }),
    ],
  };
}

// AddKey is a small form that adds a metadata key.
function AddKey(props) {
  const [name, setName] = useState('');
  return h('div', { class: 'bio-properties-panel-entry wm-inline-form', 'data-entry-id': props.id }, [
    h('input', { class: 'bio-properties-panel-input', 'aria-label': 'New metadata key', placeholder: 'new key', value: name, onInput: (e) => setName(e.target.value) }),
    h('button', {
      type: 'button',
      class: 'wm-btn',
      onClick: () => {
        if (name.trim()) {
          props.add(name.trim());
          setName('');
        }
      },
    }, 'Add key'),
  ]);
}

// metadataKeyList normalises the host's keys: strings or {name, label,
// description}, as SpiffArena's host may send either.
function metadataKeyList(host) {
  const out = [];
  for (const k of host.config.metadataKeys || []) {
    const key = typeof k === 'string' ? { name: k } : k;
    if (key && key.name && !out.some((x) => x.name === key.name)) {
      out.push(key);
    }
  }
  return out;
}

function RemoveButton(props) {
  return h('div', { class: 'bio-properties-panel-entry wm-entry-buttons', 'data-entry-id': props.id },
    h('button', { type: 'button', class: 'wm-btn', onClick: props.remove, 'aria-label': 'Remove ' + props.name }, 'Remove'));
}

// metadataGroup edits taskMetadataValues: one field per key the host
// offers and per key already in the diagram; keys only in the diagram can
// be removed. As in SpiffArena, the group is hidden when there are no
// keys at all.
export function metadataGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!isAny(bo, ['bpmn:UserTask', 'bpmn:ManualTask'])) {
    return null;
  }
  const container = findExtension(bo, 'spiffworkflow:TaskMetadataValues');
  const values = container ? container.get('values') : [];
  const hostKeys = metadataKeyList(ctx.host);
  const keys = [...hostKeys];
  for (const v of values) {
    if (v.get('name') && !keys.some((k) => k.name === v.get('name'))) {
      keys.push({ name: v.get('name'), xmlOnly: true });
    }
  }
  if (!keys.length) {
    return null;
  }
  const setValue = (name, value) => {
    const c = new Changes(ctx.injector, element);
    const list = values.slice();
    const i = list.findIndex((v) => v.get('name') === name);
    if (!value) {
      if (i >= 0) {
        list.splice(i, 1);
      }
    } else if (i >= 0) {
      c.set(list[i], { value });
    } else {
      list.push(c.create('spiffworkflow:TaskMetadataValue', { name, value }, container));
    }
    if (container && list.length) {
      c.set(container, { values: list });
    } else if (container) {
      c.putExtension(bo, 'spiffworkflow:TaskMetadataValues', null);
    } else if (list.length) {
      const ct = c.create('spiffworkflow:TaskMetadataValues', { values: list });
      list.forEach((v) => (v.$parent = ct));
      c.putExtension(bo, 'spiffworkflow:TaskMetadataValues', ct);
    }
    c.run();
  };
  const entries = [];
  keys.forEach((k, i) => {
    entries.push(text('spiff_metadata_' + i, k.label || k.name, () => {
      const v = values.find((x) => x.get('name') === k.name);
      return v ? v.get('value') : '';
    }, (v) => setValue(k.name, v), {
      description: (k.description ? k.description + ' · ' : '') +
        (k.xmlOnly ? 'Not one of the model\'s metadata keys. ' : '') + 'Expression; empty removes the key.',
    }));
    if (k.xmlOnly) {
      entries.push(custom('spiff_metadata_' + i + '_remove', RemoveButton, { name: k.name, remove: () => setValue(k.name, '') }));
    }
  });
  entries.push(custom('spiff_metadata_add', AddKey, { add: (k) => setValue(k, '""') }));
  return { id: 'task_metadata_properties', label: 'Task metadata', entries };
}

// Service tasks.

export function serviceTaskGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:ServiceTask')) {
    return null;
  }
  const host = ctx.host;
  const op = findExtension(bo, 'spiffworkflow:ServiceTaskOperator');
  const operators = host.list('operators');
  const subscribe = (fn) => host.subscribe('operators', fn);
  const entries = [
    select('spiff_service_operator', 'Operator', () => (op ? op.get('id') : ''), (id) => chooseOperator(ctx, element, bo, id),
      () => {
        const list = host.list('operators');
        const opts = [{ value: '', label: list === undefined ? 'Loading operators…' : '<none>' }];
        for (const o of list || []) {
          opts.push({ value: o.id, label: o.id });
        }
        if (op && op.get('id') && !(list || []).some((o) => o.id === op.get('id'))) {
          opts.push({ value: op.get('id'), label: op.get('id') + ' (not on this server)' });
        }
        return opts;
      }, { subscribe }),
    hostNotice('spiff_service_operator_notice', host, 'operators', 'Could not load the operators'),
  ];
  if (op) {
    entries.push(text('spiff_service_result', 'Response variable', () => op.get('resultVariable'),
      (v) => new Changes(ctx.injector, element).set(op, { resultVariable: v || undefined }).run()));
    const known = (operators || []).find((o) => o.id === op.get('id'));
    const params = op.get('parameterList') ? op.get('parameterList').get('parameters') : [];
    params.forEach((p, i) => {
      const spec = known && (known.parameters || []).find((x) => x.id === p.get('id'));
      const required = spec && spec.required;
      entries.push(text('spiff_service_param_' + i, p.get('id') + (required ? ' (required)' : ''), () => p.get('value'),
        (v) => new Changes(ctx.injector, element).set(p, { value: v || undefined }).run(),
        { description: (p.get('type') || 'any') + ' · expression, e.g. "text" in quotes' }));
    });
  }
  return { id: 'service_task_properties', label: 'Service', entries };
}

// paramCache keeps parameter values per task and operator, so switching
// back to an operator restores what was typed (in memory only).
const paramCache = new WeakMap();

function chooseOperator(ctx, element, bo, id) {
  const c = new Changes(ctx.injector, element);
  const old = findExtension(bo, 'spiffworkflow:ServiceTaskOperator');
  let cache = paramCache.get(bo);
  if (!cache) {
    cache = {};
    paramCache.set(bo, cache);
  }
  if (old && old.get('parameterList')) {
    const values = {};
    for (const p of old.get('parameterList').get('parameters')) {
      values[p.get('id')] = p.get('value');
    }
    cache[old.get('id')] = values;
  }
  if (!id) {
    c.putExtension(bo, 'spiffworkflow:ServiceTaskOperator', null);
    c.run();
    return;
  }
  const spec = (ctx.host.list('operators') || []).find((o) => o.id === id);
  const op = c.create('spiffworkflow:ServiceTaskOperator', { id });
  if (old && old.get('resultVariable')) {
    op.set('resultVariable', old.get('resultVariable'));
  }
  const list = c.create('spiffworkflow:Parameters', { parameters: [] }, op);
  const saved = cache[id] || {};
  for (const ps of (spec && spec.parameters) || []) {
    const p = c.create('spiffworkflow:Parameter', { id: ps.id, type: ps.type }, list);
    if (saved[ps.id]) {
      p.set('value', saved[ps.id]);
    }
    list.get('parameters').push(p);
  }
  op.set('parameterList', list);
  c.putExtension(bo, 'spiffworkflow:ServiceTaskOperator', op);
  c.run();
}

// TypeAhead is a search field over a server index (processes, decisions):
// results as you type, keyboard selection, and a link that opens what the
// current value names. props: label, placeholder, search(q) -> {ok, data,
// status}, valueOf(item), itemAttrs(item), renderItem(item), linkOf(item)
// -> {href, text}, noun.
function TypeAhead(props) {
  const { element, id, get, set, search: searchFn, valueOf, linkOf } = props;
  const current = get();
  const [query, setQuery] = useState(current);
  const [results, setResults] = useState(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [target, setTarget] = useState(null);
  const seq = useRef(0);
  useEffect(() => {
    setQuery(current);
    setOpen(false);
    setTarget(null);
    if (!current) {
      return;
    }
    // Find where the current value lives, for the "open" link.
    const n = ++seq.current;
    searchFn(current).then((r) => {
      if (n === seq.current && r.ok && Array.isArray(r.data)) {
        setTarget(r.data.find((x) => valueOf(x) === current) || false);
      }
    }).catch(() => {});
  }, [element, current]);
  const search = (q) => {
    const n = ++seq.current;
    searchFn(q).then((r) => {
      if (n !== seq.current) {
        return;
      }
      setResults(r.ok && Array.isArray(r.data) ? r.data : { error: 'Search failed (HTTP ' + r.status + ')' });
      setActive(-1);
      setOpen(true);
    }).catch((e) => setResults({ error: 'Search failed: ' + e.message }));
  };
  const pick = (p) => {
    setOpen(false);
    setQuery(valueOf(p));
    set(valueOf(p));
  };
  const onKeyDown = (e) => {
    const list = Array.isArray(results) ? results : [];
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) {
        search(query);
      }
      setActive(Math.min(active + 1, list.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive(Math.max(active - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (open && list[active]) {
        pick(list[active]);
      } else {
        set(query.trim());
        setOpen(false);
      }
    } else if (e.key === 'Escape' && open) {
      e.stopPropagation();
      setOpen(false);
    }
  };
  const listId = id + '-results';
  const link = current && target ? linkOf(target) : null;
  return h('div', { class: 'bio-properties-panel-entry wm-picker', 'data-entry-id': id }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, props.label),
    h('input', {
      id,
      class: 'bio-properties-panel-input',
      role: 'combobox',
      'aria-expanded': open ? 'true' : 'false',
      'aria-controls': listId,
      autocomplete: 'off',
      placeholder: props.placeholder,
      value: query,
      onInput: (e) => {
        setQuery(e.target.value);
        search(e.target.value);
      },
      onFocus: () => search(query === current ? '' : query),
      onClick: () => {
        if (!open) {
          search(query === current ? '' : query);
        }
      },
      onKeyDown,
      onBlur: () => setTimeout(() => setOpen(false), 200),
    }),
    open
      ? h('ul', { id: listId, class: 'wm-picker-results', role: 'listbox' },
        Array.isArray(results)
          ? results.length
            ? results.map((p, i) =>
              h('li', {
                role: 'option',
                'aria-selected': i === active ? 'true' : 'false',
                class: i === active ? 'active' : '',
                ...props.itemAttrs(p),
                onMouseDown: (e) => {
                  e.preventDefault();
                  pick(p);
                },
              }, props.renderItem(p)))
            : h('li', { class: 'wm-muted' }, 'No ' + props.noun + ' matches.')
          : h('li', { class: 'wm-bad' }, results && results.error))
      : null,
    link
      ? h('p', { class: 'wm-links' }, h('a', { href: link.href, target: '_blank', rel: 'noopener', 'data-action': link.action }, link.text))
      : current && target === false
        ? h('p', { class: 'wm-bad' }, 'No ' + props.noun + ' with id ' + current + ' in the repository.')
        : null,
  ]);
}

// Call activities.

function ProcessPicker(props) {
  const { host } = props;
  return h(TypeAhead, {
    ...props,
    label: 'Called process',
    placeholder: 'Type to search processes',
    noun: 'process',
    search: (q) => host.searchProcesses(q, 20),
    valueOf: (p) => p.process_id,
    itemAttrs: (p) => ({ 'data-process-id': p.process_id }),
    renderItem: (p) => [h('strong', null, p.display_name || p.process_id), h('span', null, ' ' + p.process_id), h('small', null, p.model_id + ' · ' + p.file)],
    linkOf: (p) => ({ href: host.modelerURL(p.model_id, p.file), action: 'open-called', text: 'Open ' + (p.display_name || p.process_id) + ' (' + p.model_id + ')' }),
  });
}

export function callActivityGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:CallActivity')) {
    return null;
  }
  return {
    id: 'called_element',
    label: 'Called process',
    entries: [
      custom('spiff_called_element', ProcessPicker, {
        host: ctx.host,
        get: () => bo.get('calledElement') || '',
        // Unlike SpiffArena, through the command stack: undoable, and the
        // diagram is marked as changed.
        set: (v) => new Changes(ctx.injector, element).set(bo, { calledElement: v || undefined }).run(),
      }),
    ],
  };
}

// DecisionPicker is a type-ahead over the repository's decision tables,
// with a link that opens the chosen decision's DMN file.
function DecisionPicker(props) {
  const { host } = props;
  return h(TypeAhead, {
    ...props,
    label: 'Decision',
    placeholder: 'Type to search decisions',
    noun: 'decision',
    search: (q) => host.searchDecisions(q, 20),
    valueOf: (d) => d.decision_id,
    itemAttrs: (d) => ({ 'data-decision-id': d.decision_id }),
    renderItem: (d) => [h('strong', null, d.name || d.decision_id), h('span', null, ' ' + d.decision_id), h('small', null, d.model_id + ' · ' + d.file)],
    linkOf: (d) => ({ href: host.modelFileURL(d.model_id, d.file), action: 'open-decision', text: 'Open ' + d.file + ' (' + d.model_id + ')' }),
  });
}

export function businessRuleGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:BusinessRuleTask')) {
    return null;
  }
  const type = 'spiffworkflow:CalledDecisionId';
  return {
    id: 'business_rule_properties',
    label: 'Decision',
    entries: [
      custom('spiff_called_decision', DecisionPicker, {
        host: ctx.host,
        get: () => bodyExtension(bo, type),
        set: (v) => setBodyExtension(ctx.injector, element, bo, type, v),
      }),
    ],
  };
}
