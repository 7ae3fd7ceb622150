package engine

import (
	"errors"
	"fmt"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// The repairs an operator makes to a failed or stuck instance: edit a
// task's data, skip a task, reset the instance to an earlier task. Each
// leaves the instance consistent and runs it until it waits again.

// ErrCannotReset marks a reset the instance's history does not allow.
var ErrCannotReset = errors.New("cannot reset to this task")

// SetTaskData replaces the data of a task that is WAITING, READY, STARTED
// or in ERROR (a finished task's data is history: changing it would change
// nothing) and returns the data it had. The instance does not move: a
// failed task is retried, or skipped, afterwards.
func (in *Instance) SetTaskData(taskID int, data map[string]any) (map[string]any, error) {
	t := in.Task(taskID)
	if t == nil {
		return nil, fmt.Errorf("set data of task %d: %w", taskID, ErrNoTask)
	}
	if !t.State.holds() {
		return nil, fmt.Errorf("set data of task %d (%s) in state %s: %w", taskID, t.Node.ID, t.State, ErrTaskState)
	}
	if in.status == Terminated {
		return nil, ErrNotRunnable
	}
	in.tick()
	if t.itemPending {
		// The multi-instance item the task was to take in is now part of
		// the data the operator saw and edited.
		name, item := in.inputItem(t)
		t.Data, t.itemPending = with(t.Data, name, item), false
	}
	old := t.Data
	if data == nil {
		data = map[string]any{}
	}
	t.Data = NormalizeMap(data)
	t.ownData = false // a waiting join merges into a copy of the new data
	in.setTouched(t)
	return old, nil
}

// SkipTask completes a READY or failed task without running it: no script,
// service call, decision or post-script runs and no output is mapped; the
// task's data goes on as it is (edit it first with SetTaskData), and the
// instance runs until it waits again. Subprocesses, call activities and
// multi-instance activities as a whole are not skipped: their inner tasks
// are.
func (in *Instance) SkipTask(taskID int) error {
	t := in.Task(taskID)
	if t == nil {
		return fmt.Errorf("skip task %d: %w", taskID, ErrNoTask)
	}
	if t.State != Ready && t.State != Error {
		return fmt.Errorf("skip task %d (%s) in state %s: only a ready or failed task can be skipped: %w", taskID, t.Node.ID, t.State, ErrTaskState)
	}
	if sc := in.scopes[t.ID]; (sc != nil && !sc.done) || t.Role == RoleWrapper {
		return fmt.Errorf("skip task %d (%s): it runs other tasks; skip those instead: %w", taskID, t.Node.ID, ErrTaskState)
	}
	if in.status == Terminated {
		return ErrNotRunnable
	}
	in.tick()
	t.Err = nil
	if t.itemPending {
		name, item := in.inputItem(t)
		t.Data, t.itemPending = with(t.Data, name, item), false
	}
	t.throws = nil
	in.finishTask(t)
	in.run()
	return nil
}

// ResetTo puts the instance back to a completed task, as SpiffWorkflow's
// reset_from_task_id does: the task runs again, as a new task with the data
// it started with, and what followed it is undone (live tasks cancelled,
// completed ones taken out of the trace; both keep their ids as history,
// CANCELLED). Branches that did not come from the task are left as they
// are: after a parallel split, resetting to a task of one branch leaves the
// other branch where it is, and a join waiting for both forgets only the
// reset branch's arrival. A task inside a subprocess reopens the
// subprocess: its task is STARTED again and what followed it outside is
// undone too. A completed instance runs again from the task (a terminated
// one does not).
//
// It refuses a task that is not COMPLETED, one inside a loop,
// multi-instance activity or event subprocess, a boundary or start event
// of an event subprocess, and a reset that would undo a join other
// branches also reached (reset to a task before the split instead).
func (in *Instance) ResetTo(taskID int) (*Task, error) {
	target := in.Task(taskID)
	if target == nil {
		return nil, fmt.Errorf("reset to task %d: %w", taskID, ErrNoTask)
	}
	if in.status == Terminated {
		return nil, fmt.Errorf("reset to task %d: the instance is %s: %w", taskID, in.status, ErrNotRunnable)
	}
	if target.State != Completed || target.gone {
		return nil, fmt.Errorf("reset to task %d (%s) in state %s: only a completed task of the model: %w", taskID, target.Node.ID, target.State, ErrCannotReset)
	}
	if target.Role == RoleInstance || target.Attached != 0 || target.Trigger {
		return nil, fmt.Errorf("reset to task %d (%s): an instance of a loop, a boundary event or an event trigger cannot be reset to: %w", taskID, target.Node.ID, ErrCannotReset)
	}
	// The owners of the scopes around the target, innermost first.
	var owners []*Task
	for key := target.Scope; key > 0; {
		o := in.Task(key)
		if o == nil {
			return nil, fmt.Errorf("reset to task %d: its scope %d has no owner: %w", taskID, key, ErrCannotReset)
		}
		if o.Role != RolePlain || o.Node.Kind == spec.KindEventSubProcess {
			return nil, fmt.Errorf("reset to task %d (%s): it is inside %s, a loop, multi-instance activity or event subprocess: %w", taskID, target.Node.ID, o.Node.ID, ErrCannotReset)
		}
		owners = append(owners, o)
		key = o.Scope
	}
	if target.Gate != 0 {
		return nil, fmt.Errorf("reset to task %d (%s): it was chosen by an event-based gateway; reset to the gateway (task %d): %w", taskID, target.Node.ID, target.Gate, ErrCannotReset)
	}
	// Roots of what is undone: the target, and every enclosing owner that
	// completed (its tasks after it, outside it, are undone too).
	roots := map[int]bool{target.ID: true}
	for _, o := range owners {
		if o.State == Completed {
			roots[o.ID] = true
		}
	}
	undone, err := in.followers(target, roots)
	if err != nil {
		return nil, err
	}
	// What had reached a join: the completed followers and roots.
	var arrived []*Task
	for _, t := range in.tasks {
		if (undone[t.ID] || roots[t.ID]) && t.State == Completed {
			arrived = append(arrived, t)
		}
	}

	in.tick()
	// Undo, latest first, so a subprocess's tasks go before its owner.
	for i := len(in.tasks) - 1; i >= 0; i-- {
		t := in.tasks[i]
		if !undone[t.ID] {
			continue
		}
		if t.State.holds() {
			in.cancelTask(t)
		} else if t.State == Completed {
			in.setState(t, Cancelled)
		}
		t.Seq = 0
	}
	in.forgetArrivals(arrived)
	// Reopen the subprocesses around the target, outermost first, and the
	// scopes they are in.
	for i := len(owners) - 1; i >= 0; i-- {
		o := owners[i]
		if sc := in.scopes[o.Scope]; sc != nil && sc.done {
			in.reopenScope(sc, in.Task(o.Scope))
		}
		if o.State == Completed {
			in.setState(o, Started)
			o.Seq = 0
			for _, b := range o.Node.Boundaries {
				bt := in.newTask(b, o.Scope, o.Data, o.ID)
				bt.Attached = o.ID
				in.wait(bt)
			}
		}
	}
	if sc := in.scopes[target.Scope]; sc != nil && sc.done {
		in.reopenScope(sc, in.Task(target.Scope))
	}
	in.recomputeEnds(undone)

	data := target.Data
	if f := in.Task(target.From); f != nil && f.Scope == target.Scope && !isJoin(target) {
		data = f.Data
	}
	in.setState(target, Cancelled) // history: the run that is undone
	target.Seq = 0
	in.dropUndoneCompensation()
	in.queue = pruneQueue(in.queue)
	nt := in.newTask(target.Node, target.Scope, data, target.From)
	if isJoin(target) {
		// A join runs again at once: its branches had all arrived.
		in.makeReady(nt)
	} else {
		in.activate(nt)
	}
	in.status = Running
	in.run()
	return nt, nil
}

// dropUndoneCompensation takes the activities a reset cancelled or reopened
// out of their scopes' compensation records: only a completion can be
// compensated, and an activity run again is recorded anew when it
// completes.
func (in *Instance) dropUndoneCompensation() {
	for _, sc := range in.scopes {
		if len(sc.comp) == 0 {
			continue
		}
		kept := sc.comp[:0]
		for _, t := range sc.comp {
			if t.State == Completed {
				kept = append(kept, t)
			}
		}
		sc.comp = kept
	}
}

// setTouched records a change to a task that keeps its state.
func (in *Instance) setTouched(t *Task) {
	t.Updated = in.now()
	if t.touched != in.call {
		t.touched = in.call
		in.touched = append(in.touched, t)
	}
}

// followers returns the tasks that came after the roots: the target and
// the completed owners of the scopes around it, which are reopened, not
// undone (the tasks inside an owner are not its followers). A task follows
// when the task it came from, its scope's owner, the activity it is
// attached to, its wrapper or its gateway follows. Joins are decided by
// their arrivals: a waiting join is kept (forgetArrivals takes back what
// undone tasks brought it); a fired join follows when all its arrivals came
// from followers, and the reset is refused when only some did.
func (in *Instance) followers(target *Task, roots map[int]bool) (map[int]bool, error) {
	undone := map[int]bool{}
	for id := range roots {
		undone[id] = true
	}
	from := func(id int, t *Task) bool {
		if id == 0 || !undone[id] {
			return false
		}
		return !roots[id] || id == target.ID || t.Scope != id
	}
	for changed := true; changed; {
		changed = false
		for _, t := range in.tasks[target.ID:] {
			if undone[t.ID] {
				continue
			}
			var follows bool
			if isJoin(t) {
				came, total := in.arrivalsFrom(t, undone)
				switch {
				case came == 0 || t.State == Waiting:
					// A waiting join is kept; forgetArrivals adjusts it.
				case came < total:
					return nil, fmt.Errorf("reset to task %d (%s): the join %s (task %d) was also reached by other branches; reset to a task before the split: %w",
						target.ID, target.Node.ID, t.Node.ID, t.ID, ErrCannotReset)
				default:
					follows = true
				}
			} else {
				follows = from(t.From, t) || (t.Scope > 0 && undone[t.Scope] && !roots[t.Scope]) ||
					from(t.Attached, t) || from(t.Wrapper, t) || from(t.Gate, t)
			}
			if follows {
				undone[t.ID] = true
				changed = true
			}
		}
	}
	for id := range roots {
		delete(undone, id)
	}
	return undone, nil
}

// arrivedAt reports whether completed task t brought a token to join j.
func arrivedAt(t, j *Task) bool {
	if t.Scope != j.Scope || t.State != Completed {
		return false
	}
	for _, fl := range t.Node.Outgoing {
		if fl.Target == j.Node {
			return true
		}
	}
	return false
}

// arrivalsFrom counts the arrivals at a join that came from tasks in set,
// and its arrivals in all.
func (in *Instance) arrivalsFrom(j *Task, set map[int]bool) (came, total int) {
	for _, a := range j.Arrivals {
		total += a
	}
	for id := range set {
		if t := in.Task(id); t != nil && arrivedAt(t, j) {
			came++
		}
	}
	return min(came, total), total
}

// forgetArrivals takes back from the joins still waiting the arrivals that
// the tasks of arrived (completed before the reset) brought them.
func (in *Instance) forgetArrivals(arrived []*Task) {
	for _, j := range in.activeTasks() {
		if j.State != Waiting || !isJoin(j) {
			continue
		}
		for _, t := range arrived {
			if t.Scope != j.Scope {
				continue
			}
			for _, fl := range t.Node.Outgoing {
				if fl.Target == j.Node && fl.InIndex < len(j.Arrivals) && j.Arrivals[fl.InIndex] > 0 {
					j.Arrivals[fl.InIndex]--
					if j.Arrivals[fl.InIndex] == 0 {
						j.missing++
					}
				}
			}
		}
		if j.missing == len(j.Arrivals) {
			in.setState(j, Cancelled) // nothing arrived any more
		}
	}
}

// reopenScope lets a finished scope run again: a reset put a task back in
// it. Its event subprocesses are armed again.
func (in *Instance) reopenScope(sc *scopeInst, owner *Task) {
	sc.done, sc.doneAt = false, 0
	from := 0
	var data map[string]any
	if owner != nil {
		from, data = owner.ID, owner.Data
	}
	for _, es := range sc.scope.EventSubProcesses {
		in.armEventSubProcess(sc, es, data, from)
	}
	if sc.key <= 0 {
		in.data = nil
	}
}

// recomputeEnds rebuilds the end data of the scopes an undone end event
// had reached.
func (in *Instance) recomputeEnds(undone map[int]bool) {
	scopes := map[int]bool{}
	for id := range undone {
		if t := in.Task(id); t != nil && t.Node.Kind == spec.KindEndEvent {
			scopes[t.Scope] = true
		}
	}
	for key := range scopes {
		sc := in.scopes[key]
		if sc == nil {
			continue
		}
		sc.endData, sc.endOwned, sc.ended = nil, false, false
		for _, t := range in.tasks {
			if t.Scope == key && t.State == Completed && t.Node.Kind == spec.KindEndEvent {
				sc.endData = mergeInto(sc.endData, &sc.endOwned, t.Data)
				sc.ended = true
			}
		}
	}
}
