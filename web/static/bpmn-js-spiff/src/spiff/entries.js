// Entry factories for the properties panel: each returns an entry object
// ({id, component, ...}) whose component renders one of the panel's
// standard entries with the given getter and setter.

import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

function TextComponent(props) {
  const debounce = useService('debounceInput');
  const Entry = props.area ? TextAreaEntry : TextFieldEntry;
  return h(Entry, {
    element: props.element,
    id: props.id,
    label: props.label,
    description: props.description,
    rows: props.rows,
    monospace: props.monospace,
    validate: props.validate,
    getValue: () => props.get() || '',
    setValue: (v) => props.set(v),
    debounce,
  });
}

// text is a one-line (or, with area, multi-line) text field.
export function text(id, label, get, set, opts = {}) {
  return {
    id,
    component: TextComponent,
    isEdited: opts.area ? isTextAreaEntryEdited : isTextFieldEntryEdited,
    label,
    get,
    set,
    ...opts,
  };
}

function CheckboxComponent(props) {
  return h(CheckboxEntry, {
    element: props.element,
    id: props.id,
    label: props.label,
    description: props.description,
    getValue: () => !!props.get(),
    setValue: (v) => props.set(v),
  });
}

export function checkbox(id, label, get, set, opts = {}) {
  return { id, component: CheckboxComponent, isEdited: isCheckboxEntryEdited, label, get, set, ...opts };
}

function SelectComponent(props) {
  // options may come from the server: subscribe so the entry re-renders
  // when they arrive.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!props.subscribe) {
      return undefined;
    }
    return props.subscribe(() => setTick((n) => n + 1));
  }, [props.subscribe]);
  return h(SelectEntry, {
    element: props.element,
    id: props.id,
    label: props.label,
    description: props.description,
    getValue: () => props.get() || '',
    setValue: (v) => props.set(v),
    getOptions: () => props.options(),
  });
}

// select is a drop-down; options() returns [{value,label}], subscribe(fn)
// (optional) registers a re-render callback and returns its cancel.
export function select(id, label, get, set, options, opts = {}) {
  return { id, component: SelectComponent, isEdited: isSelectEntryEdited, label, get, set, options, ...opts };
}

// custom wraps a component function with the entry's props.
export function custom(id, component, props = {}) {
  return { id, component, ...props };
}

// CommitInput is a text input that commits its value when it loses focus
// or on Enter, not on every key (renaming ids while typing would create
// and drop elements per keystroke).
export function CommitInput(props) {
  const { value, commit, label, id, list, placeholder } = props;
  const [v, setV] = useState(value || '');
  useEffect(() => setV(value || ''), [value]);
  const done = () => {
    if (v !== (value || '')) {
      commit(v);
    }
  };
  return h('input', {
    id,
    class: 'bio-properties-panel-input',
    'aria-label': label,
    list,
    placeholder,
    autocomplete: 'off',
    value: v,
    onInput: (e) => setV(e.target.value),
    onBlur: done,
    onKeyDown: (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        done();
      }
    },
  });
}

// HostNotice shows the server's warning or error about one of the host's
// lists (key), and follows the list as it loads.
function HostNoticeComponent(props) {
  const { host, list, id } = props;
  const [, setTick] = useState(0);
  useEffect(() => host.subscribe(list, () => setTick((n) => n + 1)), [list]);
  const err = host.error(list);
  const warn = host.warning(list);
  if (!err && !warn) {
    return null;
  }
  return h('p', { class: 'bio-properties-panel-entry wm-notice ' + (err ? 'wm-bad' : 'wm-warn'), 'data-entry-id': id, role: 'alert' },
    err ? props.errorText + ': ' + err : warn);
}

export function hostNotice(id, host, list, errorText) {
  return { id, component: HostNoticeComponent, host, list, errorText };
}
