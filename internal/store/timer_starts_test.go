package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTimerStartsScheduleAndAdvanceOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		s := openTest(t, d)
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		ts := TimerStart{ModelID: "g/m", ProcessID: "p", ElementID: "start", Definition: "3:\"R/PT1S\"",
			NextDue: now.Add(time.Second), Remaining: -1, Period: time.Second}
		if err := s.PutTimerStart(ctx, ts); err != nil {
			t.Fatal(err)
		}
		if due, err := s.DueTimerStarts(ctx, now, 10); err != nil || len(due) != 0 {
			t.Fatalf("due before its time: %+v, %v", due, err)
		}
		due, err := s.DueTimerStarts(ctx, now.Add(time.Second), 10)
		if err != nil || len(due) != 1 || due[0] != ts {
			t.Fatalf("due at its time: %+v, %v; want %+v", due, err, ts)
		}
		next := now.Add(2 * time.Second)
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.AdvanceTimerStart(ctx, due[0], next, -1) }); err != nil {
			t.Fatal(err)
		}
		// The same due time again (a second tick that read it before).
		err = s.InTx(ctx, func(tx *Tx) error { return tx.AdvanceTimerStart(ctx, due[0], next, -1) })
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("advancing a due time twice: %v, want ErrConflict", err)
		}
		// Rescheduled with another definition: the old one cannot advance.
		moved := ts
		moved.Definition, moved.NextDue = "3:\"R/PT1M\"", now.Add(time.Minute)
		if err := s.PutTimerStart(ctx, moved); err != nil {
			t.Fatal(err)
		}
		stale := ts
		stale.NextDue = now.Add(time.Minute)
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.AdvanceTimerStart(ctx, stale, next, -1) }); !errors.Is(err, ErrConflict) {
			t.Fatalf("advancing a replaced definition: %v, want ErrConflict", err)
		}
		// Done: no due time.
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.AdvanceTimerStart(ctx, moved, time.Time{}, 0) }); err != nil {
			t.Fatal(err)
		}
		all, err := s.TimerStarts(ctx)
		if err != nil || len(all) != 1 || !all[0].NextDue.IsZero() {
			t.Fatalf("after the last occurrence: %+v, %v; want no due time", all, err)
		}
		if due, err := s.DueTimerStarts(ctx, now.Add(time.Hour), 10); err != nil || len(due) != 0 {
			t.Fatalf("a finished timer is due: %+v, %v", due, err)
		}
		if err := s.DeleteTimerStart(ctx, moved); err != nil {
			t.Fatal(err)
		}
		if all, err := s.TimerStarts(ctx); err != nil || len(all) != 0 {
			t.Fatalf("after delete: %+v, %v", all, err)
		}
	})
}
