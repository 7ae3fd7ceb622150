package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// stepInfo says what a step was, for the derived rows and the event log.
type stepInfo struct {
	actor string // who acted ("" for the scheduler and workers)
	// events are instance-level log entries (started, suspended, ...).
	events []store.Event
	// status overrides the status derived from the engine (suspend).
	status string
	// resume lets a suspended instance take its engine status again; any
	// other step keeps a suspended instance suspended.
	resume bool
	// doneJob is the service job this step answered.
	doneJob *jobKey
	// files are uploads of the task form this step completed.
	files []store.TaskFile
	// consume is the outbox message this step consumed (0 for none): it
	// is deleted in the step's transaction, which fails if another step
	// consumed it first.
	consume int64
	// inTx, when set, runs in the step's transaction after its rows are
	// written; its error rolls the step back.
	inTx func(ctx context.Context, tx *store.Tx) error
}

// engineStatus maps the engine's instance status to the stored one.
func engineStatus(s engine.Status) string {
	switch s {
	case engine.Done:
		return store.StatusCompleted
	case engine.Failed:
		return store.StatusError
	case engine.Terminated:
		return store.StatusTerminated
	}
	return store.StatusRunning
}

// isHuman reports whether a task waits for a person (a user, manual or
// untyped task that is not a loop or multi-instance wrapper).
func isHuman(t *engine.Task) bool {
	return t.Node.Kind.IsHuman() && t.Role != engine.RoleWrapper
}

// save persists a step in one transaction. l.row.ID == 0 creates the
// instance; otherwise the write succeeds only if the stored version is
// still l.row.Version.
func (r *Runner) save(ctx context.Context, l *loaded, info stepInfo) (int64, error) {
	in := l.inst
	now := r.now()
	if in.Err() != nil && l.sc != nil {
		// A step that leaves the instance in error keeps none of what
		// its scripts' helpers asked for (see script_helpers.go).
		l.sc.fx.reset()
	}
	// Thrown messages go to the outbox, not into the snapshot: a later
	// step must not throw them again.
	effects := in.TakeEffects()
	snap, err := in.Snapshot()
	if err != nil {
		return 0, fmt.Errorf("snapshot instance %d: %w", l.row.ID, err)
	}
	if r.maxData > 0 && len(snap) > r.maxData {
		return 0, dataTooLarge(in, len(snap), r.maxData)
	}
	row := l.row
	row.Snapshot = snap
	row.UpdatedAt = now
	row.Status = engineStatus(in.Status())
	if info.status != "" {
		row.Status = info.status
	} else if l.row.Status == store.StatusSuspended && !info.resume {
		row.Status = store.StatusSuspended
	}
	if row.Status == store.StatusCompleted || row.Status == store.StatusTerminated {
		if row.EndedAt.IsZero() {
			row.EndedAt = now
		}
	} else {
		row.EndedAt = timeZero
	}
	row.ErrorTask, row.ErrorElement, row.ErrorWhere, row.ErrorLine, row.ErrorMessage = 0, "", "", 0, ""
	if te := in.Err(); te != nil {
		row.ErrorTask, row.ErrorElement, row.ErrorWhere, row.ErrorLine, row.ErrorMessage = te.TaskID, te.NodeID, te.Where, te.Line, te.Msg
	}
	// An instance that fails in this step gets its model's failure policy:
	// suspended instead of in error when the model asks, and its
	// notification addresses told once the step is stored.
	var notify []string
	if row.Status == store.StatusError && l.row.Status != store.StatusError && info.status == "" && !info.resume && in.Err() != nil {
		policy := r.failurePolicy(ctx, row.ModelID)
		if policy.Suspend {
			row.Status = store.StatusSuspended
			info.events = append(info.events, store.Event{Event: "suspended", Detail: "the model suspends failed instances (fault_or_suspend_on_exception: suspend)"})
		}
		notify = policy.Notify
	}
	var paths map[string]string
	if r.specs != nil {
		if paths, err = r.specs.MetadataPaths(ctx, row.ModelID); err != nil {
			return 0, fmt.Errorf("metadata paths of %s: %w", row.ModelID, err)
		}
	}
	metadata, err := extractMetadata(paths, currentData(in))
	if err != nil {
		return 0, err
	}

	inbox, err := humanTaskChanges(row, l.before, in, info.actor, now, l.recheckInbox)
	if err != nil {
		return 0, err
	}
	taskLog := taskEvents(row.ID, l.before, in, info.actor, now)
	subs := subscriptionsOf(in)
	timers := timersOf(in)
	// written is what the derived rows hold once the step is stored.
	var written *store.DerivedRows
	wroteOutbox := false
	var id int64
	err = r.store.InTx(ctx, func(tx *store.Tx) error {
		stored := l.stored
		if l.row.ID == 0 {
			stored = &store.DerivedRows{}
		} else if stored == nil {
			var err error
			if stored, err = tx.DerivedRows(ctx, row.ID); err != nil {
				return err
			}
		}
		next := nextDerived(stored, metadata, l.sc, timers, subs)
		row.DerivedAbsent = next.Absent()
		if row.ID == 0 {
			row.StartedAt = now
			nid, err := tx.CreateInstance(ctx, row)
			if err != nil {
				return err
			}
			row.ID = nid
		} else {
			// Tasks that left the inbox go before the instance's status
			// changes: the status trigger then finds no inbox rows of
			// theirs to mark as not running (migration 0150).
			if err := inbox.finish(ctx, tx, row.ID, now); err != nil {
				return err
			}
			if err := tx.UpdateInstance(ctx, row); err != nil {
				return err
			}
		}
		id = row.ID
		if err := inbox.open(ctx, r, tx, row.ID, now); err != nil {
			return err
		}
		if err := tx.SetTimers(ctx, row.ID, stored.Timers, timers); err != nil {
			return err
		}
		if err := tx.SetSubscriptions(ctx, row.ID, stored.Subscriptions, subs); err != nil {
			return err
		}
		if info.inTx != nil {
			if err := info.inTx(ctx, tx); err != nil {
				return err
			}
		}
		if info.consume != 0 {
			if err := tx.ConsumeOutboxMessage(ctx, info.consume); err != nil {
				return err
			}
		}
		var err error
		if wroteOutbox, err = r.outbox(ctx, tx, row, effects, info.actor, now); err != nil {
			return err
		}
		if err := r.saveMetadata(ctx, tx, row.ID, l.sc, stored, next); err != nil {
			return err
		}
		written = next
		for _, f := range info.files {
			if _, err := tx.AddTaskFile(ctx, f); err != nil {
				return err
			}
		}
		if info.doneJob != nil {
			if err := tx.DeleteServiceJob(ctx, row.ID, info.doneJob.task); err != nil {
				return err
			}
		}
		if err := l.svc.stores.apply(ctx, tx); err != nil {
			return err
		}
		for _, c := range l.svc.calls {
			params, err := json.Marshal(c.Params)
			if err != nil {
				return fmt.Errorf("service task %s parameters: %w", c.NodeID, err)
			}
			data, err := json.Marshal(c.Data)
			if err != nil {
				return fmt.Errorf("service task %s data: %w", c.NodeID, err)
			}
			if err := tx.AddServiceJob(ctx, store.ServiceJob{InstanceID: row.ID, TaskID: c.TaskID, ElementID: c.NodeID, Operator: c.Operator,
				Params: string(params), TaskData: string(data), CreatedAt: now}); err != nil {
				return err
			}
		}
		events := make([]store.Event, 0, len(info.events)+len(taskLog))
		for _, e := range info.events {
			e.InstanceID, e.At = row.ID, now
			events = append(events, e)
		}
		for _, e := range taskLog {
			e.InstanceID = row.ID
			events = append(events, e)
		}
		return tx.AppendEvents(ctx, events)
	})
	if err != nil {
		return 0, err
	}
	l.row = row
	l.row.Version++
	l.stored = written
	r.keep(l, len(snap))
	r.obs.StepSaved()
	r.applyScriptChanges(ctx, row.ID, l.sc)
	if len(notify) > 0 {
		r.notifyFailure(row, notify)
	}
	if len(l.svc.calls) > 0 {
		r.notifyJobs()
	}
	// A new message, or an instance waiting for one that may be buffered,
	// gives the router work.
	if wroteOutbox || len(subs) > 0 {
		r.notifyRouter()
	}
	return id, nil
}

// The inbox rows of a step follow the state changes of its human tasks
// (before is each task's state when the instance was loaded): a task that
// became READY gets its row, one that completed or was cancelled has it
// closed. Tasks whose state did not change cost no statement, so a step's
// database work does not grow with the instance's history. Both writes leave
// a row that is already as wanted alone (a task without a row is not
// closed, one with a row is not inserted twice).

// inboxChanges is what a step changes in the inbox rows, worked out
// before its transaction so the single writer only writes.
type inboxChanges struct {
	finished []finishedTask
	opened   []store.HumanTask
	notes    []string // why owners fell back, by opened task ("" for none)
}

type finishedTask struct {
	taskID          int
	state, by, data string
}

// humanTaskChanges lists the changes; with recheck, every human task is listed
// as if it had changed (the writes leave rows already as wanted alone).
func humanTaskChanges(row store.Instance, before map[int]engine.State, in *engine.Instance, actor string, now timeT, recheck bool) (inboxChanges, error) {
	var c inboxChanges
	for _, t := range in.Tasks() {
		if !isHuman(t) {
			continue
		}
		if prev, known := before[t.ID]; known && prev == t.State && !recheck {
			continue
		}
		switch t.State {
		case engine.Completed, engine.Cancelled:
			state, by := store.TaskCompleted, actor
			if t.State == engine.Cancelled {
				state, by = store.TaskCancelled, ""
			}
			data, err := json.Marshal(t.Data)
			if err != nil {
				return c, fmt.Errorf("task %s data: %w", t.Node.ID, err)
			}
			c.finished = append(c.finished, finishedTask{taskID: t.ID, state: state, by: by, data: string(data)})
		case engine.Ready:
			ht, note, err := humanTask(row, t, now)
			if err != nil {
				return c, err
			}
			c.opened = append(c.opened, ht)
			c.notes = append(c.notes, note)
		}
	}
	return c, nil
}

// finish closes the rows of human tasks that completed or were cancelled.
func (c inboxChanges) finish(ctx context.Context, tx *store.Tx, id int64, now timeT) error {
	for _, f := range c.finished {
		if err := tx.FinishHumanTask(ctx, id, f.taskID, f.state, f.by, f.data, now); err != nil {
			return err
		}
	}
	return nil
}

// open inserts the rows of human tasks that became READY.
func (c inboxChanges) open(ctx context.Context, r *Runner, tx *store.Tx, id int64, now timeT) error {
	for i, ht := range c.opened {
		ht.InstanceID = id
		if err := tx.InsertHumanTask(ctx, ht); err != nil {
			return err
		}
		if note := c.notes[i]; note != "" {
			r.log.Warn("task owners", "instance", id, "task", ht.TaskID, "element", ht.ElementID, "note", note)
			if err := tx.AppendEvents(ctx, []store.Event{{InstanceID: id, TaskID: ht.TaskID, ElementID: ht.ElementID,
				Event: "owners", Detail: note, At: now}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// humanTask builds the inbox row of a READY human task, with its owners
// and a note when the lane rules fell back (see resolveOwners).
func humanTask(row store.Instance, t *engine.Task, now timeT) (store.HumanTask, string, error) {
	data, err := json.Marshal(t.Data)
	if err != nil {
		return store.HumanTask{}, "", fmt.Errorf("task %s data: %w", t.Node.ID, err)
	}
	o := resolveOwners(t.Node.Lane, t.Data, row.StartedBy)
	name := t.Node.Name
	if name == "" {
		name = t.Node.ID
	}
	created := t.Created
	if created.IsZero() {
		created = now
	}
	return store.HumanTask{
		InstanceID: row.ID, TaskID: t.ID, ElementID: t.Node.ID, Name: name, Kind: t.Node.Kind.String(), Lane: t.Node.Lane,
		AssignedGroup: o.group, WaitingFor: o.waitingFor, Owners: o.keys,
		ModelID: row.ModelID, ProcessID: processOf(t), ProcessName: row.ProcessName,
		State: store.TaskOpen, CreatedAt: created, UpdatedAt: now,
		FormModelID:  formModelOf(t, row.ModelID),
		FormSchema:   t.Node.Properties["formJsonSchemaFilename"],
		FormUISchema: t.Node.Properties["formUiSchemaFilename"],
		Instructions: t.Node.Instructions, VariableName: t.Node.VariableName,
		Data: string(data),
	}, o.note, nil
}

// formModelOf names the model whose files hold the task's form: the model
// of the file that defines the task's process (SpecSource names files
// "<model id>/<file name>"), so a task of a process reached through a call
// activity reads the called model's forms. Files named without a model
// fall back to the instance's model.
func formModelOf(t *engine.Task, instanceModel string) string {
	if sc := t.Node.Scope; sc != nil && sc.Process != nil {
		if dir := path.Dir(sc.Process.File); dir != "." && dir != "/" {
			return dir
		}
	}
	return instanceModel
}

func processOf(t *engine.Task) string {
	if sc := t.Node.Scope; sc != nil && sc.Process != nil {
		return sc.Process.ID
	}
	return ""
}

// taskEvents lists the task state changes of a step.
func taskEvents(id int64, before map[int]engine.State, in *engine.Instance, actor string, now timeT) []store.Event {
	var out []store.Event
	for _, t := range in.Tasks() {
		if prev, ok := before[t.ID]; ok && prev == t.State {
			continue
		}
		e := store.Event{InstanceID: id, TaskID: t.ID, ElementID: t.Node.ID, Event: t.State.String(), At: now}
		if isHuman(t) && t.State == engine.Completed {
			e.Username = actor
		}
		if t.State == engine.Error && t.Err != nil {
			e.Detail = t.Err.Error()
		}
		out = append(out, e)
	}
	return out
}

func timersOf(in *engine.Instance) []store.Timer {
	var out []store.Timer
	for _, t := range in.Tasks() {
		if t.State == engine.Waiting && !t.Due.IsZero() {
			out = append(out, store.Timer{TaskID: t.ID, ElementID: t.Node.ID, DueAt: t.Due})
		}
	}
	return out
}

func subscriptionsOf(in *engine.Instance) []store.Subscription {
	var out []store.Subscription
	for _, t := range in.Waiting() {
		for _, d := range t.Node.Events {
			if !t.Awaits(d) {
				continue
			}
			switch d.Type {
			case spec.EventMessage:
				out = append(out, store.Subscription{TaskID: t.ID, ElementID: t.Node.ID, Kind: "message", Name: d.Name})
			case spec.EventSignal:
				out = append(out, store.Subscription{TaskID: t.ID, ElementID: t.Node.ID, Kind: "signal", Name: d.Name})
			}
		}
	}
	return out
}

// currentData is the instance's data as metadata paths see it: the
// workflow data once it finished, else the data of the last completed task.
func currentData(in *engine.Instance) map[string]any {
	if d := in.Data(); d != nil {
		return d
	}
	if t := in.LastCompleted(); t != nil {
		return t.Data
	}
	return nil
}

// extractMetadata walks each dotted path through data, as SpiffArena's
// extract_metadata does: a missing segment gives null. Values are JSON.
func extractMetadata(paths map[string]string, data map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(paths))
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v any = data
		for _, seg := range strings.Split(paths[k], ".") {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[seg]
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("metadata %s: %w", k, err)
		}
		out[k] = string(b)
	}
	return out, nil
}
