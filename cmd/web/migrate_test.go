package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/waymark-bpm/waymark/internal/pgtest"
)

// TestMigrateCommand: `web migrate` creates the schema and exits, on either
// database, and a second run finds nothing to do.
func TestMigrateCommand(t *testing.T) {
	migrate := func(t *testing.T, env map[string]string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		for range 2 {
			out.Reset()
			if code := run(context.Background(), []string{"web", "migrate"}, &out, &errOut, func(k string) string { return env[k] }); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
		}
		return out.String()
	}
	t.Run("SQLite", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		out := migrate(t, map[string]string{"WAYMARK_DATA_DIR": dir})
		if !strings.Contains(out, "up to date") {
			t.Errorf("output %q", out)
		}
		if _, err := os.Stat(filepath.Join(dir, databaseFile)); err != nil {
			t.Errorf("no database file: %v", err)
		}
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dbURL := pgtest.NewDatabase(t)
		out := migrate(t, map[string]string{"WAYMARK_DATA_DIR": t.TempDir(), "WAYMARK_DATABASE_URL": dbURL})
		if !strings.Contains(out, "PostgreSQL database is up to date") {
			t.Errorf("output %q", out)
		}
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Error("no migrations recorded")
		}
	})
	t.Run("BadURL", func(t *testing.T) {
		var errOut bytes.Buffer
		env := map[string]string{"WAYMARK_DATABASE_URL": "postgres://waymark:hunter2@127.0.0.1:1/waymark?connect_timeout=5"}
		if code := run(context.Background(), []string{"web", "migrate"}, io.Discard, &errOut, func(k string) string { return env[k] }); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(errOut.String(), "127.0.0.1:1") || strings.Contains(errOut.String(), "hunter2") {
			t.Errorf("error should name the server and hide the password: %q", errOut.String())
		}
	})
}
