package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

func TestApprovalFlowFollowsLanes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusRunning || got.ProcessName != "Purchase approval" || got.StartedBy != "alice" {
		t.Fatalf("started instance = %+v", got)
	}
	request := openTask(t, e, id, "request")

	t.Run("only the requester group sees the request", func(t *testing.T) {
		if diff := cmp.Diff([]string{"1/request"}, inbox(t, e, alice, store.InboxMine)); diff != "" {
			t.Errorf("alice mine (-want +got):\n%s", diff)
		}
		if got := inbox(t, e, bob, store.InboxMine); len(got) != 0 {
			t.Errorf("bob sees %v", got)
		}
	})
	t.Run("an approver may neither open nor complete the request", func(t *testing.T) {
		if _, err := e.runner.Task(ctx, bob, id, request); !errors.Is(err, runner.ErrForbidden) {
			t.Errorf("Task as bob: err = %v, want ErrForbidden", err)
		}
		err := e.runner.CompleteTask(ctx, bob, id, request, map[string]any{"item": "x", "amount": 5})
		if !errors.Is(err, runner.ErrForbidden) {
			t.Fatalf("CompleteTask as bob: err = %v, want ErrForbidden", err)
		}
		events, err := e.store.InstanceEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		refused := 0
		for _, ev := range events {
			if ev.Event == "refused" && ev.Username == "bob" && ev.TaskID == request {
				refused++
			}
		}
		if refused != 2 {
			t.Errorf("refused attempts logged = %d, want 2", refused)
		}
	})

	if err := e.runner.CompleteTask(ctx, alice, id, request, map[string]any{"item": "Laptop", "amount": 1200}); err != nil {
		t.Fatal(err)
	}
	approve := openTask(t, e, id, "approve")
	t.Run("the approval goes to the approvers", func(t *testing.T) {
		if got := inbox(t, e, alice, store.InboxMine); len(got) != 0 {
			t.Errorf("alice mine = %v", got)
		}
		if diff := cmp.Diff([]string{"1/approve"}, inbox(t, e, alice, store.InboxStarted)); diff != "" {
			t.Errorf("alice started (-want +got):\n%s", diff)
		}
		for _, a := range []runner.Actor{bob, cathy} {
			if diff := cmp.Diff([]string{"1/approve"}, inbox(t, e, a, store.InboxGroups)); diff != "" {
				t.Errorf("%s groups (-want +got):\n%s", a.Username, diff)
			}
		}
		page, err := e.runner.Task(ctx, bob, id, approve)
		if err != nil {
			t.Fatal(err)
		}
		if !page.CanComplete || page.Task.FormSchema != "approve-schema.json" || page.Task.AssignedGroup != "approvers" {
			t.Errorf("task page = %+v", page.Task)
		}
		if page.Data["item"] != "Laptop" {
			t.Errorf("task data item = %v", page.Data["item"])
		}
	})
	t.Run("a claim keeps other owners out until released", func(t *testing.T) {
		if err := e.runner.Claim(ctx, cathy, id, approve); err != nil {
			t.Fatal(err)
		}
		if got := inbox(t, e, bob, store.InboxMine); len(got) != 0 {
			t.Errorf("bob mine while cathy holds the claim = %v", got)
		}
		if err := e.runner.CompleteTask(ctx, bob, id, approve, map[string]any{"approved": true}); !errors.Is(err, runner.ErrForbidden) {
			t.Errorf("complete a task claimed by another: err = %v", err)
		}
		if err := e.runner.Claim(ctx, bob, id, approve); !errors.Is(err, store.ErrConflict) {
			t.Errorf("claim a claimed task: err = %v", err)
		}
		if err := e.runner.Release(ctx, cathy, id, approve); err != nil {
			t.Fatal(err)
		}
	})

	if err := e.runner.CompleteTask(ctx, bob, id, approve, map[string]any{"approved": true, "comment": "ok"}); err != nil {
		t.Fatal(err)
	}
	t.Run("the instance completes along the path", func(t *testing.T) {
		got := instance(t, e, id)
		if got.Status != store.StatusCompleted || got.EndedAt.IsZero() {
			t.Fatalf("instance = %+v", got)
		}
		page, err := e.runner.Instance(ctx, alice, id)
		if err != nil {
			t.Fatal(err)
		}
		var path []string
		for _, s := range page.Path {
			path = append(path, s.ElementID)
		}
		if diff := cmp.Diff([]string{"start", "request", "approve", "record", "end"}, path); diff != "" {
			t.Errorf("path (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"start", "request", "approve", "record", "end"}, page.States.Completed); diff != "" {
			t.Errorf("completed states (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"1/approve"}, inbox(t, e, bob, store.InboxCompleted)); diff != "" {
			t.Errorf("bob completed (-want +got):\n%s", diff)
		}
		var who []string
		for _, ev := range page.Events {
			if ev.Event == "COMPLETED" && (ev.ElementID == "request" || ev.ElementID == "approve") {
				who = append(who, ev.ElementID+":"+ev.Username)
			}
		}
		if diff := cmp.Diff([]string{"request:alice", "approve:bob"}, who); diff != "" {
			t.Errorf("completions in the event log (-want +got):\n%s", diff)
		}
		if _, err := e.runner.Instance(ctx, runner.Actor{Username: "mallory"}, id); !errors.Is(err, runner.ErrForbidden) {
			t.Errorf("a stranger opens the instance: err = %v", err)
		}
	})
	t.Run("a completed task cannot be completed again", func(t *testing.T) {
		err := e.runner.CompleteTask(ctx, bob, id, approve, map[string]any{"approved": false})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("err = %v, want a conflict", err)
		}
	})
}

func TestLaneOwnersNameUsersAndGroups(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "owners")
	erin := runner.Actor{Username: "erin", Groups: []string{"reviewers"}}
	id, err := e.runner.Start(ctx, erin, "group/owners", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	review := openTask(t, e, id, "review")
	ht, err := e.store.HumanTask(ctx, id, review)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"group:auditors", "user:carol", "user:dave@example.com"}, ht.Owners); diff != "" {
		t.Errorf("owners (-want +got):\n%s", diff)
	}
	if ht.AssignedGroup != "" {
		t.Errorf("assigned group = %q, want none (lane_owners decides)", ht.AssignedGroup)
	}
	cases := []struct {
		actor runner.Actor
		may   bool
	}{
		{runner.Actor{Username: "carol"}, true},
		{runner.Actor{Username: "dave", Email: "dave@example.com"}, true},
		{runner.Actor{Username: "fred", Groups: []string{"auditors"}}, true},
		// The lane's own group is replaced by lane_owners.
		{erin, false},
		{runner.Actor{Username: "gina", Groups: []string{"reviewers"}}, false},
	}
	for _, c := range cases {
		t.Run(c.actor.Username, func(t *testing.T) {
			_, err := e.runner.Task(ctx, c.actor, id, review)
			if got := err == nil; got != c.may {
				t.Errorf("may see = %v (err %v), want %v", got, err, c.may)
			}
			if got := len(inbox(t, e, c.actor, store.InboxMine)) == 1; got != c.may {
				t.Errorf("in inbox = %v, want %v", got, c.may)
			}
		})
	}
	if err := e.runner.CompleteTask(ctx, runner.Actor{Username: "dave", Email: "Dave@Example.com"}, id, review, nil); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Errorf("status = %s", got)
	}
}

// TestConcurrentCompletion completes one task from several goroutines at
// once against a real SQLite file: exactly one wins.
func TestConcurrentCompletion(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	for round := range 5 {
		id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.runner.CompleteTask(ctx, alice, id, openTask(t, e, id, "request"), map[string]any{"item": "Desk", "amount": 300}); err != nil {
			t.Fatal(err)
		}
		approve := openTask(t, e, id, "approve")
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				a := runner.Actor{Username: "approver" + string(rune('a'+i)), Groups: []string{"approvers"}}
				errs[i] = e.runner.CompleteTask(ctx, a, id, approve, map[string]any{"approved": i%2 == 0})
			}()
		}
		close(start)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Fatalf("round %d: %d successes and %d conflicts, want 1 and %d", round, ok, conflicts, n-1)
		}
		events, err := e.store.InstanceEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		completions := 0
		for _, ev := range events {
			if ev.TaskID == approve && ev.Event == "COMPLETED" {
				completions++
			}
		}
		if completions != 1 {
			t.Errorf("round %d: task completed %d times", round, completions)
		}
		if got := instance(t, e, id).Status; got != store.StatusCompleted {
			t.Errorf("round %d: status %s", round, got)
		}
	}
}

// TestRestartContinues stops everything mid-flow (store closed, runner
// gone) and continues on the same database file.
func TestRestartContinues(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, openTask(t, e, id, "request"), map[string]any{"item": "Chair", "amount": 90}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	e.open(t, runner.Options{})
	if diff := cmp.Diff([]string{"1/approve"}, inbox(t, e, bob, store.InboxMine)); diff != "" {
		t.Fatalf("bob's inbox after restart (-want +got):\n%s", diff)
	}
	if err := e.runner.CompleteTask(ctx, bob, id, openTask(t, e, id, "approve"), map[string]any{"approved": false}); err != nil {
		t.Fatal(err)
	}
	page, err := e.runner.Instance(ctx, bob, id)
	if err != nil {
		t.Fatal(err)
	}
	if page.Instance.Status != store.StatusCompleted {
		t.Fatalf("status = %s", page.Instance.Status)
	}
	var record string
	for _, ti := range page.Tasks {
		if ti.ElementID == "end" {
			record = ti.Data
		}
	}
	if !containsAll(record, `"outcome": "rejected"`, `"item": "Chair"`) {
		t.Errorf("end data = %s", record)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestScriptErrorThenRetryAfterFix(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "failing")
	id, err := e.runner.Start(ctx, alice, "group/failing", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := instance(t, e, id)
	if got.Status != store.StatusError || got.ErrorElement != "compute" || got.ErrorLine != 2 || !contains(got.ErrorMessage, "missing_value") {
		t.Fatalf("instance = status %s element %q line %d message %q", got.Status, got.ErrorElement, got.ErrorLine, got.ErrorMessage)
	}
	if err := e.runner.Retry(ctx, bob, id); !errors.Is(err, runner.ErrForbidden) {
		t.Errorf("retry by someone else: err = %v", err)
	}
	// Retrying the unchanged model fails again, at the same place.
	if err := e.runner.Retry(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusError || got.ErrorLine != 2 {
		t.Fatalf("after retry without a fix: %s line %d", got.Status, got.ErrorLine)
	}
	dir := e.specs.dirs["group/failing"]
	fixed, err := os.ReadFile(filepath.Join(dir, "fixed.bpmn.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "failing.bpmn"), fixed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.runner.Retry(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id); got.Status != store.StatusCompleted || got.ErrorMessage != "" {
		t.Fatalf("after fix and retry: status %s error %q", got.Status, got.ErrorMessage)
	}
	if err := e.runner.Retry(ctx, alice, id); !errors.Is(err, runner.ErrInvalidState) {
		t.Errorf("retry of a completed instance: err = %v", err)
	}
}

func TestTimersFireOnSchedulerAndMetadataBecomeColumns(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "timer")
	e.specs.metadata["group/timer"] = map[string]string{"order_id": "order.id", "customer": "order.customer.name", "missing": "order.nothing.here"}
	id, err := e.runner.Start(ctx, alice, "group/timer", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	timers, err := e.store.InstanceTimers(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(timers) != 1 || !timers[0].DueAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("timers = %+v", timers)
	}
	e.clock.Add(30 * time.Minute)
	if n, err := e.runner.FireDueTimers(ctx); err != nil || n != 0 {
		t.Fatalf("after 30 minutes: moved %d, err %v", n, err)
	}
	e.clock.Add(31 * time.Minute)

	// The background scheduler picks the due timer up on its own.
	e.open(t, runner.Options{SchedulerInterval: 20 * time.Millisecond})
	bg, cancel := context.WithCancel(ctx)
	e.runner.RunBackground(bg)
	deadline := time.Now().Add(5 * time.Second)
	for instance(t, e, id).Version == 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	e.runner.Close()

	check := openTask(t, e, id, "check")
	if timers, _ := e.store.InstanceTimers(ctx, id); len(timers) != 0 {
		t.Errorf("timers left: %+v", timers)
	}
	rows, total, err := e.store.Instances(ctx, store.InstanceFilter{ModelID: "group/timer"})
	if err != nil || total != 1 {
		t.Fatalf("instances: %d, %v", total, err)
	}
	want := map[string]string{"order_id": "42", "customer": `"Ada"`, "missing": "null"}
	if diff := cmp.Diff(want, rows[0].Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if _, total, _ := e.store.Instances(ctx, store.InstanceFilter{MetadataKey: "customer", MetadataValue: "ada"}); total != 1 {
		t.Errorf("metadata filter found %d", total)
	}
	// Manual task outside a lane: the starter completes it with a button.
	if err := e.runner.CompleteTask(ctx, alice, id, check, nil); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Errorf("status = %s", got)
	}
}

func TestSuspendResumeTerminate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	request := openTask(t, e, id, "request")
	if err := e.runner.Suspend(ctx, bob, id); !errors.Is(err, runner.ErrForbidden) {
		t.Errorf("suspend by a stranger: %v", err)
	}
	if err := e.runner.Suspend(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	if got := inbox(t, e, alice, store.InboxMine); len(got) != 0 {
		t.Errorf("a suspended instance's task is actionable: %v", got)
	}
	if err := e.runner.CompleteTask(ctx, alice, id, request, map[string]any{"item": "x", "amount": 2}); !errors.Is(err, runner.ErrInvalidState) {
		t.Errorf("complete while suspended: %v", err)
	}
	if err := e.runner.Resume(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id).Status; got != store.StatusRunning {
		t.Fatalf("after resume: %s", got)
	}
	if err := e.runner.Terminate(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	ht, err := e.store.HumanTask(ctx, id, request)
	if err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id).Status; got != store.StatusTerminated || ht.State != store.TaskCancelled {
		t.Errorf("after terminate: instance %s, task %s", got, ht.State)
	}
}

// rateConnector answers test/Rate calls, or fails them.
type rateConnector struct {
	mu    sync.Mutex
	calls []connectors.Call
	fail  bool
}

func (c *rateConnector) Do(ctx context.Context, call connectors.Call) (connectors.Result, error) {
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
	if c.fail {
		return connectors.Result{}, &connectors.Error{Code: "RateUnavailable", Message: "no rate for " + call.Params["currency"].(string)}
	}
	return connectors.Result{Body: map[string]any{"rate": 1.08}, MimeType: "application/json", HTTPStatus: 200}, nil
}

func TestServiceTasksRunOnWorkers(t *testing.T) {
	ctx := context.Background()
	for _, fail := range []bool{false, true} {
		e := newEnv(t, "service")
		conn := &rateConnector{fail: fail}
		e.open(t, runner.Options{Connector: conn, SchedulerInterval: time.Hour})
		id, err := e.runner.Start(ctx, alice, "group/service", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := instance(t, e, id).Status; got != store.StatusRunning {
			t.Fatalf("status before the call = %s", got)
		}
		// The call is owed in the store before any worker runs: a restart
		// would still make it.
		if jobs, _ := e.store.ServiceJobs(ctx); len(jobs) != 1 || jobs[0].Operator != "test/Rate" {
			t.Fatalf("jobs = %+v", jobs)
		}
		bg, cancel := context.WithCancel(ctx)
		e.runner.RunBackground(bg)
		deadline := time.Now().Add(5 * time.Second)
		for instance(t, e, id).Status == store.StatusRunning && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		e.runner.Close()
		got := instance(t, e, id)
		if fail {
			if got.Status != store.StatusError || got.ErrorElement != "call" || !contains(got.ErrorMessage, "RateUnavailable: no rate for EUR") {
				t.Errorf("failed call: status %s, error %s %q", got.Status, got.ErrorElement, got.ErrorMessage)
			}
		} else if got.Status != store.StatusCompleted {
			t.Errorf("status = %s (%s)", got.Status, got.ErrorMessage)
		}
		if jobs, _ := e.store.ServiceJobs(ctx); len(jobs) != 0 {
			t.Errorf("jobs left: %+v", jobs)
		}
		if len(conn.calls) != 1 || conn.calls[0].Params["currency"] != "EUR" || conn.calls[0].ModelID != "group/service" {
			t.Errorf("calls = %+v", conn.calls)
		}
	}
}

// TestCompleteTaskPage completes a task from the page TaskFor returned:
// the owners are checked on that page, a page read by an owner does not
// let another user complete, and a page gone stale (the task completed
// since) is a conflict.
func TestCompleteTaskPage(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "owners")
	erin := runner.Actor{Username: "erin", Groups: []string{"reviewers"}}
	carol := runner.Actor{Username: "carol"}
	id, err := e.runner.Start(ctx, erin, "group/owners", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	review := openTask(t, e, id, "review")
	page, err := e.runner.TaskFor(ctx, carol, id, review, "complete")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.runner.CompleteTaskPage(ctx, erin, page, nil, nil); !errors.Is(err, runner.ErrForbidden) {
		t.Errorf("erin with carol's page: %v, want ErrForbidden", err)
	}
	if err := e.runner.CompleteTaskPage(ctx, carol, page, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Errorf("status = %s, want completed", got)
	}
	if err := e.runner.CompleteTaskPage(ctx, carol, page, nil, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("completing the stale page again: %v, want ErrConflict", err)
	}
}
