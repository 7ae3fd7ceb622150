// Groups for scripts: the script of a script task, pre- and post-scripts,
// script unit tests, and instructions for the end user.

import { ListGroup } from '@bpmn-io/properties-panel';
import {
  Changes,
  bodyExtension,
  findExtension,
  getBusinessObject,
  is,
  isAny,
  nextId,
  setBodyExtension,
} from './helpers.js';
import { custom, text } from './entries.js';
import { MarkdownEditor, ScriptEditor, UnitTestRunner } from './editors.js';

export function scriptGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:ScriptTask')) {
    return null;
  }
  return {
    id: 'spiff_script',
    label: 'Script',
    entries: [
      custom('spiff_script_body', ScriptEditor, {
        label: 'Script',
        host: ctx.host,
        get: () => bo.get('script') || '',
        set: (v) => {
          const c = new Changes(ctx.injector, element);
          c.set(bo, { script: v || undefined });
          c.run();
        },
      }),
      custom('spiff_script_unit_tests_run', UnitTestRunner, {
        host: ctx.host,
        script: () => bo.get('script') || '',
        tests: () => {
          const container = findExtension(bo, 'spiffworkflow:UnitTests');
          return (container ? container.get('unitTests') : []).map((t) => ({
            id: t.get('id') || '',
            inputJson: t.get('inputJson') ? t.get('inputJson').get('value') || '' : '',
            expectedOutputJson: t.get('expectedOutputJson') ? t.get('expectedOutputJson').get('value') || '' : '',
          }));
        },
      }),
    ],
  };
}

const PRE_POST_TYPES = ['bpmn:Task', 'bpmn:CallActivity', 'bpmn:SubProcess'];

export function prePostGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!isAny(bo, PRE_POST_TYPES)) {
    return null;
  }
  const entry = (type, id, label) =>
    custom(id, ScriptEditor, {
      label,
      host: ctx.host,
      get: () => bodyExtension(bo, type),
      set: (v) => setBodyExtension(ctx.injector, element, bo, type, v),
    });
  const entries = [
    entry('spiffworkflow:PreScript', 'spiff_pre_script', 'Pre-script'),
    entry('spiffworkflow:PostScript', 'spiff_post_script', 'Post-script'),
  ];
  return { id: 'spiff_pre_post_scripts', label: 'Pre/Post scripts', entries };
}

export function instructionsGroup(element, ctx) {
  const bo = getBusinessObject(element);
  const types = ['bpmn:ManualTask', 'bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:ScriptTask', 'bpmn:EndEvent',
    'bpmn:IntermediateCatchEvent', 'bpmn:CallActivity', 'bpmn:SubProcess'];
  if (!isAny(bo, types)) {
    return null;
  }
  const type = 'spiffworkflow:InstructionsForEndUser';
  return {
    id: 'instructions',
    label: 'Instructions',
    entries: [
      custom('spiff_instructions', MarkdownEditor, {
        label: 'Instructions for the end user',
        get: () => bodyExtension(bo, type),
        set: (v) => setBodyExtension(ctx.injector, element, bo, type, v),
      }),
    ],
  };
}

export function unitTestsGroup(element, ctx) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'spiffworkflow:UnitTests') && !is(bo, 'bpmn:ScriptTask')) {
    return null;
  }
  const container = findExtension(bo, 'spiffworkflow:UnitTests');
  const tests = container ? container.get('unitTests') : [];
  const setBody = (test, prop, type, v) => {
    const c = new Changes(ctx.injector, element);
    const existing = test.get(prop);
    if (existing) {
      c.set(existing, { value: v });
    } else {
      c.set(test, { [prop]: c.create(type, { value: v }, test) });
    }
    c.run();
  };
  const items = tests.map((t, i) => ({
    id: 'spiff_unit_test_' + i,
    label: t.get('id') || 'Unit test',
    entries: [
      text('spiff_unit_test_' + i + '_id', 'ID', () => t.get('id'), (v) => new Changes(ctx.injector, element).set(t, { id: v }).run()),
      text('spiff_unit_test_' + i + '_input', 'Input JSON', () => (t.get('inputJson') ? t.get('inputJson').get('value') : ''),
        (v) => setBody(t, 'inputJson', 'spiffworkflow:InputJson', v), { area: true, monospace: true, validate: validJSON }),
      text('spiff_unit_test_' + i + '_expected', 'Expected output JSON',
        () => (t.get('expectedOutputJson') ? t.get('expectedOutputJson').get('value') : ''),
        (v) => setBody(t, 'expectedOutputJson', 'spiffworkflow:ExpectedOutputJson', v), { area: true, monospace: true, validate: validJSON }),
    ],
    remove: () => {
      const c = new Changes(ctx.injector, element);
      const rest = tests.filter((x) => x !== t);
      if (rest.length) {
        c.set(container, { unitTests: rest });
      } else {
        c.putExtension(bo, 'spiffworkflow:UnitTests', null);
      }
      c.run();
    },
  }));
  const add = (e) => {
    e.stopPropagation();
    const c = new Changes(ctx.injector, element);
    const t = c.create('spiffworkflow:UnitTest', { id: nextId(bo, 'ScriptUnitTest') });
    t.set('inputJson', c.create('spiffworkflow:InputJson', { value: '{}' }, t));
    t.set('expectedOutputJson', c.create('spiffworkflow:ExpectedOutputJson', { value: '{}' }, t));
    if (container) {
      t.$parent = container;
      c.set(container, { unitTests: [...tests, t] });
    } else {
      const ut = c.create('spiffworkflow:UnitTests', { unitTests: [t] });
      t.$parent = ut;
      c.putExtension(bo, 'spiffworkflow:UnitTests', ut);
    }
    c.run();
  };
  return { id: 'spiff_unit_tests', label: 'Unit tests', component: ListGroup, items, add };
}

function validJSON(v) {
  if (!v) {
    return null;
  }
  try {
    JSON.parse(v);
    return null;
  } catch (e) {
    return 'Not valid JSON: ' + e.message;
  }
}
