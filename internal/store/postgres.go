package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// dialect names the database behind a Store. The SQL of the store is
// written once, in SQLite's spelling with ? placeholders; the few places
// where the databases differ ask s.dialect (or tx.dialect).
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgresURL reports whether s is a PostgreSQL connection URL, which
// OpenPostgres accepts, rather than a SQLite file path.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenPostgres connects to the PostgreSQL database at the given URL
// (postgres://user:password@host:port/dbname?sslmode=…) and applies pending
// migrations. Several Waymark processes may open the same database at once:
// migrations run under an advisory lock, so only one applies each file.
func OpenPostgres(ctx context.Context, databaseURL string) (*Store, error) {
	where := redactURL(databaseURL)
	if !IsPostgresURL(databaseURL) {
		return nil, fmt.Errorf("open database %s: not a postgres:// or postgresql:// URL", where)
	}
	databaseURL, maxConns, err := poolSize(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", where, err)
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", where, err)
	}
	// Waymark's statements are short index reads and writes, but a wide
	// guess of how many rows a join meets can put a plan's cost above
	// jit_above_cost, and compiling it then takes 15 to 200 ms against a
	// few ms of running it. JIT stays off unless the URL asks for it
	// (jit=on).
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, path: where, dialect: dialectPostgres}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", where, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", where, err)
	}
	return s, nil
}

// defaultMaxConns bounds the connections one process opens, so several
// processes under load stay within PostgreSQL's max_connections (100 by
// default); requests beyond it wait for a connection.
const defaultMaxConns = 20

// poolSize takes the pool_max_conns parameter (pgxpool's name for it) out
// of the URL, where PostgreSQL would take it for a server setting, and
// returns the URL without it and the pool size.
func poolSize(databaseURL string) (string, int, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", 0, errors.New("the URL does not parse")
	}
	q := u.Query()
	v := q.Get("pool_max_conns")
	if v == "" {
		return databaseURL, defaultMaxConns, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("pool_max_conns=%q: want a whole number of at least 1", v)
	}
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// redactURL returns the URL without its password, for messages and logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}

// migrationLock is the key of the PostgreSQL advisory lock held while
// migrations run, so processes starting together apply each file once.
const migrationLock = 0x5761796d61726b // "Waymark"

// sharedTablesLock is the key of the PostgreSQL advisory lock that
// transactions take before they read and then rewrite tables every process
// keeps in step from its own copy of the truth (users and groups from the
// permissions file, the model index and history from the shared model
// directory). Two processes doing this at once would otherwise both see the
// old rows and collide on insert. Instance writes do not take it: the
// instance version already orders them.
const sharedTablesLock = 0x5761796d61726c

// lockShared takes sharedTablesLock until the transaction ends. SQLite
// needs nothing: its transactions hold the database's write lock.
func (tx *Tx) lockShared(ctx context.Context) error {
	if tx.dialect != dialectPostgres || tx.sharedLocked {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(sharedTablesLock)); err != nil {
		return fmt.Errorf("lock shared tables: %w", err)
	}
	tx.sharedLocked = true
	return nil
}

// planEachRun returns the arguments of a query whose best plan depends on
// their values (the inbox filters: a text that matches few tasks or all of
// them): on PostgreSQL it then runs as an unnamed statement, planned for
// its values every time, where a prepared one would switch to a generic
// plan after five runs, one that reads every task (3 ms to 70 ms for a
// text matching 100 of 100,000 tasks).
func (s *Store) planEachRun(args []any) []any {
	if s.dialect != dialectPostgres {
		return args
	}
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

// pgConnector hands database/sql connections that accept the store's
// SQLite-style placeholders.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection that rewrites placeholders before running a
// statement; every other driver interface comes from the embedded
// connection.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// rebind rewrites SQLite placeholders into PostgreSQL's: ?NNN becomes $NNN
// and each bare ? the next number. Question marks inside string literals,
// quoted identifiers and comments are left alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			if j >= len(query) {
				j = len(query) - 1
			}
			b.WriteString(query[i : j+1])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Analyze refreshes PostgreSQL's planner statistics, which autovacuum
// otherwise brings up to date within about a minute of a large change; a
// benchmark that has just written 100,000 rows calls it before measuring.
// SQLite plans without statistics, so there it does nothing.
func (s *Store) Analyze(ctx context.Context) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	// The inbox's count changes a large write appended are folded first,
	// and their dead rows vacuumed, so the first reads do not walk them.
	if err := s.FoldInboxCounts(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM inbox_count_changes`); err != nil {
		return fmt.Errorf("vacuum inbox count changes: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
