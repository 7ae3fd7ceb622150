// Test runs in the modeler: the diagram as it is in the editor runs on the
// server with the real engine, on a virtual clock, in memory. The page keeps
// the steps (the conformance scenario format) and the server replays them
// all on every action, so nothing is stored and a run can be saved as a
// scenario file.

import { spiffProperty } from './spiff/helpers.js';

const MARKERS = ['wm-run-done', 'wm-run-ready', 'wm-run-waiting'];

function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') {
      e.textContent = v;
    } else if (k.startsWith('data-') || k === 'for' || k === 'role' || k === 'aria-label') {
      e.setAttribute(k, v);
    } else {
      e[k] = v;
    }
  }
  for (const c of [].concat(children)) {
    if (c) {
      e.appendChild(c);
    }
  }
  return e;
}

export class TestRun {
  constructor(page, panel) {
    this.page = page;
    this.panel = panel;
    this.steps = [];
    this.result = null;
    this.marked = [];
  }

  // start begins a new run of the diagram as it is now.
  async start() {
    this.panel.hidden = false;
    this.steps = [];
    this.xml = await this.page.modeler.exportSpiff();
    this.process = this.page.modeler.get('canvas').getRootElement().businessObject.get('id');
    await this.replay();
  }

  close() {
    this.panel.hidden = true;
    this.unmark();
    this.result = null;
  }

  async take(step) {
    this.steps.push(step);
    if (!(await this.replay())) {
      this.steps.pop();
    }
  }

  // replay sends the run so far; false when the server refused the last step.
  async replay() {
    this.status('Running…');
    const box = this.panel.querySelector('[data-run-services]');
    const live = this.panel.querySelector('[data-run-live]');
    this.services = {};
    if (box && box.value.trim()) {
      try {
        this.services = JSON.parse(box.value);
      } catch (e) {
        this.status('The service responses are not JSON: ' + e.message, 'bad');
        return false;
      }
    }
    let r;
    try {
      r = await this.page.host.fetchJSON('/api/process-models/' + this.page.host.modelPath() + '/sandbox/run', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          file: this.page.cfg.file, xml: this.xml, process: this.process, steps: this.steps, services: this.services,
          live_services: !!(live && live.checked),
        }),
      });
    } catch (e) {
      this.status('The server could not be reached: ' + e.message, 'bad');
      return false;
    }
    if (!r.ok) {
      this.status((r.data && r.data.message) || 'The run failed (HTTP ' + r.status + ').', 'bad');
      return false;
    }
    this.result = r.data;
    // Responses of real calls are kept with the recorded ones, so the next
    // replay answers from them instead of calling again.
    const recorded = r.data.recorded_services;
    if (recorded && Object.keys(recorded).length > 0) {
      this.services = Object.assign({}, this.services, recorded);
      if (box) {
        box.value = JSON.stringify(this.services, null, 2);
      }
    }
    this.render();
    return true;
  }

  status(text, kind) {
    const s = this.panel.querySelector('[data-run-status]');
    if (s) {
      s.textContent = text;
      s.className = 'wm-check' + (kind ? ' wm-' + kind : '');
    }
  }

  name(id) {
    const e = this.page.modeler.get('elementRegistry').get(id);
    return (e && e.businessObject.get('name')) || id;
  }

  unmark() {
    const canvas = this.page.modeler.get('canvas');
    const registry = this.page.modeler.get('elementRegistry');
    for (const [id, m] of this.marked) {
      if (registry.get(id)) {
        canvas.removeMarker(id, m);
      }
    }
    this.marked = [];
  }

  mark(ids, marker) {
    const canvas = this.page.modeler.get('canvas');
    const registry = this.page.modeler.get('elementRegistry');
    for (const id of ids) {
      if (registry.get(id)) {
        MARKERS.forEach((m) => canvas.removeMarker(id, m));
        canvas.addMarker(id, marker);
        this.marked.push([id, marker]);
      }
    }
  }

  render() {
    const res = this.result;
    this.unmark();
    this.mark(res.trace || [], 'wm-run-done');
    this.mark(res.waiting || [], 'wm-run-waiting');
    this.mark(res.ready || [], 'wm-run-ready');
    const body = this.panel.querySelector('[data-run-body]');
    body.replaceChildren();
    const statusText = { completed: 'Completed.', waiting: 'Waiting.', error: 'Stopped with an error.', invalid: 'The diagram cannot run.' }[res.status] || res.status;
    body.appendChild(el('p', { 'data-run-state': res.status, className: 'wm-run-state' }, [
      el('strong', { text: statusText }),
      el('span', { text: ' Clock: ' + (res.clock || '') + ' · ' + this.steps.length + ' step' + (this.steps.length === 1 ? '' : 's') }),
    ]));
    if (res.error) {
      body.appendChild(el('p', { className: 'wm-bad', text: (res.error_task ? res.error_task + ': ' : '') + res.error }));
    }
    for (const id of res.ready || []) {
      const bo = this.page.modeler.get('elementRegistry').get(id)?.businessObject;
      const schema = bo ? spiffProperty(bo, 'formJsonSchemaFilename') : '';
      if (schema) {
        body.appendChild(this.formTask(id, schema, spiffProperty(bo, 'formUiSchemaFilename'), res.data || {}));
        continue;
      }
      const data = el('textarea', { rows: 3, className: 'wm-mono', value: '{}', 'aria-label': 'Data for ' + this.name(id) });
      const done = el('button', { type: 'button', className: 'wm-btn', text: 'Complete', 'data-run-complete': id });
      done.onclick = () => {
        let d;
        try {
          d = JSON.parse(data.value || '{}');
        } catch (e) {
          this.status('The data is not JSON: ' + e.message, 'bad');
          return;
        }
        this.take({ complete: id, data: d });
      };
      body.appendChild(el('div', { className: 'wm-run-task', 'data-run-ready': id }, [
        el('label', { text: 'Ready: ' + this.name(id) }), data, done,
      ]));
    }
    if ((res.waiting || []).length) {
      body.appendChild(el('p', { className: 'wm-run-waiting-list', text: 'Waiting: ' + res.waiting.map((id) => this.name(id)).join(', ') }));
    }
    if (res.status === 'waiting') {
      const kind = el('select', { 'aria-label': 'Event kind' }, [el('option', { value: 'message', text: 'message' }), el('option', { value: 'signal', text: 'signal' })]);
      const name = el('input', { placeholder: 'name', 'aria-label': 'Event name', 'data-run-event-name': '' });
      const payload = el('input', { placeholder: 'payload (JSON)', 'aria-label': 'Payload', className: 'wm-mono' });
      const send = el('button', { type: 'button', className: 'wm-btn', text: 'Send', 'data-run-send': '' });
      send.onclick = () => {
        let p = null;
        if (payload.value.trim()) {
          try {
            p = JSON.parse(payload.value);
          } catch (e) {
            this.status('The payload is not JSON: ' + e.message, 'bad');
            return;
          }
        }
        this.take({ [kind.value]: name.value.trim(), payload: p });
      };
      const by = el('input', { value: 'P1D', 'aria-label': 'Duration', 'data-run-advance-by': '' });
      const adv = el('button', { type: 'button', className: 'wm-btn', text: 'Advance the clock', 'data-run-advance': '' });
      adv.onclick = () => this.take({ advance: by.value.trim() });
      body.appendChild(el('div', { className: 'wm-run-row' }, [kind, name, payload, send]));
      body.appendChild(el('div', { className: 'wm-run-row' }, [by, adv]));
    }
    body.appendChild(el('details', { open: true }, [el('summary', { text: 'Data' }), el('pre', { className: 'wm-mono', 'data-run-data': '', text: JSON.stringify(res.data || {}, null, 2) })]));
    this.status('');
  }

  // formFields posts the sandbox form endpoint: the task's schema files,
  // the run's data, and for a submission the fields.
  formFields(schema, ui, data, mode, form) {
    const body = new URLSearchParams(form ? new FormData(form) : undefined);
    body.set('wm_sandbox_schema', schema);
    body.set('wm_sandbox_uischema', ui || '');
    body.set('wm_sandbox_data', JSON.stringify(data));
    body.set('wm_sandbox_mode', mode);
    return fetch(this.page.host.url('/api/process-models/' + this.page.host.modelPath() + '/sandbox/form'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': this.page.cfg.csrf || '', 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  // formTask shows a ready user task's real form, filled from the run's
  // data; Complete submits it as the task would be.
  formTask(id, schema, ui, data) {
    const form = el('form', { className: 'wm-run-form', 'data-run-form': id });
    form.onsubmit = (e) => e.preventDefault();
    const problems = el('ul', { className: 'wm-bad', 'data-run-form-problems': id });
    const done = el('button', { type: 'button', className: 'wm-btn', text: 'Complete', 'data-run-complete': id });
    done.onclick = async () => {
      const r = await this.formFields(schema, ui, data, 'submit', form);
      const out = await r.json();
      if (!r.ok) {
        this.status(out.message || 'HTTP ' + r.status, 'bad');
        return;
      }
      problems.replaceChildren(...(out.problems || []).map((p) => el('li', { text: p })));
      if (!(out.problems || []).length) {
        this.take({ complete: id, data: out.data });
      }
    };
    const box = el('div', { className: 'wm-run-task', 'data-run-ready': id }, [
      el('label', { text: 'Ready: ' + this.name(id) + ' (' + schema + ')' }), form, problems, done,
    ]);
    this.formFields(schema, ui, data, 'render').then(async (r) => {
      const text = await r.text();
      if (!r.ok) {
        let msg = 'HTTP ' + r.status;
        try {
          msg = JSON.parse(text).message || msg;
        } catch (e) {
          // not JSON
        }
        form.replaceChildren(el('p', { className: 'wm-bad', text: msg }));
        return;
      }
      // The server renders the fields with every value escaped; they are
      // parsed into nodes (scripts in them never run).
      const doc = new DOMParser().parseFromString('<div>' + text + '</div>', 'text/html');
      form.replaceChildren(...Array.from(doc.body.firstChild.childNodes).map((n) => document.importNode(n, true)));
      form.dataset.ready = 'true';
    });
    return box;
  }

  // scenario is the run as a conformance scenario.json.
  scenario() {
    return { description: 'Test run of ' + this.page.cfg.file, files: [this.page.cfg.file], process: this.process, services: this.services || {}, steps: this.steps };
  }

  save() {
    const a = document.createElement('a');
    a.href = 'data:application/json;charset=utf-8,' + encodeURIComponent(JSON.stringify(this.scenario(), null, 2) + '\n');
    a.download = 'scenario.json';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
}
