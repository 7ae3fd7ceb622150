package engine

import (
	"errors"
	"fmt"
	"sort"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Errors callers branch on.
var (
	ErrNoTask      = errors.New("no such task")
	ErrTaskState   = errors.New("task is not in a state that allows this")
	ErrNotHuman    = errors.New("task is not a user or manual task")
	ErrNotStarted  = errors.New("task is not waiting for an external result")
	ErrNotRunnable = errors.New("instance is not running")
)

// Complete completes a READY user, manual or untyped task with form data and
// runs the instance until it waits again. With spiffworkflow:variableName the
// whole form is stored under that variable; otherwise it is deep-merged into
// the task data.
func (in *Instance) Complete(taskID int, form map[string]any) error {
	t := in.Task(taskID)
	if t == nil {
		return fmt.Errorf("complete task %d: %w", taskID, ErrNoTask)
	}
	if !waitsForPerson(t) {
		return fmt.Errorf("complete task %d (%s): %w", taskID, t.Node.ID, ErrNotHuman)
	}
	if t.State != Ready {
		return fmt.Errorf("complete task %d (%s) in state %s: %w", taskID, t.Node.ID, t.State, ErrTaskState)
	}
	if in.status == Terminated {
		return ErrNotRunnable
	}
	in.tick()
	form = NormalizeMap(form)
	if v := t.Node.VariableName; v != "" {
		t.Data = with(t.Data, v, form)
	} else {
		t.Data = deepMerge(t.Data, form)
	}
	in.completeTask(t)
	in.run()
	return nil
}

// CompleteStarted completes a STARTED service task with its result (stored
// as the operator's result variable) and runs the instance.
func (in *Instance) CompleteStarted(taskID int, result any) error {
	t := in.Task(taskID)
	if t == nil {
		return fmt.Errorf("complete task %d: %w", taskID, ErrNoTask)
	}
	// Only a task handed to the host is STARTED on its own; subprocesses,
	// call activities and loop wrappers finish through their children.
	if t.State != Started || in.scopes[t.ID] != nil || t.Role == RoleWrapper || compensationDef(t.Node) != nil {
		return fmt.Errorf("complete task %d (%s): %w", taskID, t.Node.ID, ErrNotStarted)
	}
	in.tick()
	if t.Node.Service != nil {
		t.Data = with(t.Data, resultVariable(t), Normalize(result))
	}
	in.completeTask(t)
	in.run()
	return nil
}

// FailStarted puts a STARTED task in ERROR with the given message.
func (in *Instance) FailStarted(taskID int, msg string) error {
	t := in.Task(taskID)
	if t == nil {
		return fmt.Errorf("fail task %d: %w", taskID, ErrNoTask)
	}
	if t.State != Started || in.scopes[t.ID] != nil || t.Role == RoleWrapper || compensationDef(t.Node) != nil {
		return fmt.Errorf("fail task %d (%s): %w", taskID, t.Node.ID, ErrNotStarted)
	}
	in.tick()
	in.fail(t, &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "run", Msg: msg})
	return nil
}

// FailStartedWith answers a STARTED task (a service call) with a failure
// the diagram can catch, as SpiffArena treats a connector's failure: an
// error with the given code, then an escalation with it, is offered to the
// error and escalation boundary events on the task itself (a matching code,
// or none, catches it), then to the boundary events and event
// subprocesses around the task. The catching event's variable gets
// payload. An interrupting catch cancels the task; after a catch that does
// not interrupt, the task completes without a result. When nothing catches
// the failure the task goes to ERROR with msg, as FailStarted does. It
// reports whether the failure was caught.
func (in *Instance) FailStartedWith(taskID int, code, msg string, payload any) (bool, error) {
	t := in.Task(taskID)
	if t == nil {
		return false, fmt.Errorf("fail task %d: %w", taskID, ErrNoTask)
	}
	if t.State != Started || in.scopes[t.ID] != nil || t.Role == RoleWrapper || compensationDef(t.Node) != nil {
		return false, fmt.Errorf("fail task %d (%s): %w", taskID, t.Node.ID, ErrNotStarted)
	}
	in.tick()
	payload = Normalize(payload)
	caught := false
	for _, typ := range []spec.EventType{spec.EventError, spec.EventEscalation} {
		d := &spec.EventDef{Type: typ, Code: code, Name: code}
		for _, b := range in.activeTasks() {
			if b.Attached == t.ID && b.State == Waiting {
				if ed := matchCode(b.Node, d); ed != nil {
					in.fire(b, ed, payload)
					caught = true
					break
				}
			}
		}
		if !caught {
			caught = in.propagate(t, d, payload)
		}
		if caught {
			break
		}
	}
	if !caught {
		in.fail(t, &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "run", Msg: msg})
		return false, nil
	}
	if t.State == Started {
		in.completeTask(t)
	}
	in.run()
	return true, nil
}

// Retry moves a task in ERROR on again from where it stopped (its inputs
// and pre-script, its body, or its post-script and outputs), typically after
// the model was fixed and the instance restored against the new library.
func (in *Instance) Retry(taskID int) error {
	t := in.Task(taskID)
	if t == nil {
		return fmt.Errorf("retry task %d: %w", taskID, ErrNoTask)
	}
	if t.State != Error {
		return fmt.Errorf("retry task %d (%s) in state %s: %w", taskID, t.Node.ID, t.State, ErrTaskState)
	}
	phase := "run"
	if t.Err != nil {
		phase = t.Err.Phase
	}
	in.tick()
	t.Err = nil
	in.status = Running
	switch phase {
	case "ready":
		if t.Attached != 0 || t.Node.HasEventWait() {
			in.wait(t)
		} else {
			in.makeReady(t)
		}
	case "complete":
		in.setState(t, Ready)
		in.completeTask(t)
	default:
		in.setState(t, Ready)
		if !waitsForPerson(t) {
			in.queue = append([]*Task{t}, in.queue...)
		}
	}
	in.run()
	return nil
}

// Terminate ends the instance: every live task is cancelled.
func (in *Instance) Terminate() {
	in.tick()
	for _, t := range in.activeTasks() {
		if t.State.holds() {
			in.setState(t, Cancelled)
		}
	}
	for _, sc := range in.scopes {
		sc.done = true
	}
	in.queue = nil
	in.status = Terminated
}

// Tasks returns every task of the instance in creation order. The returned
// tasks must not be changed.
func (in *Instance) Tasks() []*Task { return in.tasks }

// ReadyHuman returns the READY user, manual and untyped tasks, in creation order.
func (in *Instance) ReadyHuman() []*Task {
	var out []*Task
	for _, t := range in.activeTasks() {
		if t.State == Ready && waitsForPerson(t) {
			out = append(out, t)
		}
	}
	return out
}

// Waiting returns the catching tasks waiting for an event: catch events,
// receive tasks, boundary events, start events and event-based gateways.
// Joins waiting for branches are not included.
func (in *Instance) Waiting() []*Task {
	var out []*Task
	for _, t := range in.activeTasks() {
		if t.State == Waiting && !isJoin(t) && !t.Pool && (t.Trigger || in.scopeActive(t)) {
			out = append(out, t)
		}
	}
	return out
}

// Active returns the tasks that are WAITING, READY, STARTED or in ERROR, in
// id order: what a host needs to look at after a step, without going
// through the instance's history.
func (in *Instance) Active() []*Task {
	var out []*Task
	for _, t := range in.activeTasks() {
		if t.State.holds() {
			out = append(out, t)
		}
	}
	return out
}

// Touched returns the tasks whose state changed during the host's last
// call into the instance (Start, Complete, Deliver, AdvanceTo...), in the
// order they first changed: a host records a step's changes from it instead
// of comparing every task's state before and after. A restored instance
// has touched none.
func (in *Instance) Touched() []*Task {
	return append([]*Task(nil), in.touched...)
}

// Trace returns the BPMN ids of completed tasks in completion order.
func (in *Instance) Trace() []string {
	done := make([]*Task, 0, len(in.tasks))
	for _, t := range in.tasks {
		if t.Seq > 0 {
			done = append(done, t)
		}
	}
	sort.Slice(done, func(i, j int) bool { return done[i].Seq < done[j].Seq })
	out := make([]string, len(done))
	for i, t := range done {
		out[i] = t.Node.ID
	}
	return out
}

// LastCompleted returns the most recently completed task, or nil, without
// looking through the history when the instance has completed one since it
// was started or restored.
func (in *Instance) LastCompleted() *Task {
	if t := in.lastDone; t != nil && t.Seq == in.seq {
		return t
	}
	var last *Task
	for _, t := range in.tasks {
		if t.Seq > 0 && (last == nil || t.Seq > last.Seq) {
			last = t
		}
	}
	return last
}

// Next returns the elements a live task can lead to: the targets of its
// outgoing flows and its boundary events. The instance page uses it to show
// what can come next.
func (in *Instance) Next(taskID int) []*spec.Node {
	t := in.Task(taskID)
	if t == nil || !t.State.Live() {
		return nil
	}
	var out []*spec.Node
	for _, fl := range t.Node.Outgoing {
		out = append(out, fl.Target)
	}
	out = append(out, t.Node.Boundaries...)
	return out
}

// Correlations returns the correlation values recorded in the root scopes.
func (in *Instance) Correlations() map[string]any {
	out := map[string]any{}
	for _, k := range in.roots {
		for p, v := range in.scopes[k].corr {
			out[p] = v
		}
	}
	return out
}
