// Package store owns Waymark's database: opening it, migrating it, and every
// SQL statement the application runs.
//
// The database is one SQLite file (github.com/mattn/go-sqlite3) under the
// data directory, or a PostgreSQL database (github.com/jackc/pgx) that
// several Waymark processes share. SQL is hand-written, portable
// database/sql with explicit column lists and ? placeholders, which the
// PostgreSQL connection rewrites (postgres.go); SQLite-specific settings
// live only in the DSN, and each database has its own migration files
// (migrations/ and migrations/postgres/, with the same names).
//
// Exported methods on *Store own their transaction. Work that must commit
// together (a runner step writing a snapshot, tasks and timers) goes through
// InTx, whose *Tx carries the same operations. Every write goes through one
// writer goroutine that owns the only write connection and commits the
// units of work queued at the same moment together, each in its own
// savepoint (writer.go); reads use a bounded pool of read-only connections. Lookups that find nothing
// return ErrNotFound; writes that break a uniqueness rule or an optimistic
// lock return ErrConflict. Times are stored as UTC RFC 3339 text.
//
// The package imports no other Waymark package.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// Sentinel errors; wrap them with %w and test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Store is an open database.
type Store struct {
	// db is the bounded pool of read-only connections every read uses on
	// SQLite, and the whole pool on PostgreSQL.
	db *sql.DB
	// w owns SQLite's one write connection (wdb); every write goes through
	// InTx. Both are nil on PostgreSQL, where each InTx is a transaction
	// of its own.
	w   *writer
	wdb *sql.DB
	// cdb is the checkpointer's connection (SQLite only).
	cdb *sql.DB
	// path is the SQLite file, or the PostgreSQL URL without its password.
	path    string
	dialect dialect
	obs     observer
	// snapshotBytes counts the instance snapshot bytes written (WriteStats).
	snapshotBytes atomic.Int64
}

// Options tunes how a database is opened. The zero value is the default.
type Options struct {
	// Sync is SQLite's synchronous setting: "FULL" (the default) makes an
	// acknowledged write survive power loss, "NORMAL" survives crashes of
	// the process but may lose the last commits when the machine loses
	// power, at a fraction of the cost.
	Sync string
	// ReadConns bounds the read-only connections; 0 means a default
	// proportional to the CPUs.
	ReadConns int
}

// Open opens (creating if needed) the SQLite database at path with the
// default options and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith opens (creating if needed) the SQLite database at path and
// applies pending migrations.
func OpenWith(ctx context.Context, path string, o Options) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database %q: the path must not contain ? or #", path)
	}
	switch o.Sync {
	case "":
		o.Sync = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("open database %s: synchronous setting %q: want FULL or NORMAL", path, o.Sync)
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	wdb, err := sql.Open(driverName, dsn(path, o.Sync, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One connection that never expires: the writer is the only user.
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	db, err := sql.Open(readDriverName, dsn(path, o.Sync, true))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(o.ReadConns)
	db.SetMaxIdleConns(o.ReadConns)
	// The checkpointer's connection (checkpoint.go).
	cdb, err := sql.Open(readDriverName, dsn(path, o.Sync, false))
	if err != nil {
		wdb.Close()
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	cdb.SetMaxOpenConns(1)
	cdb.SetMaxIdleConns(1)
	cdb.SetConnMaxLifetime(0)
	cdb.SetConnMaxIdleTime(0)
	s := &Store{db: db, wdb: wdb, cdb: cdb, path: path}
	s.w = newWriter(wdb, newCheckpointer(cdb))
	s.w.snapshotBytes = &s.snapshotBytes
	s.w.onCommit = s.observeTx
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	return s, nil
}

// busyTimeout is how long a connection waits for a lock held by another.
const busyTimeout = 5 * time.Second

// driverName is mattn/go-sqlite3 with the settings the DSN cannot carry,
// for the writer's connection; readDriverName is the same for the read
// pool and the checkpointer, without the file mapping.
const (
	driverName     = "sqlite3_waymark"
	readDriverName = "sqlite3_waymark_read"
)

// mmapSize is how much of the database file the writer's connection maps
// into memory, so the pages it reads cost a memory copy rather than a
// read system call each. Only the writer maps the file: in WAL mode a
// connection that finds the log changed at the start of a read
// transaction, which after any commit is every reader, drops its whole
// mapping (a munmap that flushes the other cores' TLBs) and faults the
// pages in again. A completion's three point reads (auth version, task,
// instance) cost about 50 µs more that way than with plain reads of the
// few pages they need.
const mmapSize = 256 << 20

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := connectHook(c, mmapSize); err != nil {
			return err
		}
		// Each unit of work runs in a SAVEPOINT, whose journal of the
		// pages it changes SQLite keeps in memory only up to 64 KiB and
		// then moves to a temporary file: a completion (about 18 pages)
		// opened, wrote about 30 times and closed such a file in every
		// transaction. In memory it is bounded by the pages one unit
		// changes (new pages, such as a file's blob, are not journaled).
		_, err := c.Exec("PRAGMA temp_store = MEMORY", nil)
		return err
	}})
	sql.Register(readDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		return connectHook(c, 0)
	}})
}

// connectHook applies the settings every connection gets.
func connectHook(c *sqlite3.SQLiteConn, mmap int) error {
	_, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", mmap), nil)
	// Plans that do not depend on bound values (qpsg.go).
	setQPSG(c, 1)
	return err
}

// dsn builds the mattn/go-sqlite3 connection string. SQLite settings are
// per connection, so they belong here, where the driver applies them to
// every connection the pool opens (a PRAGMA run through db.Exec would reach
// only one of them).
func dsn(path, sync string, readOnly bool) string {
	q := url.Values{}
	// WAL lets readers proceed while one writer commits, and survives a
	// crash without a rollback journal.
	q.Set("_journal_mode", "WAL")
	// SQLite ignores REFERENCES clauses unless this is on.
	q.Set("_foreign_keys", "on")
	// Wait for a lock this long (milliseconds) instead of failing at once
	// with SQLITE_BUSY. Within this process only the writer writes; the
	// timeout covers other processes on the same file (the command line
	// tools, a second server by mistake) and WAL checkpoints.
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	// BEGIN IMMEDIATE takes the write lock when a transaction starts. A
	// deferred transaction that reads and then writes can otherwise fail
	// with SQLITE_BUSY half-way, where the busy timeout does not help.
	q.Set("_txlock", "immediate")
	// In WAL mode FULL syncs the log on every commit, so an acknowledged
	// write survives power loss; NORMAL only risks the last commits then.
	// The writer's group commit pays one sync for a whole batch.
	q.Set("_synchronous", sync)
	// Keep each connection's compiled statements: a step runs the same
	// few dozen statements every time, and compiling them again was a
	// sixth of its cost.
	q.Set("_stmt_cache_size", "128")
	if readOnly {
		// Reads must never take the write lock behind the writer's back.
		q.Set("_query_only", "1")
	}
	return path + "?" + q.Encode()
}

// Close closes the database.
func (s *Store) Close() error {
	if s.w == nil {
		return s.db.Close()
	}
	s.w.close()
	return errors.Join(s.db.Close(), s.cdb.Close(), s.wdb.Close())
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Ping checks that the database can serve requests: the file is still on
// disk and reads as a SQLite database, and a query through the pool works.
// Open connections keep working on a file that was deleted or replaced, so
// querying alone would report a database as healthy that the next start
// could not open.
func (s *Store) Ping(ctx context.Context) error {
	if s.dialect == dialectPostgres {
		return s.pingQuery(ctx)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	defer f.Close()
	header := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, header); err != nil {
		return fmt.Errorf("ping database: read %s: %w", s.path, err)
	}
	if !bytes.Equal(header, sqliteHeader) {
		return fmt.Errorf("ping database: %s is not a SQLite database", s.path)
	}
	return s.pingQuery(ctx)
}

func (s *Store) pingQuery(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Tx is a database transaction. Its methods are the building blocks that
// exported *Store methods run in their own transaction and that callers
// compose with InTx.
type Tx struct {
	tx      txConn
	now     time.Time
	dialect dialect
	// sharedLocked is set once the transaction holds sharedTablesLock.
	sharedLocked bool
	// snapshotBytes is the store's counter of snapshot bytes written.
	snapshotBytes *atomic.Int64
}

// InTx runs fn as one unit of work. fn's writes commit together when it
// returns nil and are rolled back when it returns an error or panics (the
// panic continues in the caller). InTx returns only after the commit, so
// work it acknowledges is on disk. On SQLite units queued at the same time
// share one transaction and one sync (see writer.go); fn must not call
// InTx itself.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	if s.w != nil {
		return s.w.do(ctx, fn)
	}
	return s.inOwnTx(ctx, fn)
}

// inOwnTx runs fn in a transaction of its own (PostgreSQL, where many
// connections write at once and the instance version keeps steps apart).
func (s *Store) inOwnTx(ctx context.Context, fn func(*Tx) error) (err error) {
	begin := time.Now()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The original error (or panic) matters more than a failed
			// rollback.
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(&Tx{tx: txConn{tx: sqlTx}, now: time.Now().UTC(), dialect: s.dialect, snapshotBytes: &s.snapshotBytes}); err != nil {
		return err
	}
	commitStart := time.Now()
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	committed = true
	s.observeTx(begin, commitStart, 1)
	return nil
}

// migrate applies every embedded migration not yet recorded in
// schema_migrations, in file-name order, each in its own transaction.
// Migration files are never edited once released; a change is a new file.
func (s *Store) migrate(ctx context.Context) error {
	if s.dialect == dialectPostgres {
		// One connection holds the lock while the files apply through
		// others; a process that waits finds them applied.
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, int64(migrationLock))
	}
	if err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`)
		return err
	}); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFiles, migrationGlob(s.dialect))
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := s.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) migrateFile(ctx context.Context, name string) error {
	base := path.Base(name)
	return s.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, base).Scan(&n); err != nil {
			return fmt.Errorf("check migration %s: %w", base, err)
		}
		if n > 0 {
			return nil
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, base, formatTime(tx.now)); err != nil {
			return fmt.Errorf("record migration %s: %w", base, err)
		}
		return nil
	})
}

// migrationGlob matches the migration files of a dialect.
func migrationGlob(d dialect) string {
	if d == dialectPostgres {
		return "migrations/postgres/*.sql"
	}
	return "migrations/*.sql"
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, s)
}

// pgUniqueViolation is PostgreSQL's SQLSTATE for a broken unique or
// primary-key constraint.
const pgUniqueViolation = "23505"

// mapError turns driver errors into the package's sentinels so callers
// never see SQLite or PostgreSQL specifics.
func mapError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == pgUniqueViolation {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// exec runs one write statement as a unit of work of its own (on SQLite
// the read pool refuses writes; every write goes through InTx).
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// writeRow runs one write statement that returns a row (INSERT …
// RETURNING) as a unit of work of its own, scanning the row into dest.
func (s *Store) writeRow(ctx context.Context, query string, args []any, dest ...any) error {
	return s.InTx(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, query, args...).Scan(dest...)
	})
}
