package engine_test

import (
	"slices"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// TestHostViews: after each call a host can see what changed (Touched),
// what is still active (Active) and the task completed last, without going
// through the history.
func TestHostViews(t *testing.T) {
	lib := parseBytes(t, "loop.bpmn", []byte(userLoop))
	in, err := engine.Start(lib, engine.StartOptions{Process: "loop", Data: map[string]any{"n": 0, "limit": 3}}, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ts []*engine.Task) []string {
		out := []string{}
		for _, tk := range ts {
			out = append(out, tk.Node.ID+":"+tk.State.String())
		}
		return out
	}
	if got := ids(in.Touched()); !slices.Equal(got, []string{"start:COMPLETED", "work:READY"}) {
		t.Errorf("touched by Start: %v", got)
	}
	if got := ids(in.Active()); !slices.Equal(got, []string{"work:READY"}) {
		t.Errorf("active after Start: %v", got)
	}
	if last := in.LastCompleted(); last == nil || last.Node.ID != "start" {
		t.Errorf("last completed after Start: %v", last)
	}
	work := in.Active()[0]
	if err := in.Complete(work.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := ids(in.Touched()); !slices.Equal(got, []string{"work:COMPLETED", "count:COMPLETED", "more:COMPLETED", "work:READY"}) {
		t.Errorf("touched by Complete: %v", got)
	}
	if last := in.LastCompleted(); last == nil || last.Node.ID != "more" {
		t.Errorf("last completed: %v", last)
	}
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := engine.Restore(lib, snap, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(back.Touched()); len(got) != 0 {
		t.Errorf("a restored instance has touched %v", got)
	}
	if last := back.LastCompleted(); last == nil || last.Node.ID != "more" {
		t.Errorf("last completed after Restore: %v", last)
	}
	if got := ids(back.Active()); !slices.Equal(got, []string{"work:READY"}) {
		t.Errorf("active after Restore: %v", got)
	}
}
