// Entry of the modeler page: bpmn-js with the properties panel and the
// spiffworkflow module, wired to the Waymark server. The page passes its
// data in a JSON block (#modeler-config); no inline script is needed.

import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import spiffModdle from './moddle/spiffworkflow.json';
import SpiffModule from './spiff/index.js';
import { Host } from './spiff/host.js';
import { TestRun } from './run.js';
import { finishExport, knownTags, prepareImport } from './spiff/xmlfix.js';
import { newDiagram } from './template.js';
import './modeler.css';

const known = knownTags(spiffModdle);

// The Spiff groups start open: they are what analysts edit most.
const OPEN_GROUPS = Object.fromEntries([
  'spiff_script', 'spiff_pre_post_scripts', 'instructions', 'user_task_properties', 'service_task_properties',
  'called_element', 'business_rule_properties', 'messages', 'signal', 'error', 'escalation', 'timer', 'conditions',
  'spiff_lane', 'signal_button', 'multiInstance', 'spiff_data_object_reference', 'custom-datastore-properties',
].map((id) => [id, { open: true }]));

// createModeler builds a modeler in container with its panel in panel.
export function createModeler(container, panel, host) {
  const modeler = new BpmnModeler({
    container,
    propertiesPanel: panel ? { parent: panel, layout: { groups: OPEN_GROUPS } } : undefined,
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      SpiffModule,
      { spiffHost: ['value', host] },
    ],
    moddleExtensions: { spiffworkflow: spiffModdle },
  });
  const state = modeler.get('spiffState');
  // importSpiff and exportSpiff wrap importXML/saveXML with the passes
  // that keep what bpmn-moddle would drop.
  modeler.importSpiff = async (xml) => {
    const prepared = prepareImport(xml, known);
    state.keys = prepared.keys;
    const result = await modeler.importXML(prepared.xml);
    // Definitions-level keys reference the correlation property objects,
    // so renames carry over.
    const props = modeler.getDefinitions().get('rootElements').filter((r) => r.$type === 'bpmn:CorrelationProperty');
    for (const k of state.keys) {
      k.refs = [...new Set(k.refs)].map((id) => props.find((p) => p.get('id') === id) || id);
    }
    return result;
  };
  modeler.exportSpiff = async () => {
    const { xml } = await modeler.saveXML({ format: true });
    const defs = modeler.getDefinitions();
    const live = new Set(defs ? defs.get('rootElements') : []);
    const keys = state.keys.map((k) => ({
      ...k,
      // Properties deleted since are dropped from the key.
      refs: k.refs.filter((r) => typeof r === 'string' || live.has(r)).map((r) => (typeof r === 'string' ? r : r.get('id'))),
    }));
    return finishExport(xml, keys);
  };
  return modeler;
}

// newProcessId makes a process id for a new file: from the file name, with
// a random suffix so that it stays unique across the repository.
function newProcessId(file) {
  const base = file.replace(/\.bpmn$/i, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'process';
  const rnd = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => (b % 36).toString(36)).join('');
  return 'Process_' + base + '_' + rnd;
}

function storageKey(cfg) {
  return 'waymark.modeler.draft:' + cfg.model + '/' + cfg.file;
}

class Page {
  constructor(root, cfg) {
    this.root = root;
    this.cfg = cfg;
    this.host = new Host(cfg);
    this.dirty = false;
    this.saving = false;
    // changes counts commandStack.changed events: a save clears the dirty
    // flag and the local copy only when nothing changed since its export.
    this.changes = 0;
    this.problems = [];
    this.overlays = [];
    this.status = root.querySelector('[data-status]');
    this.problemList = root.querySelector('[data-problems]');
    this.modeler = createModeler(root.querySelector('[data-canvas]'), root.querySelector('[data-panel]'), this.host);
    const runPanel = root.querySelector('[data-run-panel]');
    this.testRun = runPanel ? new TestRun(this, runPanel) : null;
    this.wire();
  }

  $(sel) {
    return this.root.querySelector(sel);
  }

  // panelReady resolves once the properties panel shows an element (the
  // root, after an import) and has been painted: the panel renders after
  // the import, in its own update.
  async panelReady() {
    const panel = this.$('[data-panel]');
    if (!panel || !this.opened) {
      return;
    }
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const deadline = performance.now() + 10000;
    while (!panel.querySelector('.bio-properties-panel-header .bio-properties-panel-header-type') || !panel.querySelector('.bio-properties-panel-group')) {
      if (performance.now() > deadline) {
        return;
      }
      await frame();
    }
    // The frame in which the panel first shows, then the paint after it.
    await frame();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  setStatus(text, kind) {
    if (this.status) {
      this.status.textContent = text;
      this.status.className = 'modeler-status' + (kind ? ' ' + kind : '');
    }
  }

  async load() {
    let xml = null;
    let fromServer = null;
    if (!this.cfg.isNew) {
      const r = await fetch(this.host.url('/api/process-models/' + this.host.modelPath() + '/files/' + encodeURIComponent(this.cfg.file)), {
        credentials: 'same-origin',
      });
      if (r.status === 404) {
        // Not there yet: this page creates it.
        this.cfg.isNew = true;
      } else if (!r.ok) {
        this.setStatus('Could not load ' + this.cfg.file + ' (HTTP ' + r.status + ').', 'bad');
        return;
      } else {
        fromServer = await r.text();
        xml = fromServer;
      }
    }
    if (this.cfg.isNew) {
      this.cfg.processId = this.cfg.processId || newProcessId(this.cfg.file);
      xml = newDiagram(this.cfg.processId, '');
    }
    const draft = this.readDraft();
    if (draft && draft.xml !== fromServer) {
      xml = draft.xml;
      this.showDraftNotice(draft, fromServer);
    }
    await this.open(xml);
    if (draft && draft.xml !== fromServer) {
      this.markDirty();
    } else if (this.cfg.isNew) {
      this.markDirty();
      this.setStatus('New diagram: not saved yet.');
    }
  }

  async open(xml) {
    try {
      const { warnings } = await this.modeler.importSpiff(xml);
      this.modeler.get('canvas').zoom('fit-viewport', 'auto');
      if (warnings.length) {
        console.warn('import warnings', warnings);
      }
      this.dirty = false;
      this.opened = true;
      this.updateButtons();
      this.setStatus('Opened ' + this.cfg.file + '.');
    } catch (err) {
      this.setStatus('This file could not be opened as BPMN: ' + err.message, 'bad');
    }
  }

  readDraft() {
    try {
      const raw = localStorage.getItem(storageKey(this.cfg));
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  writeDraft(xml) {
    try {
      localStorage.setItem(storageKey(this.cfg), JSON.stringify({ xml, at: new Date().toISOString() }));
    } catch (e) {
      // Storage full or disabled: the diagram is still in the page.
    }
  }

  clearDraft() {
    try {
      localStorage.removeItem(storageKey(this.cfg));
    } catch (e) {
      // ignore
    }
  }

  showDraftNotice(draft, fromServer) {
    const box = this.$('[data-draft-notice]');
    if (!box) {
      return;
    }
    box.hidden = false;
    box.querySelector('[data-draft-time]').textContent = new Date(draft.at).toLocaleString();
    box.querySelector('[data-action="discard-draft"]').onclick = async () => {
      this.clearDraft();
      box.hidden = true;
      await this.open(fromServer || newDiagram(this.cfg.processId || newProcessId(this.cfg.file), ''));
      if (this.cfg.isNew) {
        this.markDirty();
      }
    };
  }

  markDirty() {
    this.dirty = true;
    this.updateButtons();
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(async () => {
      if (!this.dirty) {
        return;
      }
      const xml = await this.modeler.exportSpiff();
      // A save may have finished while the XML was written.
      if (this.dirty) {
        this.writeDraft(xml);
      }
    }, 500);
  }

  updateButtons() {
    const stack = this.modeler.get('commandStack');
    const set = (action, enabled) => {
      const b = this.$('[data-action="' + action + '"]');
      if (b) {
        b.disabled = !enabled;
      }
    };
    set('undo', stack.canUndo());
    set('redo', stack.canRedo());
    this.root.classList.toggle('is-dirty', this.dirty);
    const save = this.$('[data-action="save"]');
    if (save) {
      save.textContent = this.dirty ? 'Save' : 'Saved';
    }
  }

  async save(draft) {
    if (this.saving) {
      return;
    }
    this.saving = true;
    this.setStatus('Saving…');
    const exported = this.changes;
    let xml;
    try {
      xml = await this.modeler.exportSpiff();
    } catch (err) {
      this.saving = false;
      this.setStatus('The diagram could not be written: ' + err.message, 'bad');
      return;
    }
    // Keep a copy before the request: a refused or failed save never
    // loses the diagram.
    this.writeDraft(xml);
    let r;
    try {
      r = await this.host.fetchJSON('/api/process-models/' + this.host.modelPath() + '/files/' + encodeURIComponent(this.cfg.file) + (draft ? '?draft=1' : ''), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/xml' },
        body: xml,
      });
    } catch (err) {
      this.saving = false;
      this.setStatus('Not saved: the server could not be reached. Your diagram is kept in this browser.', 'bad');
      return;
    }
    this.saving = false;
    const data = r.data && typeof r.data === 'object' ? r.data : {};
    this.showProblems(data.problems || []);
    if (r.ok && data.saved !== false) {
      this.cfg.isNew = false;
      const n = (data.problems || []).length;
      const what = draft ? 'Saved as a draft' : 'Saved';
      if (this.changes === exported) {
        this.clearDraft();
        this.dirty = false;
        this.updateButtons();
        this.setStatus(n ? what + ' with ' + n + ' problem' + (n === 1 ? '' : 's') + ' to fix.' : what + '.', n ? 'warn' : 'ok');
      } else {
        // The analyst edited while the request was on its way: the server
        // has the diagram as it was, the page and the local copy have more.
        this.markDirty();
        this.setStatus(what + ' as it was when you pressed Save; later changes are not saved yet.', 'warn');
      }
      this.$('[data-action="save-draft"]').hidden = true;
      this.root.dispatchEvent(new CustomEvent('modeler.saved', { bubbles: true }));
      return;
    }
    if (r.status === 422) {
      const n = (data.problems || []).length;
      this.setStatus('Not saved: ' + n + ' problem' + (n === 1 ? '' : 's') + ' found. Fix them, or save as a draft.', 'bad');
      this.$('[data-action="save-draft"]').hidden = false;
    } else {
      this.setStatus('Not saved: ' + (data.message || 'HTTP ' + r.status) + '. Your diagram is kept in this browser.', 'bad');
    }
    this.root.dispatchEvent(new CustomEvent('modeler.refused', { bubbles: true }));
  }

  showProblems(problems) {
    const canvas = this.modeler.get('canvas');
    const overlays = this.modeler.get('overlays');
    const registry = this.modeler.get('elementRegistry');
    for (const p of this.problems) {
      if (p.element && registry.get(p.element)) {
        canvas.removeMarker(p.element, 'wm-problem');
      }
    }
    overlays.remove({ type: 'wm-problem' });
    this.problems = problems;
    const list = this.problemList;
    list.replaceChildren();
    const section = this.$('[data-problems-section]');
    section.hidden = !problems.length;
    if (!problems.length) {
      this.$('[data-action="save-draft"]').hidden = true;
    }
    const counts = {};
    for (const p of problems) {
      const el = p.element && registry.get(p.element);
      if (el) {
        canvas.addMarker(el, 'wm-problem');
        counts[p.element] = (counts[p.element] || 0) + 1;
      }
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'wm-problem-item';
      b.dataset.element = p.element || '';
      const where = [p.element, p.line ? 'line ' + p.line : '', p.file && p.file !== this.cfg.file ? p.file : ''].filter(Boolean).join(', ');
      b.textContent = (where ? where + ': ' : '') + p.message;
      b.onclick = () => {
        if (el) {
          this.modeler.get('selection').select(el);
          canvas.scrollToElement(el);
        }
      };
      b.disabled = !el;
      li.appendChild(b);
      list.appendChild(li);
    }
    for (const [id, n] of Object.entries(counts)) {
      const badge = document.createElement('div');
      badge.className = 'wm-problem-badge';
      badge.textContent = String(n);
      badge.title = problems.filter((p) => p.element === id).map((p) => p.message).join('\n');
      overlays.add(id, 'wm-problem', { position: { top: -10, right: 10 }, html: badge });
    }
  }

  download(name, href) {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  baseName() {
    return this.cfg.file.replace(/\.bpmn$/i, '');
  }

  async exportSVG() {
    const { svg } = await this.modeler.saveSVG();
    this.download(this.baseName() + '.svg', 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg));
  }

  async exportPNG() {
    const { svg } = await this.modeler.saveSVG();
    const img = new Image();
    const loaded = new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = reject;
    });
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    await loaded;
    const scale = 2;
    const c = document.createElement('canvas');
    c.width = Math.max(1, img.naturalWidth * scale);
    c.height = Math.max(1, img.naturalHeight * scale);
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(img, 0, 0, c.width, c.height);
    this.download(this.baseName() + '.png', c.toDataURL('image/png'));
  }

  async exportBPMN() {
    const xml = await this.modeler.exportSpiff();
    this.download(this.cfg.file, 'data:application/xml;charset=utf-8,' + encodeURIComponent(xml));
  }

  newDiagram() {
    const box = this.$('[data-new-diagram]');
    box.hidden = !box.hidden;
    if (!box.hidden) {
      box.querySelector('input').focus();
    }
  }

  wire() {
    const bus = this.modeler.get('eventBus');
    bus.on('commandStack.changed', () => {
      this.changes++;
      this.markDirty();
    });
    bus.on('import.done', () => this.updateButtons());
    const canvas = this.modeler.get('canvas');
    const zoomBy = (f) => canvas.zoom(Math.min(4, Math.max(0.2, canvas.zoom() * f)));
    const actions = {
      save: () => this.save(false),
      'save-draft': () => this.save(true),
      undo: () => this.modeler.get('commandStack').undo(),
      redo: () => this.modeler.get('commandStack').redo(),
      'zoom-in': () => zoomBy(1.2),
      'zoom-out': () => zoomBy(1 / 1.2),
      'zoom-reset': () => canvas.zoom(1),
      fit: () => canvas.zoom('fit-viewport', 'auto'),
      'export-svg': () => this.exportSVG(),
      'export-png': () => this.exportPNG(),
      'export-bpmn': () => this.exportBPMN(),
      'new-diagram': () => this.newDiagram(),
      'test-run': () => this.testRun && this.testRun.start(),
      'run-restart': () => this.testRun && this.testRun.start(),
      'run-close': () => this.testRun && this.testRun.close(),
      'run-save': () => this.testRun && this.testRun.save(),
    };
    this.root.addEventListener('click', (e) => {
      const b = e.target.closest('[data-action]');
      if (b && actions[b.dataset.action] && this.root.contains(b)) {
        e.preventDefault();
        actions[b.dataset.action]();
      }
    });
    const form = this.$('[data-new-diagram]');
    if (form) {
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        let name = form.querySelector('input').value.trim();
        if (!name) {
          return;
        }
        if (!/\.bpmn$/i.test(name)) {
          name += '.bpmn';
        }
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
          form.querySelector('[data-new-error]').textContent = 'Use letters, digits, "-", "_" or "." in the file name.';
          return;
        }
        window.location.href = this.host.modelerURL(this.cfg.model, name);
      });
    }
    document.addEventListener('keydown', (e) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 's') {
        e.preventDefault();
        this.save(false);
      }
    });
    window.addEventListener('beforeunload', (e) => {
      if (this.dirty) {
        e.preventDefault();
        e.returnValue = '';
      }
    });
  }
}

function boot() {
  const root = document.querySelector('[data-modeler]');
  const cfgEl = document.getElementById('modeler-config');
  if (!root || !cfgEl) {
    return;
  }
  const cfg = JSON.parse(cfgEl.textContent);
  const page = new Page(root, cfg);
  // Tests and the browser console reach the modeler here.
  window.waymarkModeler = page;
  // data-ready: the diagram is in, fitted, and the panel has rendered.
  page.load()
    .then(() => page.panelReady())
    .then(() => root.setAttribute('data-ready', 'true'));
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot);
} else {
  boot();
}
