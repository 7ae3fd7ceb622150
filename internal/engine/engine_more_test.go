package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// expectStates checks the states of the tasks of one element, in creation
// order, at this point.
func expectStates(id string, want ...string) step {
	return step{"expect states of " + id, func(t *testing.T, r *run) {
		t.Helper()
		got := []string{}
		for _, tk := range r.in.Tasks() {
			if tk.Node.ID == id {
				got = append(got, tk.State.String())
			}
		}
		if want == nil {
			want = []string{}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("states of %s (-want +got):\n%s", id, d)
		}
	}}
}

// TestInclusiveJoinWaitsOnlyForTokensThatCanArrive: an inclusive join
// waits for a branch while its token can still reach the join, and no
// longer once an exclusive gateway sends that token to an end event
// elsewhere. It fires once, when the last token that can arrive has.
func TestInclusiveJoinWaitsOnlyForTokensThatCanArrive(t *testing.T) {
	all := m{"go_a": true, "go_b": true, "go_c": true}
	runCases(t, []engineCase{
		{
			name: "diverted branch stops counting; the join waits for the token two tasks upstream", files: []string{"inclusive_divert.bpmn"}, process: "p_or_divert",
			data: all,
			steps: []step{
				expectNow(strs("ua", "ub", "prep_c"), strs()),
				complete("ub", m{"b": int64(1)}),
				// b arrived; a and c can still arrive.
				expectStates("join", "WAITING"),
				complete("ua", m{"skip": true}),
				// a went to end_skip; c, still at prep_c, can arrive.
				expectTrace("start", "split", "ub", "ua", "check_a", "end_skip"),
				expectNow(strs("prep_c"), strs()),
				expectStates("join", "WAITING"),
				complete("prep_c", nil),
				expectNow(strs("uc"), strs()),
				expectStates("join", "WAITING"),
				complete("uc", m{"c": int64(3)}),
				// The last token that could arrive has: the join fires once.
				expectStates("join", "COMPLETED"),
				expectNow(strs("after"), strs()),
				expectData("after", m{"go_a": true, "go_b": true, "go_c": true, "b": int64(1), "c": int64(3)}),
				complete("after", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("start", "split", "ub", "ua", "check_a", "end_skip", "prep_c", "uc", "join", "after", "end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"go_a": true, "go_b": true, "go_c": true, "b": int64(1), "c": int64(3), "skip": true}},
			states: map[string][]string{"join": {"COMPLETED"}, "after": {"COMPLETED"}},
		},
		{
			name: "the join waits for a branch that arrives after the diverted one left", files: []string{"inclusive_divert.bpmn"}, process: "p_or_divert",
			data: m{"go_a": true, "go_b": true, "go_c": false},
			steps: []step{
				expectNow(strs("ua", "ub"), strs()),
				complete("ua", m{"skip": true}),
				// No token has reached the join yet, and b can.
				expectStates("join"),
				expectNow(strs("ub"), strs()),
				complete("ub", m{"b": int64(1)}),
				expectStates("join", "COMPLETED"),
				expectNow(strs("after"), strs()),
				complete("after", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("start", "split", "ua", "check_a", "end_skip", "ub", "join", "after", "end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"go_a": true, "go_b": true, "go_c": false, "b": int64(1), "skip": true}},
			states: map[string][]string{"join": {"COMPLETED"}, "prep_c": {}},
		},
		{
			name: "a branch that is not diverted is waited for and merged", files: []string{"inclusive_divert.bpmn"}, process: "p_or_divert",
			data: m{"go_a": true, "go_b": true, "go_c": false},
			steps: []step{
				complete("ub", m{"b": int64(1)}),
				expectStates("join", "WAITING"),
				complete("ua", m{"skip": false, "a": int64(2)}),
				expectStates("join", "COMPLETED"),
				expectData("after", m{"go_a": true, "go_b": true, "go_c": false, "a": int64(2), "b": int64(1), "skip": false}),
				complete("after", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("start", "split", "ub", "ua", "check_a", "join", "after", "end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"go_a": true, "go_b": true, "go_c": false, "a": int64(2), "b": int64(1), "skip": false}},
			states: map[string][]string{"join": {"COMPLETED"}, "end_skip": {}},
		},
		{
			name: "every taken branch diverted: the join never fires", files: []string{"inclusive_divert.bpmn"}, process: "p_or_divert",
			data:  m{"go_a": true, "go_b": false, "go_c": false},
			steps: []step{complete("ua", m{"skip": true})},
			want: outcome{Status: statusDone, Trace: strs("start", "split", "ua", "check_a", "end_skip"), Ready: strs(), Waiting: strs(),
				Data: m{"go_a": true, "go_b": false, "go_c": false, "skip": true}},
			states: map[string][]string{"join": {}, "after": {}},
		},
	})
}

// TestScriptLimits: a script stopped by the step limit or the time limit
// puts its task in ERROR and the instance in error, with a message that
// names the task and the line of the loop; the error survives a snapshot.
func TestScriptLimits(t *testing.T) {
	cases := []struct {
		name string
		env  engine.Env
		msg  string
	}{
		{"step limit", engine.Env{MaxSteps: 50_000}, "script exceeded the limit of 50000 steps"},
		{"time limit", engine.Env{MaxSteps: 1 << 62, ScriptTimeout: 50 * time.Millisecond}, "script exceeded the time limit of 50ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lib := load(t, "limits.bpmn")
			env := c.env
			env.Clock = &testClock{now: t0}
			in, err := engine.Start(lib, engine.StartOptions{Process: "p_runaway"}, env)
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			check := func(in *engine.Instance) {
				t.Helper()
				if in.Status() != engine.Failed {
					t.Fatalf("status = %v, want %v", in.Status(), engine.Failed)
				}
				te := in.Err()
				if te == nil {
					t.Fatal("no task error")
				}
				// The loop is on lines 3 and 4 of the script.
				if te.NodeID != "spin" || te.Where != "script" || te.Line < 3 || te.Line > 4 || te.Msg != c.msg {
					t.Errorf("error = %+v, want task spin, where script, line 3 or 4, message %q", te, c.msg)
				}
				if tk := in.Task(te.TaskID); tk == nil || tk.Node.ID != "spin" || tk.State != engine.Error {
					t.Errorf("task %d = %+v, want spin in ERROR", te.TaskID, tk)
				}
				want := fmt.Sprintf("spin script line %d: %s", te.Line, c.msg)
				if te.Error() != want {
					t.Errorf("Error() = %q, want %q", te.Error(), want)
				}
				if got := in.Trace(); !cmp.Equal(got, []string{"start"}) {
					t.Errorf("trace = %v, want only the start event", got)
				}
			}
			check(in)
			snap, err := in.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			restored, err := engine.Restore(lib, snap, env)
			if err != nil {
				t.Fatal(err)
			}
			check(restored)
		})
	}
}

// resolver serves called processes the way a model repository does,
// and records what it was asked for.
type resolver struct {
	lib   *spec.Library
	err   error // returned for every id when set
	asked []string
}

func (r *resolver) ResolveProcess(id string) (*spec.Process, error) {
	r.asked = append(r.asked, id)
	if r.err != nil {
		return nil, r.err
	}
	if p := r.lib.Process(id); p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("no model defines %q: %w", id, engine.ErrProcessNotFound)
}

// TestCallActivityResolver: call activities find their process through
// Env.Processes before the instance's own library, also after a restore.
func TestCallActivityResolver(t *testing.T) {
	parentOnly := load(t, "call_parent.bpmn")
	t.Run("process from the resolver, not in the library", func(t *testing.T) {
		res := &resolver{lib: load(t, "call_child.bpmn")}
		env := engine.Env{Clock: &testClock{now: t0}, Processes: res}
		in, err := engine.Start(parentOnly, engine.StartOptions{Process: "p_call"}, env)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status() != engine.Done {
			t.Fatalf("status = %v (%v), want completed", in.Status(), in.Err())
		}
		if d := cmp.Diff(m{"a": int64(1), "b": int64(2), "c": int64(3)}, in.Data()); d != "" {
			t.Errorf("data (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"child"}, res.asked); d != "" {
			t.Errorf("resolver asked for (-want +got):\n%s", d)
		}
	})
	t.Run("the resolver's version wins over the library's", func(t *testing.T) {
		res := &resolver{lib: load(t, "call_child_v2.bpmn")}
		env := engine.Env{Clock: &testClock{now: t0}, Processes: res}
		in, err := engine.Start(load(t, "call_parent.bpmn", "call_child.bpmn"), engine.StartOptions{Process: "p_call"}, env)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(m{"a": int64(1), "b": int64(2), "c": int64(300), "version": int64(2)}, in.Data()); d != "" {
			t.Errorf("data (-want +got):\n%s", d)
		}
	})
	t.Run("not found in the resolver falls back to the library", func(t *testing.T) {
		res := &resolver{lib: spec.NewLibrary()}
		env := engine.Env{Clock: &testClock{now: t0}, Processes: res}
		in, err := engine.Start(load(t, "call_parent.bpmn", "call_child.bpmn"), engine.StartOptions{Process: "p_call"}, env)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(m{"a": int64(1), "b": int64(2), "c": int64(3)}, in.Data()); d != "" {
			t.Errorf("data (-want +got):\n%s", d)
		}
	})
	t.Run("a resolver failure puts the call activity in ERROR", func(t *testing.T) {
		res := &resolver{err: errors.New("model repository unavailable")}
		env := engine.Env{Clock: &testClock{now: t0}, Processes: res}
		in, err := engine.Start(load(t, "call_parent.bpmn", "call_child.bpmn"), engine.StartOptions{Process: "p_call"}, env)
		if err != nil {
			t.Fatal(err)
		}
		te := in.Err()
		if in.Status() != engine.Failed || te == nil || te.NodeID != "call" || !strings.Contains(te.Msg, "model repository unavailable") {
			t.Fatalf("status %v, error %v; want call in ERROR with the resolver's message", in.Status(), te)
		}
	})
	t.Run("a restored instance inside the called process resolves it again", func(t *testing.T) {
		res := &resolver{lib: load(t, "call_child.bpmn")}
		env := engine.Env{Clock: &testClock{now: t0}, Processes: res}
		in, err := engine.Start(parentOnly, engine.StartOptions{Process: "p_call_io"}, env)
		if err != nil {
			t.Fatal(err)
		}
		if got := nodeIDs(in.ReadyHuman()); !cmp.Equal(got, []string{"ci_look"}) {
			t.Fatalf("ready = %v, want ci_look inside the called process", got)
		}
		snap, err := in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.Restore(parentOnly, snap, engine.Env{Clock: env.Clock}); !errors.Is(err, engine.ErrSnapshot) {
			t.Errorf("Restore without the resolver: err = %v, want ErrSnapshot (child_io is not in the library)", err)
		}
		res.asked = nil
		restored, err := engine.Restore(parentOnly, snap, env)
		if err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if d := cmp.Diff([]string{"child_io"}, res.asked); d != "" {
			t.Errorf("resolver asked for (-want +got):\n%s", d)
		}
		tk := restored.ReadyHuman()[0]
		if err := restored.Complete(tk.ID, nil); err != nil {
			t.Fatal(err)
		}
		if restored.Status() != engine.Done {
			t.Fatalf("status = %v (%v), want completed", restored.Status(), restored.Err())
		}
		if d := cmp.Diff(m{"a": int64(1), "b": int64(2), "c": int64(10)}, restored.Data()); d != "" {
			t.Errorf("data (-want +got):\n%s", d)
		}
	})
}

// TestLinkEvents: a link throw event continues at the link catch event of
// the same name in its own scope (the name of the definition, else of the
// event), in a loop, and inside a subprocess whose link has the name of one
// outside it.
func TestLinkEvents(t *testing.T) {
	runCases(t, []engineCase{{
		name: "links loop, jump to a later part, and stay in their subprocess", files: []string{"links.bpmn"}, process: "p_link_loop",
		data: m{"count": int64(0)},
		steps: []step{
			expectNow(strs("check"), strs()),
			complete("check", m{"ok": true}),
		},
		want: outcome{Status: statusDone,
			Trace: strs("start", "count_up", "more", "go_back", "come_back", "count_up", "more", "go_back", "come_back", "count_up", "more",
				"to_review", "at_review", "sub_start", "sub_throw", "sub_catch", "check", "sub_end", "sub", "end"),
			Ready: strs(), Waiting: strs(), Data: m{"count": int64(3), "ok": true}},
	}})
}

// TestIOSpecificationSets: an input set's required inputs must be present,
// its optional ones and inputs no set lists may be missing; outputs alike.
func TestIOSpecificationSets(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "optional inputs and outputs may be missing", files: []string{"iospec.bpmn"}, process: "p_io_sets",
			data: m{"x": int64(4), "other": "kept out of the task"},
			steps: []step{
				expectData("calc", m{"z": int64(8)}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "calc", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"z": int64(8)}},
		},
		{
			name: "optional inputs that are there go in", files: []string{"iospec.bpmn"}, process: "p_io_sets",
			data: m{"x": int64(4), "y": "yes", "unlisted": true},
			want: outcome{Status: statusDone, Trace: strs("start", "calc", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"z": int64(8)}},
		},
		{
			name: "a required input that is missing fails the task", files: []string{"iospec.bpmn"}, process: "p_io_sets",
			data:   m{"y": "yes"},
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "calc"},
			errHas: `missing data input "x"`,
		},
	})
}

// TestDataObjectsVisibleEverywhere: conditions, multi-instance expressions
// and scripts read data objects without a data input association; the task
// data does not take them in unless a script assigns the name.
func TestDataObjectsVisibleEverywhere(t *testing.T) {
	runCases(t, []engineCase{{
		name: "condition, cardinality and script read data objects", files: []string{"data_visible.bpmn"}, process: "p_objects_visible",
		want: outcome{Status: statusDone, Trace: strs("start", "set", "big", "each", "each", "each", "each", "end"), Ready: strs(), Waiting: strs(),
			Data: m{"seen": int64(10), "data_objects": m{"DO_limit": int64(10), "DO_picks": []any{"a", "b", "c"}}}},
	}})
}

// TestFailedScriptKeepsEarlierAssignments: a script task or pre-script that
// fails leaves in the task's data what it assigned before the failing line.
func TestFailedScriptKeepsEarlierAssignments(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "script task", files: []string{"script_fail.bpmn"}, process: "p_script_fail",
			data:  m{"price": int64(3), "count": int64(4), "divisor": int64(0)},
			steps: []step{expectData("calc", m{"price": int64(3), "count": int64(4), "divisor": int64(0), "total": int64(12), "note": "computed"})},
			want: outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(),
				ErrTask: "calc", ErrWhere: "script", ErrLine: 3},
			errHas: "division by zero",
		},
		{
			name: "pre-script", files: []string{"script_fail.bpmn"}, process: "p_script_fail",
			data:  m{"price": int64(3), "count": int64(4), "divisor": int64(2)},
			steps: []step{expectData("review", m{"price": int64(3), "count": int64(4), "divisor": int64(2), "total": int64(12), "note": "computed", "ratio": float64(6), "after": true, "seen": true})},
			want: outcome{Status: statusFailed, Trace: strs("start", "calc"), Ready: strs(), Waiting: strs(),
				ErrTask: "review", ErrWhere: "pre-script", ErrLine: 2},
			errHas: "missing_name",
		},
	})
}

// TestIntermediateTimerCycleRepeats: an intermediate timer with a cycle
// sends a token on at each of its occurrences and completes at the last.
func TestIntermediateTimerCycleRepeats(t *testing.T) {
	runCases(t, []engineCase{{
		name: "R3/PT1H", files: []string{"timer_cycle.bpmn"}, process: "p_timer_cycle",
		steps: []step{
			expectNow(strs(), strs("every_hour")),
			advance(61 * time.Minute),
			expectNow(strs("check"), strs("every_hour")),
			advance(60 * time.Minute),
			expectNow(strs("check", "check"), strs("every_hour")),
			complete("check", nil),
			advance(60 * time.Minute),
			expectNow(strs("check", "check"), strs()),
			expectStates("every_hour", "COMPLETED", "COMPLETED", "COMPLETED"),
			complete("check", nil),
			complete("check", nil),
		},
		want: outcome{Status: statusDone,
			Trace: strs("start", "every_hour", "every_hour", "check", "end", "every_hour", "check", "end", "check", "end"),
			Ready: strs(), Waiting: strs(), Data: m{}},
	}})
}

// TestParallelMultipleWaitsForAll: a parallelMultiple catch event goes on
// once every one of its events has happened, in any order (a timer among
// them fires once); without parallelMultiple the first one is enough.
func TestParallelMultipleWaitsForAll(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "parallelMultiple", files: []string{"parallel_multiple.bpmn"}, process: "p_parallel_multiple",
			steps: []step{
				deliver("signal", "shipped", nil, true),
				expectNow(strs(), strs("both")),
				advance(2 * time.Hour),
				advance(2 * time.Hour),
				expectNow(strs(), strs("both")),
				deliver("message", "paid", nil, true),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "both", "end"), Ready: strs(), Waiting: strs(), Data: m{}},
		},
		{
			// A definition that already occurred is no longer waited for:
			// a second "paid" is not swallowed by this catcher.
			name: "parallelMultiple occurred once", files: []string{"parallel_multiple.bpmn"}, process: "p_parallel_multiple",
			steps: []step{
				deliver("message", "paid", nil, true),
				deliver("message", "paid", nil, false),
				expectNow(strs(), strs("both")),
				deliver("signal", "shipped", nil, true),
				deliver("signal", "shipped", nil, false),
				advance(2 * time.Hour),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "both", "end"), Ready: strs(), Waiting: strs(), Data: m{}},
		},
		{
			name: "multiple", files: []string{"parallel_multiple.bpmn"}, process: "p_multiple",
			steps: []step{deliver("message", "paid", nil, true)},
			want:  outcome{Status: statusDone, Trace: strs("start", "either", "end"), Ready: strs(), Waiting: strs(), Data: m{}},
		},
	})
}
