package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSnapshot is snapshot-like JSON of n task records, each different
// (ids, states and data vary as in a real instance's history).
func fakeSnapshot(n int, tag string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"version":3,"tag":%q,"tasks":[`, tag)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"node":"task_%d","state":"COMPLETED","data":%d,"from":%d,"created":%d}`, i, i%17, i*7%1000, i-1, i*1013)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// editSnapshot changes a step's worth of a snapshot: a few bytes in the
// middle (a task's state) and a record appended near the end.
func editSnapshot(snap []byte, step int) []byte {
	out := bytes.Clone(snap)
	mid := bytes.Index(out[len(out)/2:], []byte("COMPLETED"))
	copy(out[len(out)/2+mid:], "CANCELLED")
	tail := fmt.Sprintf(`,{"id":%d,"node":"work","state":"READY","data":%d}]}`, 1_000_000+step, step)
	return append(out[:len(out)-2], tail...)
}

func chunkRows(t *testing.T, s *Store, id int64) map[int64]string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT n, hash FROM instance_snapshot_chunks WHERE instance_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var n int64
		var h string
		if err := rows.Scan(&n, &h); err != nil {
			t.Fatal(err)
		}
		out[n] = h
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func createWithSnapshot(t *testing.T, s *Store, snap []byte) int64 {
	t.Helper()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var id int64
	err := s.InTx(context.Background(), func(tx *Tx) error {
		var err error
		id, err = tx.CreateInstance(context.Background(), Instance{ModelID: "g/m", ProcessID: "p", Status: StatusRunning,
			StartedBy: "alice", StartedAt: at, UpdatedAt: at, Snapshot: snap})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// updateSnapshot reads the instance, stores snap as its next version and
// returns the snapshot bytes the write handed to the database.
func updateSnapshot(t *testing.T, s *Store, id int64, snap []byte) int64 {
	t.Helper()
	ctx := context.Background()
	in, err := s.Instance(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	before := s.WriteStats().SnapshotBytes
	in.Snapshot = snap
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, in) }); err != nil {
		t.Fatal(err)
	}
	return s.WriteStats().SnapshotBytes - before
}

func readSnapshot(t *testing.T, s *Store, id int64) []byte {
	t.Helper()
	in, err := s.Instance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in.Snapshot
}

// TestSnapshotChunksWriteWhatChanged: a large snapshot is stored in
// chunks and read back byte for byte; a step that changes a few bytes in
// the middle and appends at the end writes a bounded number of bytes,
// the same for a history of 250 KB as of 4 MB, and leaves the other
// chunk rows as they were.
func TestSnapshotChunksWriteWhatChanged(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		s := openTest(t, d)
		for _, records := range []int{2_500, 40_000} {
			t.Run(fmt.Sprint(records), func(t *testing.T) {
				snap := fakeSnapshot(records, "t")
				id := createWithSnapshot(t, s, snap)
				if got := readSnapshot(t, s, id); !bytes.Equal(got, snap) {
					t.Fatalf("read %d bytes, not the %d written", len(got), len(snap))
				}
				rows := chunkRows(t, s, id)
				if len(rows) < len(snap)/maxChunk {
					t.Fatalf("%d chunk rows for %d bytes", len(rows), len(snap))
				}
				for step := 1; step <= 5; step++ {
					next := editSnapshot(snap, step)
					written := updateSnapshot(t, s, id, next)
					// The chunks around the two changes and the chunk list,
					// whatever the size of the history.
					if written > 64<<10 {
						t.Errorf("step %d of a %d-byte snapshot wrote %d bytes, over 64 KiB", step, len(snap), written)
					}
					if got := readSnapshot(t, s, id); !bytes.Equal(got, next) {
						t.Fatalf("step %d: read back %d bytes that differ from the %d written", step, len(got), len(next))
					}
					after := chunkRows(t, s, id)
					kept := 0
					for n, h := range rows {
						if after[n] == h {
							kept++
						}
					}
					if len(rows)-kept > 4 {
						t.Errorf("step %d replaced %d of %d chunk rows", step, len(rows)-kept, len(rows))
					}
					snap, rows = next, after
				}
			})
		}
	})
}

// TestSnapshotChunksConflict: of two updates from the same version of a
// chunked instance, the second is ErrConflict and changes neither the
// snapshot nor its chunks.
func TestSnapshotChunksConflict(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := openTest(t, d)
		id := createWithSnapshot(t, s, fakeSnapshot(3_000, "v1"))
		read, err := s.Instance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		first, late := read, read
		first.Snapshot = editSnapshot(read.Snapshot, 1)
		late.Snapshot = fakeSnapshot(5_000, "late")
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, first) }); err != nil {
			t.Fatal(err)
		}
		rows := chunkRows(t, s, id)
		err = s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, late) })
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("second update from the same version: %v, want ErrConflict", err)
		}
		got, err := s.Instance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || !bytes.Equal(got.Snapshot, first.Snapshot) {
			t.Errorf("after the conflict: version %d, %d snapshot bytes; want version 2 and the first update's %d", got.Version, len(got.Snapshot), len(first.Snapshot))
		}
		if after := chunkRows(t, s, id); fmt.Sprint(after) != fmt.Sprint(rows) {
			t.Errorf("the refused update changed the chunk rows: %d before, %d after", len(rows), len(after))
		}
	})
}

// TestSnapshotChunksShrinkDeleteClone: a snapshot that becomes small is
// stored whole again and its chunks go; a snapshot stored whole before
// chunks existed (as the migration leaves it) reads back and is chunked
// at its next write; deleting an instance deletes its chunks; a clone of a
// chunked instance reads back the same snapshot.
func TestSnapshotChunksShrinkDeleteClone(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := openTest(t, d)

		big := fakeSnapshot(4_000, "big")
		id := createWithSnapshot(t, s, big)
		small := []byte(`{"version":3,"small":true}`)
		updateSnapshot(t, s, id, small)
		if got := readSnapshot(t, s, id); !bytes.Equal(got, small) {
			t.Errorf("shrunk snapshot reads %q", got)
		}
		if rows := chunkRows(t, s, id); len(rows) != 0 {
			t.Errorf("%d chunk rows left after the snapshot became small", len(rows))
		}

		// A large snapshot stored whole, as rows written before migration
		// 0210 hold it.
		old := createWithSnapshot(t, s, small)
		err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, `UPDATE instances SET snapshot = ? WHERE id = ?`, big, old)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := readSnapshot(t, s, old); !bytes.Equal(got, big) {
			t.Fatalf("a whole large snapshot reads back %d bytes, not %d", len(got), len(big))
		}
		next := editSnapshot(big, 1)
		updateSnapshot(t, s, old, next)
		if rows := chunkRows(t, s, old); len(rows) == 0 {
			t.Error("the next write of a whole large snapshot did not chunk it")
		}
		var inline int
		if err := s.db.QueryRowContext(ctx, `SELECT length(snapshot) FROM instances WHERE id = ?`, old).Scan(&inline); err != nil || inline != 0 {
			t.Errorf("the instance row still holds %d snapshot bytes (%v)", inline, err)
		}
		if got := readSnapshot(t, s, old); !bytes.Equal(got, next) {
			t.Fatal("the chunked snapshot does not read back")
		}

		if d == dialectSQLite { // CloneInstance is the SQLite load tool's
			ids, err := s.CloneInstance(ctx, old, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range ids {
				if got := readSnapshot(t, s, c); !bytes.Equal(got, next) {
					t.Errorf("clone %d reads %d bytes, not the %d of its source", c, len(got), len(next))
				}
			}
		}

		err = s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, old)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows := chunkRows(t, s, old); len(rows) != 0 {
			t.Errorf("%d chunk rows left after the instance was deleted", len(rows))
		}
	})
}

// TestSnapshotChunksReadWhileWriting: reads of a chunked instance that a
// writer updates at the same time always return one whole version (each
// version's snapshot starts and ends with its own tag), never chunks of
// two.
func TestSnapshotChunksReadWhileWriting(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := openTest(t, d)
		versioned := func(v int) []byte {
			tag := fmt.Sprintf("v%04d", v)
			b := fakeSnapshot(3_000+v, tag)
			return append(b[:len(b)-1], fmt.Sprintf(`,"end":%q}`, tag)...)
		}
		id := createWithSnapshot(t, s, versioned(0))
		const writes = 30
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := 1; v <= writes; v++ {
				in, err := s.Instance(ctx, id)
				if err != nil {
					t.Error(err)
					return
				}
				in.Snapshot = versioned(v)
				if err := s.InTx(ctx, func(tx *Tx) error { return tx.UpdateInstance(ctx, in) }); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		var failure error
		for range 4 * writes {
			in, err := s.Instance(ctx, id)
			if err != nil {
				failure = err
				break
			}
			v := int(in.Version) - 1
			if want := versioned(v); !bytes.Equal(in.Snapshot, want) {
				failure = fmt.Errorf("read of version %d: %d bytes that are not that version's %d", in.Version, len(in.Snapshot), len(want))
				break
			}
		}
		wg.Wait()
		if failure != nil {
			t.Fatal(failure)
		}
	})
}

func TestChunkList(t *testing.T) {
	for _, c := range []struct {
		ns   []int64
		text string
	}{
		{[]int64{1}, "1"},
		{[]int64{1, 2, 3, 7, 5}, "1-3,7,5"},
		{[]int64{4, 5, 1, 2, 3, 3, 9, 10}, "4-5,1-3,3,9-10"},
	} {
		if got := formatChunkList(c.ns); got != c.text {
			t.Errorf("formatChunkList(%v) = %q, want %q", c.ns, got, c.text)
		}
		back, err := parseChunkList(c.text)
		if err != nil || fmt.Sprint(back) != fmt.Sprint(c.ns) {
			t.Errorf("parseChunkList(%q) = %v, %v; want %v", c.text, back, err, c.ns)
		}
	}
	for _, bad := range []struct{ text, msg string }{
		{"", `entry "" is not a chunk number`},
		{"1,,2", `entry "" is not a chunk number`},
		{"0", `entry "0" is not a chunk number`},
		{"3-1", `entry "3-1" is not a chunk number or range`},
		{"1-x", `entry "1-x" is not a chunk number or range`},
		{"1-9999999999", "names more than"},
		{"1-3000000,1-3000000", "names more than"},
	} {
		_, err := parseChunkList(bad.text)
		if err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("parseChunkList(%q): %v, want an error saying %q", bad.text, err, bad.msg)
		}
	}
}

// TestCutChunksIsContentDefined: the cuts of a snapshot depend on its
// bytes, not on where they sit: bytes inserted near the start leave the
// chunks after the next cut or two unchanged, and every chunk stays within
// its bounds.
func TestCutChunksIsContentDefined(t *testing.T) {
	snap := fakeSnapshot(20_000, "a")
	edited := append(append(bytes.Clone(snap[:5000]), `{"id":0,"inserted":true},`...), snap[5000:]...)
	before, after := cutChunks(snap), cutChunks(edited)
	if got := bytes.Join(after, nil); !bytes.Equal(got, edited) {
		t.Fatal("the chunks do not join back into the snapshot")
	}
	for i, c := range before[:len(before)-1] {
		if len(c) < minChunk || len(c) > maxChunk {
			t.Errorf("chunk %d has %d bytes, outside [%d, %d]", i, len(c), minChunk, maxChunk)
		}
	}
	old := map[string]bool{}
	for _, c := range before {
		old[string(c)] = true
	}
	changed := 0
	for _, c := range after {
		if !old[string(c)] {
			changed++
		}
	}
	if changed > 2 {
		t.Errorf("an insertion near the start changed %d of %d chunks", changed, len(after))
	}
}
