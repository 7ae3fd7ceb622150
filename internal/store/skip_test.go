package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReplaceSkipsUnchangedRows checks that replacing an instance's
// metadata, timers and subscriptions with what they already are writes
// nothing, and that a change still replaces them.
func TestReplaceSkipsUnchangedRows(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var id int64
	meta := map[string]string{"amount": "5", "decision": `"approve"`}
	timers := []Timer{{TaskID: 4, ElementID: "wait", DueAt: at.Add(time.Hour)}}
	subs := []Subscription{{TaskID: 5, ElementID: "catch", Kind: "message", Name: "paid"}}
	replace := func(meta map[string]string, timers []Timer, subs []Subscription) int {
		t.Helper()
		s.RecordWrites(10)
		if err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.SetInstanceMetadata(ctx, id, meta); err != nil {
				return err
			}
			if err := tx.ReplaceTimers(ctx, id, timers); err != nil {
				return err
			}
			return tx.ReplaceSubscriptions(ctx, id, subs)
		}); err != nil {
			t.Fatal(err)
		}
		units := s.RecordedWrites()
		if len(units) != 1 {
			t.Fatalf("%d units recorded, want 1", len(units))
		}
		return len(units[0].Statements)
	}
	if err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: StatusRunning, StartedBy: "ann", StartedAt: at, UpdatedAt: at, Snapshot: []byte("{}")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := replace(meta, timers, subs); n != 4 {
		t.Errorf("first write: %d statements, want 4 (two metadata values, a timer and a subscription; nothing stored to delete)", n)
	}
	if n := replace(map[string]string{"decision": `"approve"`, "amount": "5"}, timers, append(subs, subs[0])); n != 0 {
		t.Errorf("unchanged rows: %d write statements, want 0", n)
	}
	meta2 := map[string]string{"amount": "7"}
	if n := replace(meta2, nil, subs); n != 3 {
		t.Errorf("changed metadata and timers: %d write statements, want 3 (a value gone, a value changed, the timers cleared)", n)
	}
	if n := replace(map[string]string{"amount": "7", "region": `"north"`}, nil, subs); n != 1 {
		t.Errorf("one metadata value added: %d write statements, want 1", n)
	}
	meta2["region"] = `"north"`
	got, err := s.InstanceMetadata(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(meta2, got); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if tm, _ := s.InstanceTimers(ctx, id); len(tm) != 0 {
		t.Errorf("timers after clearing: %+v", tm)
	}
	if sub, _ := s.InstanceSubscriptions(ctx, id); len(sub) != 1 {
		t.Errorf("subscriptions: %+v, want the one kept", sub)
	}
}
