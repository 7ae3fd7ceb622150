package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// probeTable creates a scratch table the writer tests insert into.
func probeTable(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE probe (k TEXT PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func insertProbe(ctx context.Context, tx *Tx, k string) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO probe (k) VALUES (?)`, k)
	return mapError(err)
}

func probeKeys(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT k FROM probe ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWriterBatchUnitsRollBackAlone hands the writer one batch by hand, as
// its loop does, so the batch's makeup is certain: the units that fail or
// panic leave nothing behind and the others in the same transaction commit.
func TestWriterBatchUnitsRollBackAlone(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	probeTable(t, s)
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	fns := []struct {
		ctx context.Context
		fn  func(*Tx) error
	}{
		{ctx, func(tx *Tx) error { return insertProbe(ctx, tx, "a") }},
		{ctx, func(tx *Tx) error {
			if err := insertProbe(ctx, tx, "b-failed"); err != nil {
				return err
			}
			return boom
		}},
		{ctx, func(tx *Tx) error { return insertProbe(ctx, tx, "c") }},
		{ctx, func(tx *Tx) error {
			if err := insertProbe(ctx, tx, "d-panicked"); err != nil {
				return err
			}
			panic("unit panics")
		}},
		// A unit that breaks a constraint after writing: only its own
		// rows go.
		{ctx, func(tx *Tx) error {
			if err := insertProbe(ctx, tx, "e-conflicted"); err != nil {
				return err
			}
			return insertProbe(ctx, tx, "a")
		}},
		{cancelled, func(tx *Tx) error { return insertProbe(ctx, tx, "f-cancelled") }},
		{ctx, func(tx *Tx) error { return insertProbe(ctx, tx, "g") }},
	}
	batch := make([]*unit, len(fns))
	for i, f := range fns {
		batch[i] = &unit{ctx: f.ctx, fn: f.fn, done: make(chan unitResult, 1)}
	}
	s.w.commit(batch)
	results := make([]unitResult, len(batch))
	for i, u := range batch {
		results[i] = <-u.done
	}

	for _, i := range []int{0, 2, 6} {
		if results[i].err != nil || results[i].panicked {
			t.Errorf("unit %d: %+v, want success", i, results[i])
		}
	}
	if !errors.Is(results[1].err, boom) {
		t.Errorf("failing unit: %v, want its own error", results[1].err)
	}
	if !results[3].panicked || results[3].panicVal != "unit panics" {
		t.Errorf("panicking unit: %+v, want its panic value", results[3])
	}
	if !errors.Is(results[4].err, ErrConflict) {
		t.Errorf("conflicting unit: %v, want ErrConflict", results[4].err)
	}
	if !errors.Is(results[5].err, context.Canceled) {
		t.Errorf("cancelled unit: %v, want context.Canceled", results[5].err)
	}
	if diff := cmp.Diff([]string{"a", "c", "g"}, probeKeys(t, s)); diff != "" {
		t.Errorf("committed rows (-want +got):\n%s", diff)
	}
	// The write connection is left usable.
	if err := s.InTx(ctx, func(tx *Tx) error { return insertProbe(ctx, tx, "h") }); err != nil {
		t.Fatalf("write after the batch: %v", err)
	}
}

// TestWriterPanicReachesCaller checks that a panic inside InTx continues
// in the caller's goroutine and that the writer goes on serving.
func TestWriterPanicReachesCaller(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	probeTable(t, s)
	got := func() (v any) {
		defer func() { v = recover() }()
		_ = s.InTx(ctx, func(tx *Tx) error {
			if err := insertProbe(ctx, tx, "x"); err != nil {
				return err
			}
			panic(fmt.Sprintf("boom %d", 7))
		})
		return nil
	}()
	if got != "boom 7" {
		t.Fatalf("recovered %v, want the unit's panic value", got)
	}
	if err := s.InTx(ctx, func(tx *Tx) error { return insertProbe(ctx, tx, "y") }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"y"}, probeKeys(t, s)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestWriterGroupsConcurrentUnits holds the writer on one unit until many
// others are queued behind it, then checks that they are committed in
// batches of more than one and each is acknowledged with its own result.
func TestWriterGroupsConcurrentUnits(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	probeTable(t, s)
	const n = 40
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.InTx(ctx, func(tx *Tx) error {
			<-release
			return insertProbe(ctx, tx, "blocker")
		}); err != nil {
			t.Error(err)
		}
	}()
	waitFor(t, "the blocking unit to run", func() bool { return s.WriteStats().Waiting == 1 })
	before := s.WriteStats()
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InTx(ctx, func(tx *Tx) error {
				if i%5 == 0 {
					return fmt.Errorf("unit %d refuses", i)
				}
				return insertProbe(ctx, tx, fmt.Sprintf("u%02d", i))
			})
		}()
	}
	waitFor(t, "every unit to queue", func() bool { return s.WriteStats().Waiting == n+1 })
	close(release)
	wg.Wait()

	var want []string
	for i, err := range errs {
		if i%5 == 0 {
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("unit %d refuses", i)) {
				t.Errorf("unit %d: %v, want its own error", i, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("unit %d: %v", i, err)
		}
		want = append(want, fmt.Sprintf("u%02d", i))
	}
	want = append([]string{"blocker"}, want...)
	if diff := cmp.Diff(want, probeKeys(t, s)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	after := s.WriteStats()
	// The blocker's batch was counted when it began, before "before".
	if after.Units-before.Units != n {
		t.Errorf("writer ran %d units behind the blocker, want %d", after.Units-before.Units, n)
	}
	if after.LargestBatch < 2 {
		t.Errorf("largest batch %d: queued units were not committed together", after.LargestBatch)
	}
	if batches := after.Batches - before.Batches; batches >= n {
		t.Errorf("%d units took %d transactions", n, batches)
	}
}

// TestWriterManyWritersNeverBusy runs many concurrent writers and readers
// against one file; none may see "database is locked", and every
// acknowledged write is there after the store is closed and opened again.
func TestWriterManyWritersNeverBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "waymark.db")
	s, err := OpenWith(ctx, path, Options{Sync: "FULL"})
	if err != nil {
		t.Fatal(err)
	}
	probeTable(t, s)
	const writers, each = 200, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	acked := map[string]bool{}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 8 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM probe`).Scan(&n); err != nil {
					mu.Lock()
					failures = append(failures, fmt.Errorf("read: %w", err))
					mu.Unlock()
					return
				}
			}
		}()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := fmt.Sprintf("w%03d-%02d", w, i)
				err := s.InTx(ctx, func(tx *Tx) error { return insertProbe(ctx, tx, k) })
				mu.Lock()
				if err != nil {
					failures = append(failures, fmt.Errorf("write %s: %w", k, err))
				} else {
					acked[k] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	for _, err := range failures {
		t.Error(err)
	}
	stats := s.WriteStats()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d units in %d transactions, largest %d", stats.Units, stats.Batches, stats.LargestBatch)

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := probeKeys(t, s)
	if len(got) != writers*each || len(acked) != writers*each {
		t.Errorf("%d rows after reopen, %d acknowledged, want %d", len(got), len(acked), writers*each)
	}
	for _, k := range got {
		delete(acked, k)
	}
	if len(acked) > 0 {
		t.Errorf("%d acknowledged writes missing after reopen", len(acked))
	}
}

func TestWriterClosed(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.InTx(ctx, func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("InTx after Close: %v, want ErrClosed", err)
	}
}

func TestReadPoolIsReadOnly(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	_, err := s.db.ExecContext(ctx, `INSERT INTO groups (name, source) VALUES ('sneaky', 'local')`)
	if err == nil {
		t.Fatal("a write through the read pool succeeded")
	}
}

func TestOpenRefusesUnknownSync(t *testing.T) {
	_, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "waymark.db"), Options{Sync: "OFF"})
	if err == nil || !strings.Contains(err.Error(), `"OFF"`) {
		t.Errorf("Sync OFF: %v, want an error naming the value", err)
	}
}

// TestRecordAndReplayWrites records the committed units of a run, replays
// them on a copy taken before the run and expects the same rows; units
// that failed are not part of the recording.
func TestRecordAndReplayWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	probeTable(t, s)
	if err := s.InTx(ctx, func(tx *Tx) error { return insertProbe(ctx, tx, "before") }); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := s.BackupTo(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := s.BackupTo(ctx, backup); err == nil {
		t.Error("a second backup over the first was accepted")
	}
	s.RecordWrites(3)
	for _, k := range []string{"r1", "r2", "fails", "r3", "r4"} {
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := insertProbe(ctx, tx, k); err != nil {
				return err
			}
			if k == "fails" {
				return errors.New("no")
			}
			return nil
		})
		if (err != nil) != (k == "fails") {
			t.Fatalf("unit %s: %v", k, err)
		}
	}
	units := s.RecordedWrites()
	if len(units) != 3 {
		t.Fatalf("recorded %d units, want 3 (the limit)", len(units))
	}
	res, err := ReplayWrites(ctx, backup, "FULL", units, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Units != 3 || res.Batches != 2 || res.WALBytes <= 0 {
		t.Errorf("replay result %+v, want 3 units in 2 batches and a grown log", res)
	}
	copied, err := Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	if diff := cmp.Diff([]string{"before", "r1", "r2", "r3"}, probeKeys(t, copied)); diff != "" {
		t.Errorf("replayed rows (-want +got):\n%s", diff)
	}
	// Replaying the same units again breaks the primary key: the error
	// names the unit and the statement.
	_, err = ReplayWrites(ctx, backup, "FULL", units, 1)
	if err == nil || !strings.Contains(err.Error(), "unit 0") || !strings.Contains(err.Error(), "INSERT INTO probe") {
		t.Errorf("replaying twice: %v, want an error naming unit 0 and its statement", err)
	}
}

// TestWriterIgnoresCancelMidUnit cancels a unit's context while the unit
// runs: its statements still run (an interrupted SQLite write would roll
// back the whole shared transaction) and the units beside it commit.
func TestWriterIgnoresCancelMidUnit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	probeTable(t, s)
	uctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batch := []*unit{
		{ctx: ctx, fn: func(tx *Tx) error { return insertProbe(ctx, tx, "before") }, done: make(chan unitResult, 1)},
		{ctx: uctx, fn: func(tx *Tx) error {
			cancel()
			return insertProbe(uctx, tx, "cancelled-inside")
		}, done: make(chan unitResult, 1)},
		{ctx: ctx, fn: func(tx *Tx) error { return insertProbe(ctx, tx, "after") }, done: make(chan unitResult, 1)},
	}
	s.w.commit(batch)
	for i, u := range batch {
		if r := <-u.done; r.err != nil || r.panicked {
			t.Errorf("unit %d: %+v", i, r)
		}
	}
	if diff := cmp.Diff([]string{"after", "before", "cancelled-inside"}, probeKeys(t, s)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
