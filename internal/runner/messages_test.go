package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// ProcessesStartedBy makes dirSpecs a runner.EventStarter: it parses every
// model it knows and keeps the processes with a matching start event.
func (s *dirSpecs) ProcessesStartedBy(ctx context.Context, kind, name string) ([]*spec.Process, error) {
	typ := spec.EventMessage
	switch kind {
	case "signal":
		typ = spec.EventSignal
	case "timer":
		typ = spec.EventTimer
	}
	s.mu.Lock()
	ids := make([]string, 0, len(s.dirs))
	for id := range s.dirs {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	sort.Strings(ids)
	var out []*spec.Process
	for _, id := range ids {
		lib, _, err := s.LoadModel(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, pid := range lib.Order {
			p := lib.Process(pid)
			if p == nil || !p.Executable {
				continue
			}
			for _, st := range p.Starts {
				for _, d := range st.Events {
					if d.Type == typ && (typ == spec.EventTimer || d.Name == name) {
						out = append(out, p)
					}
				}
			}
		}
	}
	return out, nil
}

// routeAll routes until the outbox is empty, failing after many passes.
func routeAll(t *testing.T, r *runner.Runner, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	for range 50 {
		if _, err := r.RouteMessages(ctx); err != nil {
			t.Fatal(err)
		}
		left, err := st.OutboxMessages(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
	}
	t.Fatal("the outbox did not empty after 50 routing passes")
}

// endData returns the data of the instance's completed task at element.
func endData(t *testing.T, e *env, id int64, element string) map[string]any {
	t.Helper()
	p, err := e.runner.Instance(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range p.Tasks {
		if ti.ElementID == element && ti.State == "COMPLETED" {
			var m map[string]any
			if err := json.Unmarshal([]byte(ti.Data), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("instance %d has no completed %s (tasks %+v)", id, element, p.Tasks)
	return nil
}

func instancesOf(t *testing.T, e *env, model string) []store.Instance {
	t.Helper()
	rows, _, err := e.store.Instances(context.Background(), store.InstanceFilter{ModelID: model, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	return rows
}

// A sender's send task starts the receiver model by its message start
// event; the receiver answers, and the answer finds its sender by both
// correlation properties: two senders share the order id and differ only
// in the customer.
func TestMessageStartsReceiverWhichAnswersByCorrelation(t *testing.T) {
	forEachDatabase(t, []string{"msgsender", "msgreceiver"}, testMessageRoundTrip)
}

func testMessageRoundTrip(t *testing.T, e *env) {
	ctx := context.Background()
	a, err := e.runner.Start(ctx, alice, "group/msgsender", "", map[string]any{"order_id": 7, "customer_id": "c1", "item": "book"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.runner.Start(ctx, bob, "group/msgsender", "", map[string]any{"order_id": 7, "customer_id": "c2", "item": "lamp"})
	if err != nil {
		t.Fatal(err)
	}
	if got := instance(t, e, a).Status; got != store.StatusRunning {
		t.Fatalf("sender before routing is %s, want running", got)
	}
	routeAll(t, e.runner, e.store)

	for _, s := range []struct {
		id   int64
		want string
	}{{a, "shipped book"}, {b, "shipped lamp"}} {
		if got := instance(t, e, s.id).Status; got != store.StatusCompleted {
			t.Fatalf("sender %d is %s, want completed", s.id, got)
		}
		reply, _ := endData(t, e, s.id, "end")["reply"].(map[string]any)
		if reply["status"] != s.want {
			t.Fatalf("sender %d got reply %v, want status %q", s.id, reply, s.want)
		}
	}
	recv := instancesOf(t, e, "group/msgreceiver")
	if len(recv) != 2 {
		t.Fatalf("%d receivers started, want 2", len(recv))
	}
	for i, r := range recv {
		if r.Status != store.StatusCompleted {
			t.Fatalf("receiver %d is %s, want completed", r.ID, r.Status)
		}
		if want := []string{"alice", "bob"}[i]; r.StartedBy != want {
			t.Fatalf("receiver %d started by %q, want the sender's starter %q", r.ID, r.StartedBy, want)
		}
	}
}

// A message sent from outside starts one receiver-side instance (here the
// sender model waits at its receive task) and a second message with the
// same correlation reaches that instance instead of starting another.
func TestSendFromOutsideStartsThenCorrelates(t *testing.T) {
	e := newEnv(t, "msgsender", "msgreceiver")
	ctx := context.Background()
	d, err := e.runner.Send(ctx, alice, "message", "order_request", map[string]any{"order_id": 1, "customer_id": "c9", "item": "pen"})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Started || d.InstanceID == 0 {
		t.Fatalf("first message: %+v, want a started instance", d)
	}
	// The receiver answered with order_reply, which no one waits for: with
	// a time to live of 0 it is dropped, not kept.
	routeAll(t, e.runner, e.store)
	if got := instance(t, e, d.InstanceID); got.Status != store.StatusCompleted || got.StartedBy != "alice" {
		t.Fatalf("started instance: %s by %q, want completed by alice", got.Status, got.StartedBy)
	}

	// A sender waiting for its reply: a message from outside with its
	// correlation values reaches it.
	id, err := e.runner.Start(ctx, bob, "group/msgsender", "", map[string]any{"order_id": 2, "customer_id": "c3", "item": "cup"})
	if err != nil {
		t.Fatal(err)
	}
	// Drop the request it sent so only the outside reply can wake it.
	left, err := e.store.OutboxMessages(ctx, 10)
	if err != nil || len(left) != 1 || left[0].Name != "order_request" {
		t.Fatalf("outbox = %+v, %v; want the sender's request", left, err)
	}
	if err := e.store.DeleteOutboxMessage(ctx, left[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.runner.Send(ctx, alice, "message", "order_reply", map[string]any{"order_id": 2, "customer_id": "other", "status": "x"}); !errors.Is(err, runner.ErrInvalid) {
		t.Fatalf("reply with the wrong customer: %v, want refused with ErrInvalid", err)
	}
	if got := instance(t, e, id).Status; got != store.StatusRunning {
		t.Fatalf("sender after a wrong reply is %s, want running", got)
	}
	d, err = e.runner.Send(ctx, alice, "message", "order_reply", map[string]any{"order_id": 2, "customer_id": "c3", "status": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Started || d.InstanceID != id {
		t.Fatalf("reply delivered as %+v, want to instance %d", d, id)
	}
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Fatalf("sender after its reply is %s, want completed", got)
	}
	if n := len(instancesOf(t, e, "group/msgsender")); n != 1 {
		t.Fatalf("%d sender instances, want 1: the reply must not start one", n)
	}
}

// Two instances wait on the same correlation and two processes route one
// message at once: exactly one instance consumes it.
func TestOneMessageConsumedOnceByTwoWaiters(t *testing.T) {
	forEachDatabase(t, []string{"msgsender"}, testOneMessageConsumedOnce)
}

func testOneMessageConsumedOnce(t *testing.T, e *env) {
	ctx := context.Background()
	var ids []int64
	for range 2 {
		id, err := e.runner.Start(ctx, alice, "group/msgsender", "", map[string]any{"order_id": 5, "customer_id": "c5", "item": "x"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// The requests find no receiver model and are dropped.
	routeAll(t, e.runner, e.store)
	// A second process on the same database.
	other := runner.New(runner.Options{Store: e.store, Specs: e.specs, Clock: e.clock, MessageTTL: time.Hour})
	one := runner.New(runner.Options{Store: e.store, Specs: e.specs, Clock: e.clock, MessageTTL: time.Hour})
	err := e.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.AddOutboxMessage(ctx, store.OutboxMessage{Kind: "message", Name: "order_reply",
			Payload: `{"order_id": 5, "customer_id": "c5", "status": "once"}`, CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, r := range []*runner.Runner{one, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RouteMessages(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	routeAll(t, one, e.store)
	done := 0
	for _, id := range ids {
		switch instance(t, e, id).Status {
		case store.StatusCompleted:
			done++
		case store.StatusRunning:
		default:
			t.Fatalf("instance %d is %s", id, instance(t, e, id).Status)
		}
	}
	if done != 1 {
		t.Fatalf("%d instances consumed the one message, want exactly 1", done)
	}
}

// With a time to live, a message no one waits for is kept and delivered
// when its receiver starts; once the time to live has passed, it is gone.
func TestMessageKeptByTTLUntilReceiverStarts(t *testing.T) {
	e := newEnv(t, "msgsender")
	e.open(t, runner.Options{MessageTTL: 10 * time.Minute})
	ctx := context.Background()
	d, err := e.runner.Send(ctx, alice, "message", "order_reply", map[string]any{"order_id": 3, "customer_id": "c3", "status": "early"})
	if err != nil {
		t.Fatalf("a message with a time to live was refused: %v", err)
	}
	if d.InstanceID != 0 {
		t.Fatalf("delivered as %+v with no receiver", d)
	}
	e.clock.Add(5 * time.Minute)
	routeAll0(t, e)
	id, err := e.runner.Start(ctx, bob, "group/msgsender", "", map[string]any{"order_id": 3, "customer_id": "c3", "item": "y"})
	if err != nil {
		t.Fatal(err)
	}
	routePass(t, e)
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Fatalf("receiver after the buffered message is %s, want completed", got)
	}
	reply, _ := endData(t, e, id, "end")["reply"].(map[string]any)
	if reply["status"] != "early" {
		t.Fatalf("reply = %v, want the buffered message", reply)
	}

	// A message that outlives its time to live is dropped.
	if _, err := e.runner.Send(ctx, alice, "message", "order_reply", map[string]any{"order_id": 4, "customer_id": "c4"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(11 * time.Minute)
	routePass(t, e)
	id, err = e.runner.Start(ctx, bob, "group/msgsender", "", map[string]any{"order_id": 4, "customer_id": "c4", "item": "z"})
	if err != nil {
		t.Fatal(err)
	}
	routePass(t, e)
	if got := instance(t, e, id).Status; got != store.StatusRunning {
		t.Fatalf("receiver after an expired message is %s, want still running", got)
	}
}

// routeAll0 routes one pass and checks the buffered message is still kept.
func routeAll0(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.runner.RouteMessages(context.Background()); err != nil {
		t.Fatal(err)
	}
	left, err := e.store.OutboxMessages(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 {
		t.Fatalf("outbox = %+v, want the buffered message kept", left)
	}
}

// routePass makes one routing pass.
func routePass(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.runner.RouteMessages(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A model started by a message keeps the message's correlation values: a
// reply reaches it only with both of them.
func TestMessageStartRecordsCorrelation(t *testing.T) {
	e := newEnv(t, "msgwaiter")
	ctx := context.Background()
	d, err := e.runner.Send(ctx, alice, "message", "order_request", map[string]any{"order_id": 8, "customer_id": "c8"})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Started || d.Status != store.StatusRunning {
		t.Fatalf("first message: %+v, want a started running instance", d)
	}
	if _, err := e.runner.Send(ctx, alice, "message", "order_reply", map[string]any{"order_id": 8, "customer_id": "c9"}); !errors.Is(err, runner.ErrInvalid) {
		t.Fatalf("reply for another customer: %v, want refused", err)
	}
	got, err := e.runner.Send(ctx, alice, "message", "order_reply", map[string]any{"order_id": 8, "customer_id": "c8", "status": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if got.InstanceID != d.InstanceID || got.Started || got.Status != store.StatusCompleted {
		t.Fatalf("reply: %+v, want instance %d completed", got, d.InstanceID)
	}
}

// A signal from outside reaches every waiting instance and starts the
// model with a signal start event; a signal thrown by an instance does the
// same through the outbox.
func TestSignalReachesEveryWaiterAndStartsModels(t *testing.T) {
	e := newEnv(t, "sigwait", "sigstart", "sigthrow")
	ctx := context.Background()
	wait := func(n int) []int64 {
		var ids []int64
		for range n {
			id, err := e.runner.Start(ctx, alice, "group/sigwait", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	done := func(ids []int64) {
		t.Helper()
		for _, id := range ids {
			if got := instance(t, e, id).Status; got != store.StatusCompleted {
				t.Fatalf("waiter %d is %s, want completed", id, got)
			}
		}
	}
	waiters := wait(3)
	d, err := e.runner.Send(ctx, bob, "signal", "go", map[string]any{"why": "test"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Reached != 4 {
		t.Fatalf("signal reached %d, want the 3 waiters and 1 start", d.Reached)
	}
	done(waiters)
	started := instancesOf(t, e, "group/sigstart")
	if len(started) != 1 || started[0].Status != store.StatusCompleted || started[0].StartedBy != "bob" {
		t.Fatalf("started by the signal: %+v, want one completed instance started by bob", started)
	}

	waiters = wait(2)
	if _, err := e.runner.Start(ctx, cathy, "group/sigthrow", "", nil); err != nil {
		t.Fatal(err)
	}
	routeAll(t, e.runner, e.store)
	done(waiters)
	if n := len(instancesOf(t, e, "group/sigstart")); n != 2 {
		t.Fatalf("%d instances of the signal-started model, want 2", n)
	}
}

// With the background work running, a thrown message is routed without
// anyone asking: the sender completes by itself.
func TestRouterRunsInBackground(t *testing.T) {
	e := newEnv(t, "msgsender", "msgreceiver")
	e.open(t, runner.Options{SchedulerInterval: time.Hour})
	e.runner.RunBackground(context.Background())
	t.Cleanup(e.runner.Close)
	id, err := e.runner.Start(context.Background(), alice, "group/msgsender", "", map[string]any{"order_id": 1, "customer_id": "c", "item": "x"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for instance(t, e, id).Status != store.StatusCompleted {
		if time.Now().After(deadline) {
			t.Fatalf("sender still %s after 30s", instance(t, e, id).Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A message written by a step survives a restart before it was routed,
// and is delivered once after it.
func TestOutboxSurvivesRestart(t *testing.T) {
	e := newEnv(t, "msgsender", "msgreceiver")
	id, err := e.runner.Start(context.Background(), alice, "group/msgsender", "", map[string]any{"order_id": 1, "customer_id": "c", "item": "x"})
	if err != nil {
		t.Fatal(err)
	}
	e.open(t, runner.Options{}) // the process ends before routing; a new one opens the database
	routeAll(t, e.runner, e.store)
	routeAll(t, e.runner, e.store)
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Fatalf("sender after the restart is %s, want completed", got)
	}
	if n := len(instancesOf(t, e, "group/msgreceiver")); n != 1 {
		t.Fatalf("%d receivers, want 1", n)
	}
}

// Messages reach a non-interrupting message event subprocess (the
// instance goes on) and a message boundary event (which cancels the task
// it is attached to).
func TestMessageReachesEventSubprocessAndBoundary(t *testing.T) {
	e := newEnv(t, "msgboundary")
	ctx := context.Background()
	id, err := e.runner.Start(ctx, alice, "group/msgboundary", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.runner.Send(ctx, bob, "message", "order_note", map[string]any{"text": "hurry"})
	if err != nil || d.InstanceID != id {
		t.Fatalf("note: %+v, %v; want delivered to %d", d, err, id)
	}
	if got := endData(t, e, id, "note_end")["note"]; got == nil {
		t.Fatalf("event subprocess did not receive the note")
	}
	if got := instance(t, e, id).Status; got != store.StatusRunning {
		t.Fatalf("after the note the instance is %s, want running", got)
	}
	if tasks := inbox(t, e, alice, "mine"); len(tasks) != 1 {
		t.Fatalf("before the cancel alice's inbox holds %v, want the review", tasks)
	}
	d, err = e.runner.Send(ctx, bob, "message", "cancel_order", map[string]any{"reason": "duplicate"})
	if err != nil || d.InstanceID != id {
		t.Fatalf("cancel: %+v, %v; want delivered to %d", d, err, id)
	}
	if got := instance(t, e, id).Status; got != store.StatusCompleted {
		t.Fatalf("after the cancel the instance is %s, want completed", got)
	}
	why, _ := endData(t, e, id, "cancel_end")["why"].(map[string]any)
	if why["reason"] != "duplicate" {
		t.Fatalf("why = %v", why)
	}
	if tasks := inbox(t, e, alice, "mine"); len(tasks) != 0 {
		t.Fatalf("the cancelled review is still in the inbox: %v", tasks)
	}
}

// A signal whose delivery was cut short (a crash after it reached one
// waiter and started the signal-started model) goes on to the receivers
// it had not reached, and reaches the others no second time.
func TestSignalResumesAfterCrash(t *testing.T) {
	e := newEnv(t, "sigwait", "sigstart")
	ctx := context.Background()
	var waiters []int64
	for range 2 {
		id, err := e.runner.Start(ctx, alice, "group/sigwait", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		waiters = append(waiters, id)
	}
	now := e.clock.Now()
	err := e.store.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.AddOutboxMessage(ctx, store.OutboxMessage{Kind: "signal", Name: "go", Payload: `{}`, CreatedAt: now, ExpiresAt: now})
		if err != nil {
			return err
		}
		// What the steps before the crash recorded.
		if err := tx.RecordSignalDelivery(ctx, id, fmt.Sprintf("instance:%d", waiters[0])); err != nil {
			return err
		}
		return tx.RecordSignalDelivery(ctx, id, "start:group/sigstart#sigstart")
	})
	if err != nil {
		t.Fatal(err)
	}
	routeAll(t, e.runner, e.store)
	if got := instance(t, e, waiters[0]).Status; got != store.StatusRunning {
		t.Fatalf("the waiter reached before the crash is %s: reached twice", got)
	}
	if got := instance(t, e, waiters[1]).Status; got != store.StatusCompleted {
		t.Fatalf("the waiter not reached before the crash is %s, want completed", got)
	}
	if n := len(instancesOf(t, e, "group/sigstart")); n != 0 {
		t.Fatalf("%d instances of the signal-started model, want none: it was started before the crash", n)
	}
}
