package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// The writer owns the store's only write connection. InTx hands it a unit
// of work and waits; the writer takes every unit queued at that moment, runs
// each inside a SAVEPOINT of one shared transaction, commits once and then
// acknowledges every unit with its own result. A unit that fails or panics
// rolls back only its savepoint. One fsync thus covers a whole batch, and
// with a single writer SQLite never answers "database is locked" to this
// process.

// maxBatch bounds the units one commit covers, so a long queue does not
// delay the first acknowledgement without limit.
const maxBatch = 256

// ErrClosed is returned by InTx after Close.
var ErrClosed = errors.New("store closed")

type unit struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan unitResult // buffered, receives exactly once
}

type unitResult struct {
	err      error
	panicked bool
	panicVal any
}

type writer struct {
	db *sql.DB // one connection, used only by run
	// ckpt checkpoints the log off the writer's path (checkpoint.go);
	// nil leaves checkpoints to SQLite's default, in the writer.
	ckpt *checkpointer
	// queue is unbuffered: a unit is either taken by the writer or, after
	// Close, refused; it never waits in a buffer nobody reads.
	queue     chan *unit
	quit      chan struct{}
	closeOnce sync.Once
	stopped   chan struct{}

	batches, units, largest atomic.Int64
	// onCommit, when set, hears of each committed batch: when its
	// transaction began, when its commit began, and how many units it
	// held (the store's transaction observer, for metrics).
	onCommit func(begin, commitStart time.Time, units int)
	// waiting counts InTx calls not yet acknowledged.
	waiting atomic.Int64
	// snapshotBytes is the store's counter of snapshot bytes written.
	snapshotBytes *atomic.Int64

	// recording is set while RecordWrites collects the committed units'
	// statements (for the load tool's raw write ceiling).
	recording atomic.Bool
	recMu     sync.Mutex
	recLimit  int
	recorded  []RecordedUnit
}

// keep appends committed units to the recording, up to its limit.
func (w *writer) keep(recs []*RecordedUnit) {
	w.recMu.Lock()
	defer w.recMu.Unlock()
	for _, r := range recs {
		if len(w.recorded) >= w.recLimit {
			w.recording.Store(false)
			return
		}
		w.recorded = append(w.recorded, *r)
	}
}

func newWriter(db *sql.DB, ckpt *checkpointer) *writer {
	w := &writer{db: db, ckpt: ckpt, queue: make(chan *unit), quit: make(chan struct{}), stopped: make(chan struct{})}
	go w.run()
	return w
}

// do queues fn and waits for its result. Once queued a unit always runs to
// its end (unless its context ended before its turn): returning early would
// leave the caller unsure whether the work committed.
func (w *writer) do(ctx context.Context, fn func(*Tx) error) error {
	u := &unit{ctx: ctx, fn: fn, done: make(chan unitResult, 1)}
	w.waiting.Add(1)
	defer w.waiting.Add(-1)
	select {
	case w.queue <- u:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return ErrClosed
	}
	r := <-u.done
	if r.panicked {
		panic(r.panicVal)
	}
	return r.err
}

// close stops the writer after the batch in hand; it may be called more
// than once.
func (w *writer) close() {
	w.closeOnce.Do(func() { close(w.quit) })
	<-w.stopped
	if w.ckpt != nil {
		w.ckpt.close()
	}
}

func (w *writer) run() {
	defer close(w.stopped)
	if w.ckpt != nil {
		// The checkpointer checkpoints; the writer's connection (one, kept
		// for good) no longer does after its commits.
		if _, err := w.db.ExecContext(context.Background(), `PRAGMA wal_autocheckpoint = 0`); err != nil {
			slog.Warn("database checkpoint", "error", err)
		}
	}
	batch := make([]*unit, 0, maxBatch)
	for {
		select {
		case u := <-w.queue:
			batch = append(batch[:0], u)
		case <-w.quit:
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case u := <-w.queue:
				batch = append(batch, u)
			default:
				break fill
			}
		}
		w.commit(batch)
		clear(batch)
	}
}

// commit runs one batch in one transaction and acknowledges every unit.
func (w *writer) commit(batch []*unit) {
	begin := time.Now()
	w.batches.Add(1)
	w.units.Add(int64(len(batch)))
	for n := int64(len(batch)); ; {
		old := w.largest.Load()
		if n <= old || w.largest.CompareAndSwap(old, n) {
			break
		}
	}
	results := make([]unitResult, len(batch))
	ack := func() {
		for i, u := range batch {
			u.done <- results[i]
		}
	}
	failAll := func(err error) {
		for i := range results {
			if !results[i].panicked && results[i].err == nil {
				results[i].err = err
			}
		}
		ack()
	}
	// The writer's own context: a caller that goes away must not roll
	// back the other units of its batch.
	ctx := context.Background()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		failAll(fmt.Errorf("write connection: %w", err))
		return
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("begin transaction: %w", err))
		return
	}
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback()
		}
	}()
	var recs []*RecordedUnit
	for i, u := range batch {
		if err := u.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT unit`); err != nil {
			failAll(fmt.Errorf("begin unit of work: %w", err))
			return
		}
		var rec *RecordedUnit
		if w.recording.Load() {
			rec = &RecordedUnit{}
			recs = append(recs, rec)
		}
		results[i] = runUnit(u, txConn{sqlTx, rec}, w.snapshotBytes)
		if rec != nil && (results[i].err != nil || results[i].panicked) {
			recs = recs[:len(recs)-1]
		}
		if results[i].err != nil || results[i].panicked {
			if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO unit`); err != nil {
				// SQLite rolled back the whole transaction (an I/O error,
				// a full disk): the units before this one are lost too.
				failAll(fmt.Errorf("write batch aborted: %w", err))
				return
			}
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE unit`); err != nil {
			failAll(fmt.Errorf("end unit of work: %w", err))
			return
		}
		if !inTransaction(conn) {
			failAll(errors.New("write batch aborted: the transaction ended inside a unit of work"))
			return
		}
	}
	done = true
	commitStart := time.Now()
	if err := sqlTx.Commit(); err != nil {
		for i := range results {
			if !results[i].panicked && results[i].err == nil {
				results[i].err = fmt.Errorf("commit transaction: %w", err)
			}
		}
	} else {
		if len(recs) > 0 {
			w.keep(recs)
		}
		committed := 0
		for _, r := range results {
			if r.err == nil && !r.panicked {
				committed++
			}
		}
		// A batch whose units all rolled back committed nothing.
		if w.onCommit != nil && committed > 0 {
			w.onCommit(begin, commitStart, committed)
		}
		if w.ckpt != nil && committed > 0 {
			w.ckpt.committed()
		}
	}
	ack()
	if w.ckpt != nil {
		w.ckpt.restartLog(conn)
	}
}

// runUnit runs one unit, turning a panic into a result so the writer
// survives it; the caller's goroutine panics again with the same value.
func runUnit(u *unit, c txConn, snapshotBytes *atomic.Int64) (r unitResult) {
	defer func() {
		if v := recover(); v != nil {
			r = unitResult{panicked: true, panicVal: v}
		}
	}()
	return unitResult{err: u.fn(&Tx{tx: c, now: time.Now().UTC(), snapshotBytes: snapshotBytes})}
}

// inTransaction reports whether the connection still holds an open
// transaction; SQLite ends it on its own after some errors.
func inTransaction(conn *sql.Conn) bool {
	open := true
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			open = !c.AutoCommit()
		}
		return nil
	})
	return open
}

// txConn runs a unit's statements on the batch transaction. Statements
// ignore the cancellation of the caller's context: SQLite answers an
// interrupted write by rolling back the whole transaction, which here holds
// other callers' work. A unit whose context has ended before its turn does
// not run at all.
type txConn struct {
	tx  *sql.Tx
	rec *RecordedUnit // nil unless writes are being recorded
}

func (c txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if c.rec != nil {
		c.rec.Statements = append(c.rec.Statements, RecordedStatement{Query: query, Args: slices.Clone(args)})
	}
	return c.tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (c txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.recordWrite(query, args)
	return c.tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (c txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.recordWrite(query, args)
	return c.tx.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// recordWrite records a write that returns rows (INSERT … RETURNING id)
// while writes are recorded; reads are not part of the write set.
func (c txConn) recordWrite(query string, args []any) {
	if c.rec == nil {
		return
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	switch strings.ToUpper(verb) {
	case "INSERT", "UPDATE", "DELETE":
		c.rec.Statements = append(c.rec.Statements, RecordedStatement{Query: query, Args: slices.Clone(args)})
	}
}

func (c txConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.tx.PrepareContext(context.WithoutCancel(ctx), query)
}

// WriteStats counts the writer's work since Open.
type WriteStats struct {
	// Batches is the number of transactions committed (or attempted).
	Batches int64
	// Units is the number of InTx calls they carried.
	Units int64
	// LargestBatch is the most units one transaction carried.
	LargestBatch int64
	// Waiting is the number of InTx calls queued or running now.
	Waiting int64
	// SnapshotBytes is the instance snapshot bytes handed to the database
	// (whole snapshots, chunks and chunk lists; see snapshot_chunks.go).
	SnapshotBytes int64
}

// WriteStats reports how the writer has batched the writes so far.
func (s *Store) WriteStats() WriteStats {
	ws := WriteStats{SnapshotBytes: s.snapshotBytes.Load()}
	if s.w != nil {
		ws.Batches, ws.Units, ws.LargestBatch, ws.Waiting = s.w.batches.Load(), s.w.units.Load(), s.w.largest.Load(), s.w.waiting.Load()
	}
	return ws
}
