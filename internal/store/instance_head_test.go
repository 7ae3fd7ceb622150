package store

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInstanceHead: the head of an instance is its row without the
// snapshot; an update of a head row stores the snapshot set on it, moving
// between chunks and a whole snapshot as an update of a full row does, and
// is refused when the version moved on.
func TestInstanceHead(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		s := openTest(t, d)
		ctx := context.Background()
		big := fakeSnapshot(20_000, "head")
		id := createWithSnapshot(t, s, big)
		full, err := s.Instance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		head, err := s.InstanceHead(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if head.Snapshot != nil {
			t.Fatalf("head has a %d-byte snapshot", len(head.Snapshot))
		}
		full.Snapshot = nil
		if diff := cmp.Diff(full, head, cmp.AllowUnexported(Instance{})); diff != "" {
			t.Fatalf("head differs from the row (-row +head):\n%s", diff)
		}

		// Chunks to a whole snapshot: the chunk rows go.
		small := []byte(`{"version":3,"tasks":[]}`)
		head.Snapshot = small
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, head) }); err != nil {
			t.Fatal(err)
		}
		if got := readSnapshot(t, s, id); !bytes.Equal(got, small) {
			t.Fatalf("read %q after updating a head row", got)
		}
		if rows := chunkRows(t, s, id); len(rows) != 0 {
			t.Fatalf("%d chunk rows left after a whole snapshot replaced a chunked one", len(rows))
		}
		// The stale head is refused.
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, head) }); !errors.Is(err, ErrConflict) {
			t.Fatalf("update from a stale head: %v", err)
		}
		// Whole to chunks again, from a fresh head.
		if head, err = s.InstanceHead(ctx, id); err != nil {
			t.Fatal(err)
		}
		head.Snapshot = big
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, head) }); err != nil {
			t.Fatal(err)
		}
		if got := readSnapshot(t, s, id); !bytes.Equal(got, big) {
			t.Fatalf("read %d bytes, not the %d written", len(got), len(big))
		}
		if _, err := s.InstanceHead(ctx, id+100); !errors.Is(err, ErrNotFound) {
			t.Fatalf("head of a missing instance: %v", err)
		}
	})
}
