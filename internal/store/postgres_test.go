package store

import (
	"context"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/pgtest"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`WHERE id_lc = ?1 OR name_lc = ?1 LIMIT ?2`, `WHERE id_lc = $1 OR name_lc = $1 LIMIT $2`},
		{`SELECT '?', "a?b", ? -- why?` + "\n" + `, ?`, `SELECT '?', "a?b", $1 -- why?` + "\n" + `, $2`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`-- only a comment ?`, `-- only a comment ?`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPoolSize(t *testing.T) {
	tests := []struct {
		in      string
		wantURL string
		wantN   int
		wantErr bool
	}{
		{"postgres://u:p@h/db", "postgres://u:p@h/db", defaultMaxConns, false},
		{"postgres://u:p@h/db?sslmode=disable&pool_max_conns=7", "postgres://u:p@h/db?sslmode=disable", 7, false},
		{"postgres://u:p@h/db?pool_max_conns=0", "", 0, true},
		{"postgres://u:p@h/db?pool_max_conns=many", "", 0, true},
	}
	for _, tt := range tests {
		gotURL, gotN, err := poolSize(tt.in)
		if (err != nil) != tt.wantErr || gotURL != tt.wantURL || gotN != tt.wantN {
			t.Errorf("poolSize(%q) = %q, %d, %v; want %q, %d, error %v", tt.in, gotURL, gotN, err, tt.wantURL, tt.wantN, tt.wantErr)
		}
	}
}

// TestOpenPostgresErrors: a wrong URL or an unreachable server is reported
// with the URL's password left out.
func TestOpenPostgresErrors(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{
		"mysql://u:hunter2@127.0.0.1/db",
		"postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=5",
		"postgres://u:hunter2@127.0.0.1/db?pool_max_conns=none",
	} {
		s, err := OpenPostgres(ctx, u)
		if err == nil {
			s.Close()
			t.Errorf("OpenPostgres(%q) succeeded", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("OpenPostgres(%q) error shows the password: %v", u, err)
		}
	}
}

// TestAnalyze: on PostgreSQL, Analyze gives the planner statistics for
// tables it has never analysed (reltuples -1 until then).
func TestAnalyze(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectPostgres)
	reltuples := func() float64 {
		t.Helper()
		var n float64
		if err := s.db.QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE relname = 'human_tasks'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := reltuples(); n != -1 {
		t.Fatalf("human_tasks has statistics before Analyze: reltuples %v", n)
	}
	if err := s.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	if n := reltuples(); n < 0 {
		t.Errorf("human_tasks has no statistics after Analyze: reltuples %v", n)
	}
	// SQLite has nothing to do.
	if err := openTest(t, dialectSQLite).Analyze(ctx); err != nil {
		t.Errorf("SQLite: %v", err)
	}
}

// TestPostgresJITOff: connections run without JIT compilation unless the
// URL asks for it.
func TestPostgresJITOff(t *testing.T) {
	ctx := context.Background()
	target := pgtest.NewDatabase(t)
	for _, tt := range []struct{ query, want string }{{"", "off"}, {"jit=on", "on"}} {
		url := target
		if tt.query != "" {
			sep := "?"
			if strings.Contains(url, "?") {
				sep = "&"
			}
			url += sep + tt.query
		}
		s, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		var jit string
		err = s.db.QueryRowContext(ctx, `SHOW jit`).Scan(&jit)
		s.Close()
		if err != nil || jit != tt.want {
			t.Errorf("URL with %q: jit %q (%v), want %q", tt.query, jit, err, tt.want)
		}
	}
}
