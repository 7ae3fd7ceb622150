// Reading and writing spiffworkflow extension elements.
//
// Every write goes through the "spiff.update" command (see command.js), so
// each panel edit is one undoable step and fires elements.changed for the
// selected element, which refreshes the panel.

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export { getBusinessObject, is };

export const SPIFF_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core';

// isAny reports whether bo is one of types.
export function isAny(bo, types) {
  return types.some((t) => is(bo, t));
}

// extensionValues returns the children of bo's extensionElements.
export function extensionValues(bo) {
  const ext = bo && bo.get('extensionElements');
  return (ext && ext.get('values')) || [];
}

// findExtension returns the first extension element of type, or undefined.
export function findExtension(bo, type) {
  return extensionValues(bo).find((v) => is(v, type));
}

// findExtensions returns every extension element of type.
export function findExtensions(bo, type) {
  return extensionValues(bo).filter((v) => is(v, type));
}

// Changes collects property changes on moddle objects and runs them as one
// command. Targets are moddle elements; each change sets props on one.
export class Changes {
  constructor(injector, element) {
    this.commandStack = injector.get('commandStack');
    this.bpmnFactory = injector.get('bpmnFactory');
    this.element = element;
    this.list = [];
  }

  set(target, props) {
    this.list.push({ target, props });
    // Apply to a pending view so later steps see earlier ones.
    return this;
  }

  create(type, props, parent) {
    const el = this.bpmnFactory.create(type, props);
    if (parent) {
      el.$parent = parent;
    }
    return el;
  }

  // ensureExtensions returns bo's extensionElements, creating it in this
  // change set when missing.
  ensureExtensions(bo) {
    let ext = bo.get('extensionElements');
    if (!ext) {
      ext = this.pendingExt && this.pendingExt.get(bo);
      if (!ext) {
        ext = this.create('bpmn:ExtensionElements', { values: [] }, bo);
        this.pendingExt = this.pendingExt || new Map();
        this.pendingExt.set(bo, ext);
        this.set(bo, { extensionElements: ext });
      }
    }
    return ext;
  }

  // extensionValuesAfter returns the extension values as this change set
  // leaves them so far.
  currentValues(bo) {
    const ext = bo.get('extensionElements') || (this.pendingExt && this.pendingExt.get(bo));
    if (!ext) {
      return [];
    }
    for (let i = this.list.length - 1; i >= 0; i--) {
      const c = this.list[i];
      if (c.target === ext && 'values' in c.props) {
        return c.props.values;
      }
    }
    return ext.get('values') || [];
  }

  // putExtension replaces (or adds) the first extension of type on bo with
  // child; child null removes it. An extensionElements left empty is
  // removed too.
  putExtension(bo, type, child) {
    const values = this.currentValues(bo).slice();
    const i = values.findIndex((v) => is(v, type));
    if (child) {
      const ext = this.ensureExtensions(bo);
      child.$parent = ext;
      if (i >= 0) {
        values[i] = child;
      } else {
        values.push(child);
      }
      this.set(ext, { values });
      return this;
    }
    if (i < 0) {
      return this;
    }
    values.splice(i, 1);
    const ext = bo.get('extensionElements');
    this.set(ext, { values });
    if (!values.length && !hasOwnContent(ext)) {
      this.set(bo, { extensionElements: undefined });
    }
    return this;
  }

  run() {
    if (!this.list.length) {
      return;
    }
    this.commandStack.execute('spiff.update', { element: this.element, changes: this.list });
  }
}

// hasOwnContent reports whether an extensionElements carries attributes
// worth keeping even with no children.
function hasOwnContent(ext) {
  return ext && Object.keys(ext.$attrs || {}).length > 0;
}

// setBodyExtension writes text into the first extension of type on bo
// (created when missing); empty text removes it.
export function setBodyExtension(injector, element, bo, type, text) {
  const c = new Changes(injector, element);
  const existing = findExtension(bo, type);
  if (text === undefined || text === null || text === '') {
    c.putExtension(bo, type, null);
  } else if (existing) {
    c.set(existing, { value: text });
  } else {
    c.putExtension(bo, type, c.create(type, { value: text }));
  }
  c.run();
}

export function bodyExtension(bo, type) {
  const e = findExtension(bo, type);
  return (e && e.get('value')) || '';
}

// spiffProperty returns the value of <spiffworkflow:property name=...>.
export function spiffProperty(bo, name) {
  const props = findExtension(bo, 'spiffworkflow:Properties');
  const p = props && props.get('properties').find((p) => p.get('name') === name);
  return p ? p.get('value') || '' : '';
}

// setSpiffProperties sets several named properties at once; an empty value
// removes the property, and an empty properties element is removed.
export function setSpiffProperties(injector, element, bo, values) {
  const c = new Changes(injector, element);
  const existing = findExtension(bo, 'spiffworkflow:Properties');
  const list = existing ? existing.get('properties').slice() : [];
  for (const [name, value] of Object.entries(values)) {
    const i = list.findIndex((p) => p.get('name') === name);
    if (!value) {
      if (i >= 0) {
        list.splice(i, 1);
      }
    } else if (i >= 0) {
      c.set(list[i], { value });
    } else {
      list.push(c.create('spiffworkflow:Property', { name, value }));
    }
  }
  if (existing) {
    if (list.length) {
      list.forEach((p) => (p.$parent = existing));
      c.set(existing, { properties: list });
    } else {
      c.putExtension(bo, 'spiffworkflow:Properties', null);
    }
  } else if (list.length) {
    const props = c.create('spiffworkflow:Properties', { properties: list });
    list.forEach((p) => (p.$parent = props));
    c.putExtension(bo, 'spiffworkflow:Properties', props);
  }
  c.run();
}

// definitionsOf returns the bpmn:Definitions above bo.
export function definitionsOf(bo) {
  let d = bo;
  while (d && !is(d, 'bpmn:Definitions')) {
    d = d.$parent;
  }
  return d;
}

// rootElementsOfType lists the definitions' root elements of type.
export function rootElementsOfType(bo, type) {
  const d = definitionsOf(bo);
  return d ? d.get('rootElements').filter((r) => is(r, type)) : [];
}

// nextId returns prefix_N not yet used in the diagram.
export function nextId(bo, prefix) {
  const d = definitionsOf(bo);
  const used = new Set();
  const walk = (o) => {
    if (!o || typeof o !== 'object' || used.has(o)) {
      return;
    }
    if (o.id) {
      used.add(o.id);
    }
    for (const k of Object.keys(o)) {
      if (k.startsWith('$') || k === 'di') {
        continue;
      }
      const v = o[k];
      if (Array.isArray(v)) {
        v.forEach(walk);
      } else if (v && typeof v === 'object' && v.$type && v.$parent === o) {
        walk(v);
      }
    }
  };
  walk(d);
  let n = 1;
  while (used.has(prefix + '_' + n)) {
    n++;
  }
  return prefix + '_' + n;
}

// firstEventDefinition returns the first event definition of bo (or
// undefined).
export function firstEventDefinition(bo) {
  const defs = bo && bo.get && bo.get('eventDefinitions');
  return defs && defs[0];
}

export function eventDefinitionOfType(bo, type) {
  const defs = (bo && bo.get && bo.get('eventDefinitions')) || [];
  return defs.find((d) => is(d, type));
}
