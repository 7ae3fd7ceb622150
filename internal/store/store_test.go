package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// dialects lists the databases every store test runs against.
var dialects = []dialect{dialectSQLite, dialectPostgres}

// forEachDialect runs test once per database, as a subtest named after it.
func forEachDialect(t *testing.T, test func(t *testing.T, d dialect)) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) { test(t, d) })
	}
}

// testTarget returns where a fresh database of the dialect lives: a file
// in a temporary directory (WAL and the connection pool behave differently
// with :memory:) or a new database on the test PostgreSQL server.
func testTarget(t *testing.T, d dialect) string {
	t.Helper()
	if d == dialectPostgres {
		return pgtest.NewDatabase(t)
	}
	return filepath.Join(t.TempDir(), "waymark.db")
}

// openAt opens the store of the dialect at target.
func openAt(ctx context.Context, d dialect, target string) (*Store, error) {
	if d == dialectPostgres {
		return OpenPostgres(ctx, target)
	}
	return Open(ctx, target)
}

// openTest opens a store on a fresh database of the dialect.
func openTest(t *testing.T, d dialect) *Store {
	t.Helper()
	s, err := openAt(context.Background(), d, testTarget(t, d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func migrationNames(t *testing.T, d dialect) []string {
	t.Helper()
	names, err := fs.Glob(migrationFiles, migrationGlob(d))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = path.Base(n)
	}
	return names
}

// TestMigrationsMirrored fails when a migration exists for one database and
// not the other: both must reach the same schema, file by file.
func TestMigrationsMirrored(t *testing.T) {
	sqlite, postgres := migrationNames(t, dialectSQLite), migrationNames(t, dialectPostgres)
	if len(sqlite) == 0 {
		t.Fatal("no SQLite migrations found")
	}
	if diff := cmp.Diff(sqlite, postgres); diff != "" {
		t.Errorf("migrations of SQLite (-) and PostgreSQL (+) differ; write each migration for both, with the same name:\n%s", diff)
	}
}

func TestMigrations(t *testing.T) { forEachDialect(t, testMigrations) }

func testMigrations(t *testing.T, d dialect) {
	ctx := context.Background()
	target := testTarget(t, d)

	t.Run("EmptyDatabase", func(t *testing.T) {
		s, err := openAt(ctx, d, target)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var got []string
		rows, err := s.db.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			got = append(got, name)
		}
		rows.Close()
		if diff := cmp.Diff(migrationNames(t, d), got); diff != "" {
			t.Errorf("applied migrations (-want +got):\n%s", diff)
		}
		if err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO groups (name, source) VALUES ('kept', 'local')`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("UpToDateDatabaseIsNoOp", func(t *testing.T) {
		s, err := openAt(ctx, d, target)
		if err != nil {
			t.Fatalf("second open: %v", err)
		}
		defer s.Close()
		var n, groups int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(migrationNames(t, d)) {
			t.Errorf("%d migration rows, want %d", n, len(migrationNames(t, d)))
		}
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM groups WHERE name = 'kept'`).Scan(&groups); err != nil {
			t.Fatal(err)
		}
		if groups != 1 {
			t.Errorf("data written before the second open is gone")
		}
	})
}

// TestConnectionSettings checks that every pooled connection has the DSN
// settings, not only the first one.
func TestConnectionSettings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	var conns []interface{ Close() error }
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var journal string
		var fk, timeout int
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || fk != 1 || timeout != 5000 {
			t.Errorf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d", i, journal, fk, timeout)
		}
	}
}

func TestForeignKeysEnforced(t *testing.T) { forEachDialect(t, testForeignKeysEnforced) }

func testForeignKeysEnforced(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	err := s.InTx(ctx, func(tx *Tx) error {
		return tx.AddGroupMember(ctx, 999, 999, SourceLocal)
	})
	if err == nil {
		t.Fatal("membership of a missing group and user was accepted")
	}
}

func TestInTx(t *testing.T) { forEachDialect(t, testInTx) }

func testInTx(t *testing.T, d dialect) {
	ctx := context.Background()

	t.Run("Commit", func(t *testing.T) {
		s := openTest(t, d)
		if err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.CreateUser(ctx, User{Username: "ann", Source: SourceLocal})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByUsername(ctx, "ann"); err != nil {
			t.Errorf("committed user: %v", err)
		}
	})

	t.Run("RollbackOnError", func(t *testing.T) {
		s := openTest(t, d)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.CreateUser(ctx, User{Username: "ann", Source: SourceLocal}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the callback's error", err)
		}
		if _, err := s.UserByUsername(ctx, "ann"); !errors.Is(err, ErrNotFound) {
			t.Errorf("user after rollback: %v, want ErrNotFound", err)
		}
	})

	t.Run("RollbackOnPanic", func(t *testing.T) {
		s := openTest(t, d)
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic did not propagate")
				}
			}()
			_ = s.InTx(ctx, func(tx *Tx) error {
				if _, err := tx.CreateUser(ctx, User{Username: "ann", Source: SourceLocal}); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if _, err := s.UserByUsername(ctx, "ann"); !errors.Is(err, ErrNotFound) {
			t.Errorf("user after panic: %v, want ErrNotFound", err)
		}
		// The connection went back to the pool usable.
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Errorf("CountUsers = %d, %v", n, err)
		}
	})
}

func TestUsersAndGroups(t *testing.T) { forEachDialect(t, testUsersAndGroups) }

func testUsersAndGroups(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)

	err := s.InTx(ctx, func(tx *Tx) error {
		ann, err := tx.CreateUser(ctx, User{Username: "ann", Email: "ann@example.com", Source: SourceFile})
		if err != nil {
			return err
		}
		bob, err := tx.CreateUser(ctx, User{Username: "bob", Source: SourceLocal})
		if err != nil {
			return err
		}
		admins, err := tx.EnsureGroup(ctx, "admin", SourceLocal)
		if err != nil {
			return err
		}
		finance, err := tx.EnsureGroup(ctx, "finance", SourceFile)
		if err != nil {
			return err
		}
		for _, m := range []struct {
			group, user int64
			source      string
		}{{admins, bob.ID, SourceLocal}, {finance, ann.ID, SourceFile}, {finance, bob.ID, SourceFile}} {
			if err := tx.AddGroupMember(ctx, m.group, m.user, m.source); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrConflict", func(t *testing.T) {
		err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.CreateUser(ctx, User{Username: "ann", Source: SourceLocal})
			return err
		})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate username: %v, want ErrConflict", err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.UserByID(ctx, 12345); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByID: %v, want ErrNotFound", err)
		}
	})

	t.Run("Groups", func(t *testing.T) {
		groups, err := s.Groups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, g := range groups {
			got[g.Name] = g.Members
		}
		want := map[string][]string{"admin": {"bob"}, "finance": {"ann", "bob"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
	})

	t.Run("ReplaceFileRows", func(t *testing.T) {
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.DeleteGroupMembers(ctx, SourceFile); err != nil {
				return err
			}
			if _, err := tx.DeleteUsersExcept(ctx, SourceFile, nil); err != nil {
				return err
			}
			_, err := tx.DeleteGroupsExcept(ctx, SourceFile, []string{"finance"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		users, err := s.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0].Username != "bob" {
			t.Errorf("users after removing file users: %+v", users)
		}
		bobGroups, err := s.UserGroups(ctx, users[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"admin"}, bobGroups); diff != "" {
			t.Errorf("bob keeps only local memberships (-want +got):\n%s", diff)
		}
	})
}

func TestPing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		spoil func(path string) error
	}{
		{"HeaderOverwritten", func(path string) error {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(make([]byte, 16), 0)
			return err
		}},
		{"FileRemoved", os.Remove},
		{"ReplacedByDirectory", func(path string) error {
			if err := os.Remove(path); err != nil {
				return err
			}
			return os.Mkdir(path, 0o700)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, dialectSQLite)
			if err := s.Ping(ctx); err != nil {
				t.Fatalf("healthy database: %v", err)
			}
			if err := tt.spoil(s.path); err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(ctx); err == nil {
				t.Error("Ping succeeded on an unreadable database")
			}
		})
	}
}
