package runner_test

import (
	"context"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/store"
)

// TestLongHistoryStepWritesLittle: steps of an instance with a long
// history, through the runner into SQLite and PostgreSQL, write a bounded number
// of snapshot bytes, not the whole snapshot again: after a 10,000-item
// multi-instance activity (a snapshot of about 2 MB) and after 400
// iterations of a user-task loop. The instance then runs on to its end
// with every result in place.
func TestLongHistoryStepWritesLittle(t *testing.T) {
	const bound = 32 << 10
	for _, c := range []struct {
		name              string
		items, iterations int
		minSnapshot       int
	}{
		{"multi-instance over 10,000 items", 10_000, 0, 1 << 20},
		{"400 iterations of a loop", 1, 400, 96 << 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachDatabase(t, []string{"longrun"}, func(t *testing.T, e *env) {
				ctx := context.Background()
				list := make([]any, c.items)
				for i := range list {
					list[i] = i
				}
				limit := c.iterations + 3
				id, err := e.runner.Start(ctx, alice, "group/longrun", "", map[string]any{"items": list, "n": 0, "limit": limit})
				if err != nil {
					t.Fatal(err)
				}
				for range c.iterations {
					completeWork(t, e, id)
				}
				if size := len(instance(t, e, id).Snapshot); size < c.minSnapshot {
					t.Fatalf("snapshot of %d bytes; the test needs one of at least %d", size, c.minSnapshot)
				}
				for step := range 3 {
					before := e.store.WriteStats().SnapshotBytes
					completeWork(t, e, id)
					written := e.store.WriteStats().SnapshotBytes - before
					size := len(instance(t, e, id).Snapshot)
					t.Logf("step %d: %d snapshot bytes, %d written", step, size, written)
					if written > bound || written <= 0 {
						t.Errorf("step %d wrote %d snapshot bytes of a %d-byte snapshot; want at most %d", step, written, size, bound)
					}
				}
				// The instance page renders every task's data; the snapshot
				// is restored here instead, as the runner restores it.
				row := instance(t, e, id)
				if row.Status != store.StatusCompleted {
					t.Fatalf("status %s, want completed", row.Status)
				}
				lib, _, err := e.specs.LoadModel(ctx, "group/longrun")
				if err != nil {
					t.Fatal(err)
				}
				in, err := engine.Restore(lib, row.Snapshot, engine.Env{})
				if err != nil {
					t.Fatal(err)
				}
				data := in.Data()
				results, _ := data["results"].([]any)
				if len(results) != c.items || data["n"] != int64(limit) {
					t.Fatalf("%d results, n = %v; want %d and %d", len(results), data["n"], c.items, limit)
				}
				if last := results[c.items-1]; last != int64(2*(c.items-1)) {
					t.Errorf("last result %v (%T), want %d", last, last, 2*(c.items-1))
				}
			})
		})
	}
}

// TestLongHistorySuspendResumeTerminate: an instance whose snapshot is
// stored in chunks is suspended, resumed, stepped and terminated through
// the runner; each action stores a snapshot that restores, and the
// terminated instance keeps its history.
func TestLongHistorySuspendResumeTerminate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "longrun")
	id := startLongrun(t, e, 10_000, 0)
	for _, act := range []struct {
		name string
		do   func() error
		want string
	}{
		{"suspend", func() error { return e.runner.Suspend(ctx, admin, id) }, store.StatusSuspended},
		{"resume", func() error { return e.runner.Resume(ctx, admin, id) }, store.StatusRunning},
		{"complete", func() error { completeWork(t, e, id); return nil }, store.StatusRunning},
		{"terminate", func() error { return e.runner.Terminate(ctx, admin, id) }, store.StatusTerminated},
	} {
		if err := act.do(); err != nil {
			t.Fatalf("%s: %v", act.name, err)
		}
		row := instance(t, e, id)
		if row.Status != act.want {
			t.Fatalf("after %s: status %s, want %s", act.name, row.Status, act.want)
		}
		lib, _, err := e.specs.LoadModel(ctx, "group/longrun")
		if err != nil {
			t.Fatal(err)
		}
		in, err := engine.Restore(lib, row.Snapshot, engine.Env{})
		if err != nil {
			t.Fatalf("after %s: the stored snapshot does not restore: %v", act.name, err)
		}
		if n := len(in.Tasks()); n < 10_000 {
			t.Fatalf("after %s: %d tasks restored, want the whole history", act.name, n)
		}
	}
}
