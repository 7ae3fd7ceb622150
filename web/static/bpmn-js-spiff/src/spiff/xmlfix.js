// XML passes around bpmn-moddle, for what it would otherwise lose:
//
//   - elements in the spiffworkflow namespace that the descriptor does not
//     declare (written by newer SpiffArena versions): moddle drops unknown
//     types of a known package, so they are moved into a private namespace
//     before import (kept as generic elements) and moved back on export;
//   - bpmn:correlationKey directly under bpmn:definitions (SpiffArena writes
//     its MainCorrelationKey there when there is no collaboration), which
//     bpmn-moddle drops: kept aside on import and written back on export;
//   - messagePath written as <bpmn:formalExpression> by bpmn-moddle.

import { SPIFF_NS } from './helpers.js';

export const KEEP_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core#unknown';
const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

// knownTags lists the element names the descriptor declares.
export function knownTags(descriptor) {
  const tags = new Set();
  for (const t of descriptor.types) {
    if (!t.extends) {
      tags.add(t.name.charAt(0).toLowerCase() + t.name.slice(1));
    }
    for (const p of t.properties || []) {
      if (p.xml && p.xml.serialize === 'property') {
        tags.add(p.name);
      }
    }
  }
  // Property tags of declared children.
  tags.add('parameters');
  return tags;
}

function parse(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) {
    return null;
  }
  return doc;
}

function serialize(doc, original) {
  let out = new XMLSerializer().serializeToString(doc);
  if (out.startsWith('<?xml')) {
    out = out.replace(/^(<\?xml[^>]*\?>)\s*/, '$1\n');
  } else {
    const m = /^<\?xml[^>]*\?>\s*/.exec(original);
    out = (m ? m[0].trimEnd() + '\n' : '<?xml version="1.0" encoding="UTF-8"?>\n') + out;
  }
  return out;
}

function rename(doc, el, ns, qname) {
  const copy = doc.createElementNS(ns, qname);
  for (const a of Array.from(el.attributes)) {
    if (a.namespaceURI) {
      copy.setAttributeNS(a.namespaceURI, a.name, a.value);
    } else {
      copy.setAttribute(a.name, a.value);
    }
  }
  while (el.firstChild) {
    copy.appendChild(el.firstChild);
  }
  el.parentNode.replaceChild(copy, el);
  return copy;
}

// prepareImport returns the XML to hand to bpmn-js and what it keeps
// aside: {xml, keys: [{id, name, refs: [ids]}]}.
export function prepareImport(xml, known) {
  if (!xml.includes(SPIFF_NS) && !/correlationKey/.test(xml)) {
    return { xml, keys: [] };
  }
  const doc = parse(xml);
  if (!doc) {
    return { xml, keys: [] };
  }
  let changed = false;
  const unknown = Array.from(doc.getElementsByTagNameNS(SPIFF_NS, '*')).filter((el) => !known.has(el.localName));
  // Only the outermost unknown elements move; their children move along.
  for (const el of unknown) {
    let p = el.parentNode;
    let nested = false;
    while (p && p.nodeType === 1) {
      if (p.namespaceURI === SPIFF_NS && !known.has(p.localName)) {
        nested = true;
        break;
      }
      p = p.parentNode;
    }
    if (!nested) {
      rename(doc, el, KEEP_NS, 'spiffkeep:' + el.localName);
      changed = true;
    }
  }
  const keys = [];
  const root = doc.documentElement;
  for (const el of Array.from(root.children)) {
    if (el.namespaceURI === BPMN_NS && el.localName === 'correlationKey') {
      const refs = Array.from(el.children).filter((c) => c.localName === 'correlationPropertyRef').map((c) => c.textContent.trim());
      keys.push({ id: el.getAttribute('id') || '', name: el.getAttribute('name') || '', refs });
      root.removeChild(el);
      changed = true;
    }
  }
  return { xml: changed ? serialize(doc, xml) : xml, keys };
}

// finishExport undoes prepareImport on the XML bpmn-js wrote.
export function finishExport(xml, keys) {
  if (!xml.includes(KEEP_NS) && !keys.length && !xml.includes('formalExpression>')) {
    return xml;
  }
  const doc = parse(xml);
  if (!doc) {
    return xml;
  }
  const root = doc.documentElement;
  // bpmn-moddle writes the messagePath of a retrieval expression (and the
  // dataPath of a correlation binding) under its type name,
  // <bpmn:formalExpression>, which no BPMN reader expects.
  for (const el of Array.from(doc.getElementsByTagNameNS(BPMN_NS, 'formalExpression'))) {
    const parent = el.parentNode && el.parentNode.localName;
    const name = parent === 'correlationPropertyRetrievalExpression' ? 'messagePath' : parent === 'correlationPropertyBinding' ? 'dataPath' : null;
    if (name) {
      rename(doc, el, BPMN_NS, (el.prefix ? el.prefix + ':' : '') + name);
    }
  }
  const kept = Array.from(doc.getElementsByTagNameNS(KEEP_NS, '*'));
  for (const el of kept) {
    rename(doc, el, SPIFF_NS, 'spiffworkflow:' + el.localName);
  }
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const a of Array.from(el.attributes)) {
      if (a.name.startsWith('xmlns:') && a.value === KEEP_NS) {
        el.removeAttribute(a.name);
      }
    }
  }
  if (!root.hasAttribute('xmlns:spiffworkflow') && kept.length) {
    root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:spiffworkflow', SPIFF_NS);
  }
  if (keys.length) {
    const prefix = root.prefix ? root.prefix + ':' : '';
    const before = Array.from(root.children).find((c) => c.localName === 'BPMNDiagram') || null;
    const indent = /\n( +)</.exec(xml);
    const pad = indent ? indent[1] : '';
    for (const k of keys) {
      const el = doc.createElementNS(BPMN_NS, prefix + 'correlationKey');
      if (k.id) {
        el.setAttribute('id', k.id);
      }
      if (k.name) {
        el.setAttribute('name', k.name);
      }
      for (const r of k.refs) {
        el.appendChild(doc.createTextNode('\n' + pad + pad));
        const ref = doc.createElementNS(BPMN_NS, prefix + 'correlationPropertyRef');
        ref.textContent = r;
        el.appendChild(ref);
      }
      if (k.refs.length) {
        el.appendChild(doc.createTextNode('\n' + pad));
      }
      root.insertBefore(el, before);
      root.insertBefore(doc.createTextNode('\n' + pad), before);
    }
  }
  return serialize(doc, xml);
}
