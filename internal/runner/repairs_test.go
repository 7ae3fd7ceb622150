package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// event returns the instance's last log entry of a kind.
func event(t *testing.T, e *env, id int64, kind string) store.Event {
	t.Helper()
	events, err := e.store.InstanceEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Event == kind {
			return events[i]
		}
	}
	t.Fatalf("instance %d has no %q event", id, kind)
	return store.Event{}
}

func TestEditDataOfFailedTaskThenRetry(t *testing.T) {
	forEachDatabase(t, []string{"repairs"}, testEditDataOfFailedTaskThenRetry)
}

func testEditDataOfFailedTaskThenRetry(t *testing.T, e *env) {
	ctx := context.Background()
	id, err := e.runner.Start(ctx, alice, "group/repairs", "", map[string]any{"who": "ann"})
	if err != nil {
		t.Fatal(err)
	}
	row := instance(t, e, id)
	if row.Status != store.StatusError || row.ErrorElement != "calc" {
		t.Fatalf("status %s at %q, want error at calc", row.Status, row.ErrorElement)
	}
	if err := e.runner.SetTaskData(ctx, bob, id, row.ErrorTask, map[string]any{"amount": 1}); !errors.Is(err, runner.ErrForbidden) {
		t.Fatalf("edit by someone else: %v, want ErrForbidden", err)
	}
	if err := e.runner.SetTaskData(ctx, alice, id, 99, map[string]any{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("edit of no task: %v, want ErrNotFound", err)
	}
	e.clock.Add(90e9)
	if err := e.runner.SetTaskData(ctx, alice, id, row.ErrorTask, map[string]any{"who": "ann", "amount": 41}); err != nil {
		t.Fatal(err)
	}
	ev := event(t, e, id, "data changed")
	var change runner.DataChange
	if err := json.Unmarshal([]byte(ev.Detail), &change); err != nil {
		t.Fatalf("detail %q: %v", ev.Detail, err)
	}
	if ev.Username != "alice" || ev.TaskID != row.ErrorTask || ev.ElementID != "calc" || !ev.At.Equal(e.clock.Now()) {
		t.Errorf("event %+v: want alice's change of calc at %v", ev, e.clock.Now())
	}
	if _, had := change.Old["amount"]; had || change.Old["who"] != "ann" || change.New["amount"] != float64(41) {
		t.Errorf("change %+v: want the data before (no amount) and after (amount 41)", change)
	}
	if got := instance(t, e, id); got.Status != store.StatusError {
		t.Fatalf("editing data moved the instance: %s", got.Status)
	}
	if err := e.runner.Retry(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	review := openTask(t, e, id, "review")
	ht, err := e.store.HumanTask(ctx, id, review)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ht.Data, `"total":42`) {
		t.Errorf("review data %s, want total 42", ht.Data)
	}
	// Editing an open human task's data shows on its page.
	if err := e.runner.SetTaskData(ctx, alice, id, review, map[string]any{"total": 50}); err != nil {
		t.Fatal(err)
	}
	if ht, _ = e.store.HumanTask(ctx, id, review); ht.Data != `{"total":50}` {
		t.Errorf("open task data %s, want the edited data", ht.Data)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, review, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, openTask(t, e, id, "approve"), nil); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusCompleted {
		t.Fatalf("status %s, want completed", got.Status)
	}
	if err := e.runner.SetTaskData(ctx, admin, id, review, map[string]any{}); !errors.Is(err, runner.ErrInvalidState) {
		t.Fatalf("edit of a completed instance: %v, want ErrInvalidState", err)
	}
}

func TestSkipFailedTaskInRunner(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "repairs")
	id, err := e.runner.Start(ctx, alice, "group/repairs", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := instance(t, e, id).ErrorTask
	if err := e.runner.SkipTask(ctx, bob, id, failed); !errors.Is(err, runner.ErrForbidden) {
		t.Fatalf("skip by someone else: %v, want ErrForbidden", err)
	}
	if err := e.runner.SkipTask(ctx, admin, id, failed); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusRunning || got.ErrorMessage != "" {
		t.Fatalf("after skip: %s %q, want running without error", got.Status, got.ErrorMessage)
	}
	if ev := event(t, e, id, "skipped"); ev.Username != "admin" || ev.ElementID != "calc" {
		t.Errorf("event %+v, want admin skipped calc", ev)
	}
	// A ready user task is skipped too; a completed one is refused.
	review := openTask(t, e, id, "review")
	if err := e.runner.SkipTask(ctx, alice, id, review); err != nil {
		t.Fatal(err)
	}
	openTask(t, e, id, "approve")
	if err := e.runner.SkipTask(ctx, alice, id, review); !errors.Is(err, runner.ErrInvalidState) {
		t.Fatalf("skip of a completed task: %v, want ErrInvalidState", err)
	}
}

func TestResetToEarlierTaskInRunner(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "repairs")
	id, err := e.runner.Start(ctx, alice, "group/repairs", "", map[string]any{"amount": 1})
	if err != nil {
		t.Fatal(err)
	}
	review := openTask(t, e, id, "review")
	if err := e.runner.CompleteTask(ctx, alice, id, review, map[string]any{"note": "first"}); err != nil {
		t.Fatal(err)
	}
	approve := openTask(t, e, id, "approve")
	if _, err := e.runner.ResetTo(ctx, bob, id, review); !errors.Is(err, runner.ErrForbidden) {
		t.Fatalf("reset by someone else: %v, want ErrForbidden", err)
	}
	if _, err := e.runner.ResetTo(ctx, alice, id, approve); !errors.Is(err, runner.ErrInvalidState) {
		t.Fatalf("reset to an open task: %v, want ErrInvalidState", err)
	}
	again, err := e.runner.ResetTo(ctx, alice, id, review)
	if err != nil {
		t.Fatal(err)
	}
	if got := openTask(t, e, id, "review"); got != again || got == review {
		t.Fatalf("open review task %d, want the new task %d", got, again)
	}
	ht, err := e.store.HumanTask(ctx, id, approve)
	if err != nil {
		t.Fatal(err)
	}
	if ht.State != store.TaskCancelled {
		t.Errorf("the later task is %s, want cancelled", ht.State)
	}
	if ev := event(t, e, id, "reset"); ev.Username != "alice" || ev.TaskID != review || !strings.Contains(ev.Detail, "review") {
		t.Errorf("event %+v, want alice's reset to review", ev)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, again, map[string]any{"note": "second"}); err != nil {
		t.Fatal(err)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, openTask(t, e, id, "approve"), nil); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusCompleted {
		t.Fatalf("status %s, want completed", got.Status)
	}
	// A completed instance runs again from the task it is reset to.
	if _, err := e.runner.ResetTo(ctx, alice, id, again); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusRunning || !got.EndedAt.IsZero() {
		t.Fatalf("after resetting a completed instance: %s ended %v, want running", got.Status, got.EndedAt)
	}
	openTask(t, e, id, "review")
	if err := e.runner.Terminate(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.runner.ResetTo(ctx, alice, id, review); !errors.Is(err, runner.ErrInvalidState) {
		t.Fatalf("reset of a terminated instance: %v, want ErrInvalidState", err)
	}
}

func useModelFile(t *testing.T, e *env, model, from string) {
	t.Helper()
	dir := e.specs.dirs[model]
	b, err := os.ReadFile(filepath.Join(dir, from))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "migrating.bpmn"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateInstanceAfterModelChange(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "migrating")
	id, err := e.runner.Start(ctx, alice, "group/migrating", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.runner.Start(ctx, bob, "group/migrating", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	review := openTask(t, e, id, "review")
	useModelFile(t, e, "group/migrating", "v2.bpmn.txt")
	// The model no longer has prep, which the instance passed: it does not
	// move on the changed model until it is migrated.
	if err := e.runner.CompleteTask(ctx, alice, id, review, nil); err == nil {
		t.Fatal("completing a task on a model that lost an element of the instance worked")
	}
	if _, err := e.runner.Migrate(ctx, bob, id, true); !errors.Is(err, runner.ErrForbidden) {
		t.Fatalf("dry run by someone else: %v, want ErrForbidden", err)
	}
	plan, err := e.runner.Migrate(ctx, alice, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Needed || plan.Migrated || len(plan.Unmappable) != 0 || len(plan.Removed) != 1 || plan.Removed[0].ElementID != "prep" {
		t.Fatalf("dry run %+v, want prep removed, nothing unmappable, nothing written", plan)
	}
	if _, err := e.runner.MigrateAll(ctx, alice, "group/migrating", true); !errors.Is(err, runner.ErrForbidden) {
		t.Fatalf("migrate all by a non-admin: %v, want ErrForbidden", err)
	}
	m, err := e.runner.Migrate(ctx, alice, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Migrated {
		t.Fatalf("migration %+v, want migrated", m)
	}
	if ev := event(t, e, id, "migrated"); ev.Username != "alice" || !strings.Contains(ev.Detail, "prep") {
		t.Errorf("event %+v, want alice's migration naming prep", ev)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, review, nil); err != nil {
		t.Fatal(err)
	}
	check := openTask(t, e, id, "check")
	if err := e.runner.CompleteTask(ctx, alice, id, check, nil); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusCompleted {
		t.Fatalf("status %s, want completed", got.Status)
	}

	// The next version drops review, where the other instance waits: the
	// dry run lists it, and migrating is refused.
	useModelFile(t, e, "group/migrating", "v3.bpmn.txt")
	all, err := e.runner.MigrateAll(ctx, admin, "group/migrating", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].InstanceID != other || len(all[0].Unmappable) != 1 || all[0].Unmappable[0].ElementID != "review" {
		t.Fatalf("dry run of all %+v, want the other instance with review unmappable", all)
	}
	if _, err := e.runner.Migrate(ctx, admin, other, false); !errors.Is(err, runner.ErrInvalidState) {
		t.Fatalf("migrate with an unmappable task: %v, want ErrInvalidState", err)
	}
	all, err = e.runner.MigrateAll(ctx, admin, "group/migrating", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Migrated || !strings.Contains(all[0].Error, "review") {
		t.Fatalf("migrate all %+v, want the other instance left, naming review", all)
	}
	// Back on a model with review, migrating all moves it.
	useModelFile(t, e, "group/migrating", "v2.bpmn.txt")
	all, err = e.runner.MigrateAll(ctx, admin, "group/migrating", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || !all[0].Migrated {
		t.Fatalf("migrate all %+v, want the other instance migrated", all)
	}
	if err := e.runner.CompleteTask(ctx, bob, other, openTask(t, e, other, "review"), nil); err != nil {
		t.Fatal(err)
	}
	openTask(t, e, other, "check")
}
