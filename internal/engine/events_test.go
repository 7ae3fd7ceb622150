package engine_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// TestEventsAcrossScopes: errors through two call-activity levels, timer
// cycles on a person's task, and an interrupting message event subprocess.
func TestEventsAcrossScopes(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "an error two call activities down is caught on the outer one with its payload", files: []string{"events.bpmn"}, process: "p_err_outer",
			data: m{"item": "lamp"},
			want: outcome{Status: statusDone,
				Trace: strs("o_start", "m_start", "c_start", "c_check", "c_fail", "o_caught", "o_handle", "o_end_failed"),
				Ready: strs(), Waiting: strs(),
				Data: m{"item": "lamp", "failure": m{"reason": "out of stock: lamp", "level": int64(2)}, "handled": "out of stock: lamp"}},
			states: map[string][]string{"o_call": {"CANCELLED"}, "m_call": {"CANCELLED"}, "m_after": {}, "o_end": {}},
		},
		{
			name: "a non-interrupting timer cycle fires every hour until the task completes", files: []string{"events.bpmn"}, process: "p_remind",
			steps: []step{
				expectNow(strs("review"), strs("remind")),
				advance(59 * time.Minute),
				expectTrace("r_start"),
				advance(2 * time.Minute),
				advance(60 * time.Minute),
				advance(60 * time.Minute),
				expectTrace("r_start", "remind", "nudge", "nudge_end", "remind", "nudge", "nudge_end", "remind", "nudge", "nudge_end"),
				expectNow(strs("review"), strs("remind")),
				complete("review", m{"ok": true}),
				expectNow(strs(), strs()),
				advance(5 * time.Hour),
			},
			want: outcome{Status: statusDone,
				Trace: strs("r_start", "remind", "nudge", "nudge_end", "remind", "nudge", "nudge_end", "remind", "nudge", "nudge_end", "review", "r_end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"nudged": true, "ok": true}},
			states: map[string][]string{"remind": {"CANCELLED", "COMPLETED", "COMPLETED", "COMPLETED"}, "review": {"COMPLETED"}},
		},
		{
			name: "R3 fires three times and stops while the task still waits", files: []string{"events.bpmn"}, process: "p_remind3",
			steps: []step{
				advance(61 * time.Minute),
				advance(60 * time.Minute),
				advance(60 * time.Minute),
				advance(60 * time.Minute),
				advance(60 * time.Minute),
				expectNow(strs("review3"), strs()),
				expectTrace("r3_start", "remind3", "nudge3_end", "remind3", "nudge3_end", "remind3", "nudge3_end"),
				complete("review3", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("r3_start", "remind3", "nudge3_end", "remind3", "nudge3_end", "remind3", "nudge3_end", "review3", "r3_end"),
				Ready: strs(), Waiting: strs(), Data: m{}},
		},
		{
			name: "an interrupting message event subprocess cancels the waiting task", files: []string{"events.bpmn"}, process: "p_withdraw",
			steps: []step{
				expectNow(strs("w_approve"), strs("wd_start")),
				deliver("message", "withdraw", m{"why": "changed plans"}, true),
			},
			want: outcome{Status: statusDone,
				Trace: strs("w_start", "wd_start", "wd_note", "wd_end", "w_on_withdraw"),
				Ready: strs(), Waiting: strs(), Data: m{}},
			states: map[string][]string{"w_approve": {"CANCELLED"}, "w_end": {}},
		},
	})
}

// TestSnapshotWithEverythingPending: an instance snapshotted while a timer,
// a message subscription and compensation handlers are pending restores
// and runs to the end with the trace of the run that was never stopped.
func TestSnapshotWithEverythingPending(t *testing.T) {
	c := engineCase{files: []string{"events.bpmn"}, process: "p_pending"}
	rest := []step{
		deliver("message", "go", nil, true),
		complete("p_undo_b", m{"b_undone": true}),
		expectNow(strs("p_undo_a"), strs("p_wait_hour")),
		advance(2 * time.Hour),
		complete("p_undo_a", m{"a_undone": true}),
	}
	wantTrace := strs("p_start", "p_book_a", "p_book_b", "p_fork", "p_comp_b", "p_wait_go", "p_undo_b",
		"p_comp_a", "p_wait_hour", "p_undo_a", "p_undo", "p_join", "p_end")

	direct := startCase(t, c)
	for _, s := range rest {
		s.do(t, direct)
	}

	r := startCase(t, c)
	expectNow(strs("p_undo_b"), strs("p_wait_hour", "p_wait_go")).do(t, r)
	snap, err := r.in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"due":`, `"compensate":[`, `"comp_for":`} {
		if !bytes.Contains(snap, []byte(want)) {
			t.Errorf("snapshot lacks %s:\n%s", want, snap)
		}
	}
	in, err := engine.Restore(r.lib, snap, r.env)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	r.in = in
	for _, s := range rest {
		s.do(t, r)
	}
	if d := cmp.Diff(wantTrace, direct.in.Trace()); d != "" {
		t.Errorf("direct trace (-want +got):\n%s", d)
	}
	if d := cmp.Diff(direct.in.Trace(), r.in.Trace()); d != "" {
		t.Errorf("restored trace differs from the direct run (-direct +restored):\n%s", d)
	}
	if r.in.Status() != engine.Done || direct.in.Status() != engine.Done {
		t.Errorf("status: restored %v, direct %v; want both completed", r.in.Status(), direct.in.Status())
	}
	if d := cmp.Diff(direct.in.Data(), r.in.Data()); d != "" {
		t.Errorf("data differs (-direct +restored):\n%s", d)
	}
	if d := cmp.Diff(m{"a": "booked", "b": "booked", "a_undone": true, "b_undone": true}, r.in.Data()); d != "" {
		t.Errorf("data (-want +got):\n%s", d)
	}
}
