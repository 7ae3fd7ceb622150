package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// In WAL mode a commit appends pages to the log, and a checkpoint copies
// them back into the database file. SQLite's default is to checkpoint in
// the committing connection once the log passes 1,000 pages: the writer
// then copies the pages and syncs the database file while every unit of
// the next batch waits. Here the writer's connection never checkpoints on
// its own; a checkpointer does, on a connection of its own, while the
// writer goes on (a PASSIVE checkpoint blocks neither writers nor readers).
//
// A passive checkpoint cannot move the log back to its start while a
// reader still uses part of it, and under steady load one always does, so
// the log would grow without end. Once it passes restartFrames, the writer
// restarts it between two batches (a RESTART checkpoint: it waits for the
// readers of the old log to finish, and the passive checkpoints have left
// it little to copy). The log file keeps its size, so later commits write
// over its blocks instead of growing the file.

// checkpointEvery is how often the checkpointer runs while commits come in.
// Rarer checkpoints copy a page the batches keep changing (the kept inbox
// counts, the ends of the indexes) once instead of many times.
const checkpointEvery = 100 * time.Millisecond

// restartFrames is the log size, in pages, past which the writer restarts
// the log (16,384 pages of 4 KiB: 64 MiB).
const restartFrames = 16384

// restartWait bounds how long a restart waits for readers: the writer
// holds every queued unit meanwhile. A long read makes the restart give up
// instead; the checkpointer asks again after its next run.
const restartWait = 200 * time.Millisecond

type checkpointer struct {
	db   *sql.DB // its own read-write connection
	wake chan struct{}
	quit chan struct{}
	once sync.Once
	done chan struct{}
	// restartAt is the log size, in pages, that asks for a restart
	// (restartFrames; tests lower it).
	restartAt int
	// restart asks the writer to restart the log after its next commit.
	restart atomic.Bool
	// passives and restarts count the checkpoints done; logPages is the
	// log's size in pages when last checked; restartedFrames adds up the
	// sizes of the logs restarts emptied.
	passives, restarts, logPages, restartedFrames atomic.Int64
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, restartAt: restartFrames, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer the log grew; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			return
		}
		// Let the commits of the next interval join this checkpoint.
		t.Reset(checkpointEvery)
		select {
		case <-t.C:
		case <-c.quit:
			return
		}
		frames, err := c.passive()
		if err != nil {
			slog.Warn("database checkpoint", "mode", "PASSIVE", "error", err)
			continue
		}
		if frames >= c.restartAt {
			c.restart.Store(true)
		}
	}
}

// passive copies what it can of the log into the database file and returns
// the log's size in pages.
func (c *checkpointer) passive() (int, error) {
	var busy, frames, copied int
	if err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return 0, err
	}
	c.passives.Add(1)
	c.logPages.Store(int64(frames))
	return frames, nil
}

func (c *checkpointer) close() {
	c.once.Do(func() { close(c.quit) })
	<-c.done
}

// restartLog runs on the writer's connection between batches, when the
// checkpointer asked for it.
func (c *checkpointer) restartLog(conn *sql.Conn) {
	if !c.restart.Swap(false) {
		return
	}
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, restartWait.Milliseconds())); err != nil {
		slog.Warn("database checkpoint", "mode", "RESTART", "error", err)
		return
	}
	defer func() {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds())); err != nil {
			slog.Warn("database checkpoint", "mode", "RESTART", "error", err)
		}
	}()
	var busy, frames, copied int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &frames, &copied); err != nil {
		slog.Warn("database checkpoint", "mode", "RESTART", "error", err)
		return
	}
	if busy == 0 {
		c.restarts.Add(1)
		c.restartedFrames.Add(int64(frames))
		c.logPages.Store(0)
	}
}

// CheckpointStats counts the log checkpoints since Open (SQLite only), and
// gives the log's size in pages when last checked.
type CheckpointStats struct {
	Passive, Restart, LogPages int64
}

// CheckpointStats reports the checkpoints done so far.
func (s *Store) CheckpointStats() CheckpointStats {
	if s.w == nil || s.w.ckpt == nil {
		return CheckpointStats{}
	}
	c := s.w.ckpt
	return CheckpointStats{Passive: c.passives.Load(), Restart: c.restarts.Load(), LogPages: c.logPages.Load()}
}
