package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// taskView is everything a task holds, with its element by id.
type taskView struct {
	ID                 int
	Node               string
	State              string
	Scope              int
	Data               map[string]any
	From, Seq          int
	Created, Updated   time.Time
	Err                *engine.TaskError
	Role               engine.Role
	Wrapper, Index     int
	Key                any
	Attached, Gate     int
	Trigger, Pool      bool
	Due                time.Time
	Cycles             int
	Period             time.Duration
	Arrivals           []int
	LoopTotal          int
	LoopNext, LoopDone int
	Loop               [4][]any // keys, items, out keys, out items
}

func taskViews(in *engine.Instance) []taskView {
	var out []taskView
	for _, t := range in.Tasks() {
		v := taskView{ID: t.ID, Node: t.Node.ID, State: t.State.String(), Scope: t.Scope, Data: t.Data, From: t.From, Seq: t.Seq,
			Created: t.Created, Updated: t.Updated, Err: t.Err, Role: t.Role, Wrapper: t.Wrapper, Index: t.Index, Key: t.Key,
			Attached: t.Attached, Gate: t.Gate, Trigger: t.Trigger, Pool: t.Pool, Due: t.Due, Cycles: t.Cycles, Period: t.Period, Arrivals: t.Arrivals}
		if l := t.Loop; l != nil {
			v.LoopTotal, v.LoopNext, v.LoopDone = l.Total, l.Next, l.Done
			v.Loop = [4][]any{l.Keys, l.Items, l.OutKeys, l.OutItems}
		}
		out = append(out, v)
	}
	return out
}

// v1Steps take p_snap to the point testdata/snapshot_v1.json was written at
// by the version 1 writer: ten minutes in, one fanout instance answered,
// the timer still waiting.
var v1Steps = []step{
	advance(10 * time.Minute),
	completeWhere("fanout", "item", "a", m{"answer": "A"}),
}

// TestSnapshotRestoresExactly: every field of every task comes back, times
// included, whether the clock moved between steps or there is no clock.
func TestSnapshotRestoresExactly(t *testing.T) {
	t.Run("clock moving between steps", func(t *testing.T) {
		r := startCase(t, engineCase{files: []string{"snapshot.bpmn"}, process: "p_snap", data: m{"items": l("a", "b")}})
		for _, s := range v1Steps {
			s.do(t, r)
		}
		snap, err := r.in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		restored, err := engine.Restore(r.lib, snap, r.env)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(taskViews(r.in), taskViews(restored)); d != "" {
			t.Errorf("tasks after Restore (-before +after):\n%s", d)
		}
		// The answered instance was updated ten minutes after it was made.
		var answered taskView
		for _, v := range taskViews(restored) {
			if v.Node == "fanout" && v.State == "COMPLETED" {
				answered = v
			}
		}
		if answered.Created != t0 || answered.Updated != t0.Add(10*time.Minute) {
			t.Errorf("answered fanout created %v updated %v, want %v and ten minutes later", answered.Created, answered.Updated, t0)
		}
	})
	t.Run("no clock, then a clock", func(t *testing.T) {
		lib := load(t, "snapshot.bpmn")
		in, err := engine.Start(lib, engine.StartOptions{Process: "p_snap", Data: m{"items": l("a", "b")}}, engine.Env{})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		restored, err := engine.Restore(lib, snap, engine.Env{Clock: &testClock{now: t0}})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(taskViews(in), taskViews(restored)); d != "" {
			t.Errorf("tasks after Restore (-before +after):\n%s", d)
		}
		ask := restored.ReadyHuman()[0]
		if err := restored.Complete(ask.ID, nil); err != nil {
			t.Fatal(err)
		}
		snap, err = restored.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		again, err := engine.Restore(lib, snap, engine.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(taskViews(restored), taskViews(again)); d != "" {
			t.Errorf("tasks after Restore (-before +after):\n%s", d)
		}
		if got := again.Task(ask.ID); !got.Created.IsZero() || got.Updated != t0 {
			t.Errorf("ask created %v updated %v, want the zero time and %v", got.Created, got.Updated, t0)
		}
	})
}

// TestRestoreOlderVersions: snapshots written by the version 1 and 2
// writers restore to the same instance as one that never stopped, are
// written back as the current version (which reads back the same: a
// restored old snapshot records less sharing, so its bytes may differ), and
// go on the same way to the end.
func TestRestoreOlderVersions(t *testing.T) {
	for _, c := range []struct {
		file    string
		version int
	}{{"snapshot_v1.json", 1}, {"snapshot_v2.json", 2}} {
		t.Run(c.file, func(t *testing.T) {
			snap, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			var head struct{ Version int }
			if err := json.Unmarshal(snap, &head); err != nil || head.Version != c.version {
				t.Fatalf("testdata/%s: version %d, %v; want a version %d snapshot", c.file, head.Version, err, c.version)
			}
			live := startCase(t, engineCase{files: []string{"snapshot.bpmn"}, process: "p_snap", data: m{"items": l("a", "b")}})
			for _, s := range v1Steps {
				s.do(t, live)
			}
			old := &run{lib: live.lib, clock: &testClock{now: live.clock.now}}
			old.env = engine.Env{Clock: old.clock}
			if old.in, err = engine.Restore(old.lib, snap, old.env); err != nil {
				t.Fatalf("Restore version %d: %v", c.version, err)
			}
			if d := cmp.Diff(taskViews(live.in), taskViews(old.in)); d != "" {
				t.Errorf("tasks restored (-never stopped +restored):\n%s", d)
			}
			b, err := old.in.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(`{"version":%d,`, engine.SnapshotVersion); !bytes.HasPrefix(b, []byte(want)) {
				t.Errorf("snapshot of a migrated instance starts %.20s, want %s", b, want)
			}
			again, err := engine.Restore(old.lib, b, old.env)
			if err != nil {
				t.Fatalf("Restore the migrated snapshot: %v", err)
			}
			if d := cmp.Diff(taskViews(live.in), taskViews(again)); d != "" {
				t.Errorf("tasks after a second restore (-never stopped +restored):\n%s", d)
			}
			// Both go on the same way to the end.
			for _, s := range snapSteps[2:] {
				s.do(t, live)
				s.do(t, old)
			}
			live.clock.now = live.clock.now.Add(2 * time.Hour)
			old.clock.now = live.clock.now
			live.in.AdvanceTo(live.clock.now)
			old.in.AdvanceTo(old.clock.now)
			if live.in.Status() != engine.Done {
				t.Fatalf("never stopped: status %v, trace %v", live.in.Status(), live.in.Trace())
			}
			if d := cmp.Diff(observe(live), observe(old)); d != "" {
				t.Errorf("outcome (-never stopped +restored):\n%s", d)
			}
			if d := cmp.Diff(taskViews(live.in), taskViews(old.in)); d != "" {
				t.Errorf("tasks at the end (-never stopped +restored):\n%s", d)
			}
		})
	}
}

// TestRestoreIndented: a snapshot reformatted with whitespace (by hand or
// by a JSON tool) restores to the same instance.
func TestRestoreIndented(t *testing.T) {
	lib := benchLibrary(t, "par10.bpmn")
	env := engine.Env{Clock: benchClock}
	in, err := engine.Start(lib, engine.StartOptions{Process: "par10"}, env)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, snap, " ", "\t "); err != nil {
		t.Fatal(err)
	}
	back, err := engine.Restore(lib, indented.Bytes(), env)
	if err != nil {
		t.Fatalf("Restore of the indented snapshot: %v", err)
	}
	again, err := back.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(snap), string(again)); d != "" {
		t.Errorf("snapshot after restoring the indented one (-want +got):\n%s", d)
	}
}
