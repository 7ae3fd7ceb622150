package engine_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// TestTaskObjectAndHelpers: pre- and post-scripts read the task object
// (the lane, the element id and name, the data), and a Helper learns the
// instance and task of the script that calls it.
func TestTaskObjectAndHelpers(t *testing.T) {
	lib := load(t, "task_object.bpmn")
	var calls []string
	env := engine.Env{Clock: &testClock{now: t0}, Helpers: map[string]engine.Helper{
		"where_am_i": func(c engine.ScriptCall, args []any, kwargs map[string]any) (any, error) {
			calls = append(calls, c.Task.Node.ID)
			return map[string]any{"process": c.Instance.ProcessID(), "node": c.Task.Node.ID, "lane": c.Task.Node.Lane,
				"args": args, "k": kwargs["k"]}, nil
		},
	}}
	in, err := engine.Start(lib, engine.StartOptions{Process: "p_task_object", Data: map[string]any{"amount": int64(12)}}, env)
	if err != nil {
		t.Fatal(err)
	}
	if e := in.Err(); e != nil {
		t.Fatalf("instance failed: %+v", e)
	}
	ready := in.ReadyHuman()
	if len(ready) != 1 {
		t.Fatalf("ready human tasks: %d", len(ready))
	}
	want := map[string]any{"amount": int64(12), "lane_seen": "Finance Team", "spec_name": "approve", "bpmn_name": "Approve the invoice", "amount_seen": int64(12)}
	if d := cmp.Diff(want, ready[0].Data); d != "" {
		t.Errorf("data after the pre-script (-want +got):\n%s", d)
	}
	// A restored instance binds its helpers again.
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	in, err = engine.Restore(lib, snap, env)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Complete(ready[0].ID, map[string]any{"ok": true}); err != nil {
		t.Fatal(err)
	}
	if e := in.Err(); e != nil {
		t.Fatalf("instance failed: %+v", e)
	}
	got := in.Data()
	if got["post_lane"] != "Finance Team/approve" {
		t.Errorf("post_lane = %v", got["post_lane"])
	}
	wantWhere := map[string]any{"process": "p_task_object", "node": "record", "lane": "Finance Team", "args": []any{"x"}, "k": int64(1)}
	if d := cmp.Diff(wantWhere, got["where"]); d != "" {
		t.Errorf("helper result (-want +got):\n%s", d)
	}
	if got["manual"] != false {
		t.Errorf("manual = %v, want false for a script task", got["manual"])
	}
	if _, ok := got["task"]; ok {
		t.Error("the task object leaked into the task data")
	}
	if d := cmp.Diff([]string{"record"}, calls); d != "" {
		t.Errorf("helper calls (-want +got):\n%s", d)
	}
}
