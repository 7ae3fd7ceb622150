// Entry of the decision editor page: dmn-js (decision requirement graphs,
// decision tables, literal expressions) wired to the Waymark server. It
// saves through the same endpoint, server validation, draft save, local
// copy and unsaved-changes guard as the BPMN modeler. The page passes its
// data in a JSON block (#decision-editor-config); no inline script.

import DmnModeler from 'dmn-js/lib/Modeler';
import { StyleModule } from 'style-mod';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn.css';
import './editor.css';

// CodeMirror (the literal expression and FEEL editors) mounts its themes
// as <style> elements, which the page's Content-Security-Policy (no inline
// styles) refuses. Mounting them into one constructed style sheet instead
// goes through the CSS object model, which the policy allows.
const cmSheet = typeof CSSStyleSheet !== 'undefined' ? new CSSStyleSheet() : null;
const cmMounted = new Set();
if (cmSheet) {
  StyleModule.mount = (root, modules) => {
    const doc = root.ownerDocument || root;
    for (const mod of [modules].flat(Infinity)) {
      if (!mod || cmMounted.has(mod)) {
        continue;
      }
      cmMounted.add(mod);
      // Later modules win, as style-mod orders them.
      for (const rule of mod.rules) {
        cmSheet.insertRule(rule, cmSheet.cssRules.length);
      }
    }
    if (doc.adoptedStyleSheets && !doc.adoptedStyleSheets.includes(cmSheet)) {
      doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, cmSheet];
    }
  };
}

function storageKey(cfg) {
  return 'waymark.decisions.draft:' + cfg.model + '/' + cfg.file;
}

function modelPath(model) {
  return encodeURIComponent(String(model || '').replaceAll('/', ':')).replaceAll('%3A', ':');
}

// viewLabel names a view tab: the graph, or the decision by name.
function viewLabel(view) {
  if (view.type === 'drd') {
    return 'Requirements graph';
  }
  const el = view.element || {};
  const kind = { decisionTable: 'table', literalExpression: 'expression', boxedExpression: 'expression' }[view.type] || view.type;
  return (el.name || el.id || '?') + ' (' + kind + ')';
}

class Page {
  constructor(root, cfg) {
    this.root = root;
    this.cfg = cfg;
    this.dirty = false;
    this.saving = false;
    this.changes = 0;
    this.problems = [];
    this.hooked = new WeakSet();
    this.status = root.querySelector('[data-status]');
    this.modeler = new DmnModeler({
      container: root.querySelector('[data-canvas]'),
    });
    this.wire();
  }

  $(sel) {
    return this.root.querySelector(sel);
  }

  url(path) {
    return (this.cfg.prefix || '') + path;
  }

  fileURL() {
    return this.url('/api/process-models/' + modelPath(this.cfg.model) + '/files/' + encodeURIComponent(this.cfg.file));
  }

  setStatus(text, kind) {
    if (this.status) {
      this.status.textContent = text;
      this.status.className = 'dmn-editor-status' + (kind ? ' ' + kind : '');
    }
  }

  async load() {
    const r = await fetch(this.fileURL(), { credentials: 'same-origin' });
    if (!r.ok) {
      this.setStatus('Could not load ' + this.cfg.file + ' (HTTP ' + r.status + ').', 'bad');
      return;
    }
    const fromServer = await r.text();
    let xml = fromServer;
    const draft = this.readDraft();
    if (draft && draft.xml !== fromServer) {
      xml = draft.xml;
      this.showDraftNotice(draft, fromServer);
    }
    await this.open(xml);
    if (draft && draft.xml !== fromServer) {
      this.markDirty();
    }
  }

  async open(xml) {
    try {
      const { warnings } = await this.modeler.importXML(xml);
      this.showDropped(warnings);
      this.dirty = false;
      this.opened = true;
      this.updateButtons();
      this.renderViews();
      this.setStatus('Opened ' + this.cfg.file + '.');
    } catch (err) {
      this.setStatus('This file could not be opened as DMN: ' + err.message, 'bad');
    }
  }

  // openView switches to the view of the element with this id (a decision)
  // or to the graph when id is empty.
  async openView(id) {
    const view = this.modeler.getViews().find((v) => (id ? v.element && v.element.id === id && v.type !== 'drd' : v.type === 'drd'));
    if (view) {
      await this.modeler.open(view);
    }
    return !!view;
  }

  renderViews() {
    const box = this.$('[data-views]');
    if (!box) {
      return;
    }
    const active = this.modeler.getActiveView();
    box.replaceChildren();
    for (const view of this.modeler.getViews()) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = viewLabel(view);
      b.dataset.view = view.type === 'drd' ? '' : view.element.id;
      b.setAttribute('aria-pressed', String(active === view || (active && active.element === view.element && active.type === view.type)));
      b.onclick = () => this.modeler.open(view);
      box.appendChild(b);
    }
  }

  // showDropped lists what the file holds that dmn-js cannot read (foreign
  // elements outside extensionElements): saving would drop it, so Save
  // waits until the analyst agrees. Foreign attributes and extension
  // elements are kept by dmn-js and need no notice.
  showDropped(warnings) {
    const box = this.$('[data-dropped]');
    this.dropped = warnings.map((w) => String(w.message || w).split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ').trim());
    if (!box) {
      return;
    }
    box.hidden = !this.dropped.length;
    const list = box.querySelector('ul');
    list.replaceChildren();
    for (const text of this.dropped) {
      const li = document.createElement('li');
      li.textContent = text;
      list.appendChild(li);
    }
    box.querySelector('input[type="checkbox"]').checked = false;
  }

  // mayDrop reports whether saving may go ahead: nothing unknown, or the
  // analyst ticked that it may be dropped.
  mayDrop() {
    if (!this.dropped || !this.dropped.length) {
      return true;
    }
    const box = this.$('[data-dropped]');
    return !!(box && box.querySelector('input[type="checkbox"]').checked);
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
      // Storage full or disabled: the decisions are still in the page.
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
      await this.open(fromServer);
    };
  }

  async exportXML() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  markDirty() {
    this.dirty = true;
    this.updateButtons();
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(async () => {
      if (!this.dirty) {
        return;
      }
      const xml = await this.exportXML();
      if (this.dirty) {
        this.writeDraft(xml);
      }
    }, 500);
  }

  updateButtons() {
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
    if (!this.mayDrop()) {
      this.setStatus('Not saved: this file holds parts the editor cannot keep (listed above). Tick the box to save without them.', 'bad');
      return;
    }
    this.saving = true;
    this.setStatus('Saving…');
    const exported = this.changes;
    let xml;
    try {
      xml = await this.exportXML();
    } catch (err) {
      this.saving = false;
      this.setStatus('The decisions could not be written: ' + err.message, 'bad');
      return;
    }
    // Keep a copy before the request: a refused or failed save never
    // loses the work.
    this.writeDraft(xml);
    let r;
    let data = {};
    try {
      r = await fetch(this.fileURL() + (draft ? '?draft=1' : ''), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/xml', Accept: 'application/json', 'X-CSRF-Token': this.cfg.csrf || '' },
        body: xml,
        credentials: 'same-origin',
      });
      if ((r.headers.get('Content-Type') || '').includes('json')) {
        data = (await r.json()) || {};
      }
    } catch (err) {
      this.saving = false;
      this.setStatus('Not saved: the server could not be reached. Your changes are kept in this browser.', 'bad');
      return;
    }
    this.saving = false;
    this.showProblems(data.problems || []);
    const n = (data.problems || []).length;
    if (r.ok && data.saved !== false) {
      const what = draft ? 'Saved as a draft' : 'Saved';
      if (this.changes === exported) {
        this.clearDraft();
        this.dirty = false;
        this.updateButtons();
        this.setStatus(n ? what + ' with ' + n + ' problem' + (n === 1 ? '' : 's') + ' to fix.' : what + '.', n ? 'warn' : 'ok');
      } else {
        this.markDirty();
        this.setStatus(what + ' as it was when you pressed Save; later changes are not saved yet.', 'warn');
      }
      this.$('[data-action="save-draft"]').hidden = true;
      this.root.dispatchEvent(new CustomEvent('decisions.saved', { bubbles: true }));
      return;
    }
    if (r.status === 422) {
      this.setStatus('Not saved: ' + n + ' problem' + (n === 1 ? '' : 's') + ' found. Fix them, or save as a draft.', 'bad');
      this.$('[data-action="save-draft"]').hidden = false;
    } else {
      this.setStatus('Not saved: ' + (data.message || 'HTTP ' + r.status) + '. Your changes are kept in this browser.', 'bad');
    }
    this.root.dispatchEvent(new CustomEvent('decisions.refused', { bubbles: true }));
  }

  // showProblems lists the problems and marks what they name in the
  // current view: decision shapes in the graph, rules, columns and cells
  // in a table.
  showProblems(problems) {
    this.problems = problems;
    const list = this.$('[data-problems]');
    list.replaceChildren();
    this.$('[data-problems-section]').hidden = !problems.length;
    if (!problems.length) {
      this.$('[data-action="save-draft"]').hidden = true;
    }
    for (const p of problems) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'wm-problem-item';
      b.dataset.element = p.element || '';
      const where = [p.element, p.line ? 'line ' + p.line : ''].filter(Boolean).join(', ');
      b.textContent = (where ? where + ': ' : '') + p.message;
      b.onclick = () => this.reveal(p.element);
      li.appendChild(b);
      list.appendChild(li);
    }
    this.markProblems();
  }

  // reveal opens the view holding element id: its decision's table when
  // the id is a decision or lies inside one, else the graph.
  async reveal(id) {
    if (!id) {
      return;
    }
    const defs = this.modeler.getDefinitions();
    const decision = (defs ? defs.get('drgElement') : []).find((d) => d.id === id || JSON.stringify(this.idsIn(d)).includes('"' + id + '"'));
    await this.openView(decision ? decision.id : '');
    this.markProblems();
  }

  idsIn(el) {
    const out = [];
    const walk = (o, depth) => {
      if (!o || typeof o !== 'object' || depth > 8) {
        return;
      }
      if (typeof o.id === 'string') {
        out.push(o.id);
      }
      for (const k of Object.keys(o)) {
        if (k.startsWith('$')) {
          continue;
        }
        const v = o[k];
        if (Array.isArray(v)) {
          v.forEach((x) => walk(x, depth + 1));
        } else if (v && typeof v === 'object' && v.$type) {
          walk(v, depth + 1);
        }
      }
    };
    walk(el, 0);
    return out;
  }

  markProblems() {
    const container = this.$('[data-canvas]');
    container.querySelectorAll('.wm-problem').forEach((n) => n.classList.remove('wm-problem'));
    const viewer = this.modeler.getActiveViewer();
    for (const p of this.problems) {
      if (!p.element) {
        continue;
      }
      const id = CSS.escape(p.element);
      container.querySelectorAll('[data-element-id="' + id + '"], [data-row-id="' + id + '"], [data-col-id="' + id + '"]').forEach((n) => n.classList.add('wm-problem'));
      if (viewer && this.modeler.getActiveView().type === 'drd') {
        const registry = viewer.get('elementRegistry');
        if (registry.get(p.element)) {
          viewer.get('canvas').addMarker(p.element, 'wm-problem');
        }
      }
    }
  }

  // hookViewer listens to a viewer's command stack once: every edit marks
  // the page dirty.
  hookViewer() {
    const viewer = this.modeler.getActiveViewer();
    if (!viewer || this.hooked.has(viewer)) {
      return;
    }
    this.hooked.add(viewer);
    viewer.get('eventBus').on('commandStack.changed', () => {
      this.changes++;
      this.markDirty();
      // Marks of an earlier evaluation no longer hold.
      this.tried = null;
      this.markHits();
    });
    viewer.get('eventBus').on('elements.changed', () => {
      this.markProblems();
      this.markHits();
      this.renderTry();
    });
  }

  // renderTry fills the test panel for the table in view: one input per
  // column, typed from the column's typeRef; hidden for other views.
  renderTry() {
    const panel = this.$('[data-try-panel]');
    if (!panel) {
      return;
    }
    const view = this.modeler.getActiveView();
    const table = view && view.type === 'decisionTable' ? view.element.decisionLogic : null;
    panel.hidden = !table;
    if (!table) {
      return;
    }
    const decision = view.element.id;
    if (this.tryFor === decision && panel.querySelectorAll('input').length === (table.input || []).length) {
      return;
    }
    this.tryFor = decision;
    const form = panel.querySelector('[data-try-form]');
    form.replaceChildren();
    (table.input || []).forEach((input, i) => {
      const ex = input.inputExpression || {};
      const label = document.createElement('label');
      label.htmlFor = 'try-input-' + i;
      label.textContent = (input.label || ex.text || input.id) + ' (' + (ex.typeRef || 'any') + ')';
      const field = document.createElement('input');
      field.id = 'try-input-' + i;
      field.dataset.tryInput = String(i);
      form.append(label, field);
    });
    const go = document.createElement('button');
    go.type = 'submit';
    go.textContent = 'Evaluate';
    go.dataset.action = 'try-table';
    form.append(go);
    form.onsubmit = (e) => {
      e.preventDefault();
      this.tryTable(decision);
    };
    panel.querySelector('[data-try-result]').replaceChildren();
  }

  // tryTable evaluates the table in view on the server and marks the rows
  // that hit.
  async tryTable(decision) {
    const panel = this.$('[data-try-panel]');
    const out = panel.querySelector('[data-try-result]');
    const inputs = [...panel.querySelectorAll('[data-try-input]')].map((f) => f.value);
    out.textContent = 'Evaluating…';
    let r;
    let data = {};
    try {
      r = await fetch(this.url('/api/decisions/try'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': this.cfg.csrf || '' },
        body: JSON.stringify({ file: this.cfg.file, xml: await this.exportXML(), decision, inputs }),
        credentials: 'same-origin',
      });
      data = (await r.json()) || {};
    } catch (err) {
      out.textContent = 'The server could not be reached: ' + err.message;
      return;
    }
    this.tried = r.ok ? data : null;
    this.markHits();
    out.replaceChildren();
    const p = document.createElement('p');
    if (!r.ok) {
      p.className = 'dmn-editor-status bad';
      p.textContent = data.message || 'HTTP ' + r.status;
      out.append(p);
      return;
    }
    p.dataset.tryHits = data.hits.join(',');
    p.textContent = data.hits.length ? 'Rules that hit: ' + data.hits.map((id) => this.ruleNumber(id)).join(', ') : 'No rule matches: the task data stays unchanged.';
    const pre = document.createElement('pre');
    pre.dataset.tryOutput = '';
    pre.textContent = JSON.stringify(data.result, null, 2);
    out.append(p, pre);
    for (const u of data.unchecked) {
      const note = document.createElement('p');
      note.className = 'muted';
      note.textContent = 'Not reached by the hit policy, and would fail: ' + u;
      out.append(note);
    }
  }

  ruleNumber(id) {
    const view = this.modeler.getActiveView();
    const rules = view && view.element.decisionLogic ? view.element.decisionLogic.rule || [] : [];
    const i = rules.findIndex((r) => r.id === id);
    return i < 0 ? id : String(i + 1);
  }

  markHits() {
    const container = this.$('[data-canvas]');
    container.querySelectorAll('.wm-hit, .wm-used').forEach((n) => n.classList.remove('wm-hit', 'wm-used'));
    if (!this.tried) {
      return;
    }
    for (const [ids, cls] of [[this.tried.hits, 'wm-hit'], [this.tried.used, 'wm-used']]) {
      for (const id of ids) {
        container.querySelectorAll('td[data-row-id="' + CSS.escape(id) + '"]').forEach((n) => n.classList.add(cls));
      }
    }
  }

  wire() {
    this.modeler.on('views.changed', () => {
      this.hookViewer();
      this.renderViews();
      this.renderTry();
      setTimeout(() => {
        this.markProblems();
        this.markHits();
      }, 0);
    });
    const actions = {
      save: () => this.save(false),
      'save-draft': () => this.save(true),
      'export-dmn': async () => {
        const a = document.createElement('a');
        a.href = 'data:application/xml;charset=utf-8,' + encodeURIComponent(await this.exportXML());
        a.download = this.cfg.file;
        document.body.appendChild(a);
        a.click();
        a.remove();
      },
    };
    this.root.addEventListener('click', (e) => {
      const b = e.target.closest('[data-action]');
      if (b && actions[b.dataset.action] && this.root.contains(b)) {
        e.preventDefault();
        actions[b.dataset.action]();
      }
    });
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
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
  const root = document.querySelector('[data-decision-editor]');
  const cfgEl = document.getElementById('decision-editor-config');
  if (!root || !cfgEl) {
    return;
  }
  const page = new Page(root, JSON.parse(cfgEl.textContent));
  // Tests and the browser console reach the editor here.
  window.waymarkDecisions = page;
  page.load().then(() => root.setAttribute('data-ready', 'true'));
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot);
} else {
  boot();
}
