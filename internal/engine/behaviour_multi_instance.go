package engine

import (
	"fmt"
	"slices"
	"sort"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// startWrapper begins a loop or multi-instance activity: it becomes STARTED
// and creates its first instance(s), or completes at once when there is
// nothing to run.
func (in *Instance) startWrapper(t *Task) {
	n := t.Node
	t.Loop = &loopState{}
	if n.Loop != nil {
		if n.Loop.TestBefore {
			done, te := in.loopDone(t)
			if te != nil {
				in.fail(t, te)
				return
			}
			if done {
				in.completeTask(t)
				return
			}
		}
		in.setState(t, Started)
		in.spawnInstance(t, t.Loop.Next, nil, nil, false)
		return
	}
	mi := n.MI
	data := t.Data
	var keys, items []any
	if mi.InputRef != "" {
		input, ok := data[mi.InputRef]
		if !ok {
			input, ok = in.objectsFor(t)[mi.InputRef]
		}
		if !ok {
			in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("missing data input for multi-instance task: %q", mi.InputRef)})
			return
		}
		switch v := input.(type) {
		case []any:
			keys = make([]any, len(v))
			for i := range v {
				keys[i] = int64(i)
			}
			items = v
		case map[string]any:
			ks := make([]string, 0, len(v))
			for k := range v {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				keys = append(keys, k)
				items = append(items, v[k])
			}
		case string:
			for _, r := range v {
				keys = append(keys, nil)
				items = append(items, string(r))
			}
		default:
			in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("multi-instance input %q must be a list or a dict, not %s", mi.InputRef, typeName(input))})
			return
		}
		if mi.OutputRef != "" {
			out, exists := data[mi.OutputRef]
			switch {
			case !exists:
				if _, isMap := input.(map[string]any); isMap {
					data = with(data, mi.OutputRef, map[string]any{})
				} else {
					data = with(data, mi.OutputRef, []any{})
				}
			default:
				switch o := out.(type) {
				case map[string]any:
				case []any:
					if mi.OutputRef != mi.InputRef && len(o) > 0 {
						in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: "if the input is not being updated in place, the output must be empty or it must be a map (dict)"})
						return
					}
				default:
					in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: "only a dict or a list can be used for output"})
					return
				}
			}
		}
	} else {
		v, err := mi.Cardinality.Eval(in.scriptEnv(t), data)
		if err != nil {
			in.fail(t, in.taskErr(t, "run", "loop cardinality", err))
			return
		}
		count, ok := v.(int64)
		if !ok || count < 0 {
			in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("loop cardinality must be a non-negative whole number, not %s", script.ToPython(v))})
			return
		}
		for i := int64(0); i < count; i++ {
			keys = append(keys, i)
			items = append(items, i)
		}
		if mi.OutputRef != "" {
			if out, exists := data[mi.OutputRef]; !exists {
				data = with(data, mi.OutputRef, []any{})
			} else if o, isList := out.([]any); isList && len(o) > 0 {
				in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: "if loop cardinality is specified, the output must be a map (dict) or empty list"})
				return
			}
		}
	}
	for _, name := range []string{mi.InputItem, mi.OutputItem} {
		if name == "" {
			continue
		}
		if _, exists := data[name]; exists {
			in.fail(t, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("multi-instance item %q already exists in the task data", name)})
			return
		}
	}
	t.Data = data
	t.Loop.Keys, t.Loop.Items, t.Loop.Total = keys, items, len(items)
	if t.Loop.Total == 0 {
		in.completeTask(t)
		return
	}
	in.setState(t, Started)
	if mi.Sequential {
		in.spawnNext(t)
		return
	}
	in.queue = slices.Grow(in.queue, t.Loop.Total)
	for t.Loop.Next < t.Loop.Total {
		in.spawnNext(t)
	}
}

func (in *Instance) spawnNext(t *Task) {
	i := t.Loop.Next
	in.spawnInstance(t, i, t.Loop.Keys[i], t.Loop.Items[i], true)
}

// spawnInstance creates instance (or iteration) i of a wrapper.
func (in *Instance) spawnInstance(w *Task, i int, key, item any, hasItem bool) {
	w.Loop.Next = i + 1
	n := w.Node
	data := w.Data
	pending := false
	if hasItem && n.MI.InputItem != "" {
		if n.Kind == spec.KindScriptTask && (n.PreScript == nil || !n.ScriptsOnInstances) {
			// The instance's first step is its script: the script adds the
			// item as it makes the instance's new data, which saves
			// copying the wrapper's data once per instance.
			pending = true
		} else {
			data = with(data, n.MI.InputItem, deepCopy(item))
		}
	}
	c := in.newTask(n, w.Scope, data, w.ID)
	c.Role = RoleInstance
	c.Wrapper = w.ID
	c.Index = i
	c.Key = key
	c.itemPending = pending
	in.activate(c)
}

// inputItem returns the input item name and a copy of the item of a
// multi-instance instance.
func (in *Instance) inputItem(c *Task) (string, any) {
	w := in.Task(c.Wrapper)
	return w.Node.MI.InputItem, deepCopy(w.Loop.Items[c.Index])
}

// instanceDone merges a finished instance into its wrapper and decides
// whether to run another or complete.
func (in *Instance) instanceDone(c *Task) {
	w := in.Task(c.Wrapper)
	if w == nil || w.State != Started {
		return
	}
	n := w.Node
	w.Loop.Done++
	if n.Loop != nil {
		w.Data = deepMerge(w.Data, c.Data)
		done, te := in.loopDone(w)
		if te != nil {
			in.fail(w, te)
			return
		}
		if done {
			in.completeTask(w)
			return
		}
		in.spawnInstance(w, w.Loop.Next, nil, nil, false)
		return
	}
	mi := n.MI
	if mi.OutputRef != "" && mi.OutputItem != "" {
		item, ok := c.Data[mi.OutputItem]
		if !ok {
			in.fail(c, &TaskError{TaskID: c.ID, NodeID: n.ID, Phase: "complete", Msg: fmt.Sprintf("expected an output item %q", mi.OutputItem)})
			return
		}
		if mi.Sequential {
			// The next instance sees the outputs so far, as in SpiffWorkflow.
			var out any
			if o, isList := w.Data[mi.OutputRef].([]any); isList && mi.OutputRef != mi.InputRef {
				out = in.appendOutput(w, o, item)
			} else {
				out = placeOutputs(w.Data[mi.OutputRef], []any{c.Key}, []any{item}, mi.OutputRef == mi.InputRef)
			}
			w.Data = with(w.Data, mi.OutputRef, out)
		} else {
			// Parallel instances were all created up front and see none of
			// them: collect and place once, at the end.
			if w.Loop.OutKeys == nil {
				w.Loop.OutKeys = make([]any, 0, w.Loop.Total)
				w.Loop.OutItems = make([]any, 0, w.Loop.Total)
			}
			w.Loop.OutKeys = append(w.Loop.OutKeys, c.Key)
			w.Loop.OutItems = append(w.Loop.OutItems, item)
		}
	} else {
		w.Data = deepMerge(w.Data, c.Data)
	}
	if mi.Completion != nil {
		ok, err := mi.Completion.EvalBool(in.scriptEnv(c), c.Data)
		if err != nil {
			in.fail(w, in.taskErr(w, "run", "completion condition", err))
			return
		}
		if ok {
			for _, o := range in.activeTasks() {
				if o.Wrapper == w.ID && o.State.Live() {
					in.cancelTask(o)
				}
			}
			in.finishMI(w)
			return
		}
	}
	if w.Loop.Done >= w.Loop.Total {
		in.finishMI(w)
		return
	}
	if mi.Sequential {
		in.spawnNext(w)
	}
}

// appendOutput appends a sequential instance's output item to the output
// list. A list the activity built itself gets the item in place, in room
// made once for every instance left; any other list is copied first.
func (in *Instance) appendOutput(w *Task, o []any, item any) []any {
	owned := w.outList != nil && len(o) == len(w.outList) && cap(o) > len(o) && (len(o) == 0 || &o[0] == &w.outList[0])
	if !owned {
		grown := make([]any, len(o), len(o)+w.Loop.Total-w.Loop.Done+1)
		copy(grown, o)
		o = grown
	}
	w.outList = append(o, item)
	return w.outList
}

// finishMI places the collected output items into the output collection
// and completes the multi-instance activity.
func (in *Instance) finishMI(w *Task) {
	mi := w.Node.MI
	if mi.OutputRef != "" && len(w.Loop.OutItems) > 0 {
		out := placeOutputs(w.Data[mi.OutputRef], w.Loop.OutKeys, w.Loop.OutItems, mi.OutputRef == mi.InputRef)
		w.Data = with(w.Data, mi.OutputRef, out)
		w.Loop.OutKeys, w.Loop.OutItems = nil, nil
	}
	in.completeTask(w)
}

// placeOutputs puts the instances' output items into the output collection,
// as SpiffWorkflow does: at each item's key in a dict (or in a list updated in
// place), else appended in the order the instances finished.
func placeOutputs(out any, keys, items []any, inPlace bool) any {
	switch o := out.(type) {
	case map[string]any:
		m := make(map[string]any, len(o)+len(items))
		for k, v := range o {
			m[k] = v
		}
		for i, item := range items {
			k, ok := keys[i].(string)
			if !ok {
				k = script.ToPython(keys[i])
			}
			m[k] = item
		}
		return m
	case []any:
		l := make([]any, len(o), len(o)+len(items))
		copy(l, o)
		for i, item := range items {
			if idx, ok := keys[i].(int64); ok && inPlace && int(idx) < len(l) {
				l[idx] = item
				continue
			}
			l = append(l, item)
		}
		return l
	}
	return append([]any(nil), items...)
}

// loopDone evaluates a standard loop's end: the maximum reached, or the
// condition false.
func (in *Instance) loopDone(w *Task) (bool, *TaskError) {
	l := w.Node.Loop
	if l.HasMaximum && w.Loop.Done >= l.Maximum {
		return true, nil
	}
	if l.Condition != nil {
		ok, err := l.Condition.EvalBool(in.scriptEnv(w), w.Data)
		if err != nil {
			return false, in.taskErr(w, "run", "loop condition", err)
		}
		return !ok, nil
	}
	return false, nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
