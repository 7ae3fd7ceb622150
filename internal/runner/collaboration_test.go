package runner_test

import (
	"context"
	"testing"

	"github.com/waymark-bpm/waymark/internal/store"
)

// A model whose collaboration has several executable pools starts all of
// them: the pinger's message starts the ponger pool, whose answer reaches
// the pinger, and the watcher pool runs beside them; the instance ends
// when every pool has.
func TestCollaborationStartsEveryPool(t *testing.T) {
	e := newEnv(t, "pingpong")
	id, err := e.runner.Start(context.Background(), alice, "group/pingpong", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	in := instance(t, e, id)
	if in.Status != store.StatusCompleted {
		t.Fatalf("instance is %s (%s at %s), want completed", in.Status, in.ErrorMessage, in.ErrorElement)
	}
	if got := endData(t, e, id, "end")["answer"]; got == nil || got.(map[string]any)["n"] != float64(2) {
		t.Fatalf("pinger's answer = %v, want n 2 from the ponger", got)
	}
	if got := endData(t, e, id, "w_end")["watched"]; got != true {
		t.Fatalf("watcher pool did not run: watched = %v", got)
	}
	if left, err := e.store.OutboxMessages(context.Background(), 10); err != nil || len(left) != 0 {
		t.Fatalf("outbox = %+v, %v; messages between pools stay inside the instance", left, err)
	}
}
