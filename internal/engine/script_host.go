package engine

import (
	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// Scripts see where they run, as in SpiffWorkflow: the name task is the
// running task (task.task_spec.name, .bpmn_id, .bpmn_name, .lane,
// task.data ...), and host helpers given as Env.Helpers learn the instance
// and task of each call. Both are read-only views: the engine stays pure,
// and a helper that reads the database does so in the host's closure.

// ScriptCall tells a host helper where the script calling it runs. Its
// values must not be changed.
type ScriptCall struct {
	Instance *Instance
	// Task is the task whose script, pre- or post-script, condition or
	// expression makes the call.
	Task *Task
	// Host is Env.Host.
	Host any
}

// Helper is a host helper that needs to know where the script runs
// (get_current_task_info, get_task_data_value of another task, ...).
type Helper func(c ScriptCall, args []any, kwargs map[string]any) (any, error)

// scriptLookup lends scripts the task object and the Helpers, built only
// when a script reads the name (task data and Funcs of the name win), so a
// step pays nothing for the helpers its scripts do not call.
func (in *Instance) scriptLookup(name string) (any, bool) {
	if name == "task" {
		if in.scriptTask == nil {
			return nil, false
		}
		return TaskObject(in.scriptTask), true
	}
	h, ok := in.env.Helpers[name]
	if !ok {
		return nil, false
	}
	t := in.scriptTask
	return script.Func(func(args []any, kwargs map[string]any) (any, error) {
		return h(ScriptCall{Instance: in, Task: t, Host: in.env.Host}, args, kwargs)
	}), true
}

// TaskObject is the task as scripts see it, with SpiffWorkflow's
// attribute names: id, state, data, and task_spec with name and bpmn_id
// (the element id), bpmn_name (its name), lane, description (the element
// type) and manual (whether a person completes it).
func TaskObject(t *Task) script.Object {
	n := t.Node
	var bpmnName any
	if n.Name != "" {
		bpmnName = n.Name
	}
	var lane any
	if n.Lane != "" {
		lane = n.Lane
	}
	return script.Object{Type: "Task", Attrs: map[string]any{
		"id":    int64(t.ID),
		"state": t.State.String(),
		"data":  t.Data,
		"task_spec": script.Object{Type: "TaskSpec", Attrs: map[string]any{
			"name":        n.ID,
			"bpmn_id":     n.ID,
			"bpmn_name":   bpmnName,
			"lane":        lane,
			"description": n.Kind.String(),
			"manual":      n.Kind.IsHuman(),
		}},
	}}
}
