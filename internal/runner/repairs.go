package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/store"
)

// Repairs an operator makes to an instance that failed or is stuck, as
// SpiffArena offers them: edit a task's data, skip a task, reset the
// instance to an earlier task, move it onto the model as it is now. Each is
// one step under the instance's version check, recorded in its event log
// with who did it.

// repairable loads an instance for a repair: its starter or an admin, and
// an instance that has not ended.
func (r *Runner) repairable(ctx context.Context, a Actor, id int64, action string) (*loaded, error) {
	l, err := r.instanceAction(ctx, a, id, action)
	if err != nil {
		return nil, err
	}
	if l.row.Status == store.StatusCompleted || l.row.Status == store.StatusTerminated {
		return nil, fmt.Errorf("%s instance %d: it is %s: %w", action, id, l.row.Status, ErrInvalidState)
	}
	return l, nil
}

// repairErr maps an engine refusal to the runner's errors.
func repairErr(action string, id int64, err error) error {
	switch {
	case errors.Is(err, engine.ErrNoTask):
		return fmt.Errorf("%s instance %d: %v: %w", action, id, err, store.ErrNotFound)
	case errors.Is(err, engine.ErrTaskState), errors.Is(err, engine.ErrNotRunnable), errors.Is(err, engine.ErrCannotReset):
		return &Refusal{msg: fmt.Sprintf("%s instance %d: %v.", action, id, err), kind: ErrInvalidState}
	}
	return fmt.Errorf("%s instance %d: %w", action, id, err)
}

// Refusal is a repair the instance's state does not allow, with the reason
// in words for the operator who asked (the elements and tasks concerned).
type Refusal struct {
	msg  string
	kind error
}

func (e *Refusal) Error() string { return e.msg }

// Unwrap gives the kind (ErrInvalidState).
func (e *Refusal) Unwrap() error { return e.kind }

// UserMessage is the reason as pages and the API show it.
func (e *Refusal) UserMessage() string {
	if len(e.msg) > 0 {
		return strings.ToUpper(e.msg[:1]) + e.msg[1:]
	}
	return e.msg
}

// saveRepair stores a repair step; a concurrent change is a conflict.
func (r *Runner) saveRepair(ctx context.Context, l *loaded, info stepInfo, action string) error {
	if _, err := r.save(ctx, l, info); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict("%s instance %d: it changed at the same time", action, l.row.ID)
		}
		return err
	}
	r.log.Info("instance repaired", "action", action, "instance", l.row.ID, "user", info.actor, "status", l.row.Status)
	return nil
}

// DataChange is what the event log records of an edit of task data.
type DataChange struct {
	Old map[string]any `json:"old"`
	New map[string]any `json:"new"`
}

// SetTaskData replaces the data of a live or failed task of an instance
// (typically the failed one, before a retry). The event log records the
// data before and after, who changed it and when.
func (r *Runner) SetTaskData(ctx context.Context, a Actor, id int64, taskID int, data map[string]any) error {
	l, err := r.repairable(ctx, a, id, "edit task data of")
	if err != nil {
		return err
	}
	old, err := l.inst.SetTaskData(taskID, data)
	if err != nil {
		return repairErr("edit task data of", id, err)
	}
	t := l.inst.Task(taskID)
	change, err := json.Marshal(DataChange{Old: old, New: t.Data})
	if err != nil {
		return fmt.Errorf("edit task data of instance %d: %w", id, err)
	}
	info := stepInfo{actor: a.Username, events: []store.Event{{TaskID: taskID, ElementID: t.Node.ID, Event: "data changed", Detail: string(change), Username: a.Username}}}
	if isHuman(t) && t.State == engine.Ready {
		shown, err := json.Marshal(t.Data)
		if err != nil {
			return fmt.Errorf("edit task data of instance %d: %w", id, err)
		}
		info.inTx = func(ctx context.Context, tx *store.Tx) error {
			return tx.SetOpenHumanTaskData(ctx, id, taskID, string(shown))
		}
	}
	return r.saveRepair(ctx, l, info, "edit task data of")
}

// SkipTask completes a READY or failed task without running it, and runs
// the instance on.
func (r *Runner) SkipTask(ctx context.Context, a Actor, id int64, taskID int) error {
	l, err := r.repairable(ctx, a, id, "skip a task of")
	if err != nil {
		return err
	}
	if err := l.inst.SkipTask(taskID); err != nil {
		return repairErr("skip a task of", id, err)
	}
	t := l.inst.Task(taskID)
	return r.saveRepair(ctx, l, stepInfo{actor: a.Username, events: []store.Event{{TaskID: taskID, ElementID: t.Node.ID, Event: "skipped", Username: a.Username}}}, "skip a task of")
}

// ResetTo puts an instance back to a completed task: the task runs again
// and what followed it is undone (see engine.Instance.ResetTo); a completed
// instance runs again. It returns the id of the new task.
func (r *Runner) ResetTo(ctx context.Context, a Actor, id int64, taskID int) (int, error) {
	// A completed instance may be reset too (it runs again from the task),
	// as SpiffArena allows; a terminated one stays ended.
	l, err := r.instanceAction(ctx, a, id, "reset")
	if err != nil {
		return 0, err
	}
	if l.row.Status == store.StatusTerminated {
		return 0, fmt.Errorf("reset instance %d: it is terminated: %w", id, ErrInvalidState)
	}
	nt, err := l.inst.ResetTo(taskID)
	if err != nil {
		return 0, repairErr("reset", id, err)
	}
	ev := store.Event{TaskID: taskID, ElementID: nt.Node.ID, Event: "reset", Username: a.Username,
		Detail: fmt.Sprintf("reset to task %d (%s); it runs again as task %d", taskID, nt.Node.ID, nt.ID)}
	if err := r.saveRepair(ctx, l, stepInfo{actor: a.Username, events: []store.Event{ev}}, "reset"); err != nil {
		return 0, err
	}
	return nt.ID, nil
}

// Migration is the outcome of moving one instance onto its model as it is
// now (or of its dry run).
type Migration struct {
	InstanceID int64  `json:"instance_id"`
	Status     string `json:"status"`
	// Needed: the instance's history or position differs from the model;
	// without it the instance already runs on the model as it is.
	Needed bool `json:"needed"`
	// Migrated: the instance was moved (never in a dry run).
	Migrated bool `json:"migrated"`
	engine.MigrationPlan
	// Error says why the instance could not be looked at or moved.
	Error string `json:"error,omitempty"`
}

// Migrate moves an instance onto its model as it is now: its tasks are
// bound to the elements of the same id, finished tasks whose element was
// removed stay as history, and the instance goes on along the new diagram.
// A live task at an element that is gone makes it refuse (ErrInvalidState)
// with the plan listing them. With dryRun nothing is written.
func (r *Runner) Migrate(ctx context.Context, a Actor, id int64, dryRun bool) (Migration, error) {
	row, err := r.store.Instance(ctx, id)
	if err != nil {
		return Migration{}, err
	}
	if !mayManage(a, row) {
		r.log.Warn("instance action refused", "user", a.Username, "action", "migrate", "instance", id)
		return Migration{}, fmt.Errorf("migrate instance %d: only its starter or an admin may: %w", id, ErrForbidden)
	}
	return r.migrateRow(ctx, a, row, dryRun)
}

func (r *Runner) migrateRow(ctx context.Context, a Actor, row store.Instance, dryRun bool) (Migration, error) {
	m, err := r.migrateOne(ctx, a, row, dryRun)
	// Lists are always lists in JSON, empty or not.
	if m.Unmappable == nil {
		m.Unmappable = []engine.MigrationIssue{}
	}
	if m.Removed == nil {
		m.Removed = []engine.MigrationIssue{}
	}
	return m, err
}

func (r *Runner) migrateOne(ctx context.Context, a Actor, row store.Instance, dryRun bool) (Migration, error) {
	id := row.ID
	m := Migration{InstanceID: id, Status: row.Status}
	if row.Status == store.StatusCompleted || row.Status == store.StatusTerminated {
		return m, fmt.Errorf("migrate instance %d: it is %s: %w", id, row.Status, ErrInvalidState)
	}
	lib, _, err := r.specs.LoadModel(ctx, row.ModelID)
	if err != nil {
		return m, fmt.Errorf("migrate instance %d: load model %s: %w", id, row.ModelID, err)
	}
	svc := &serviceCalls{model: row.ModelID}
	sc := &scriptCtx{ctx: ctx, instanceID: row.ID, modelID: row.ModelID, starter: row.StartedBy, actor: a.Username}
	env := r.env(svc, sc)
	if dryRun {
		plan, err := engine.PlanMigration(lib, row.Snapshot, env)
		if err != nil {
			return m, fmt.Errorf("migrate instance %d: %v: %w", id, err, ErrInvalid)
		}
		m.MigrationPlan, m.Needed = plan, plan.Needed()
		return m, nil
	}
	in, plan, err := engine.Migrate(lib, row.Snapshot, env)
	m.MigrationPlan, m.Needed = plan, plan.Needed()
	if err != nil {
		if errors.Is(err, engine.ErrUnmappable) {
			return m, &Refusal{msg: fmt.Sprintf("migrate instance %d onto model %s as it is now: %s.", id, row.ModelID, plan.Problem()), kind: ErrInvalidState}
		}
		return m, fmt.Errorf("migrate instance %d: %v: %w", id, err, ErrInvalid)
	}
	if !m.Needed {
		return m, nil
	}
	detail := fmt.Sprintf("moved onto model %s as it is now", row.ModelID)
	for _, rm := range plan.Removed {
		detail += "; " + rm.Message
	}
	l := &loaded{row: row, lib: lib, inst: in, svc: svc, before: taskStates(in), recheckInbox: true, sc: sc}
	if err := r.saveRepair(ctx, l, stepInfo{actor: a.Username, events: []store.Event{{Event: "migrated", Detail: detail, Username: a.Username}}}, "migrate"); err != nil {
		return m, err
	}
	m.Migrated, m.Status = true, l.row.Status
	return m, nil
}

// MigrateAll moves every instance of a model that has not ended onto the
// model as it is now (only an admin's action). Instances that cannot be
// mapped are left as they are and listed with why; with dryRun nothing is
// written.
func (r *Runner) MigrateAll(ctx context.Context, a Actor, modelID string, dryRun bool) ([]Migration, error) {
	if !a.Admin {
		return nil, fmt.Errorf("migrate the instances of %s: only an admin may: %w", modelID, ErrForbidden)
	}
	var out []Migration
	for _, status := range []string{store.StatusRunning, store.StatusError, store.StatusSuspended} {
		for offset := 0; ; {
			rows, total, err := r.store.Instances(ctx, store.InstanceFilter{ModelID: modelID, Status: status, Limit: 200, Offset: offset})
			if err != nil {
				return out, err
			}
			for _, listed := range rows {
				row, err := r.store.Instance(ctx, listed.ID)
				if err != nil {
					out = append(out, Migration{InstanceID: listed.ID, Status: listed.Status, Error: err.Error()})
					continue
				}
				m, err := r.migrateRow(ctx, a, row, dryRun)
				if err != nil {
					m.Error = err.Error()
				}
				out = append(out, m)
			}
			offset += len(rows)
			if len(rows) == 0 || offset >= total {
				break
			}
		}
	}
	return out, nil
}
