// Editors used by the panel: a Python script editor with highlighting and
// a server-side check, and a Markdown preview for instructions. Both build
// DOM through Preact (no innerHTML), so nothing typed is ever parsed as
// HTML.

import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useRef, useState } from '@bpmn-io/properties-panel/preact/hooks';

const KEYWORDS = new Set(('and as assert break class continue def del elif else except finally for from global if import in is ' +
  'lambda nonlocal not or pass raise return try while with yield None True False').split(' '));
const BUILTINS = new Set(('abs all any bool dict enumerate filter float format getattr hasattr int isinstance len list map max min ' +
  'print range reversed round set sorted str sum tuple type zip').split(' '));

const TOKEN = /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|[rbfRBF]?"(?:\\.|[^"\\\n])*"?|[rbfRBF]?'(?:\\.|[^'\\\n])*'?)|(\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

// highlightPython splits source into Preact nodes with token classes.
export function highlightPython(src) {
  const out = [];
  let last = 0;
  let m;
  TOKEN.lastIndex = 0;
  while ((m = TOKEN.exec(src))) {
    if (m.index > last) {
      out.push(src.slice(last, m.index));
    }
    let cls = '';
    if (m[1]) {
      cls = 'comment';
    } else if (m[2]) {
      cls = 'string';
    } else if (m[3]) {
      cls = 'number';
    } else if (KEYWORDS.has(m[4])) {
      cls = 'keyword';
    } else if (BUILTINS.has(m[4])) {
      cls = 'builtin';
    }
    out.push(cls ? h('span', { class: 'wm-py-' + cls }, m[0]) : m[0]);
    last = TOKEN.lastIndex;
  }
  out.push(src.slice(last) + '\n');
  return out;
}

// CodeArea is a textarea over a highlighted copy of its text.
export function CodeArea(props) {
  const { value, onInput, rows = 8, id, label } = props;
  const pre = useRef(null);
  const sync = (e) => {
    if (pre.current) {
      pre.current.scrollTop = e.target.scrollTop;
      pre.current.scrollLeft = e.target.scrollLeft;
    }
  };
  const onKeyDown = (e) => {
    // Tab indents inside the editor; Escape leaves it for the keyboard user.
    if (e.key === 'Tab' && !e.shiftKey) {
      e.preventDefault();
      const t = e.target;
      const s = t.selectionStart;
      t.value = t.value.slice(0, s) + '    ' + t.value.slice(t.selectionEnd);
      t.selectionStart = t.selectionEnd = s + 4;
      onInput(t.value);
    }
  };
  const lines = value.split('\n').length;
  return h('div', { class: 'wm-code' + (props.big ? ' wm-code-big' : '') }, [
    h('pre', { class: 'wm-code-hl', 'aria-hidden': 'true', ref: pre }, highlightPython(value)),
    h('textarea', {
      id,
      'aria-label': label,
      class: 'wm-code-input',
      spellcheck: false,
      rows: Math.max(rows, Math.min(lines + 1, 30)),
      value,
      onInput: (e) => onInput(e.target.value),
      onScroll: sync,
      onKeyDown,
    }),
  ]);
}

// ScriptEditor is the panel entry for a script: the code area, a button
// that opens it in a large dialog, and a check against the server.
export function ScriptEditor(props) {
  const { element, id, label, get, set, host, kind = 'script' } = props;
  const [value, setValue] = useState(get() || '');
  const [result, setResult] = useState(null);
  const [big, setBig] = useState(false);
  const timer = useRef(null);
  useEffect(() => {
    setValue(get() || '');
    setResult(null);
  }, [element, get() || '']);
  const onInput = (v) => {
    setValue(v);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => set(v), 300);
  };
  const flush = () => {
    clearTimeout(timer.current);
    if (value !== (get() || '')) {
      set(value);
    }
  };
  const check = async () => {
    flush();
    setResult({ pending: true });
    try {
      const r = await host.checkScript(value, kind);
      if (r.ok && r.data && typeof r.data === 'object') {
        setResult(r.data);
      } else {
        setResult({ ok: false, message: 'The server could not check the script (HTTP ' + r.status + ').' });
      }
    } catch (e) {
      setResult({ ok: false, message: 'The server could not be reached: ' + e.message });
    }
  };
  const editor = (isBig) =>
    h(CodeArea, { id: isBig ? id + '-big' : id, label, value, onInput, rows: isBig ? 24 : 6, big: isBig });
  const status = result
    ? h('p', { class: 'wm-check ' + (result.pending ? '' : result.ok ? 'wm-ok' : 'wm-bad'), role: 'status' },
      result.pending ? 'Checking…' : result.ok ? 'No problems found.' : (result.line ? 'Line ' + result.line + ': ' : '') + (result.message || 'Invalid'))
    : null;
  const buttons = h('div', { class: 'wm-entry-buttons' }, [
    h('button', { type: 'button', class: 'wm-btn', onClick: check, 'data-action': 'check-script' }, 'Check'),
    h('button', { type: 'button', class: 'wm-btn', onClick: () => setBig(true) }, 'Open editor'),
  ]);
  return h('div', { class: 'bio-properties-panel-entry wm-script-entry', 'data-entry-id': id }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, label),
    editor(false),
    buttons,
    status,
    big
      ? h(Dialog, { title: label, onClose: () => { flush(); setBig(false); } }, [editor(true), buttons, status])
      : null,
  ]);
}

// UnitTestRunner runs the script task's unit tests (spiffworkflow:unitTests)
// on the server against the script as the panel holds it, and lists each
// test as passed or failed with the error or the differences.
export function UnitTestRunner(props) {
  const { element, id, host, script, tests } = props;
  const [results, setResults] = useState(null);
  useEffect(() => setResults(null), [element]);
  const list = tests();
  if (!list.length) {
    return null;
  }
  const run = async () => {
    setResults({ pending: true });
    try {
      const r = await host.runUnitTests(script(), tests());
      if (r.ok && r.data && Array.isArray(r.data.results)) {
        setResults({ list: r.data.results });
      } else {
        setResults({ error: (r.data && r.data.message) || 'The server could not run the tests (HTTP ' + r.status + ').' });
      }
    } catch (e) {
      setResults({ error: 'The server could not be reached: ' + e.message });
    }
  };
  let body = null;
  if (results && results.pending) {
    body = h('p', { class: 'wm-check', role: 'status' }, 'Running…');
  } else if (results && results.error) {
    body = h('p', { class: 'wm-check wm-bad', role: 'status' }, results.error);
  } else if (results) {
    const failed = results.list.filter((r) => !r.passed).length;
    body = h('div', { class: 'wm-unit-results', role: 'status' }, [
      h('p', { class: 'wm-check ' + (failed ? 'wm-bad' : 'wm-ok') },
        failed ? failed + ' of ' + results.list.length + ' failed.' : 'All ' + results.list.length + ' passed.'),
      h('ul', {}, results.list.map((r) =>
        h('li', { class: 'wm-unit-result ' + (r.passed ? 'wm-ok' : 'wm-bad'), 'data-test': r.id }, [
          h('strong', {}, (r.passed ? 'Passed: ' : 'Failed: ') + r.id),
          r.error ? h('div', { class: 'wm-unit-error' }, r.error) : null,
          r.diffs && r.diffs.length ? h('ul', { class: 'wm-unit-diffs' }, r.diffs.map((d) => h('li', {}, d))) : null,
        ]))),
    ]);
  }
  return h('div', { class: 'bio-properties-panel-entry wm-unit-runner', 'data-entry-id': id }, [
    h('div', { class: 'wm-entry-buttons' }, [
      h('button', { type: 'button', class: 'wm-btn', onClick: run, 'data-action': 'run-unit-tests' },
        'Run ' + list.length + ' unit test' + (list.length === 1 ? '' : 's')),
    ]),
    body,
  ]);
}

// Dialog is a modal overlay; Escape or the close button closes it.
export function Dialog(props) {
  const ref = useRef(null);
  useEffect(() => {
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        props.onClose();
      }
    };
    document.addEventListener('keydown', onKey, true);
    const ta = ref.current && ref.current.querySelector('textarea, input');
    if (ta) {
      ta.focus();
    }
    return () => document.removeEventListener('keydown', onKey, true);
  }, []);
  return h('div', { class: 'wm-dialog-backdrop' },
    h('div', { class: 'wm-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': props.title, ref }, [
      h('div', { class: 'wm-dialog-head' }, [
        h('h2', null, props.title),
        h('button', { type: 'button', class: 'wm-btn', onClick: props.onClose }, 'Close'),
      ]),
      h('div', { class: 'wm-dialog-body' }, props.children),
    ]));
}

// renderMarkdown turns the Markdown subset instructions use into Preact
// nodes: headings, paragraphs, lists, emphasis, code, links, and Jinja
// placeholders shown as such.
export function renderMarkdown(src) {
  const blocks = [];
  const lines = (src || '').replace(/\r\n/g, '\n').split('\n');
  let para = [];
  let list = null;
  let code = null;
  const flushPara = () => {
    if (para.length) {
      blocks.push(h('p', null, inline(para.join(' '))));
      para = [];
    }
  };
  const flushList = () => {
    if (list) {
      blocks.push(h(list.ordered ? 'ol' : 'ul', null, list.items.map((t) => h('li', null, inline(t)))));
      list = null;
    }
  };
  for (const line of lines) {
    if (code) {
      if (/^```/.test(line)) {
        blocks.push(h('pre', null, h('code', null, code.join('\n'))));
        code = null;
      } else {
        code.push(line);
      }
      continue;
    }
    if (/^```/.test(line)) {
      flushPara();
      flushList();
      code = [];
      continue;
    }
    let m;
    if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      flushPara();
      flushList();
      blocks.push(h('h' + Math.min(m[1].length + 2, 6), null, inline(m[2])));
    } else if ((m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line))) {
      flushPara();
      const ordered = /\d/.test(m[1]);
      if (!list || list.ordered !== ordered) {
        flushList();
        list = { ordered, items: [] };
      }
      list.items.push(m[2]);
    } else if (/^\s*$/.test(line)) {
      flushPara();
      flushList();
    } else if (/^\s*{%.*%}\s*$/.test(line)) {
      flushPara();
      flushList();
      blocks.push(h('p', { class: 'wm-md-tag' }, line.trim()));
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  if (code) {
    blocks.push(h('pre', null, h('code', null, code.join('\n'))));
  }
  flushPara();
  flushList();
  return blocks;
}

const INLINE = /(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})|`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*|_([^_]+)_|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(text) {
  const out = [];
  let last = 0;
  let m;
  // A fresh regex per call: inline recurses for nested emphasis, and a
  // shared lastIndex would restart the outer scan.
  const re = new RegExp(INLINE.source, 'g');
  while ((m = re.exec(text))) {
    if (m.index > last) {
      out.push(text.slice(last, m.index));
    }
    if (m[1]) {
      out.push(h('span', { class: 'wm-md-var', title: 'Filled in from the task data' }, m[1]));
    } else if (m[2]) {
      out.push(h('code', null, m[2]));
    } else if (m[3]) {
      out.push(h('strong', null, inline(m[3])));
    } else if (m[4] || m[5]) {
      out.push(h('em', null, inline(m[4] || m[5])));
    } else if (m[6]) {
      const href = /^(https?:|mailto:|\/)/i.test(m[7]) ? m[7] : '#';
      out.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, m[6]));
    }
    last = re.lastIndex;
  }
  out.push(text.slice(last));
  return out;
}

// MarkdownEditor is the instructions entry: a text area and a preview.
export function MarkdownEditor(props) {
  const { element, id, label, get, set } = props;
  const [value, setValue] = useState(get() || '');
  const [big, setBig] = useState(false);
  const timer = useRef(null);
  useEffect(() => setValue(get() || ''), [element, get() || '']);
  const onInput = (v) => {
    setValue(v);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => set(v), 300);
  };
  const area = (isBig) =>
    h('textarea', {
      id: isBig ? id + '-big' : id,
      class: 'bio-properties-panel-input wm-md-input' + (isBig ? ' wm-md-big' : ''),
      rows: isBig ? 20 : 5,
      value,
      onInput: (e) => onInput(e.target.value),
    });
  const preview = h('div', { class: 'wm-md-preview', 'aria-label': 'Preview' }, value ? renderMarkdown(value) : h('p', { class: 'wm-muted' }, 'Nothing to preview yet.'));
  return h('div', { class: 'bio-properties-panel-entry wm-md-entry', 'data-entry-id': id }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, label),
    area(false),
    h('div', { class: 'bio-properties-panel-description' }, props.help || 'Markdown; {{ name }} inserts task data.'),
    h('div', { class: 'wm-entry-buttons' }, h('button', { type: 'button', class: 'wm-btn', onClick: () => setBig(true) }, 'Open editor')),
    h('details', { class: 'wm-md-details', open: !!value }, [h('summary', null, 'Preview'), preview]),
    big
      ? h(Dialog, { title: label, onClose: () => { clearTimeout(timer.current); set(value); setBig(false); } },
        h('div', { class: 'wm-md-split' }, [area(true), preview]))
      : null,
  ]);
}
