package store

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCheckpointerBoundsLog writes far more pages than the restart size
// while readers read without pause: the checkpointer copies the log into
// the database, the writer restarts it, the log file stays near the
// restart size, and every row written is there.
func TestCheckpointerBoundsLog(t *testing.T) {
	ctx := context.Background()
	file := t.TempDir() + "/waymark.db"
	s, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const restartAt = 1024 // pages of 4 KiB: 4 MiB
	s.w.ckpt.restartAt = restartAt
	if err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE ballast (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var readers sync.WaitGroup
	var readErr atomic.Value
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for !stop.Load() {
				// Short reads, as the application's are; each holds the
				// log while it runs.
				var n sql.NullInt64
				if err := s.db.QueryRowContext(ctx, `SELECT max(id) FROM ballast`).Scan(&n); err != nil {
					readErr.Store(err)
					return
				}
			}
		}()
	}

	// Ten rounds of 16 writers with 8 units each of 16 rows of 4 KiB:
	// 2,048 pages a round, 20,480 in all, twenty times the restart size.
	// After each round the test waits for the checkpointer to have run,
	// so what the log may hold does not depend on how fast this machine
	// writes.
	body := bytes.Repeat([]byte{'x'}, 4000)
	var maxLog atomic.Int64
	const rounds, writers, units, rows = 10, 16, 8, 16
	for round := range rounds {
		before := s.CheckpointStats().Passive
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u := range units {
					if err := s.InTx(ctx, func(tx *Tx) error {
						for r := range rows {
							id := ((round*writers+w)*units+u)*rows + r + 1
							if _, err := tx.tx.ExecContext(ctx, `INSERT INTO ballast (id, body) VALUES (?, ?)`, id, body); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						t.Error(err)
						return
					}
					if fi, err := os.Stat(file + "-wal"); err == nil {
						for old := maxLog.Load(); fi.Size() > old && !maxLog.CompareAndSwap(old, fi.Size()); old = maxLog.Load() {
						}
					}
				}
			}()
		}
		wg.Wait()
		deadline := time.Now().Add(30 * time.Second)
		for s.CheckpointStats().Passive == before {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no checkpoint within 30 s", round)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	stop.Store(true)
	readers.Wait()
	if err, _ := readErr.Load().(error); err != nil {
		t.Fatal(err)
	}

	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM ballast`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != rounds*writers*units*rows {
		t.Errorf("%d rows, want %d", n, rounds*writers*units*rows)
	}
	st := s.CheckpointStats()
	if st.Passive == 0 || st.Restart == 0 {
		t.Errorf("checkpoints: %+v, want passive ones and at least one restart", st)
	}
	// A restart follows the first commit after a checkpoint that found the
	// log past its size, so the log holds about two rounds (4,200 pages),
	// a few more when readers made a restart give up; without restarts it
	// would hold all 20,480 pages and more.
	if limit := int64(10 * restartAt * 4096); maxLog.Load() > limit {
		t.Errorf("the log grew to %d bytes, want at most %d (ten times the restart size, half of all pages written)", maxLog.Load(), limit)
	}
	t.Logf("log at most %d bytes; %+v", maxLog.Load(), st)
}
