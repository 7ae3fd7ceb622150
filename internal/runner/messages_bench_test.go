package runner_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// BenchmarkMessageRoundTrip: one op starts a sender, whose request starts
// a receiver by its message start event, whose answer reaches the sender
// by correlation; both complete. Two messages are routed per op, each in
// its own transaction with the step it causes (SQLite file).
func BenchmarkMessageRoundTrip(b *testing.B) {
	e := newBenchEnv(b, "msgsender", "msgreceiver")
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		id, err := e.runner.Start(ctx, alice, "group/msgsender", "", map[string]any{"order_id": i, "customer_id": "c", "item": "x"})
		if err != nil {
			b.Fatal(err)
		}
		for range 2 {
			if _, err := e.runner.RouteMessages(ctx); err != nil {
				b.Fatal(err)
			}
		}
		if i == 0 {
			if in, err := e.store.Instance(ctx, id); err != nil || in.Status != store.StatusCompleted {
				b.Fatalf("sender %d: %s, %v", id, in.Status, err)
			}
		}
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "messages/s")
}

// BenchmarkSchedulerTick10kTimers: one scheduler tick (due timers and
// timer start events) with 10,000 instances waiting on timers not yet due
// and a timer start event scheduled.
func BenchmarkSchedulerTick10kTimers(b *testing.B) {
	e := newBenchEnv(b, "timer", "timerstart")
	ctx := context.Background()
	for range 10_000 {
		if _, err := e.runner.Start(ctx, alice, "group/timer", "", nil); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.runner.FireTimerStarts(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if n, err := e.runner.FireDueTimers(ctx); err != nil || n != 0 {
			b.Fatalf("due timers: %d, %v", n, err)
		}
		if n, err := e.runner.FireTimerStarts(ctx); err != nil || n != 0 {
			b.Fatalf("timer starts: %d, %v", n, err)
		}
	}
}

func newBenchEnv(b *testing.B, models ...string) *env {
	b.Helper()
	e := &env{specs: newSpecs(b, models...), clock: &fakeClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)},
		dbPath: filepath.Join(b.TempDir(), "waymark.db")}
	st, err := store.Open(context.Background(), e.dbPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	e.store = st
	e.runner = runner.New(runner.Options{Store: st, Specs: e.specs, Clock: e.clock})
	return e
}
