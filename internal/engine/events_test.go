package engine_test

import (
	"bytes"
	"os"
	"path/filepath"
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

	// testdata/snapshot_v3_compensation.json is that snapshot as version 3
	// writes it: it still restores, to the same tasks, and runs the same
	// way. (It is what this writer writes; when the format changes, the
	// version goes up and the file stays as a sample of version 3.)
	stored, err := os.ReadFile(filepath.Join("testdata", "snapshot_v3_compensation.json"))
	if err != nil {
		t.Fatal(err)
	}
	if engine.SnapshotVersion == 3 && !bytes.Equal(bytes.TrimSpace(stored), snap) {
		t.Errorf("the version 3 writer no longer writes testdata/snapshot_v3_compensation.json:\n%s", snap)
	}
	fromFile := startCase(t, c)
	want := taskViews(fromFile.in)
	if fromFile.in, err = engine.Restore(fromFile.lib, stored, fromFile.env); err != nil {
		t.Fatalf("Restore testdata/snapshot_v3_compensation.json: %v", err)
	}
	if d := cmp.Diff(want, taskViews(fromFile.in)); d != "" {
		t.Errorf("tasks restored from the file (-never stopped +restored):\n%s", d)
	}
	for _, s := range rest {
		s.do(t, fromFile)
	}
	if d := cmp.Diff(wantTrace, fromFile.in.Trace()); d != "" {
		t.Errorf("trace after restoring the file (-want +got):\n%s", d)
	}
}

// TestEventKinds: escalations caught and uncaught, errors caught by a
// catch-all boundary and uncaught, timer and error event subprocesses at
// process and subprocess level, and a timer cycle with a start date.
func TestEventKinds(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "an uncaught escalation leaves for the host and the instance goes on", files: []string{"events.bpmn"}, process: "p_esc_out",
			want:    outcome{Status: statusDone, Trace: strs("eo_start", "eo_raise", "eo_end"), Ready: strs(), Waiting: strs(), Data: m{}},
			checkFx: true,
			effects: []effect{{Kind: "escalation", Name: "Late", Payload: m{"days": int64(3)}}},
		},
		{
			name: "a non-interrupting escalation boundary on a subprocess", files: []string{"events.bpmn"}, process: "p_esc_caught",
			steps: []step{
				// The boundary event does not interrupt: it waits for more.
				expectNow(strs("ec_tell", "ecs_work"), strs("ec_late")),
				expectData("ec_tell", m{"lateness": m{"days": int64(3)}}),
				complete("ec_tell", nil),
				complete("ecs_work", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("ec_start", "ecs_start", "ecs_raise", "ec_late", "ec_tell", "ec_tell_end", "ecs_work", "ecs_end", "ec_sub", "ec_end"),
				Ready: strs(), Waiting: strs(), Data: m{"lateness": m{"days": int64(3)}}},
			states: map[string][]string{"ec_late": {"CANCELLED", "COMPLETED"}},
		},
		{
			name: "an error boundary without a code catches any error", files: []string{"events.bpmn"}, process: "p_err_any",
			data: m{"reason": "r"},
			want: outcome{Status: statusDone, Trace: strs("ea_start", "eas_start", "eas_fail", "ea_any", "ea_end_failed"),
				Ready: strs(), Waiting: strs(), Data: m{"reason": "r"}},
			states: map[string][]string{"ea_sub": {"CANCELLED"}, "ea_end": {}},
		},
		{
			name: "an error event subprocess ends its subprocess; a timer cycle event subprocess runs beside", files: []string{"events.bpmn"}, process: "p_es_kinds",
			data: m{"reason": "broken"},
			steps: []step{
				expectNow(strs("ks_work"), strs("kh_start", "kse_start")),
				advance(61 * time.Minute),
				advance(60 * time.Minute),
				advance(60 * time.Minute),
				expectTrace("k_start", "ks_start", "kh_start", "kh_end", "k_every_hour", "kh_start", "kh_end", "k_every_hour"),
				complete("ks_work", nil),
				expectNow(strs("k_after"), strs()),
				expectData("kse_fix", m{"reason": "broken", "failure": m{"reason": "broken", "level": int64(2)}, "fixed": "broken"}),
				complete("k_after", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("k_start", "ks_start", "kh_start", "kh_end", "k_every_hour", "kh_start", "kh_end", "k_every_hour",
					"ks_work", "ks_fail", "kse_start", "kse_fix", "kse_end", "ks_on_error", "k_sub", "k_after", "k_end"),
				Ready: strs(), Waiting: strs(), Data: m{"reason": "broken", "failure": m{"reason": "broken", "level": int64(2)}}},
		},
		{
			name: "a timer cycle with a start date fires from that date on", files: []string{"events.bpmn"}, process: "p_cycle_start",
			steps: []step{
				advance(2 * time.Hour),
				expectTrace("cs_start"),
				advance(time.Hour + time.Minute),
				expectTrace("cs_start", "cs_tick", "cs_end"),
				advance(time.Hour),
				advance(time.Hour),
				advance(time.Hour),
			},
			want: outcome{Status: statusDone, Trace: strs("cs_start", "cs_tick", "cs_end", "cs_tick", "cs_end", "cs_tick", "cs_end"),
				Ready: strs(), Waiting: strs(), Data: m{}},
		},
		{
			name: "conditional events fire when the data they watch changes", files: []string{"events.bpmn"}, process: "p_conditional",
			steps: []step{
				expectNow(strs("cd_sell", "cd_count"), strs("cdl_start", "cd_sold_out")),
				complete("cd_count", m{"stock": int64(2)}),
				expectTrace("cd_start", "cd_fork", "cd_count", "cdl_start", "cdl_end", "cd_on_low"),
				expectNow(strs("cd_sell", "cd_recount"), strs("cdl_start", "cd_sold_out")),
				// Still below 3: the event subprocess does not start again
				// until the condition has been false.
				complete("cd_recount", m{"stock": int64(1)}),
				complete("cd_recount2", m{"stock": int64(5)}),
				complete("cd_recount3", m{"stock": int64(0)}),
			},
			want: outcome{Status: statusDone,
				Trace: strs("cd_start", "cd_fork", "cd_count", "cdl_start", "cdl_end", "cd_on_low", "cd_recount", "cd_recount2",
					"cd_recount3", "cdl_start", "cd_sold_out", "cd_count_end", "cdl_end", "cd_on_low", "cd_sold_out_end"),
				Ready: strs(), Waiting: strs(), Data: m{"data_objects": m{"stock": int64(0)}}},
			states: map[string][]string{"cd_sell": {"CANCELLED"}, "cd_sell_end": {}},
		},
		{
			name: "an uncaught error fails the instance at the throwing element", files: []string{"events.bpmn"}, process: "p_err_uncaught",
			data:   m{"reason": "gone"},
			want:   outcome{Status: statusFailed, Trace: strs("eu_start"), Ready: strs(), Waiting: strs(), ErrTask: "eu_fail"},
			errHas: `error "Stock" (code "E42") was thrown and no boundary event or event subprocess caught it`,
			states: map[string][]string{"eu_fail": {"ERROR"}},
		},
	})
}
