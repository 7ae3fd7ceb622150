// Entry of the read-only diagram on instance pages. Every element with
// [data-bpmn-viewer] gets a viewer: data-xml-url names the BPMN to show,
// and data-marks holds JSON {elementId: state} (states become CSS classes
// such as wm-state-completed).

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import spiffModdle from './moddle/spiffworkflow.json';
import './viewer.css';

async function show(el) {
  const viewer = new NavigatedViewer({ container: el, moddleExtensions: { spiffworkflow: spiffModdle } });
  el.waymarkViewer = viewer;
  try {
    const r = await fetch(el.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!r.ok) {
      throw new Error('HTTP ' + r.status);
    }
    await viewer.importXML(await r.text());
    const canvas = viewer.get('canvas');
    canvas.zoom('fit-viewport', 'auto');
    const marks = el.dataset.marks ? JSON.parse(el.dataset.marks) : {};
    const registry = viewer.get('elementRegistry');
    for (const [id, state] of Object.entries(marks)) {
      if (registry.get(id)) {
        canvas.addMarker(id, 'wm-state-' + String(state).toLowerCase().replace(/[^a-z0-9-]/g, '-'));
      }
    }
    el.setAttribute('data-ready', 'true');
  } catch (err) {
    const p = document.createElement('p');
    p.className = 'wm-bad';
    // A BPMN file may hold processes without any layout (no
    // bpmndi:BPMNDiagram): it runs, but there is nothing to draw.
    p.textContent = /no diagram to display/.test(err.message)
      ? 'This BPMN file has no diagram layout (no BPMNDiagram), so there is nothing to draw; the path taken below lists what ran.'
      : 'The diagram could not be shown: ' + err.message;
    el.replaceChildren(p);
  }
}

function boot() {
  document.querySelectorAll('[data-bpmn-viewer]').forEach(show);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot);
} else {
  boot();
}
