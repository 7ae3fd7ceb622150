// Groups for events and flows: messages with correlation, signals, errors
// and escalations (definitions and references), timers with a plain-words
// preview, and gateway conditions.

import { h } from '@bpmn-io/properties-panel/preact';
import { useState } from '@bpmn-io/properties-panel/preact/hooks';
import { ListGroup } from '@bpmn-io/properties-panel';
import {
  Changes,
  bodyExtension,
  definitionsOf,
  findExtension,
  firstEventDefinition,
  getBusinessObject,
  is,
  isAny,
  nextId,
  rootElementsOfType,
} from './helpers.js';
import { CommitInput, checkbox, custom, hostNotice, select, text } from './entries.js';
import { describeTimer } from './timer.js';

// --- messages -------------------------------------------------------------

function messageTarget(bo) {
  if (isAny(bo, ['bpmn:SendTask', 'bpmn:ReceiveTask'])) {
    return bo;
  }
  const def = firstEventDefinition(bo);
  return def && is(def, 'bpmn:MessageEventDefinition') ? def : null;
}

function isReceiver(bo) {
  return isAny(bo, ['bpmn:ReceiveTask', 'bpmn:StartEvent', 'bpmn:CatchEvent']) && !is(bo, 'bpmn:ThrowEvent');
}

// correlationPropertiesOf lists the correlation properties with a
// retrieval expression for message.
function correlationPropertiesOf(bo, message) {
  return rootElementsOfType(bo, 'bpmn:CorrelationProperty').filter((cp) =>
    cp.get('correlationPropertyRetrievalExpression').some((e) => e.get('messageRef') === message));
}

function setBody(c, owner, type, value) {
  const existing = findExtension(owner, type);
  if (!value) {
    c.putExtension(owner, type, null);
  } else if (existing) {
    c.set(existing, { value });
  } else {
    c.putExtension(owner, type, c.create(type, { value }));
  }
}

// rebuildCorrelationKey makes the one MainCorrelationKey reference every
// correlation property, in the collaboration when there is one. Other keys
// are kept only when they reference properties that still exist, so no
// stale or duplicate keys pile up.
export function rebuildCorrelationKey(c, defs, props, state) {
  const collab = defs.get('rootElements').find((r) => is(r, 'bpmn:Collaboration'));
  if (collab) {
    const keys = collab.get('correlationKeys').filter((k) => k.get('name') !== 'MainCorrelationKey');
    if (props.length) {
      const key = collab.get('correlationKeys').find((k) => k.get('name') === 'MainCorrelationKey') ||
        c.create('bpmn:CorrelationKey', { id: 'CorrelationKey_' + Math.random().toString(36).slice(2, 9), name: 'MainCorrelationKey' }, collab);
      c.set(key, { correlationPropertyRef: props });
      keys.unshift(key);
    }
    c.set(collab, { correlationKeys: keys });
  } else if (state) {
    // Definitions-level keys are kept by the modeler itself (bpmn-moddle
    // drops them); see xmlfix.js.
    state.setMainKey(props);
  }
}

// chooseMessage binds element to the message named name, creating it (and
// correlation properties from props: [{id, expression}]) when needed. A
// correlation property is found by id, so choosing or renaming never
// creates a second property with the same id.
export function chooseMessage(ctx, element, name, propsWanted) {
  const bo = getBusinessObject(element);
  const target = messageTarget(bo);
  const defs = definitionsOf(bo);
  const c = new Changes(ctx.injector, element);
  if (!name) {
    c.set(target, { messageRef: undefined });
    c.run();
    return;
  }
  const roots = defs.get('rootElements').slice();
  let msg = roots.find((r) => is(r, 'bpmn:Message') && (r.get('name') === name || r.get('id') === name));
  if (!msg) {
    msg = c.create('bpmn:Message', { id: name, name }, defs);
    roots.push(msg);
  } else if (msg.get('id') !== name && msg.get('name') === name) {
    c.set(msg, { id: name });
  }
  for (const want of propsWanted || []) {
    let cp = roots.find((r) => is(r, 'bpmn:CorrelationProperty') && r.get('id') === want.id);
    if (!cp) {
      cp = c.create('bpmn:CorrelationProperty', { id: want.id, name: want.id, correlationPropertyRetrievalExpression: [] }, defs);
      roots.push(cp);
    }
    const exprs = cp.get('correlationPropertyRetrievalExpression').filter((e) => e.get('messageRef') !== msg);
    const rex = c.create('bpmn:CorrelationPropertyRetrievalExpression', { messageRef: msg }, cp);
    rex.set('messagePath', c.create('bpmn:FormalExpression', { body: want.expression }, rex));
    exprs.push(rex);
    c.set(cp, { correlationPropertyRetrievalExpression: exprs });
  }
  c.set(defs, { rootElements: roots });
  c.set(target, { messageRef: msg });
  const allProps = roots.filter((r) => is(r, 'bpmn:CorrelationProperty'));
  rebuildCorrelationKey(c, defs, allProps, ctx.state);
  c.run();
}

// dedupeCorrelationProperties merges correlation properties that share an
// id (left behind by renames in other modelers): one property per id, its
// retrieval expressions unioned by message. Runs on import.
export function dedupeCorrelationProperties(defs) {
  const roots = defs.get('rootElements');
  const seen = new Map();
  const keep = [];
  let changed = false;
  for (const r of roots) {
    if (!is(r, 'bpmn:CorrelationProperty')) {
      keep.push(r);
      continue;
    }
    const key = r.get('id') || r.get('name');
    const first = seen.get(key);
    if (!first) {
      seen.set(key, r);
      keep.push(r);
      continue;
    }
    changed = true;
    const have = first.get('correlationPropertyRetrievalExpression');
    for (const e of r.get('correlationPropertyRetrievalExpression')) {
      if (!have.some((x) => x.get('messageRef') === e.get('messageRef'))) {
        e.$parent = first;
        have.push(e);
      }
    }
  }
  if (changed) {
    roots.splice(0, roots.length, ...keep);
    // Keys pointing at a dropped duplicate point at the kept one.
    const collab = roots.find((r) => is(r, 'bpmn:Collaboration'));
    for (const k of (collab && collab.get('correlationKeys')) || []) {
      const refs = k.get('correlationPropertyRef');
      const ids = [...new Set(refs.map((p) => p.get('id')))];
      refs.splice(0, refs.length, ...ids.map((id) => seen.get(id)).filter(Boolean));
    }
  }
  return changed;
}

// CorrelationEditor edits the correlation properties of the selected
// message: rename (keeping ids unique), expression, add, remove.
function CorrelationEditor(props) {
  const { id, bo, msg, ctx, element } = props;
  const [newId, setNewId] = useState('');
  const [newExpr, setNewExpr] = useState('');
  const [error, setError] = useState('');
  const cps = correlationPropertiesOf(bo, msg);
  const defs = definitionsOf(bo);
  const exprOf = (cp) => {
    const e = cp.get('correlationPropertyRetrievalExpression').find((x) => x.get('messageRef') === msg);
    return e && e.get('messagePath') ? e.get('messagePath').get('body') || '' : '';
  };
  const rename = (cp, name) => {
    name = name.trim();
    if (!name || name === cp.get('id')) {
      return;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      setError('"' + name + '" is not a valid id.');
      return;
    }
    const c = new Changes(ctx.injector, element);
    const existing = rootElementsOfType(bo, 'bpmn:CorrelationProperty').find((x) => x.get('id') === name);
    if (existing) {
      // Renaming onto an existing property merges into it instead of
      // leaving two properties with one id.
      const exprs = existing.get('correlationPropertyRetrievalExpression').filter((e) => e.get('messageRef') !== msg);
      const moved = cp.get('correlationPropertyRetrievalExpression').find((e) => e.get('messageRef') === msg);
      if (moved) {
        const rex = c.create('bpmn:CorrelationPropertyRetrievalExpression', { messageRef: msg }, existing);
        rex.set('messagePath', c.create('bpmn:FormalExpression', { body: exprOf(cp) }, rex));
        exprs.push(rex);
      }
      c.set(existing, { correlationPropertyRetrievalExpression: exprs });
      const rest = cp.get('correlationPropertyRetrievalExpression').filter((e) => e.get('messageRef') !== msg);
      if (rest.length) {
        c.set(cp, { correlationPropertyRetrievalExpression: rest });
      } else {
        c.set(defs, { rootElements: defs.get('rootElements').filter((r) => r !== cp) });
      }
    } else {
      c.set(cp, { id: name, name });
    }
    const all = defs.get('rootElements').filter((r) => is(r, 'bpmn:CorrelationProperty') && (r !== cp || !existing || cp.get('correlationPropertyRetrievalExpression').some((e) => e.get('messageRef') !== msg)));
    rebuildCorrelationKey(c, defs, all, ctx.state);
    c.run();
    setError('');
  };
  const setExpr = (cp, v) => {
    const e = cp.get('correlationPropertyRetrievalExpression').find((x) => x.get('messageRef') === msg);
    const c = new Changes(ctx.injector, element);
    if (e && e.get('messagePath')) {
      c.set(e.get('messagePath'), { body: v });
    } else if (e) {
      c.set(e, { messagePath: c.create('bpmn:FormalExpression', { body: v }, e) });
    }
    c.run();
  };
  const remove = (cp) => {
    const c = new Changes(ctx.injector, element);
    const rest = cp.get('correlationPropertyRetrievalExpression').filter((e) => e.get('messageRef') !== msg);
    let all = defs.get('rootElements').filter((r) => is(r, 'bpmn:CorrelationProperty'));
    if (rest.length) {
      c.set(cp, { correlationPropertyRetrievalExpression: rest });
    } else {
      c.set(defs, { rootElements: defs.get('rootElements').filter((r) => r !== cp) });
      all = all.filter((r) => r !== cp);
    }
    rebuildCorrelationKey(c, defs, all, ctx.state);
    c.run();
  };
  const add = () => {
    const name = newId.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      setError('Give the correlation property an id (letters, digits, "_").');
      return;
    }
    if (cps.some((cp) => cp.get('id') === name)) {
      setError('This message already has the correlation property ' + name + '.');
      return;
    }
    chooseMessage(ctx, element, msg.get('name') || msg.get('id'), [{ id: name, expression: newExpr.trim() || name }]);
    setNewId('');
    setNewExpr('');
    setError('');
  };
  return h('div', { class: 'bio-properties-panel-entry wm-correlations', 'data-entry-id': id }, [
    h('span', { class: 'bio-properties-panel-label' }, 'Correlation properties'),
    h('table', { class: 'wm-table' }, [
      h('thead', null, h('tr', null, [h('th', null, 'Property'), h('th', null, 'Retrieval expression'), h('th', null, '')])),
      h('tbody', null, cps.map((cp) => h('tr', { key: cp.get('id'), 'data-correlation-property': cp.get('id') }, [
        h('td', null, h(CommitInput, { label: 'Property id', value: cp.get('id'), commit: (v) => rename(cp, v) })),
        h('td', null, h(CommitInput, { label: 'Retrieval expression', value: exprOf(cp), commit: (v) => setExpr(cp, v) })),
        h('td', null, h('button', { type: 'button', class: 'wm-btn', onClick: () => remove(cp) }, 'Remove')),
      ]))),
    ]),
    h('div', { class: 'wm-inline-form' }, [
      h('input', { class: 'bio-properties-panel-input', 'aria-label': 'New correlation property id', placeholder: 'id', value: newId, onInput: (e) => setNewId(e.target.value) }),
      h('input', { class: 'bio-properties-panel-input', 'aria-label': 'New retrieval expression', placeholder: 'expression', value: newExpr, onInput: (e) => setNewExpr(e.target.value) }),
      h('button', { type: 'button', class: 'wm-btn', onClick: add, 'data-action': 'add-correlation' }, 'Add'),
    ]),
    error ? h('p', { class: 'wm-bad', role: 'alert' }, error) : null,
  ]);
}

// NewMessage adds a message by name.
function NewMessage(props) {
  const [name, setName] = useState('');
  return h('div', { class: 'bio-properties-panel-entry wm-inline-form', 'data-entry-id': props.id }, [
    h('input', { class: 'bio-properties-panel-input', 'aria-label': 'New message name', placeholder: 'new message name', value: name, onInput: (e) => setName(e.target.value) }),
    h('button', {
      type: 'button',
      class: 'wm-btn',
      'data-action': 'new-message',
      onClick: () => {
        const n = name.trim().replace(/\s+/g, '_');
        if (n) {
          chooseMessage(props.ctx, props.element, n, []);
          setName('');
        }
      },
    }, 'New message'),
  ]);
}

export function messagesGroup(element, ctx) {
  const bo = getBusinessObject(element);
  const target = messageTarget(bo);
  if (!target) {
    return null;
  }
  const msg = target.get('messageRef');
  const host = ctx.host;
  // The messages of the diagram and those the model's process groups
  // define (SpiffArena's message models), by identifier.
  const hostMessages = () => host.list('messages') || [];
  const entries = [
    select('spiff_message', 'Message', () => (msg ? msg.get('id') : ''), (id) => {
      const defined = hostMessages().find((m) => m.identifier === id);
      const m = rootElementsOfType(bo, 'bpmn:Message').find((x) => x.get('id') === id);
      const name = m ? m.get('name') || m.get('id') : defined ? defined.identifier : '';
      // A message the groups define brings its correlation properties
      // along, with their retrieval expressions, as SpiffArena's does.
      const props = defined ? (defined.correlation_properties || []).map((cp) => ({ id: cp.identifier, expression: cp.retrieval_expression || cp.identifier })) : [];
      chooseMessage(ctx, element, name, props);
    }, () => {
      const opts = [{ value: '', label: '<none>' }];
      for (const m of rootElementsOfType(bo, 'bpmn:Message')) {
        opts.push({ value: m.get('id'), label: m.get('name') || m.get('id') });
      }
      for (const m of hostMessages()) {
        if (!opts.some((o) => o.value === m.identifier)) {
          opts.push({ value: m.identifier, label: m.identifier + ' (' + (m.location || 'repository') + ')' });
        }
      }
      return opts;
    }, { subscribe: (fn) => host.subscribe('messages', fn), description: 'Messages of this diagram and of the process groups above the model.' }),
    hostNotice('spiff_message_notice', host, 'messages', 'Could not load the messages of the process groups'),
    custom('spiff_message_new', NewMessage, { ctx }),
  ];
  if (msg) {
    entries.push(custom('spiff_message_correlations', CorrelationEditor, { bo, msg, ctx }));
  }
  // On events the payload and variable live on the event definition.
  const owner = target;
  if (isReceiver(bo)) {
    entries.push(text('spiff_message_variable', 'Message variable', () => bodyExtension(owner, 'spiffworkflow:MessageVariable'), (v) => {
      const c = new Changes(ctx.injector, element);
      setBody(c, owner, 'spiffworkflow:MessageVariable', v);
      c.run();
    }, { description: 'Task-data variable that receives the payload.' }));
    const matching = bo.get('isMatchingCorrelation') === 'true';
    entries.push(checkbox('spiff_matching', 'Enable condition matching', () => matching,
      (v) => new Changes(ctx.injector, element).set(bo, { isMatchingCorrelation: v ? 'true' : undefined }).run()));
    if (matching && msg) {
      for (const cp of correlationPropertiesOf(bo, msg)) {
        const pid = cp.get('id');
        entries.push(text('spiff_pvc_' + pid, 'Match ' + pid, () => {
          const e = findPVC(bo, pid);
          return e ? e.get('expression') : '';
        }, (v) => setPVC(ctx, element, bo, pid, v), { description: 'Expression over this process\'s data that must equal the message\'s ' + pid + '.' }));
      }
    }
  } else {
    let payload = bodyExtension(owner, 'spiffworkflow:MessagePayload');
    if (!payload && msg) {
      // A legacy payload on the message itself is read here and written to
      // the element.
      payload = bodyExtension(msg, 'spiffworkflow:MessagePayload');
    }
    entries.push(text('spiff_message_payload', 'Payload', () => payload, (v) => {
      const c = new Changes(ctx.injector, element);
      setBody(c, owner, 'spiffworkflow:MessagePayload', v);
      c.run();
    }, { area: true, monospace: true, description: 'Expression whose value is sent, e.g. {"order_id": order_id}.' }));
  }
  return { id: 'messages', label: 'Message', entries };
}

function findPVC(bo, pid) {
  const ext = bo.get('extensionElements');
  return ((ext && ext.get('values')) || []).find((v) => is(v, 'spiffworkflow:ProcessVariableCorrelation') && v.get('propertyId') === pid);
}

function setPVC(ctx, element, bo, pid, value) {
  const c = new Changes(ctx.injector, element);
  const existing = findPVC(bo, pid);
  const values = c.currentValues(bo).slice();
  if (!value) {
    if (existing) {
      const rest = values.filter((v) => v !== existing);
      c.set(bo.get('extensionElements'), { values: rest });
    }
  } else if (existing) {
    c.set(existing, { expression: value });
  } else {
    const ext = c.ensureExtensions(bo);
    values.unshift(c.create('spiffworkflow:ProcessVariableCorrelation', { propertyId: pid, expression: value }, ext));
    c.set(ext, { values });
  }
  c.run();
}

// --- signals, errors, escalations ---------------------------------------------

const KINDS = {
  signal: { type: 'bpmn:Signal', def: 'bpmn:SignalEventDefinition', ref: 'signalRef', label: 'Signal', prefix: 'Signal' },
  error: { type: 'bpmn:Error', def: 'bpmn:ErrorEventDefinition', ref: 'errorRef', label: 'Error', prefix: 'Error', code: 'errorCode' },
  escalation: { type: 'bpmn:Escalation', def: 'bpmn:EscalationEventDefinition', ref: 'escalationRef', label: 'Escalation', prefix: 'Escalation', code: 'escalationCode' },
};

// rootListGroup lists a kind's root elements on the process. Each item
// edits only its own element; removing one leaves events that used it
// without a reference instead of deleting them.
function rootListGroup(kindName, element, ctx) {
  const k = KINDS[kindName];
  const bo = getBusinessObject(element);
  const defs = definitionsOf(bo);
  if (!defs) {
    return null;
  }
  const list = rootElementsOfType(bo, k.type);
  const items = list.map((r) => {
    const entries = [
      text('spiff_' + kindName + '_' + r.get('id') + '_name', 'ID', () => r.get('id'), (v) => {
        const id = (v || '').replace(/\s+/g, '');
        if (!id) {
          return;
        }
        new Changes(ctx.injector, element).set(r, { id, name: id }).run();
      }),
    ];
    if (k.code) {
      entries.push(text('spiff_' + kindName + '_' + r.get('id') + '_code', k.label + ' code', () => r.get(k.code),
        (v) => new Changes(ctx.injector, element).set(r, { [k.code]: v || undefined }).run()));
    }
    return {
      id: 'spiff_' + kindName + '_' + r.get('id'),
      label: r.get('name') || r.get('id'),
      entries,
      remove: () => {
        const c = new Changes(ctx.injector, element);
        c.set(defs, { rootElements: defs.get('rootElements').filter((x) => x !== r) });
        forEachEventDefinition(defs, k.def, (d) => {
          if (d.get(k.ref) === r) {
            c.set(d, { [k.ref]: undefined });
          }
        });
        c.run();
      },
    };
  });
  const add = (e) => {
    e.stopPropagation();
    const c = new Changes(ctx.injector, element);
    const id = nextId(bo, k.prefix);
    const r = c.create(k.type, { id, name: id }, defs);
    c.set(defs, { rootElements: [...defs.get('rootElements'), r] });
    c.run();
  };
  return { id: 'spiff_' + kindName + 's', label: k.label + 's', component: ListGroup, items, add };
}

function forEachEventDefinition(defs, type, fn) {
  const walk = (o) => {
    for (const fe of (o.get && o.get('flowElements')) || []) {
      for (const d of (fe.get('eventDefinitions') || [])) {
        if (is(d, type)) {
          fn(d);
        }
      }
      if (is(fe, 'bpmn:SubProcess')) {
        walk(fe);
      }
    }
  };
  defs.get('rootElements').filter((r) => is(r, 'bpmn:Process')).forEach(walk);
}

export function processListGroups(element, ctx) {
  const bo = getBusinessObject(element);
  if (!isAny(bo, ['bpmn:Process', 'bpmn:Collaboration', 'bpmn:Participant'])) {
    return [];
  }
  return ['signal', 'error', 'escalation'].map((k) => rootListGroup(k, element, ctx)).filter(Boolean);
}

// eventRefGroup edits an event's signal/error/escalation reference, the
// referenced element's code, and payload or variable.
export function eventRefGroups(element, ctx) {
  const bo = getBusinessObject(element);
  const out = [];
  for (const [kindName, k] of Object.entries(KINDS)) {
    const def = (bo.get && bo.get('eventDefinitions') || []).find((d) => is(d, k.def));
    if (!def) {
      continue;
    }
    const ref = def.get(k.ref);
    const entries = [
      select('spiff_' + kindName + '_ref', k.label, () => (ref ? ref.get('id') : ''), (id) => {
        const r = rootElementsOfType(bo, k.type).find((x) => x.get('id') === id);
        new Changes(ctx.injector, element).set(def, { [k.ref]: r }).run();
      }, () => [{ value: '', label: '<none>' }, ...rootElementsOfType(bo, k.type).map((r) => ({ value: r.get('id'), label: r.get('name') || r.get('id') }))]),
      custom('spiff_' + kindName + '_new', NewRoot, { k, bo, def, ctx }),
    ];
    if (ref) {
      if (k.code) {
        entries.push(text('spiff_' + kindName + '_code', k.label + ' code', () => ref.get(k.code),
          (v) => new Changes(ctx.injector, element).set(ref, { [k.code]: v || undefined }).run()));
      }
      if (isAny(bo, ['bpmn:EndEvent', 'bpmn:IntermediateThrowEvent'])) {
        entries.push(text('spiff_' + kindName + '_payload', 'Payload', () => bodyExtension(ref, 'spiffworkflow:PayloadExpression'), (v) => {
          const c = new Changes(ctx.injector, element);
          setBody(c, ref, 'spiffworkflow:PayloadExpression', v);
          c.run();
        }, { area: true, monospace: true, description: 'Expression sent with the ' + kindName + '.' }));
      } else if (is(bo, 'bpmn:CatchEvent')) {
        entries.push(text('spiff_' + kindName + '_variable', 'Variable name', () => bodyExtension(ref, 'spiffworkflow:VariableName'), (v) => {
          const c = new Changes(ctx.injector, element);
          setBody(c, ref, 'spiffworkflow:VariableName', v);
          c.run();
        }, { description: 'Task-data variable that receives the payload.' }));
      }
    }
    out.push({ id: kindName, label: k.label, entries });
  }
  return out;
}

function NewRoot(props) {
  const { k, bo, def, ctx, element } = props;
  return h('div', { class: 'bio-properties-panel-entry wm-entry-buttons', 'data-entry-id': props.id },
    h('button', {
      type: 'button',
      class: 'wm-btn',
      onClick: () => {
        const defs = definitionsOf(bo);
        const c = new Changes(ctx.injector, element);
        const id = nextId(bo, k.prefix);
        const r = c.create(k.type, { id, name: id }, defs);
        c.set(defs, { rootElements: [...defs.get('rootElements'), r] });
        c.set(def, { [k.ref]: r });
        c.run();
      },
    }, 'New ' + k.label.toLowerCase()));
}

// --- timers ---------------------------------------------------------------

const TIMER_TYPES = [
  { value: 'timeDate', label: 'Date' },
  { value: 'timeDuration', label: 'Duration' },
  { value: 'timeCycle', label: 'Cycle' },
];

function TimerPreview(props) {
  const v = props.get();
  if (!v) {
    return null;
  }
  const d = describeTimer(props.kind(), v);
  return h('p', { class: 'bio-properties-panel-entry wm-timer-preview ' + (d.error ? 'wm-bad' : 'wm-ok'), 'data-entry-id': props.id, role: 'status' }, d.error || d.text);
}

export function timerGroup(element, ctx) {
  const bo = getBusinessObject(element);
  const def = (bo.get && bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
  if (!def) {
    return null;
  }
  const kind = () => TIMER_TYPES.map((t) => t.value).find((t) => def.get(t)) || '';
  const value = () => {
    const k = kind();
    return k ? def.get(k).get('body') || '' : '';
  };
  return {
    id: 'timer',
    label: 'Timer',
    entries: [
      select('spiff_timer_type', 'Type', kind, (t) => {
        const c = new Changes(ctx.injector, element);
        const old = kind();
        const body = value();
        const props = {};
        for (const tt of TIMER_TYPES) {
          props[tt.value] = undefined;
        }
        if (t) {
          props[t] = c.create('bpmn:FormalExpression', { body }, def);
        }
        if (old !== t) {
          c.set(def, props);
          c.run();
        }
      }, () => [{ value: '', label: '<none>' }, ...TIMER_TYPES]),
      text('spiff_timer_value', 'Value', value, (v) => {
        const k = kind() || 'timeDuration';
        const c = new Changes(ctx.injector, element);
        const ex = def.get(k);
        if (ex) {
          c.set(ex, { body: v });
        } else {
          c.set(def, { [k]: c.create('bpmn:FormalExpression', { body: v }, def) });
        }
        c.run();
      }, { description: 'An expression: "PT1H", "R3/2025-01-06T09:00:00/P1D", or a variable.' }),
      custom('spiff_timer_preview', TimerPreview, { get: value, kind }),
    ],
  };
}

// --- conditions -----------------------------------------------------------

export function conditionGroup(element, ctx) {
  const bo = getBusinessObject(element);
  let owner;
  let prop;
  if (is(bo, 'bpmn:SequenceFlow') && isAny(bo.get('sourceRef'), ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) {
    owner = bo;
    prop = 'conditionExpression';
  } else {
    const def = (bo.get && bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:ConditionalEventDefinition'));
    if (!def) {
      return null;
    }
    owner = def;
    prop = 'condition';
  }
  const isDefault = is(bo, 'bpmn:SequenceFlow') && bo.get('sourceRef').get('default') === bo;
  return {
    id: 'conditions',
    label: 'Condition',
    entries: [
      text('spiff_condition', 'Condition expression', () => {
        const e = owner.get(prop);
        return e ? e.get('body') || '' : '';
      }, (v) => {
        const c = new Changes(ctx.injector, element);
        // SpiffArena writes a new plain bpmn:Expression on every edit.
        c.set(owner, { [prop]: v ? c.create('bpmn:Expression', { body: v }, owner) : undefined });
        c.run();
      }, {
        area: true,
        monospace: true,
        description: isDefault ? 'This is the default flow; its condition is ignored.' : 'Python expression over the task data, e.g. amount > 1000',
      }),
    ],
  };
}
