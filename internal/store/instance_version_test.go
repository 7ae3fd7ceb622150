package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestUpdateInstanceVersion: an update names the version it read; it
// succeeds once and stores version+1 with the new state, a second update
// from the same version is ErrConflict and changes nothing, and an update
// of a missing instance is ErrNotFound.
func TestUpdateInstanceVersion(t *testing.T) {
	forEachDialect(t, testUpdateInstanceVersion)
}

func testUpdateInstanceVersion(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateInstance(ctx, Instance{ModelID: "g/m", ProcessID: "p", ProcessName: "P", Status: StatusRunning,
			StartedBy: "alice", StartedAt: start, UpdatedAt: start, Snapshot: []byte(`{"v":1}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	read, err := s.Instance(ctx, id)
	if err != nil || read.Version != 1 {
		t.Fatalf("new instance: version %d, %v", read.Version, err)
	}
	update := func(in Instance) error {
		return s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, in) })
	}
	first := read
	first.Snapshot, first.UpdatedAt = []byte(`{"v":2}`), start.Add(time.Minute)
	if err := update(first); err != nil {
		t.Fatalf("update from the current version: %v", err)
	}
	// A writer that read version 1 too, and writes after the first.
	late := read
	late.Snapshot, late.Status = []byte(`{"v":"late"}`), StatusCompleted
	if err := update(late); !errors.Is(err, ErrConflict) {
		t.Fatalf("update from a stale version: err = %v, want ErrConflict", err)
	}
	got, err := s.Instance(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || string(got.Snapshot) != `{"v":2}` || got.Status != StatusRunning || !got.UpdatedAt.Equal(start.Add(time.Minute)) {
		t.Errorf("after the conflict: version %d, snapshot %s, status %s, updated %v; want the first update's", got.Version, got.Snapshot, got.Status, got.UpdatedAt)
	}
	// From the version it now has, the write goes through.
	late.Version = got.Version
	if err := update(late); err != nil {
		t.Fatalf("update from version 2: %v", err)
	}
	if got, _ := s.Instance(ctx, id); got.Version != 3 || got.Status != StatusCompleted {
		t.Errorf("after the second update: version %d status %s", got.Version, got.Status)
	}
	missing := read
	missing.ID = id + 100
	if err := update(missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing instance: err = %v, want ErrNotFound", err)
	}
}
