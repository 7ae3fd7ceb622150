package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordingObserver keeps what the store reports about its transactions.
type recordingObserver struct{ units []int }

func (o *recordingObserver) ObserveTx(total, commit time.Duration, units int) {
	if total < commit || commit < 0 {
		units = -1
	}
	o.units = append(o.units, units)
}

// TestMonitoringCounts: the counts behind /metrics come from the stored
// rows (instances by status, service jobs, timers due by now of running
// instances only), and every committed write transaction is reported to
// the observer, a rolled-back one not.
func TestMonitoringCounts(t *testing.T) {
	forEachDialect(t, testMonitoringCounts)
}

func testMonitoringCounts(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	obs := &recordingObserver{}
	s.SetTxObserver(obs)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	due, ok, err := s.OldestDueTimer(ctx, now)
	if err != nil || ok {
		t.Fatalf("empty store: oldest due timer %v %v %v, want none", due, ok, err)
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		for i, status := range []string{StatusRunning, StatusRunning, StatusSuspended, StatusCompleted} {
			id, err := tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", ProcessName: "p", Status: status,
				StartedBy: "alice", StartedAt: now, UpdatedAt: now, Snapshot: []byte("{}")})
			if err != nil {
				return err
			}
			// Each instance has a timer due i minutes ago and one due in an hour.
			if err := tx.ReplaceTimers(ctx, id, []Timer{
				{InstanceID: id, TaskID: 1, ElementID: "t1", DueAt: now.Add(-time.Duration(i+1) * time.Minute)},
				{InstanceID: id, TaskID: 2, ElementID: "t2", DueAt: now.Add(time.Hour)},
			}); err != nil {
				return err
			}
			if status == StatusRunning {
				if err := tx.AddServiceJob(ctx, ServiceJob{InstanceID: id, TaskID: 3, ElementID: "call", Operator: "http/Get",
					Params: "{}", TaskData: "{}", CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A transaction that fails is not reported.
	_ = s.InTx(ctx, func(tx *Tx) error { return context.Canceled })

	counts, err := s.InstanceCountsByStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{StatusRunning: 2, StatusSuspended: 1, StatusCompleted: 1}, counts); diff != "" {
		t.Errorf("instances by status (-want +got):\n%s", diff)
	}
	depth, err := s.QueueDepth(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// Due timers of the two running instances only; the suspended and
	// completed ones do not wait on the scheduler.
	if diff := cmp.Diff(map[string]int{"service_jobs": 2, "due_timers": 2}, depth); diff != "" {
		t.Errorf("queue depth (-want +got):\n%s", diff)
	}
	due, ok, err = s.OldestDueTimer(ctx, now)
	if err != nil || !ok || !due.Equal(now.Add(-2*time.Minute)) {
		t.Errorf("oldest due timer = %v %v %v, want %v", due, ok, err, now.Add(-2*time.Minute))
	}
	if diff := cmp.Diff([]int{1}, obs.units); diff != "" {
		t.Errorf("observed transactions (-want +got):\n%s", diff)
	}
}
