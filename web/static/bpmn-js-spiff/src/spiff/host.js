// Host: what the modeler asks the Waymark server for. One instance per
// page, configured from the page's JSON config block. Lists are cached and
// subscribers are told when they arrive, so panel entries re-render.

export class Host {
  constructor(config) {
    this.config = config || {};
    this.cache = new Map();
    this.listeners = new Map();
    this.warnings = new Map();
  }

  url(path) {
    return (this.config.prefix || '') + path;
  }

  modelPath(model = this.config.model) {
    return encodeURIComponent(String(model || '').replaceAll('/', ':')).replaceAll('%3A', ':');
  }

  async fetchJSON(path, opts = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
    const method = opts.method || 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      headers['X-CSRF-Token'] = this.config.csrf || '';
    }
    const resp = await fetch(this.url(path), {
      method,
      headers,
      body: opts.body,
      credentials: 'same-origin',
    });
    let data = null;
    const ct = resp.headers.get('Content-Type') || '';
    if (ct.includes('json')) {
      data = await resp.json();
    } else {
      data = await resp.text();
    }
    return { status: resp.status, ok: resp.ok, data };
  }

  // list returns the cached value of key (undefined until loaded) and
  // starts loading it once.
  list(key) {
    const c = this.cache.get(key);
    if (c && c.state !== 'error') {
      return c.value;
    }
    if (!c) {
      this.load(key);
    }
    return c ? c.value : undefined;
  }

  reload(key) {
    this.cache.delete(key);
    this.load(key);
  }

  load(key) {
    const entry = { state: 'loading', value: undefined };
    this.cache.set(key, entry);
    this.loader(key)
      .then((v) => {
        entry.state = 'ok';
        entry.value = v;
      })
      .catch((err) => {
        entry.state = 'error';
        entry.value = [];
        entry.error = String(err && err.message ? err.message : err);
      })
      .finally(() => this.notify(key));
  }

  error(key) {
    const c = this.cache.get(key);
    return c && c.error;
  }

  // warning is what the server said about a list it did answer (e.g. the
  // connector proxy is down and only built-in operators are listed).
  warning(key) {
    return this.warnings.get(key) || '';
  }

  async loader(key) {
    const get = async (path) => {
      const r = await this.fetchJSON(path);
      if (!r.ok) {
        throw new Error(path + ': HTTP ' + r.status);
      }
      return r.data || [];
    };
    switch (key) {
      case 'operators': {
        const data = await get('/api/connectors/commands');
        this.warnings.set(key, data.warning || '');
        return data.commands || [];
      }
      case 'messages': {
        const data = await get('/api/process-models/' + this.modelPath() + '/messages');
        return data.messages || [];
      }
      case 'dataStores':
        return get('/api/process-models/' + this.modelPath() + '/data-stores');
      case 'files':
        return get('/api/process-models/' + this.modelPath() + '/files');
      default:
        throw new Error('unknown list ' + key);
    }
  }

  subscribe(key, fn) {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  notify(key) {
    for (const fn of this.listeners.get(key) || []) {
      fn();
    }
  }

  groups() {
    return this.config.groups || [];
  }

  searchProcesses(q, limit = 20) {
    return this.fetchJSON('/api/processes/search?q=' + encodeURIComponent(q) + '&limit=' + limit);
  }

  searchDecisions(q, limit = 20) {
    return this.fetchJSON('/api/decisions/search?q=' + encodeURIComponent(q) + '&limit=' + limit);
  }

  // runUnitTests runs a script's unit tests on the server with the script
  // as the panel holds it.
  runUnitTests(script, tests) {
    return this.fetchJSON('/api/scripts/unit-tests', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script, tests }),
    });
  }

  checkScript(script, kind) {
    return this.fetchJSON('/api/scripts/check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script, kind }),
    });
  }

  createFile(name, content) {
    return this.fetchJSON('/api/process-models/' + this.modelPath() + '/files', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, content }),
    });
  }

  // modelerURL is the page editing file of model.
  modelerURL(model, file) {
    return this.url('/process-models/' + this.modelPath(model) + '/files/' + encodeURIComponent(file) + '/modeler');
  }

  fileURL(file) {
    return this.url('/process-models/' + this.modelPath() + '/files/' + encodeURIComponent(file));
  }

  // modelFileURL is the page of file of another model.
  modelFileURL(model, file) {
    return this.url('/process-models/' + this.modelPath(model) + '/files/' + encodeURIComponent(file));
  }
}

// A page without a config (tests, the viewer) gets an empty host.
export const emptyHost = new Host({});
