package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// Start starts an instance of a model's primary process (or of process
// when it is not empty), runs it until it waits, and persists it. An
// instance whose first steps fail is still created, in the error state.
func (r *Runner) Start(ctx context.Context, a Actor, modelID, process string, data map[string]any) (int64, error) {
	lib, primary, err := r.specs.LoadModel(ctx, modelID)
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", modelID, err)
	}
	if process == "" {
		process = primary
	}
	p := lib.Process(process)
	if p == nil {
		return 0, fmt.Errorf("start %s: the model has no process %q: %w", modelID, process, ErrInvalid)
	}
	svc := &serviceCalls{model: modelID}
	opts := engine.StartOptions{Process: process, Data: data}
	if c := collaborationOf(lib, process); c != "" {
		// Every executable pool starts together, as SpiffArena's
		// collaboration flag does; their messages stay in the instance.
		opts = engine.StartOptions{Collaboration: c, Data: data}
	}
	sc := &scriptCtx{ctx: ctx, modelID: modelID, starter: a.Username, actor: a.Username}
	in, err := engine.Start(lib, opts, r.env(svc, sc))
	if err != nil {
		return 0, fmt.Errorf("start %s process %s: %v: %w", modelID, process, err, ErrInvalid)
	}
	name := p.Name
	if name == "" {
		name = p.ID
	}
	l := &loaded{
		row: store.Instance{ModelID: modelID, ProcessID: process, ProcessName: name, StartedBy: a.Username},
		lib: lib, inst: in, svc: svc, before: map[int]engine.State{}, sc: sc,
	}
	reserved, err := r.startOver(ctx, l, func(env engine.Env) (*engine.Instance, error) { return engine.Start(lib, opts, env) })
	if err != nil {
		return 0, fmt.Errorf("start %s process %s: %v: %w", modelID, process, err, ErrInvalid)
	}
	id, err := r.save(ctx, l, stepInfo{actor: a.Username, events: []store.Event{{Event: "started", Username: a.Username, Detail: modelID + " " + process}}})
	if err != nil {
		r.dropReserved(ctx, reserved)
		return 0, fmt.Errorf("start %s: %w", modelID, err)
	}
	r.log.Info("instance started", "instance", id, "model", modelID, "process", process, "user", a.Username, "status", l.row.Status)
	return id, nil
}

// collaborationOf names the collaboration, in the process's own file, in
// which the process is one of several executable pools; "" when it has
// none. The first such collaboration by id wins.
func collaborationOf(lib *spec.Library, process string) string {
	p := lib.Process(process)
	if p == nil {
		return ""
	}
	ids := make([]string, 0, len(lib.Collaborations))
	for id := range lib.Collaborations {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := lib.Collaborations[id]
		if c.File != p.File {
			continue
		}
		executable, mine := 0, false
		for _, part := range c.Participants {
			if q := lib.Process(part.ProcessID); q != nil && q.Executable {
				executable++
				mine = mine || q.ID == process
			}
		}
		if mine && executable > 1 {
			return id
		}
	}
	return ""
}

// checkTask loads a human task and checks that the actor may act on it.
// A refusal is logged and recorded in the instance's event log.
func (r *Runner) checkTask(ctx context.Context, a Actor, instanceID int64, taskID int, action string) (store.HumanTask, error) {
	ht, err := r.store.HumanTask(ctx, instanceID, taskID)
	if err != nil {
		return store.HumanTask{}, err
	}
	if !mayAct(a, ht.Owners) {
		r.refuse(ctx, a, ht, action)
		return store.HumanTask{}, fmt.Errorf("%s task %d of instance %d: %s is not among its owners (%s): %w",
			action, taskID, instanceID, a.Username, ht.WaitingFor, ErrForbidden)
	}
	return ht, nil
}

// refuse logs a refused attempt on a task.
func (r *Runner) refuse(ctx context.Context, a Actor, ht store.HumanTask, action string) {
	r.log.Warn("task access refused", "user", a.Username, "action", action, "instance", ht.InstanceID, "task", ht.TaskID,
		"element", ht.ElementID, "owners", ht.Owners)
	err := r.store.AppendEvent(ctx, store.Event{InstanceID: ht.InstanceID, TaskID: ht.TaskID, ElementID: ht.ElementID,
		Event: "refused", Detail: action + " refused: not an owner", Username: a.Username, At: r.now()})
	if err != nil {
		r.log.Error("record refused access", "instance", ht.InstanceID, "err", err)
	}
}

// CompleteTask completes a READY human task with form data (nil for a
// manual task's button) and runs the instance until it waits again. Only
// the task's potential owners may complete it, and not while someone else
// holds a claim on it. Of two concurrent completions one fails with an
// error wrapping store.ErrConflict.
func (r *Runner) CompleteTask(ctx context.Context, a Actor, instanceID int64, taskID int, data map[string]any) error {
	return r.CompleteTaskWithFiles(ctx, a, instanceID, taskID, data, nil)
}

// CompleteTaskWithFiles is CompleteTask for a form with uploads: the files
// are stored in the same transaction as the completion, so a refused or
// conflicting completion leaves none of them behind.
func (r *Runner) CompleteTaskWithFiles(ctx context.Context, a Actor, instanceID int64, taskID int, data map[string]any, files []store.TaskFile) error {
	ht, err := r.checkTask(ctx, a, instanceID, taskID, "complete")
	if err != nil {
		return err
	}
	return r.complete(ctx, a, ht, data, files)
}

// CompleteTaskPage is CompleteTaskWithFiles for a task the caller has just
// read with TaskFor(…, "complete") in the same request, so the task is not
// read a second time. The owners are checked again on the page's copy; a
// change to the task since it was read is caught when the step is saved,
// as for any two concurrent completions.
func (r *Runner) CompleteTaskPage(ctx context.Context, a Actor, page TaskPage, data map[string]any, files []store.TaskFile) error {
	ht := page.Task
	if !mayAct(a, ht.Owners) {
		r.refuse(ctx, a, ht, "complete")
		return fmt.Errorf("complete task %d of instance %d: %s is not among its owners (%s): %w",
			ht.TaskID, ht.InstanceID, a.Username, ht.WaitingFor, ErrForbidden)
	}
	return r.complete(ctx, a, ht, data, files)
}

func (r *Runner) complete(ctx context.Context, a Actor, ht store.HumanTask, data map[string]any, files []store.TaskFile) error {
	instanceID, taskID := ht.InstanceID, ht.TaskID
	if ht.State != store.TaskOpen {
		return conflict("task %d of instance %d was already %s", taskID, instanceID, ht.State)
	}
	if ht.ClaimedBy != "" && ht.ClaimedBy != a.Username {
		return fmt.Errorf("task %d of instance %d is claimed by %s: %w", taskID, instanceID, ht.ClaimedBy, ErrForbidden)
	}
	if ht.InstanceStatus != store.StatusRunning {
		return fmt.Errorf("instance %d is %s: %w", instanceID, ht.InstanceStatus, ErrInvalidState)
	}
	l, err := r.load(ctx, instanceID, a.Username)
	if err != nil {
		return err
	}
	if l.row.Status != store.StatusRunning {
		return conflict("instance %d became %s meanwhile", instanceID, l.row.Status)
	}
	// The step's scripts may read the files it uploads before they are stored.
	l.sc.files = files
	if data == nil {
		data = map[string]any{}
	}
	if err := l.inst.Complete(taskID, data); err != nil {
		if errors.Is(err, engine.ErrTaskState) || errors.Is(err, engine.ErrNotRunnable) {
			return conflict("task %d of instance %d was completed meanwhile", taskID, instanceID)
		}
		return fmt.Errorf("complete task %d of instance %d: %v: %w", taskID, instanceID, err, ErrInvalidState)
	}
	for i := range files {
		files[i].InstanceID, files[i].TaskID, files[i].UploadedBy = instanceID, taskID, a.Username
	}
	if _, err := r.save(ctx, l, stepInfo{actor: a.Username, files: files}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict("task %d of instance %d: someone completed it or changed the instance at the same time", taskID, instanceID)
		}
		return err
	}
	r.obs.TaskCompleted()
	if r.log.Enabled(ctx, slog.LevelInfo) { // the arguments cost allocations even when not written
		r.log.Info("task completed", "instance", instanceID, "task", taskID, "element", ht.ElementID, "user", a.Username, "status", l.row.Status)
	}
	return nil
}

// Claim reserves an open task for the actor, so other owners cannot
// complete it until it is released.
func (r *Runner) Claim(ctx context.Context, a Actor, instanceID int64, taskID int) error {
	ht, err := r.checkTask(ctx, a, instanceID, taskID, "claim")
	if err != nil {
		return err
	}
	if ht.ClaimedBy == a.Username {
		return nil
	}
	if ht.ClaimedBy != "" {
		return conflict("task %d of instance %d is already claimed by %s", taskID, instanceID, ht.ClaimedBy)
	}
	if err := r.store.ClaimHumanTask(ctx, instanceID, taskID, "", a.Username); err != nil {
		return err
	}
	return r.store.AppendEvent(ctx, store.Event{InstanceID: instanceID, TaskID: taskID, ElementID: ht.ElementID, Event: "claimed", Username: a.Username, At: r.now()})
}

// Release gives up the actor's claim on a task. An admin may release
// anyone's claim.
func (r *Runner) Release(ctx context.Context, a Actor, instanceID int64, taskID int) error {
	ht, err := r.store.HumanTask(ctx, instanceID, taskID)
	if err != nil {
		return err
	}
	if !a.Admin || ht.ClaimedBy == "" {
		if ht, err = r.checkTask(ctx, a, instanceID, taskID, "release"); err != nil {
			return err
		}
	}
	switch {
	case ht.ClaimedBy == "":
		return nil
	case ht.ClaimedBy != a.Username && !a.Admin:
		return fmt.Errorf("task %d of instance %d is claimed by %s, not you: %w", taskID, instanceID, ht.ClaimedBy, ErrForbidden)
	}
	if err := r.store.ClaimHumanTask(ctx, instanceID, taskID, ht.ClaimedBy, ""); err != nil {
		return err
	}
	return r.store.AppendEvent(ctx, store.Event{InstanceID: instanceID, TaskID: taskID, ElementID: ht.ElementID, Event: "released", Username: a.Username, At: r.now()})
}

// mayManage reports whether the actor may suspend, resume, terminate or
// retry an instance: an admin, or the user who started it.
func mayManage(a Actor, row store.Instance) bool {
	return a.Admin || row.StartedBy == a.Username
}

// instanceAction loads an instance for an instance-level action and checks
// the actor may manage it.
func (r *Runner) instanceAction(ctx context.Context, a Actor, id int64, action string) (*loaded, error) {
	l, err := r.load(ctx, id, a.Username)
	if err != nil {
		return nil, err
	}
	if !mayManage(a, l.row) {
		r.log.Warn("instance action refused", "user", a.Username, "action", action, "instance", id)
		return nil, fmt.Errorf("%s instance %d: only its starter or an admin may: %w", action, id, ErrForbidden)
	}
	return l, nil
}

// Suspend stops an instance from moving on: its tasks cannot be completed
// and its timers do not fire until Resume.
func (r *Runner) Suspend(ctx context.Context, a Actor, id int64) error {
	l, err := r.instanceAction(ctx, a, id, "suspend")
	if err != nil {
		return err
	}
	if l.row.Status != store.StatusRunning && l.row.Status != store.StatusError {
		return fmt.Errorf("suspend instance %d: it is %s: %w", id, l.row.Status, ErrInvalidState)
	}
	_, err = r.save(ctx, l, stepInfo{actor: a.Username, status: store.StatusSuspended, events: []store.Event{{Event: "suspended", Username: a.Username}}})
	return err
}

// Resume lets a suspended instance move on; timers that fell due meanwhile
// fire at the scheduler's next poll.
func (r *Runner) Resume(ctx context.Context, a Actor, id int64) error {
	l, err := r.instanceAction(ctx, a, id, "resume")
	if err != nil {
		return err
	}
	if l.row.Status != store.StatusSuspended {
		return fmt.Errorf("resume instance %d: it is %s, not suspended: %w", id, l.row.Status, ErrInvalidState)
	}
	_, err = r.save(ctx, l, stepInfo{actor: a.Username, resume: true, events: []store.Event{{Event: "resumed", Username: a.Username}}})
	return err
}

// Terminate ends an instance: every open task is cancelled.
func (r *Runner) Terminate(ctx context.Context, a Actor, id int64) error {
	l, err := r.instanceAction(ctx, a, id, "terminate")
	if err != nil {
		return err
	}
	if l.row.Status == store.StatusCompleted || l.row.Status == store.StatusTerminated {
		return fmt.Errorf("terminate instance %d: it is already %s: %w", id, l.row.Status, ErrInvalidState)
	}
	l.inst.Terminate()
	_, err = r.save(ctx, l, stepInfo{actor: a.Username, status: store.StatusTerminated, events: []store.Event{{Event: "terminated", Username: a.Username}}})
	return err
}

// Retry moves the failed task of an instance in the error state on again,
// against the model as it is now (fixed since the failure).
func (r *Runner) Retry(ctx context.Context, a Actor, id int64) error {
	l, err := r.instanceAction(ctx, a, id, "retry")
	if err != nil {
		return err
	}
	if l.row.Status != store.StatusError {
		return fmt.Errorf("retry instance %d: it is %s, not in error: %w", id, l.row.Status, ErrInvalidState)
	}
	te := l.inst.Err()
	if te == nil {
		return fmt.Errorf("retry instance %d: no task is in error: %w", id, ErrInvalidState)
	}
	if err := l.inst.Retry(te.TaskID); err != nil {
		return fmt.Errorf("retry instance %d: %v: %w", id, err, ErrInvalidState)
	}
	_, err = r.save(ctx, l, stepInfo{actor: a.Username, events: []store.Event{{TaskID: te.TaskID, ElementID: te.NodeID, Event: "retried", Username: a.Username}}})
	if err != nil {
		return err
	}
	r.log.Info("instance retried", "instance", id, "task", te.NodeID, "user", a.Username, "status", l.row.Status)
	return nil
}
