package engine_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
)

func startRepair(t *testing.T, process string, data map[string]any) *engine.Instance {
	t.Helper()
	in, err := engine.Start(load(t, "repair.bpmn"), engine.StartOptions{Process: process, Data: data}, engine.Env{Clock: &testClock{now: t0}})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// live returns "element:STATE" for every task that holds the instance.
func live(in *engine.Instance) []string {
	var out []string
	for _, tk := range in.Active() {
		out = append(out, tk.Node.ID+":"+tk.State.String())
	}
	slices.Sort(out)
	return out
}

func mustTask(t *testing.T, in *engine.Instance, node string, state engine.State) *engine.Task {
	t.Helper()
	tk := findTask(in, node, func(tk *engine.Task) bool { return tk.State == state })
	if tk == nil {
		t.Fatalf("no %v task %q; live: %v", state, node, live(in))
	}
	return tk
}

func completeNode(t *testing.T, in *engine.Instance, node string, form map[string]any) {
	t.Helper()
	if err := in.Complete(mustTask(t, in, node, engine.Ready).ID, form); err != nil {
		t.Fatalf("complete %s: %v", node, err)
	}
}

func wantLive(t *testing.T, in *engine.Instance, want ...string) {
	t.Helper()
	slices.Sort(want)
	if diff := cmp.Diff(want, live(in)); diff != "" {
		t.Fatalf("live tasks (-want +got):\n%s", diff)
	}
}

// roundTrip snapshots and restores the instance, as the host does between
// steps, so every repair is checked to survive storage.
func roundTrip(t *testing.T, in *engine.Instance) *engine.Instance {
	t.Helper()
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := engine.Restore(in.Library(), snap, engine.Env{Clock: &testClock{now: t0}})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	return out
}

func TestSetTaskDataThenRetry(t *testing.T) {
	in := startRepair(t, "p_fail", map[string]any{"who": "ann"})
	if in.Status() != engine.Failed {
		t.Fatalf("status %v, want failed", in.Status())
	}
	calc := mustTask(t, in, "calc", engine.Error)
	old, err := in.SetTaskData(calc.ID, map[string]any{"who": "ann", "amount": 41})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"who": "ann"}, old); diff != "" {
		t.Errorf("old data (-want +got):\n%s", diff)
	}
	in = roundTrip(t, in)
	if err := in.Retry(calc.ID); err != nil {
		t.Fatal(err)
	}
	review := mustTask(t, in, "review", engine.Ready)
	if diff := cmp.Diff(map[string]any{"who": "ann", "amount": int64(41), "total": int64(42)}, review.Data); diff != "" {
		t.Errorf("review data (-want +got):\n%s", diff)
	}
	completeNode(t, in, "review", nil)
	if in.Status() != engine.Done {
		t.Fatalf("status %v, want done", in.Status())
	}
}

func TestSetTaskDataRefusesFinishedTask(t *testing.T) {
	in := startRepair(t, "p_fail", nil)
	start := mustTask(t, in, "start", engine.Completed)
	if _, err := in.SetTaskData(start.ID, map[string]any{"x": 1}); !errors.Is(err, engine.ErrTaskState) {
		t.Fatalf("err %v, want ErrTaskState", err)
	}
	if _, err := in.SetTaskData(999, nil); !errors.Is(err, engine.ErrNoTask) {
		t.Fatalf("err %v, want ErrNoTask", err)
	}
}

func TestSkipFailedTask(t *testing.T) {
	in := startRepair(t, "p_fail", map[string]any{"who": "ann"})
	calc := mustTask(t, in, "calc", engine.Error)
	if err := in.SkipTask(calc.ID); err != nil {
		t.Fatal(err)
	}
	if in.Status() != engine.Running || in.Err() != nil {
		t.Fatalf("status %v err %v, want running without error", in.Status(), in.Err())
	}
	review := mustTask(t, in, "review", engine.Ready)
	if _, ok := review.Data["total"]; ok {
		t.Errorf("the skipped script ran: %v", review.Data)
	}
	if got := in.Trace(); !slices.Contains(got, "calc") {
		t.Errorf("trace %v: the skipped task is completed", got)
	}
}

func TestSkipReadyUserTask(t *testing.T) {
	in := startRepair(t, "p_steps", nil)
	first := mustTask(t, in, "first", engine.Ready)
	if _, err := in.SetTaskData(first.ID, map[string]any{"x": 3}); err != nil {
		t.Fatal(err)
	}
	if err := in.SkipTask(first.ID); err != nil {
		t.Fatal(err)
	}
	second := mustTask(t, in, "second", engine.Ready)
	if second.Data["n"] != int64(30) {
		t.Errorf("second's data %v, want n = 30 from the edited data", second.Data)
	}
	// A completed task cannot be skipped.
	if err := in.SkipTask(first.ID); !errors.Is(err, engine.ErrTaskState) {
		t.Fatalf("skip of a completed task: %v, want ErrTaskState", err)
	}
}

func TestResetToEarlierTask(t *testing.T) {
	in := startRepair(t, "p_steps", nil)
	completeNode(t, in, "first", map[string]any{"x": 1})
	completeNode(t, in, "second", map[string]any{"y": 2})
	wantLive(t, in, "third:READY")
	second := mustTask(t, in, "second", engine.Completed)
	nt, err := in.ResetTo(second.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "second:READY")
	if nt.Node.ID != "second" || nt.ID == second.ID {
		t.Fatalf("new task %d %s, want a new task at second", nt.ID, nt.Node.ID)
	}
	if diff := cmp.Diff(map[string]any{"x": int64(1), "n": int64(10)}, nt.Data); diff != "" {
		t.Errorf("the reset task starts with the data it had (-want +got):\n%s", diff)
	}
	third := findTask(in, "third", func(*engine.Task) bool { return true })
	if third.State != engine.Cancelled {
		t.Errorf("third is %v, want cancelled", third.State)
	}
	if got, want := in.Trace(), []string{"start", "first", "count"}; !slices.Equal(got, want) {
		t.Errorf("trace %v, want %v: what followed is no longer completed", got, want)
	}
	in = roundTrip(t, in)
	completeNode(t, in, "second", map[string]any{"y": 5})
	completeNode(t, in, "third", nil)
	if in.Status() != engine.Done || in.Data()["y"] != int64(5) {
		t.Fatalf("status %v data %v, want done with y = 5", in.Status(), in.Data())
	}
}

func TestResetToScriptTaskRunsItAgain(t *testing.T) {
	in := startRepair(t, "p_steps", nil)
	completeNode(t, in, "first", map[string]any{"x": 1})
	count := mustTask(t, in, "count", engine.Completed)
	// The data the script will see is changed on the task before it.
	if _, err := in.ResetTo(mustTask(t, in, "first", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "first:READY")
	if count.State != engine.Cancelled {
		t.Errorf("count is %v, want cancelled", count.State)
	}
	completeNode(t, in, "first", map[string]any{"x": 7})
	if second := mustTask(t, in, "second", engine.Ready); second.Data["n"] != int64(70) {
		t.Errorf("second's data %v, want n = 70", second.Data)
	}
}

func TestResetRefusals(t *testing.T) {
	in := startRepair(t, "p_steps", nil)
	first := mustTask(t, in, "first", engine.Ready)
	if _, err := in.ResetTo(first.ID); !errors.Is(err, engine.ErrCannotReset) {
		t.Fatalf("reset to a ready task: %v, want ErrCannotReset", err)
	}
	if _, err := in.ResetTo(999); !errors.Is(err, engine.ErrNoTask) {
		t.Fatalf("reset to no task: %v, want ErrNoTask", err)
	}
	in.Terminate()
	if _, err := in.ResetTo(mustTask(t, in, "start", engine.Completed).ID); !errors.Is(err, engine.ErrNotRunnable) {
		t.Fatalf("reset of a terminated instance: %v, want ErrNotRunnable", err)
	}
}

// After a parallel split, resetting to a task of one branch leaves the
// other branch where it is (SpiffWorkflow resets only the reset task's
// descendants); the join forgets the reset branch's arrival and waits for
// it again.
func TestResetInsideParallelBranch(t *testing.T) {
	in := startRepair(t, "p_par", nil)
	completeNode(t, in, "prep", map[string]any{"p": 1})
	completeNode(t, in, "a", map[string]any{"a": 1})
	wantLive(t, in, "b:READY", "join:WAITING")
	b := mustTask(t, in, "b", engine.Ready)
	if _, err := in.ResetTo(mustTask(t, in, "a", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	// Nothing has reached the join any more: its activation is gone.
	wantLive(t, in, "a:READY", "b:READY")
	if mustTask(t, in, "b", engine.Ready) != b {
		t.Error("the other branch's task was replaced")
	}
	in = roundTrip(t, in)
	completeNode(t, in, "b", map[string]any{"b": 2})
	wantLive(t, in, "a:READY", "join:WAITING")
	completeNode(t, in, "a", map[string]any{"a": 3})
	after := mustTask(t, in, "after", engine.Ready)
	if after.Data["a"] != int64(3) || after.Data["b"] != int64(2) {
		t.Errorf("after's data %v, want a = 3 and b = 2", after.Data)
	}
	// Only one activation of the join fired.
	fired := 0
	for _, tk := range in.Tasks() {
		if tk.Node.ID == "join" && tk.State == engine.Completed {
			fired++
		}
	}
	if fired != 1 {
		t.Errorf("the join fired %d times, want once", fired)
	}
}

func TestResetBeforeSplitUndoesBothBranches(t *testing.T) {
	in := startRepair(t, "p_par", nil)
	completeNode(t, in, "prep", nil)
	completeNode(t, in, "a", nil)
	completeNode(t, in, "b", nil)
	wantLive(t, in, "after:READY")
	if _, err := in.ResetTo(mustTask(t, in, "prep", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "prep:READY")
	completeNode(t, in, "prep", nil)
	wantLive(t, in, "a:READY", "b:READY")
}

// A fired join that the other branch also reached cannot be undone by
// resetting one branch: that would lose the other branch's arrival.
func TestResetAcrossFiredJoinIsRefused(t *testing.T) {
	in := startRepair(t, "p_par", nil)
	completeNode(t, in, "prep", nil)
	completeNode(t, in, "a", nil)
	completeNode(t, in, "b", nil)
	before := live(in)
	_, err := in.ResetTo(mustTask(t, in, "a", engine.Completed).ID)
	if !errors.Is(err, engine.ErrCannotReset) {
		t.Fatalf("err %v, want ErrCannotReset", err)
	}
	if diff := cmp.Diff(before, live(in)); diff != "" {
		t.Errorf("a refused reset changed the instance:\n%s", diff)
	}
}

// Resetting to a task inside a finished subprocess reopens it: the
// subprocess task is STARTED again and what followed it is undone.
func TestResetInsideSubprocess(t *testing.T) {
	in := startRepair(t, "p_sub", nil)
	completeNode(t, in, "inner1", map[string]any{"i": 1})
	completeNode(t, in, "inner2", map[string]any{"j": 2})
	wantLive(t, in, "after:READY")
	if _, err := in.ResetTo(mustTask(t, in, "inner2", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "sub:STARTED", "inner2:READY")
	in = roundTrip(t, in)
	completeNode(t, in, "inner2", map[string]any{"j": 9})
	after := mustTask(t, in, "after", engine.Ready)
	if after.Data["j"] != int64(9) || after.Data["i"] != int64(1) {
		t.Errorf("after's data %v, want i = 1 and j = 9", after.Data)
	}
	completeNode(t, in, "after", nil)
	if in.Status() != engine.Done {
		t.Fatalf("status %v, want done", in.Status())
	}
}

func TestResetInsideRunningSubprocess(t *testing.T) {
	in := startRepair(t, "p_sub", nil)
	completeNode(t, in, "inner1", map[string]any{"i": 1})
	if _, err := in.ResetTo(mustTask(t, in, "inner1", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "sub:STARTED", "inner1:READY")
}

// The other branch has already reached the join: resetting inside the
// first branch keeps that arrival, and the join fires once the reset
// branch arrives again.
func TestResetKeepsOtherBranchArrivalAtJoin(t *testing.T) {
	in := startRepair(t, "p_par2", nil)
	completeNode(t, in, "b", map[string]any{"b": 1})
	completeNode(t, in, "a1", map[string]any{"a": 1})
	wantLive(t, in, "a2:READY", "join:WAITING")
	if _, err := in.ResetTo(mustTask(t, in, "a1", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "a1:READY", "join:WAITING")
	in = roundTrip(t, in)
	completeNode(t, in, "a1", map[string]any{"a": 2})
	completeNode(t, in, "a2", nil)
	after := mustTask(t, in, "after", engine.Ready)
	if after.Data["a"] != int64(2) || after.Data["b"] != int64(1) {
		t.Errorf("after's data %v, want a = 2 and b = 1", after.Data)
	}
}

// A terminated instance's tasks are cancelled: their data is not edited
// and they are not skipped.
func TestRepairsOfTerminatedInstanceAreRefused(t *testing.T) {
	in := startRepair(t, "p_steps", nil)
	first := mustTask(t, in, "first", engine.Ready)
	in.Terminate()
	if _, err := in.SetTaskData(first.ID, map[string]any{}); err == nil {
		t.Error("data of a cancelled task was set")
	}
	if err := in.SkipTask(first.ID); !errors.Is(err, engine.ErrTaskState) {
		t.Errorf("skip in a terminated instance: %v, want ErrTaskState", err)
	}
}

// A completed instance runs again from the task it is reset to, and
// completes again with the new data.
func TestResetCompletedInstance(t *testing.T) {
	in := startRepair(t, "p_steps", nil)
	completeNode(t, in, "first", map[string]any{"x": 1})
	completeNode(t, in, "second", map[string]any{"y": 2})
	completeNode(t, in, "third", nil)
	if in.Status() != engine.Done {
		t.Fatalf("status %v, want done", in.Status())
	}
	if _, err := in.ResetTo(mustTask(t, in, "second", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	if in.Status() != engine.Running || in.Data() != nil {
		t.Fatalf("status %v data %v, want running without final data", in.Status(), in.Data())
	}
	wantLive(t, in, "second:READY")
	in = roundTrip(t, in)
	completeNode(t, in, "second", map[string]any{"y": 5})
	completeNode(t, in, "third", nil)
	if in.Status() != engine.Done || in.Data()["y"] != int64(5) {
		t.Fatalf("status %v data %v, want done with y = 5", in.Status(), in.Data())
	}
}

// A reset takes the tasks it cancels out of compensation: an activity run
// again after a reset is compensated once, for its new completion.
func TestResetThenCompensateUndoesOnce(t *testing.T) {
	in, err := engine.Start(load(t, "compensation.bpmn"), engine.StartOptions{Process: "p_comp_all", Data: map[string]any{"undone": []any{}}},
		engine.Env{Clock: &testClock{now: t0}})
	if err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "confirm:READY")
	if _, err := in.ResetTo(mustTask(t, in, "book_flight", engine.Completed).ID); err != nil {
		t.Fatal(err)
	}
	wantLive(t, in, "confirm:READY")
	in = roundTrip(t, in)
	completeNode(t, in, "confirm", nil)
	if in.Status() != engine.Done {
		t.Fatalf("status %v, live %v", in.Status(), live(in))
	}
	if diff := cmp.Diff([]any{"flight", "hotel"}, in.Data()["undone"]); diff != "" {
		t.Errorf("undone (-want +got):\n%s", diff)
	}
}
