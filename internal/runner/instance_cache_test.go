package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// otherRunner is a second runner on e's database with a store of its own,
// as a second process would have.
func otherRunner(t *testing.T, e *env, o runner.Options) *runner.Runner {
	t.Helper()
	var st *store.Store
	var err error
	if e.pgURL != "" {
		st, err = store.OpenPostgres(context.Background(), e.pgURL)
	} else {
		st, err = store.Open(context.Background(), e.dbPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o.Store, o.Clock = st, e.clock
	if o.Specs == nil {
		o.Specs = e.specs
	}
	return runner.New(o)
}

// completeWorkBy completes the open work task of a longrun instance
// through r.
func completeWorkBy(t *testing.T, e *env, r *runner.Runner, id int64) error {
	t.Helper()
	return r.CompleteTask(context.Background(), alice, id, openTask(t, e, id, "work"), nil)
}

func startLongrunWith(t *testing.T, e *env, r *runner.Runner, items int) int64 {
	t.Helper()
	list := make([]any, items)
	for i := range list {
		list[i] = i
	}
	id, err := r.Start(context.Background(), alice, "group/longrun", "", map[string]any{"items": list, "n": 0, "limit": 100})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// storedN is the loop counter n of a longrun instance as stored.
func storedN(t *testing.T, e *env, id int64) any {
	t.Helper()
	md, err := e.store.Instance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	lib, _, err := e.specs.LoadModel(context.Background(), md.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	in, err := engine.Restore(lib, md.Snapshot, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range in.Tasks() {
		if tk.Node.ID == "work" && tk.State == engine.Ready {
			return tk.Data["n"]
		}
	}
	t.Fatalf("instance %d has no ready work task", id)
	return nil
}

// TestInstanceCacheStepsAsRestored: steps served from the cache store the
// same snapshots, byte for byte, as steps that restore the instance from
// its stored snapshot; a changed model makes the cached instance stale.
func TestInstanceCacheStepsAsRestored(t *testing.T) {
	forEachDatabase(t, []string{"longrun"}, func(t *testing.T, e *env) {
		plain := otherRunner(t, e, runner.Options{InstanceCacheBytes: -1})
		cached, restored := startLongrunWith(t, e, e.runner, 300), startLongrunWith(t, e, plain, 300)
		for step := range 5 {
			if err := completeWorkBy(t, e, e.runner, cached); err != nil {
				t.Fatal(err)
			}
			if err := completeWorkBy(t, e, plain, restored); err != nil {
				t.Fatal(err)
			}
			a, b := instance(t, e, cached), instance(t, e, restored)
			if !bytes.Equal(a.Snapshot, b.Snapshot) {
				t.Fatalf("step %d: the cached instance stored a different snapshot (%d bytes) than the restored one (%d bytes)", step, len(a.Snapshot), len(b.Snapshot))
			}
		}
		s := e.runner.InstanceCacheStats()
		if s.Hits != 5 || s.Entries != 1 || s.Bytes <= 0 {
			t.Fatalf("cache stats %+v; want 5 hits and the instance held", s)
		}
		if s := plain.InstanceCacheStats(); s.Hits != 0 || s.Entries != 0 {
			t.Fatalf("a runner without a cache reports %+v", s)
		}

		// The model changes: the next step restores against the new one.
		file := filepath.Join(e.specs.dirs["group/longrun"], "longrun.bpmn")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(data, "<!-- changed -->\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := completeWorkBy(t, e, e.runner, cached); err != nil {
			t.Fatal(err)
		}
		if s := e.runner.InstanceCacheStats(); s.Stale != 1 || s.Hits != 5 {
			t.Fatalf("after a model change: %+v; want one stale entry and no more hits", s)
		}
		if n := storedN(t, e, cached); n != int64(6) {
			t.Fatalf("n = %v after 6 steps", n)
		}
	})
}

// TestInstanceCacheTwoRunners: two runners (two processes) step the same
// instance in turn; each notices the other's write by the version and
// restores the stored state instead of running on what it holds.
func TestInstanceCacheTwoRunners(t *testing.T) {
	forEachDatabase(t, []string{"longrun"}, func(t *testing.T, e *env) {
		a, b := e.runner, otherRunner(t, e, runner.Options{})
		id := startLongrunWith(t, e, a, 50)
		for i, r := range []*runner.Runner{a, a, b, a, b, b, a} {
			if err := completeWorkBy(t, e, r, id); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		if n := storedN(t, e, id); n != int64(7) {
			t.Fatalf("n = %v after 7 steps by two runners", n)
		}
		// a's first two steps ran on what it held, its next two found b's
		// writes; b's first step found nothing held, its second a's write.
		if s := a.InstanceCacheStats(); s.Hits != 2 || s.Stale != 2 {
			t.Errorf("runner a: %+v; want 2 hits and 2 stale entries", s)
		}
		if s := b.InstanceCacheStats(); s.Hits != 1 || s.Stale != 1 {
			t.Errorf("runner b: %+v; want 1 hit and 1 stale entry", s)
		}
	})
}

// hookedSpecs runs hook once, at the next MetadataPaths call after it is
// armed: save asks for the paths just before its transaction, so the hook
// writes between a step's load and its save.
type hookedSpecs struct {
	*dirSpecs
	armed atomic.Bool
	hook  func()
}

func (h *hookedSpecs) MetadataPaths(ctx context.Context, modelID string) (map[string]string, error) {
	if h.armed.CompareAndSwap(true, false) {
		h.hook()
	}
	return h.dirSpecs.MetadataPaths(ctx, modelID)
}

// TestInstanceCacheConflictDropsEntry: a cached instance whose step loses
// to another runner's write is dropped (the engine changed it in place);
// the next step runs on the stored state.
func TestInstanceCacheConflictDropsEntry(t *testing.T) {
	forEachDatabase(t, []string{"longrun"}, func(t *testing.T, e *env) {
		b := otherRunner(t, e, runner.Options{})
		hs := &hookedSpecs{dirSpecs: e.specs}
		a := otherRunner(t, e, runner.Options{Specs: hs})
		id := startLongrunWith(t, e, a, 50)
		if s := a.InstanceCacheStats(); s.Entries != 1 {
			t.Fatalf("after the start: %+v; want the instance held", s)
		}
		task := openTask(t, e, id, "work")
		hs.hook = func() {
			if err := b.CompleteTask(context.Background(), alice, id, task, nil); err != nil {
				t.Errorf("runner b: %v", err)
			}
		}
		hs.armed.Store(true)
		err := a.CompleteTask(context.Background(), alice, id, task, nil)
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("runner a completed a task runner b completed meanwhile: %v", err)
		}
		if s := a.InstanceCacheStats(); s.Entries != 0 || s.Hits != 1 {
			t.Fatalf("after the conflict: %+v; want the entry used once and dropped", s)
		}
		if err := completeWorkBy(t, e, a, id); err != nil {
			t.Fatal(err)
		}
		if n := storedN(t, e, id); n != int64(2) {
			t.Fatalf("n = %v; want 2 (b's step and a's second)", n)
		}
	})
}

// TestInstanceCacheFailedSaveDropsEntry: a step refused at saving (here
// by the data limit) leaves the instance as stored; the instance the
// engine changed is not kept, so the task can be completed again.
func TestInstanceCacheFailedSaveDropsEntry(t *testing.T) {
	forEachDatabase(t, []string{"longrun"}, func(t *testing.T, e *env) {
		r := otherRunner(t, e, runner.Options{MaxDataBytes: 64 << 10})
		id := startLongrunWith(t, e, r, 20)
		task := openTask(t, e, id, "work")
		err := r.CompleteTask(context.Background(), alice, id, task, map[string]any{"blob": strings.Repeat("x", 100<<10)})
		var tooLarge *runner.DataTooLargeError
		if !errors.As(err, &tooLarge) {
			t.Fatalf("an oversized step: %v", err)
		}
		if s := r.InstanceCacheStats(); s.Entries != 0 || s.Hits != 1 {
			t.Fatalf("after the refused step: %+v; want the entry used and dropped", s)
		}
		if err := r.CompleteTask(context.Background(), alice, id, task, map[string]any{"note": "small"}); err != nil {
			t.Fatalf("the same task again: %v", err)
		}
		if n := storedN(t, e, id); n != int64(1) {
			t.Fatalf("n = %v after one stored step", n)
		}
		if s := r.InstanceCacheStats(); s.Entries != 1 {
			t.Fatalf("after the stored step: %+v; want the instance held", s)
		}
	})
}

// TestInstanceCacheEvictsFinished: terminating an instance, or forgetting
// it, drops it from the cache.
func TestInstanceCacheEvictsFinished(t *testing.T) {
	e := newEnv(t, "longrun")
	id, other := startLongrunWith(t, e, e.runner, 10), startLongrunWith(t, e, e.runner, 10)
	if s := e.runner.InstanceCacheStats(); s.Entries != 2 {
		t.Fatalf("%+v; want both instances held", s)
	}
	if err := e.runner.Terminate(context.Background(), admin, id); err != nil {
		t.Fatal(err)
	}
	if s := e.runner.InstanceCacheStats(); s.Entries != 1 {
		t.Fatalf("after terminating: %+v; want one instance held", s)
	}
	e.runner.Forget(other)
	if s := e.runner.InstanceCacheStats(); s.Entries != 0 || s.Bytes != 0 {
		t.Fatalf("after forgetting: %+v; want none held", s)
	}
	if err := completeWorkBy(t, e, e.runner, other); err != nil {
		t.Fatal(err)
	}
}

// TestInstanceCacheBound: the cache holds no more bytes than allowed,
// dropping the least recently stepped instance first.
func TestInstanceCacheBound(t *testing.T) {
	e := newEnv(t, "longrun")
	probe := startLongrunWith(t, e, e.runner, 200)
	// An instance counts five times its snapshot's length.
	size := 5 * int64(len(instance(t, e, probe).Snapshot))
	r := otherRunner(t, e, runner.Options{InstanceCacheBytes: 2*size + size/2})
	ids := []int64{startLongrunWith(t, e, r, 200), startLongrunWith(t, e, r, 200), startLongrunWith(t, e, r, 200)}
	s := r.InstanceCacheStats()
	if s.Entries != 2 || s.Evicted != 1 || s.Bytes != 2*size {
		t.Fatalf("%+v with room for two instances of %d bytes", s, size)
	}
	// The first was dropped: its step restores; the third is still held.
	if err := completeWorkBy(t, e, r, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := completeWorkBy(t, e, r, ids[2]); err != nil {
		t.Fatal(err)
	}
	if s := r.InstanceCacheStats(); s.Hits != 1 || s.Entries != 2 {
		t.Fatalf("%+v; want the third instance's step served from the cache", s)
	}
}
