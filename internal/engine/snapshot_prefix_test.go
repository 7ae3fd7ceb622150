package engine_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// TestSnapshotReusesFinishedHistory: after a 10,000-item multi-instance
// activity, a snapshot copies the encoded finished tasks from the one
// before instead of encoding them again, and writes the same bytes as a
// full encoding, after a step, after a finished task changed, and for an
// instance restored from it.
func TestSnapshotReusesFinishedHistory(t *testing.T) {
	const n = 10000
	items := make([]any, n)
	for i := range items {
		items[i] = int64(i)
	}
	lib := parseBytes(t, "mi.bpmn", []byte(miProcess(false)))
	in, err := engine.Start(lib, engine.StartOptions{Process: "mi", Data: map[string]any{"items": items}}, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string) []byte {
		t.Helper()
		got, err := in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		got = bytes.Clone(got)
		reused := engine.PrefixTasks(in)
		full, err := engine.FullSnapshot(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, full) {
			t.Fatalf("%s: the snapshot reusing %d tasks differs from a full encoding (%d and %d bytes)", what, reused, len(got), len(full))
		}
		return got
	}
	first := same("after the multi-instance activity")
	if got := engine.PrefixTasks(in); got < n {
		t.Fatalf("the snapshot keeps %d finished tasks encoded, want at least %d", got, n)
	}
	// Unchanged: the next snapshot copies the whole finished history.
	if again := same("unchanged"); !bytes.Equal(again, first) {
		t.Fatal("an unchanged instance snapshots differently")
	}
	engine.TouchTask(in, n/2, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	same("after a finished task changed")

	ready := in.ReadyHuman()
	if len(ready) != 1 {
		t.Fatalf("%d ready human tasks, want the user task", len(ready))
	}
	if err := in.Complete(ready[0].ID, map[string]any{"seen": true}); err != nil {
		t.Fatal(err)
	}
	if in.Status() != engine.Done {
		t.Fatalf("status %v after the user task", in.Status())
	}
	last := same("after the user task")
	restored, err := engine.Restore(lib, last, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	r1, err := restored.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r1 = bytes.Clone(r1)
	if !bytes.Equal(r1, last) {
		i := 0
		for i < len(r1) && i < len(last) && r1[i] == last[i] {
			i++
		}
		t.Fatalf("restored differs at %d: %q vs %q", i, r1[max(0, i-200):min(len(r1), i+100)], last[max(0, i-200):min(len(last), i+100)])
	}
	again, err := restored.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, last) || engine.PrefixTasks(restored) < n {
		t.Fatalf("a restored instance's second snapshot reuses %d tasks and equals the stored one: %v", engine.PrefixTasks(restored), bytes.Equal(again, last))
	}
}
