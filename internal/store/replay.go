package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"
)

// Recording and replaying writes serve the load tool's "raw write
// ceiling": the statements the application committed during a load run,
// replayed on a copy of the database as it was before the run, in batches
// on one connection, with nothing else in the way (no HTTP, no engine, no
// reads). The ratio of the two shows how close the application comes to
// what the storage can do.

// RecordedStatement is one write statement and its arguments.
type RecordedStatement struct {
	Query string
	Args  []any
}

// RecordedUnit is the write statements of one committed InTx call, in
// order.
type RecordedUnit struct {
	Statements []RecordedStatement
}

// RecordWrites starts recording the statements of committed units, up to
// limit units, dropping any earlier recording.
func (s *Store) RecordWrites(limit int) {
	if s.w == nil {
		return // PostgreSQL: nothing to replay on
	}
	s.w.recMu.Lock()
	defer s.w.recMu.Unlock()
	s.w.recLimit = limit
	s.w.recorded = nil
	s.w.recording.Store(limit > 0)
}

// RecordedWrites stops recording and returns what was recorded, in commit
// order.
func (s *Store) RecordedWrites() []RecordedUnit {
	if s.w == nil {
		return nil
	}
	s.w.recording.Store(false)
	s.w.recMu.Lock()
	defer s.w.recMu.Unlock()
	out := s.w.recorded
	s.w.recorded = nil
	return out
}

// BackupTo writes a consistent copy of the database to dest, which must
// not exist yet.
func (s *Store) BackupTo(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("back up database: %s already exists", dest)
	}
	// VACUUM INTO cannot run inside a transaction, so it goes straight to
	// the write connection; the pool hands it over between batches.
	if _, err := s.wdb.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("back up database to %s: %w", dest, err)
	}
	return nil
}

// ReplayResult is what one replay measured.
type ReplayResult struct {
	Units    int
	Batches  int
	Elapsed  time.Duration
	WALBytes int64 // bytes of log frames the commits wrote
}

// ReplayWrites applies units to the SQLite database at path (a copy made
// by BackupTo before they were recorded), batch units per transaction on
// one connection with the given synchronous setting. The log is
// checkpointed as the server's is (checkpoint.go): passive checkpoints on
// a connection of their own while commits come in, and a restart of the
// log between two batches once it passes its size. WALBytes counts the
// log frames the commits wrote.
func ReplayWrites(ctx context.Context, path, sync string, units []RecordedUnit, batch int) (ReplayResult, error) {
	if batch < 1 {
		return ReplayResult{}, fmt.Errorf("replay writes: batch size %d, want at least 1", batch)
	}
	db, err := sql.Open(driverName, dsn(path, sync, false))
	if err != nil {
		return ReplayResult{}, fmt.Errorf("replay writes: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return ReplayResult{}, fmt.Errorf("replay writes: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return ReplayResult{}, fmt.Errorf("replay writes: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return ReplayResult{}, fmt.Errorf("replay writes: %w", err)
	}
	var pageSize int64
	if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return ReplayResult{}, fmt.Errorf("replay writes: %w", err)
	}
	cdb, err := sql.Open(readDriverName, dsn(path, sync, false))
	if err != nil {
		return ReplayResult{}, fmt.Errorf("replay writes: %w", err)
	}
	defer cdb.Close()
	cdb.SetMaxOpenConns(1)
	ckpt := newCheckpointer(cdb)
	defer ckpt.close()
	res := ReplayResult{Units: len(units)}
	start := time.Now()
	for lo := 0; lo < len(units); lo += batch {
		hi := min(lo+batch, len(units))
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return res, fmt.Errorf("replay writes: begin: %w", err)
		}
		for i := lo; i < hi; i++ {
			for _, st := range units[i].Statements {
				if _, err := tx.ExecContext(ctx, st.Query, st.Args...); err != nil {
					_ = tx.Rollback()
					return res, fmt.Errorf("replay writes: unit %d: %s: %w", i, st.Query, err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return res, fmt.Errorf("replay writes: commit: %w", err)
		}
		res.Batches++
		ckpt.committed()
		ckpt.restartLog(conn)
	}
	res.Elapsed = time.Since(start)
	ckpt.close()
	// The frames in the log now, and those in the logs restarted before.
	var busy, frames, copied int64
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return res, fmt.Errorf("replay writes: %w", err)
	}
	res.WALBytes = (frames + ckpt.restartedFrames.Load()) * (walFrameHeader + pageSize)
	return res, nil
}

// walFrameHeader is the size of a frame's header in SQLite's log.
const walFrameHeader = 24
