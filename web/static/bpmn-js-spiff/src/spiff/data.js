// Groups for lanes, data objects and multi-instance settings.

import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { ListGroup } from '@bpmn-io/properties-panel';
import {
  Changes,
  bodyExtension,
  definitionsOf,
  getBusinessObject,
  is,
  isAny,
  nextId,
} from './helpers.js';
import { CommitInput, checkbox, custom, hostNotice, select, text } from './entries.js';

// LaneName is a name field that suggests the known groups.
function LaneName(props) {
  const { id, get, set, groups, element } = props;
  const [value, setValue] = useState(get());
  useEffect(() => setValue(get()), [element, get()]);
  const listId = id + '-groups';
  const known = groups.includes(value);
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': id }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, 'Lane (group)'),
    h(CommitInput, {
      id,
      label: 'Lane (group)',
      list: listId,
      value: get(),
      commit: (v) => {
        setValue(v.trim());
        set(v.trim());
      },
    }),
    h('datalist', { id: listId }, groups.map((g) => h('option', { value: g }))),
    h('div', { class: 'bio-properties-panel-description' },
      value && !known ? 'No group named "' + value + '" yet: only members of that group may work on tasks in this lane.'
        : 'Members of this group may work on the tasks in this lane.'),
  ]);
}

export function laneGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:Lane')) {
    return null;
  }
  return {
    id: 'spiff_lane',
    label: 'Lane',
    entries: [
      custom('spiff_lane_name', LaneName, {
        groups: ctx.host.groups(),
        get: () => bo.get('name') || '',
        set: (v) => ctx.injector.get('modeling').updateLabel(element, v),
      }),
    ],
  };
}

// processOf returns the process (or sub-process) whose flow elements hold
// data objects for element.
function dataContainer(bo) {
  if (is(bo, 'bpmn:Participant')) {
    return bo.get('processRef');
  }
  if (isAny(bo, ['bpmn:Process', 'bpmn:SubProcess'])) {
    return bo;
  }
  return null;
}

function dataObjectsOf(container) {
  return ((container && container.get('flowElements')) || []).filter((e) => is(e, 'bpmn:DataObject'));
}

// visibleDataObjects lists the data objects a reference or task inside
// bo's scope can use: its own scope and every enclosing one.
function visibleDataObjects(bo) {
  const out = [];
  for (let p = bo.$parent; p; p = p.$parent) {
    if (isAny(p, ['bpmn:Process', 'bpmn:SubProcess'])) {
      out.push(...dataObjectsOf(p));
    }
  }
  return out;
}

export function dataObjectsGroup(element, ctx) {
  const bo = getBusinessObject(element);
  const container = dataContainer(bo);
  if (!container || (is(bo, 'bpmn:SubProcess') && element.collapsed)) {
    return null;
  }
  const objects = dataObjectsOf(container);
  const items = objects.map((d) => ({
    id: 'spiff_data_object_' + d.get('id'),
    label: d.get('name') || d.get('id'),
    entries: [
      text('spiff_data_object_' + d.get('id') + '_id', 'ID', () => d.get('id'), (v) => {
        v = (v || '').trim();
        if (!v || v === d.get('id')) {
          return;
        }
        new Changes(ctx.injector, element).set(d, { id: v }).run();
      }, {
        validate: (v) => {
          if (!v) {
            return 'An id is required.';
          }
          if (/[\s-]/.test(v)) {
            return 'No spaces or dashes: the id is a variable name in scripts.';
          }
          if (v !== d.get('id') && objects.some((o) => o.get('id') === v)) {
            return 'Another data object has this id.';
          }
          return null;
        },
      }),
      text('spiff_data_object_' + d.get('id') + '_name', 'Name', () => d.get('name'), (v) => {
        const c = new Changes(ctx.injector, element);
        c.set(d, { name: v || undefined });
        // References show the object's name, and their data state.
        for (const ref of (container.get('flowElements') || []).filter((e) => is(e, 'bpmn:DataObjectReference') && e.get('dataObjectRef') === d)) {
          c.set(ref, { name: v ? labelWithState(v, ref) : undefined });
        }
        c.run();
      }),
      text('spiff_data_object_' + d.get('id') + '_category', 'Category', () => bodyExtension(d, 'spiffworkflow:Category'), (v) => {
        const c = new Changes(ctx.injector, element);
        const cur = (d.get('extensionElements') && d.get('extensionElements').get('values').find((x) => is(x, 'spiffworkflow:Category')));
        if (!v) {
          c.putExtension(d, 'spiffworkflow:Category', null);
        } else if (cur) {
          c.set(cur, { value: v });
        } else {
          c.putExtension(d, 'spiffworkflow:Category', c.create('spiffworkflow:Category', { value: v }));
        }
        c.run();
      }),
    ],
    remove: () => {
      const c = new Changes(ctx.injector, element);
      // References stay, unbound, rather than disappearing with it.
      for (const ref of (container.get('flowElements') || []).filter((e) => is(e, 'bpmn:DataObjectReference') && e.get('dataObjectRef') === d)) {
        c.set(ref, { dataObjectRef: undefined });
      }
      c.set(container, { flowElements: container.get('flowElements').filter((e) => e !== d) });
      c.run();
    },
  }));
  const add = (e) => {
    e.stopPropagation();
    const c = new Changes(ctx.injector, element);
    const id = nextId(bo, 'DataObject');
    const d = c.create('bpmn:DataObject', { id, name: id.replace(/_/g, ' ').replace('DataObject', 'Data Object') }, container);
    c.set(container, { flowElements: [...container.get('flowElements'), d] });
    c.run();
  };
  return { id: 'spiff_data_objects', label: 'Data objects', component: ListGroup, items, add };
}

// stateOf returns the name of a reference's bpmn:dataState.
function stateOf(ref) {
  const st = ref.get('dataState');
  return (st && st.get('name')) || '';
}

// labelWithState is the label SpiffArena gives a data object reference:
// the object's name, then its state in brackets ("Invoice [approved]").
function labelWithState(name, ref, state = stateOf(ref)) {
  return state ? name + ' [' + state + ']' : name;
}

// baseName strips the state from a reference's label.
function baseName(ref) {
  const name = ref.get('name') || '';
  const state = stateOf(ref);
  return state && name.endsWith(' [' + state + ']') ? name.slice(0, -(' [' + state + ']').length) : name.split(' [')[0];
}

export function dataObjectReferenceGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:DataObjectReference')) {
    return null;
  }
  return {
    id: 'spiff_data_object_reference',
    label: 'Data object',
    entries: [
      select('spiff_data_object_ref', 'Data object', () => (bo.get('dataObjectRef') ? bo.get('dataObjectRef').get('id') : ''), (id) => {
        const d = visibleDataObjects(bo).find((x) => x.get('id') === id);
        const c = new Changes(ctx.injector, element);
        c.set(bo, { dataObjectRef: d, name: d ? labelWithState(d.get('name') || d.get('id'), bo) : bo.get('name') });
        c.run();
      }, () => [{ value: '', label: '<none>' }, ...visibleDataObjects(bo).map((d) => ({ value: d.get('id'), label: d.get('name') || d.get('id') }))]),
      // <bpmn:dataState id="DataState_<reference id>" name="..."/>, shown
      // in the label as SpiffArena does; empty removes it.
      text('spiff_data_state', 'Data state', () => stateOf(bo), (v) => {
        const c = new Changes(ctx.injector, element);
        const state = (v || '').trim();
        const base = baseName(bo);
        if (!state) {
          c.set(bo, { dataState: undefined, name: base || undefined });
        } else if (bo.get('dataState')) {
          c.set(bo.get('dataState'), { name: state });
          c.set(bo, { name: labelWithState(base, bo, state) });
        } else {
          c.set(bo, { dataState: c.create('bpmn:DataState', { id: 'DataState_' + bo.get('id'), name: state }, bo), name: labelWithState(base, bo, state) });
        }
        c.run();
      }, { description: 'The state of the data object at this point, e.g. approved.' }),
    ],
  };
}

// --- data stores ------------------------------------------------------------

// dataStoreReferences lists every data store reference of the diagram.
function dataStoreReferences(defs) {
  const out = [];
  const walk = (o) => {
    for (const fe of (o.get && o.get('flowElements')) || []) {
      if (is(fe, 'bpmn:DataStoreReference')) {
        out.push(fe);
      }
      if (is(fe, 'bpmn:SubProcess')) {
        walk(fe);
      }
    }
  };
  defs.get('rootElements').filter((r) => is(r, 'bpmn:Process')).forEach(walk);
  return out;
}

// dataStoreGroup picks the store a data store reference names, from the
// stores the model's process groups define. As SpiffArena does, it writes
// <bpmn:dataStore id="<store id>" name="<class>"/> at the definitions
// level, and on the reference dataStoreRef, name (the store's name) and a
// plain type attribute (its type); a store no reference uses any more is
// removed.
export function dataStoreGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:DataStoreReference')) {
    return null;
  }
  const host = ctx.host;
  const current = bo.get('dataStoreRef');
  const choose = (id) => {
    const defs = definitionsOf(bo);
    const c = new Changes(ctx.injector, element);
    let roots = defs.get('rootElements').slice();
    const old = bo.get('dataStoreRef');
    let store;
    if (!id) {
      c.set(bo, { dataStoreRef: undefined, name: undefined, type: undefined });
    } else {
      const spec = (host.list('dataStores') || []).find((s) => s.id === id);
      store = roots.find((r) => is(r, 'bpmn:DataStore') && r.get('id') === id);
      if (!store) {
        store = c.create('bpmn:DataStore', { id, name: spec ? spec.clz : id }, defs);
        roots.push(store);
      }
      c.set(bo, { dataStoreRef: store, name: spec ? spec.name : bo.get('name'), type: spec ? spec.type : bo.get('type') });
    }
    if (old && old !== store && !dataStoreReferences(defs).some((r) => r !== bo && r.get('dataStoreRef') === old)) {
      roots = roots.filter((r) => r !== old);
    }
    if (roots.length !== defs.get('rootElements').length || roots.some((r, i) => r !== defs.get('rootElements')[i])) {
      c.set(defs, { rootElements: roots });
    }
    c.run();
  };
  return {
    id: 'custom-datastore-properties',
    label: 'Data store',
    entries: [
      select('spiff_data_store', 'Data store', () => (current ? current.get('id') : ''), choose, () => {
        const list = host.list('dataStores');
        const opts = [{ value: '', label: list === undefined ? 'Loading data stores…' : '<none>' }];
        for (const s of list || []) {
          opts.push({ value: s.id, label: s.name + ' (' + s.type + ', ' + s.location + ')' });
        }
        if (current && !(list || []).some((s) => s.id === current.get('id'))) {
          opts.push({ value: current.get('id'), label: current.get('id') + ' (not defined in the process groups)' });
        }
        return opts;
      }, {
        subscribe: (fn) => host.subscribe('dataStores', fn),
        description: current ? 'Type: ' + (bo.get('type') || 'unknown') + '.' : 'Stores defined in the process groups above the model.',
      }),
      hostNotice('spiff_data_store_notice', host, 'dataStores', 'Could not load the data stores'),
    ],
  };
}

// --- inputs and outputs -------------------------------------------------------

const IO_TASKS = ['bpmn:UserTask', 'bpmn:ScriptTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:ManualTask'];

// ioGroup lists a task's data inputs and outputs (its ioSpecification) in
// two lists, as SpiffArena's "Input/Output Management" group does (with
// none listed, the task sees every process variable): new ones get id =
// name = DataInput_N / DataOutput_N and a reference in the first input or
// output set (created when missing); the name field sets id and name. An
// ioSpecification left without inputs and outputs is removed.
export function ioGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!isAny(bo, IO_TASKS)) {
    return null;
  }
  const io = bo.get('ioSpecification');
  const kinds = [
    { key: 'input', type: 'bpmn:DataInput', list: 'dataInputs', set: 'inputSets', setType: 'bpmn:InputSet', refs: 'dataInputRefs', prefix: 'DataInput', label: 'Inputs' },
    { key: 'output', type: 'bpmn:DataOutput', list: 'dataOutputs', set: 'outputSets', setType: 'bpmn:OutputSet', refs: 'dataOutputRefs', prefix: 'DataOutput', label: 'Outputs' },
  ];
  const groups = [];
  for (const k of kinds) {
    const items = ((io && io.get(k.list)) || []).map((d, i) => ({
      id: 'spiff_io_' + k.key + '_' + i,
      label: d.get('name') || d.get('id'),
      entries: [
        text('spiff_io_' + k.key + '_' + i + '_name', k.key === 'input' ? 'Input name' : 'Output name', () => d.get('name') || d.get('id'), (v) => {
          const name = (v || '').trim();
          if (name && name !== d.get('id')) {
            new Changes(ctx.injector, element).set(d, { id: name, name }).run();
          }
        }, {
          validate: (v) => (!v || /\s/.test(v) ? 'A name without spaces: it is a variable name.' : null),
        }),
      ],
      remove: (e) => {
        if (e) {
          e.stopPropagation();
        }
        const c = new Changes(ctx.injector, element);
        const rest = io.get(k.list).filter((x) => x !== d);
        const other = kinds.find((x) => x !== k);
        if (!rest.length && !io.get(other.list).length) {
          c.set(bo, { ioSpecification: undefined });
        } else {
          c.set(io, { [k.list]: rest });
          for (const set of io.get(k.set)) {
            c.set(set, { [k.refs]: set.get(k.refs).filter((x) => x !== d) });
          }
        }
        c.run();
      },
    }));
    const add = (e) => {
      e.stopPropagation();
      const c = new Changes(ctx.injector, element);
      const id = nextId(bo, k.prefix);
      let spec = io;
      if (!spec) {
        spec = c.create('bpmn:InputOutputSpecification', { dataInputs: [], dataOutputs: [], inputSets: [], outputSets: [] }, bo);
        c.set(bo, { ioSpecification: spec });
      }
      const d = c.create(k.type, { id, name: id }, spec);
      c.set(spec, { [k.list]: [...spec.get(k.list), d] });
      const first = spec.get(k.set)[0];
      if (first) {
        c.set(first, { [k.refs]: [...first.get(k.refs), d] });
      } else {
        c.set(spec, { [k.set]: [c.create(k.setType, { [k.refs]: [d] }, spec)] });
      }
      c.run();
    };
    groups.push({ id: 'spiff_io_' + k.key + 's', label: k.label, component: ListGroup, items, add });
  }
  return groups;
}

// --- multi-instance -------------------------------------------------------

function refId(v) {
  return v ? v.get('id') || v.get('name') || '' : '';
}

export function multiInstanceGroup(element, ctx) {
  const bo = getBusinessObject(element);
  const loop = bo.get && bo.get('loopCharacteristics');
  if (!loop || !isAny(bo, ['bpmn:Task', 'bpmn:CallActivity', 'bpmn:SubProcess'])) {
    return null;
  }
  const up = (props) => new Changes(ctx.injector, element).set(loop, props).run();
  const runOnInstances = checkbox('spiff_scripts_on_instances', 'Run pre/post scripts on each instance', () => loop.get('scriptsOnInstances') === 'true',
    (v) => up({ scriptsOnInstances: v ? 'true' : undefined }));
  if (is(loop, 'bpmn:StandardLoopCharacteristics')) {
    return {
      id: 'multiInstance',
      label: 'Loop',
      entries: [
        text('spiff_loop_maximum', 'Loop maximum', () => (loop.get('loopMaximum') !== undefined ? String(loop.get('loopMaximum')) : ''),
          (v) => up({ loopMaximum: v === '' ? undefined : v })),
        text('spiff_loop_condition', 'Loop condition', () => (loop.get('loopCondition') ? loop.get('loopCondition').get('body') : ''), (v) => {
          const c = new Changes(ctx.injector, element);
          c.set(loop, { loopCondition: v ? c.create('bpmn:FormalExpression', { body: v }, loop) : undefined });
          c.run();
        }),
        checkbox('spiff_loop_test_before', 'Test before', () => !!loop.get('testBefore'), (v) => up({ testBefore: v || undefined })),
        runOnInstances,
      ],
    };
  }
  if (!is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) {
    return null;
  }
  const expr = (prop) => (loop.get(prop) ? loop.get(prop).get('body') || '' : '');
  const setExpr = (prop, v, clear) => {
    const c = new Changes(ctx.injector, element);
    const props = { [prop]: v ? c.create('bpmn:FormalExpression', { body: v }, loop) : undefined };
    if (v && clear) {
      props[clear] = undefined;
    }
    c.set(loop, props);
    c.run();
  };
  // Collections are item-aware references; a plain variable name that
  // matches no data object is kept as a reference by id (see
  // fixUnresolvedReferences), which is what the engine reads.
  const setRef = (prop, v, clear) => {
    const c = new Changes(ctx.injector, element);
    const props = {};
    if (v) {
      const d = visibleDataObjects(bo).find((x) => x.get('id') === v);
      props[prop] = d || c.create('bpmn:ItemAwareElement', { id: v }, loop);
      if (clear) {
        props[clear] = undefined;
      }
    } else {
      props[prop] = undefined;
    }
    c.set(loop, props);
    c.run();
  };
  const setItem = (prop, type, v) => {
    const c = new Changes(ctx.injector, element);
    const props = { [prop]: v ? c.create(type, { id: v, name: v }, loop) : undefined };
    if (prop === 'inputDataItem' && bo.get('isOutputSynced') === 'true') {
      props.outputDataItem = v ? c.create('bpmn:DataOutput', { id: v, name: v }, loop) : undefined;
    }
    c.set(loop, props);
    c.run();
  };
  const synced = bo.get('isOutputSynced') === 'true';
  const entries = [
    text('spiff_mi_cardinality', 'Loop cardinality', () => expr('loopCardinality'), (v) => setExpr('loopCardinality', v, 'loopDataInputRef'),
      { description: 'Number of instances (expression); clears the input collection.' }),
    text('spiff_mi_input_collection', 'Input collection', () => refId(loop.get('loopDataInputRef')), (v) => setRef('loopDataInputRef', (v || '').trim(), 'loopCardinality'),
      { description: 'Variable or data object holding the items.' }),
    text('spiff_mi_input_item', 'Input element', () => refId(loop.get('inputDataItem')), (v) => setItem('inputDataItem', 'bpmn:DataInput', (v || '').trim())),
    checkbox('spiff_mi_synced', 'Output element is synchronized with input element', () => synced, (v) => {
      const c = new Changes(ctx.injector, element);
      c.set(bo, { isOutputSynced: v ? 'true' : undefined });
      if (v && loop.get('inputDataItem')) {
        const id = refId(loop.get('inputDataItem'));
        c.set(loop, { outputDataItem: c.create('bpmn:DataOutput', { id, name: id }, loop) });
      }
      c.run();
    }),
    text('spiff_mi_output_collection', 'Output collection', () => refId(loop.get('loopDataOutputRef')), (v) => setRef('loopDataOutputRef', (v || '').trim())),
  ];
  if (!synced) {
    entries.push(text('spiff_mi_output_item', 'Output element', () => refId(loop.get('outputDataItem')), (v) => setItem('outputDataItem', 'bpmn:DataOutput', (v || '').trim())));
  }
  entries.push(
    text('spiff_mi_completion', 'Completion condition', () => expr('completionCondition'), (v) => setExpr('completionCondition', v)),
    runOnInstances,
  );
  return { id: 'multiInstance', label: 'Multi-instance', entries };
}

// fixUnresolvedReferences re-creates the multi-instance collections
// bpmn-moddle could not resolve (a plain variable name rather than a data
// object id) as item-aware elements, so they are not lost on import. It
// runs on import.parse.complete with the parse context.
export function fixUnresolvedReferences(context, moddle) {
  const refs = (context && context.references) || [];
  const elementsById = context.elementsById || {};
  for (const r of refs) {
    if (!['bpmn:loopDataInputRef', 'bpmn:loopDataOutputRef'].includes(r.property)) {
      continue;
    }
    if (elementsById[r.id]) {
      continue;
    }
    const ref = moddle.create('bpmn:ItemAwareElement', { id: r.id });
    ref.$parent = r.element;
    r.element.set(r.property.replace('bpmn:', ''), ref);
  }
}
