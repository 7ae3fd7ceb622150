// Groups for lanes, data objects and multi-instance settings.

import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { ListGroup } from '@bpmn-io/properties-panel';
import {
  Changes,
  bodyExtension,
  getBusinessObject,
  is,
  isAny,
  nextId,
} from './helpers.js';
import { CommitInput, checkbox, custom, select, text } from './entries.js';

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
        // References show the object's name.
        for (const ref of (container.get('flowElements') || []).filter((e) => is(e, 'bpmn:DataObjectReference') && e.get('dataObjectRef') === d)) {
          c.set(ref, { name: v || undefined });
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
        c.set(bo, { dataObjectRef: d, name: d ? d.get('name') || d.get('id') : bo.get('name') });
        c.run();
      }, () => [{ value: '', label: '<none>' }, ...visibleDataObjects(bo).map((d) => ({ value: d.get('id'), label: d.get('name') || d.get('id') }))]),
    ],
  };
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
