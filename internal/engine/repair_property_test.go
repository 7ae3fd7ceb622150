package engine_test

import (
	"errors"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// drive completes the first READY human task, up to n times.
func drive(in *engine.Instance, n int) {
	for range n {
		ready := in.ReadyHuman()
		if len(ready) == 0 {
			return
		}
		_ = in.Complete(ready[0].ID, map[string]any{})
	}
}

// Resetting any completed task of the engine's test processes either is
// refused with ErrCannotReset or ErrNotRunnable, or leaves an instance that
// is stored, restored and runs on; it never panics or breaks the instance.
// Before and after, a migration onto the same model finds nothing to do.
func TestResetNeverBreaksAnInstance(t *testing.T) {
	env := engine.Env{Clock: &testClock{now: t0}}
	resets, refused := 0, 0
	for _, file := range []string{"basic.bpmn", "gateways.bpmn", "subprocess.bpmn", "loops.bpmn", "links.bpmn", "inclusive_divert.bpmn", "loop_join.bpmn", "repair.bpmn", "tasks.bpmn", "timer_cycle.bpmn", "parallel_multiple.bpmn", "data.bpmn", "iospec.bpmn", "lanes.bpmn", "script_fail.bpmn", "snapshot.bpmn"} {
		lib := load(t, file)
		for _, pid := range lib.Order {
			p := lib.Process(pid)
			if p == nil || !p.Executable {
				continue
			}
			t.Run(file+"/"+pid, func(t *testing.T) {
				in, err := engine.Start(lib, engine.StartOptions{Process: pid, Data: map[string]any{"x": 7, "n": 3, "items": []any{1, 2}, "amount": 1}}, env)
				if err != nil {
					t.Logf("does not start with this data: %v", err)
					return
				}
				drive(in, 6)
				snap, err := in.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				// On its own model, an instance needs no migration.
				if plan, err := engine.PlanMigration(lib, snap, env); err != nil || plan.Needed() {
					t.Errorf("migration plan on the same model: %+v %v", plan, err)
				}
				for _, tk := range in.Tasks() {
					if tk.State != engine.Completed {
						continue
					}
					r, err := engine.Restore(lib, snap, env)
					if err != nil {
						t.Fatal(err)
					}
					nt, err := r.ResetTo(tk.ID)
					if err != nil {
						if !errors.Is(err, engine.ErrCannotReset) && !errors.Is(err, engine.ErrNotRunnable) {
							t.Errorf("reset to %d %s: unexpected error %v", tk.ID, tk.Node.ID, err)
						}
						refused++
						continue
					}
					if nt.Node != tk.Node {
						t.Errorf("reset to %s made a task at %s", tk.Node.ID, nt.Node.ID)
					}
					after, err := r.Snapshot()
					if err != nil {
						t.Fatalf("reset to %d %s: snapshot: %v", tk.ID, tk.Node.ID, err)
					}
					again, err := engine.Restore(lib, after, env)
					if err != nil {
						t.Fatalf("reset to %d %s: restore: %v", tk.ID, tk.Node.ID, err)
					}
					resets++
					if plan, err := engine.PlanMigration(lib, after, env); err != nil || plan.Needed() {
						t.Errorf("reset to %d %s: migration plan on the same model: %+v %v", tk.ID, tk.Node.ID, plan, err)
					}
					drive(again, 6)
					if _, err := again.Snapshot(); err != nil {
						t.Fatalf("reset to %d %s, then on: snapshot: %v", tk.ID, tk.Node.ID, err)
					}
				}
			})
		}
	}
	t.Logf("%d resets, %d refused", resets, refused)
	if resets < 100 {
		t.Errorf("only %d resets were tried", resets)
	}
}
