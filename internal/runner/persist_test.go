package runner_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/store"
)

// TestStepIsOneTransaction makes the last write of a step (the event log)
// fail inside SQLite and checks that nothing of the step stayed: not the
// snapshot, not the human tasks, not the uploaded files. Then the same
// completion succeeds and stores everything.
func TestStepIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	request := openTask(t, e, id, "request")
	before := instance(t, e, id)

	raw, err := sql.Open("sqlite3", e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_events BEFORE INSERT ON event_log BEGIN SELECT RAISE(ABORT, 'event log refused'); END`); err != nil {
		t.Fatal(err)
	}
	file := store.TaskFile{Field: "quote", Name: "quote.pdf", MimeType: "application/pdf", Digest: "d1", Content: []byte("%PDF-1.4")}
	err = e.runner.CompleteTaskWithFiles(ctx, alice, id, request, map[string]any{"item": "Desk", "amount": 300}, []store.TaskFile{file})
	if err == nil {
		t.Fatal("completion succeeded although its event log write failed")
	}
	after := instance(t, e, id)
	if after.Version != before.Version || !bytes.Equal(after.Snapshot, before.Snapshot) || after.Status != before.Status {
		t.Errorf("instance changed by the failed step: version %d → %d, status %s → %s", before.Version, after.Version, before.Status, after.Status)
	}
	openTask(t, e, id, "request") // still open
	tasks, err := e.store.InstanceHumanTasks(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 {
		t.Errorf("human tasks after the failed step: %+v", tasks)
	}
	if _, err := e.store.TaskFile(ctx, id, "d1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("uploaded file kept by the failed step: %v", err)
	}

	if _, err := raw.Exec(`DROP TRIGGER refuse_events`); err != nil {
		t.Fatal(err)
	}
	if err := e.runner.CompleteTaskWithFiles(ctx, alice, id, request, map[string]any{"item": "Desk", "amount": 300}, []store.TaskFile{file}); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.TaskFile(ctx, id, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if got.TaskID != request || got.UploadedBy != "alice" || string(got.Content) != "%PDF-1.4" {
		t.Errorf("stored file: task %d by %q, %q", got.TaskID, got.UploadedBy, got.Content)
	}
	openTask(t, e, id, "approve")
}

// TestConflictingCompletionKeepsNoFiles: the loser of two completions of
// one task leaves no uploaded file behind.
func TestConflictingCompletionKeepsNoFiles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	request := openTask(t, e, id, "request")
	data := map[string]any{"item": "Desk", "amount": 300}
	if err := e.runner.CompleteTaskWithFiles(ctx, alice, id, request, data, []store.TaskFile{{Name: "a.txt", Digest: "first", Content: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	err = e.runner.CompleteTaskWithFiles(ctx, alice, id, request, data, []store.TaskFile{{Name: "b.txt", Digest: "second", Content: []byte("b")}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second completion: %v, want a conflict", err)
	}
	if _, err := e.store.TaskFile(ctx, id, "second"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused completion's file was stored: %v", err)
	}
}

// TestCalledProcessFormsComeFromItsModel: a user task of a process reached
// through a call activity reads its form from the called model.
func TestCalledProcessFormsComeFromItsModel(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "caller", "callee")
	if _, _, err := e.specs.LoadModel(ctx, "group/callee"); err != nil { // makes callee_address resolvable
		t.Fatal(err)
	}
	id, err := e.runner.Start(ctx, alice, "group/caller", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ht, err := e.store.HumanTask(ctx, id, openTask(t, e, id, "address"))
	if err != nil {
		t.Fatal(err)
	}
	if ht.ModelID != "group/caller" || ht.FormModelID != "group/callee" || ht.FormSchema != "address-schema.json" {
		t.Errorf("task of the called process: model %q, form model %q, schema %q", ht.ModelID, ht.FormModelID, ht.FormSchema)
	}
	if _, err := e.runner.ReadModelFile(ctx, ht.FormModelID, ht.FormSchema); err != nil {
		t.Errorf("form file: %v", err)
	}
}

// TestSubscriptionsPersisted: what an instance waits for is stored with
// the step, and goes away when the wait ends.
func TestSubscriptionsPersisted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "waits")
	id, err := e.runner.Start(ctx, alice, "group/waits", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := e.store.InstanceSubscriptions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs {
		got = append(got, s.Kind+" "+s.Name+" at "+s.ElementID)
	}
	if diff := cmp.Diff([]string{"message order_paid at paid", "signal stop_all at stopped"}, got); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}
	waiting, err := e.store.Subscribers(ctx, "message", "order_paid")
	if err != nil {
		t.Fatal(err)
	}
	if len(waiting) != 1 || waiting[0].InstanceID != id {
		t.Errorf("subscribers of order_paid: %+v", waiting)
	}
	if err := e.runner.Terminate(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	if subs, _ := e.store.InstanceSubscriptions(ctx, id); len(subs) != 0 {
		t.Errorf("a terminated instance still waits for %+v", subs)
	}
}

// TestEmptyLaneOwnersFallBackToTheLane: a lane_owners list that names
// nobody offers the task to the lane's group and says so in the event log.
func TestEmptyLaneOwnersFallBackToTheLane(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "noowners")
	id, err := e.runner.Start(ctx, alice, "group/noowners", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	review := openTask(t, e, id, "review")
	ht, err := e.store.HumanTask(ctx, id, review)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"group:reviewers"}, ht.Owners); diff != "" {
		t.Errorf("owners (-want +got):\n%s", diff)
	}
	events, err := e.store.InstanceEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, ev := range events {
		if ev.Event == "owners" {
			notes = append(notes, ev.ElementID+": "+ev.Detail)
		}
	}
	want := []string{"review: lane_owners names nobody for the lane reviewers; the task is offered to the group reviewers"}
	if diff := cmp.Diff(want, notes); diff != "" {
		t.Errorf("owner notes in the event log (-want +got):\n%s", diff)
	}
}

// TestDerivedAbsentFollowsSteps: the instance row says which derived
// tables hold none of its rows, and a step that loads the instance without
// the cache (reading only the other tables) still replaces what it waits
// for.
func TestDerivedAbsentFollowsSteps(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "waits")
	id, err := e.runner.Start(ctx, alice, "group/waits", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := store.DerivedTimers | store.DerivedMetadata | store.DerivedScriptMetadata
	if got := instance(t, e, id).DerivedAbsent; got != want {
		t.Errorf("after the start: derived_absent %04b, want %04b (it waits for a message and a signal only)", got, want)
	}
	e.runner.Forget(id)
	if err := e.runner.Terminate(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	if subs, _ := e.store.InstanceSubscriptions(ctx, id); len(subs) != 0 {
		t.Errorf("a terminated instance loaded without the cache still waits for %+v", subs)
	}
	want |= store.DerivedSubscriptions
	if got := instance(t, e, id).DerivedAbsent; got != want {
		t.Errorf("after the end: derived_absent %04b, want %04b", got, want)
	}
}
