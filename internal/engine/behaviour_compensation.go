package engine

import (
	"slices"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Compensation (BPMN 2.0.2, 10.5.6 and 13.5.5).
//
// An activity with a compensation boundary event has a handler: the
// activity with isForCompensation="true" the boundary event's association
// leads to. When such an activity completes, the scope it ran in records
// the completion (each multi-instance instance and loop iteration is a
// completion of its own). A subprocess is recorded too when something in
// it can be compensated: activities of its own with records, or a
// compensation event subprocess; so is a call activity whose called
// process has records.
//
// A compensation throw (intermediate or end event) takes the records of
// its scope, or of the scope around it when it is inside an event
// subprocess: all of them, or with activityRef those of that activity, and
// compensates them one at a time in reverse order of completion. For an
// activity with a handler, its boundary event completes and the handler
// runs with the data as it is at compensation time (the throw's, then what
// the previous handler left; for a throw inside an event subprocess, the
// latest data of the scope it compensates, over the throw's). A subprocess without a handler of its own is
// compensated by its compensation event subprocess, whose throw
// compensates the subprocess's inner records; without one, its inner
// records (for a call activity, those of the process it called) are
// compensated in its place. A record is taken once: an
// activity is never compensated twice, and one that never completed has no
// record. With waitForCompletion (the default) the throw completes, with
// the handlers' data, once the last handler has; without it the throw
// moves on at once and the handlers run beside the rest of the flow.
//
// A cancel end event in a transaction cancels what still runs in it and
// compensates its records before the transaction's cancel boundary event
// fires (BPMN 10.3.7).

// compensationDef returns the compensation definition of a throw event.
func compensationDef(n *spec.Node) *spec.EventDef {
	if n.Kind != spec.KindIntermediateThrowEvent && n.Kind != spec.KindEndEvent {
		return nil
	}
	for _, d := range n.Events {
		if d.Type == spec.EventCompensate {
			return d
		}
	}
	return nil
}

// recordCompletion records a completed task in its scope when
// compensation can undo it.
func (in *Instance) recordCompletion(t *Task) {
	n := t.Node
	if t.Role == RoleWrapper || !n.Kind.IsActivity() || n.ForCompensation || t.compFor() != 0 {
		return
	}
	if n.CompensationHandler() == nil {
		if n.Sub == nil && n.Kind != spec.KindCallActivity {
			return
		}
		inner := in.scopes[t.ID]
		hasES := n.Sub != nil && n.Sub.Compensation != nil
		if !hasES && (inner == nil || len(inner.comp) == 0) {
			return
		}
	}
	if sc := in.scopes[t.Scope]; sc != nil {
		sc.comp = append(sc.comp, t)
	}
}

// compensationScope is the scope instance whose records a compensation
// throw by t takes: its own, or inside an event subprocess the one around
// the event subprocess. With an activityRef, the scope that declares the
// activity.
func (in *Instance) compensationScope(t *Task, d *spec.EventDef) *scopeInst {
	sc := in.scopes[t.Scope]
	if sc == nil || sc.key <= 0 {
		return sc
	}
	if d.ActivityRef != "" && sc.scope.ByID[d.ActivityRef] != nil {
		return sc
	}
	if owner := in.Task(sc.key); owner != nil && owner.Node.Kind == spec.KindEventSubProcess {
		return in.scopes[owner.Scope]
	}
	return sc
}

// takeRecords removes from a scope the records a throw compensates (all,
// or those of one activity) and returns their ids, latest first.
func takeRecords(sc *scopeInst, activity string) []int {
	if sc == nil || len(sc.comp) == 0 {
		return nil
	}
	var ids []int
	kept := sc.comp[:0:0]
	for _, r := range sc.comp {
		if activity == "" || r.Node.ID == activity {
			ids = append(ids, r.ID)
		} else {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		kept = nil
	}
	sc.comp = kept
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids
}

// takeCancelRecords takes the records a cancelled transaction compensates:
// its own, and those of the subprocesses still running in it (they are
// cancelled, but what completed inside them was done all the same), all
// newest first.
func (in *Instance) takeCancelRecords(sc *scopeInst) []int {
	var recs []*Task
	var collect func(sc *scopeInst)
	collect = func(sc *scopeInst) {
		for _, id := range takeRecords(sc, "") {
			recs = append(recs, in.Task(id))
		}
		for _, t := range in.activeTasks() {
			if t.Scope == sc.key && t.State.Live() {
				if inner := in.scopes[t.ID]; inner != nil && !inner.done {
					collect(inner)
				}
			}
		}
	}
	collect(sc)
	if len(recs) == 0 {
		return nil
	}
	slices.SortStableFunc(recs, func(a, b *Task) int { return b.Seq - a.Seq })
	ids := make([]int, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// throwCompensation runs a compensation throw event. It reports whether
// the throw is done; false leaves it STARTED until its handlers are.
func (in *Instance) throwCompensation(t *Task, d *spec.EventDef) bool {
	sc := in.compensationScope(t, d)
	ids := takeRecords(sc, d.ActivityRef)
	if len(ids) == 0 {
		return true
	}
	if es := in.Task(t.Scope); sc.key != t.Scope && sc.last != nil && es != nil && es.compFor() == 0 {
		// Thrown from an event subprocess, whose data is a copy taken when
		// it was armed: the handlers see the scope they undo as it is now,
		// with what the event subprocess added. (A compensation event
		// subprocess starts with the data of the compensation under way.)
		t.Data = deepMerge(t.Data, sc.last)
	}
	t.comp = &compState{todo: ids}
	if d.NoWait {
		in.nextCompensation(t)
		return true
	}
	in.setState(t, Started)
	in.nextCompensation(t)
	return false
}

// nextCompensation starts the handler of the next activity owner has to
// compensate, or ends owner's compensation when none is left.
func (in *Instance) nextCompensation(o *Task) {
	for len(o.compTodo()) > 0 {
		rec := in.Task(o.comp.todo[0])
		o.comp.todo = o.comp.todo[1:]
		if len(o.comp.todo) == 0 {
			o.comp = nil
		}
		if rec != nil && in.compensate(o, rec) {
			return
		}
	}
	switch {
	case o.State == Started && compensationDef(o.Node) != nil:
		in.completeTask(o)
	case o.State == Waiting && o.Node.Kind == spec.KindBoundaryEvent:
		in.fire(o, o.Node.Event(), nil)
	}
}

// compensate starts what undoes one completed activity for owner o. It
// reports whether o now waits for a handler; false when there was nothing
// to run (a subprocess's inner records were put first in o's list).
func (in *Instance) compensate(o, rec *Task) bool {
	n := rec.Node
	data := o.Data
	if h := n.CompensationHandler(); h != nil {
		if b := n.CompensationBoundary(); b != nil {
			bt := in.newTask(b, rec.Scope, data, rec.ID)
			bt.Attached = rec.ID
			in.setState(bt, Ready)
			in.completeTask(bt)
		}
		// An instance of a multi-instance activity is undone knowing which
		// item it worked on.
		if mi := n.MI; mi != nil && rec.Role == RoleInstance && mi.InputItem != "" {
			if item, ok := rec.Data[mi.InputItem]; ok {
				data = with(data, mi.InputItem, item)
			}
		}
		ht := in.newTask(h, rec.Scope, data, rec.ID)
		ht.comp = &compState{handlerOf: o.ID}
		in.activate(ht)
		return true
	}
	inner := in.scopes[rec.ID]
	if inner == nil {
		return false
	}
	if es := inner.scope.Compensation; es != nil {
		et := in.newTask(es, inner.key, data, rec.ID)
		et.comp = &compState{handlerOf: o.ID}
		in.setState(et, Started)
		esc := in.openScope(et.ID, es.Sub, inner.process, inner.key)
		st := in.newTask(es.Sub.Starts[0], esc.key, data, et.ID)
		in.setState(st, Ready)
		in.completeTask(st)
		for _, sub := range es.Sub.EventSubProcesses {
			in.armEventSubProcess(esc, sub, data, et.ID)
		}
		in.checkScope(esc)
		return true
	}
	if ids := takeRecords(inner, ""); len(ids) > 0 {
		o.comp = &compState{todo: append(ids, o.compTodo()...)}
	}
	return false
}

// runsIn reports whether task t runs for scope instance key: it is in it,
// or it is a compensation handler working for a throw in it (the handler
// itself is in the scope of the activity it undoes, which may have
// finished). Cancelling a scope cancels both.
func (in *Instance) runsIn(t *Task, key int) bool {
	if t.Scope == key {
		return true
	}
	if id := t.compFor(); id != 0 {
		o := in.Task(id)
		return o != nil && o.Scope == key
	}
	return false
}

// handlerDone moves the compensation that waited for handler h on.
func (in *Instance) handlerDone(h *Task) {
	o := in.Task(h.compFor())
	if o == nil || !o.State.Live() && o.State != Completed {
		return // the throw was cancelled with its scope
	}
	result := h.Data
	if h.Node.Kind == spec.KindEventSubProcess {
		result = o.Data
		if sc := in.scopes[h.ID]; sc != nil && sc.endData != nil {
			result = sc.endData
		}
	} else if rec := in.Task(h.From); rec != nil && rec.Role == RoleInstance {
		// The item given to an instance's handler stays with it.
		if mi := rec.Node.MI; mi != nil && mi.InputItem != "" {
			if v, had := o.Data[mi.InputItem]; had {
				result = with(result, mi.InputItem, v)
			} else {
				result = without(result, mi.InputItem)
			}
		}
	}
	if o.State.Live() {
		// A throw that waits goes on with what its handlers did; one that
		// did not wait has moved on with its own data.
		o.Data = result
	}
	in.nextCompensation(o)
}
