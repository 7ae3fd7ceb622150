package store

import (
	"context"
	"database/sql"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLeanStepWritesMigration builds a database as it was before migration
// 0250, with open and completed tasks, owners, a claim and metadata, then
// opens it: the inbox rows, their counts and the metadata come through
// unchanged, the tables are stored without rowids, and the triggers that
// went with the old table keep the counts exact afterwards.
func TestLeanStepWritesMigration(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "waymark.db")
	raw, err := sql.Open(driverName, dsn(file, "FULL", false))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
	names := migrationNames(t, dialectSQLite)
	for _, n := range names {
		if n >= "0250" {
			break
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", n))
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, '2026-01-01T00:00:00Z')`, n)
	}
	at := "2026-02-03T04:05:06Z"
	for i, starter := range []string{"ann", "bob", "ann"} {
		status := "running"
		if i == 2 {
			status = "suspended"
		}
		exec(`INSERT INTO instances (id, model_id, process_id, status, started_by, started_at, updated_at, version, snapshot)
			VALUES (?, 'm', 'p', ?, ?, ?, ?, 1, x'7b7d')`, i+1, status, starter, at, at)
		exec(`INSERT INTO instance_metadata (instance_id, key, value) VALUES (?, 'amount', ?), (?, 'region', '"north"')`, i+1, i*10, i+1)
		for task := 1; task <= 3; task++ {
			state, completedBy := "open", ""
			if task == 3 {
				state, completedBy = "completed", starter
			}
			owners := []string{"group:approvers"}
			if task == 2 {
				owners = append(owners, "user:carol")
			}
			exec(`INSERT INTO human_tasks (instance_id, task_id, element_id, kind, model_id, process_id, state, completed_by, created_at, updated_at, owner_set)
				VALUES (?, ?, 'review', 'userTask', 'm', 'p', ?, ?, ?, ?, ?)`, i+1, task, state, completedBy, at, at, strings.Join(owners, "\n"))
			for _, o := range owners {
				exec(`INSERT INTO human_task_owners (instance_id, task_id, owner) VALUES (?, ?, ?)`, i+1, task, o)
			}
		}
	}
	exec(`UPDATE human_tasks SET claimed_by = 'carol' WHERE instance_id = 2 AND task_id = 2`)
	readAll := func(db *sql.DB, q string) []string {
		t.Helper()
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, rowKey(vals...))
		}
		slices.Sort(out)
		return out
	}
	const inboxRows = `SELECT owner, instance_id, task_id, created_at, claimed_by, running, owner_set FROM inbox_open`
	const countRowsQ = `SELECT owner, owner_set, claimed_by, running, n FROM inbox_counts`
	const metadataRows = `SELECT instance_id, key, value FROM instance_metadata`
	wantInbox, wantCounts, wantMeta := readAll(raw, inboxRows), readAll(raw, countRowsQ), readAll(raw, metadataRows)
	if len(wantInbox) != 15 {
		t.Fatalf("%d inbox rows before the migration, want 15 (per instance two open tasks, of three owners, and two starter rows)", len(wantInbox))
	}
	raw.Close()

	s, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if diff := cmp.Diff(wantInbox, readAll(s.db, inboxRows)); diff != "" {
		t.Errorf("inbox rows (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantCounts, readAll(s.db, countRowsQ)); diff != "" {
		t.Errorf("inbox counts (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantMeta, readAll(s.db, metadataRows)); diff != "" {
		t.Errorf("metadata (-before +after):\n%s", diff)
	}
	for _, table := range []string{"inbox_open", "instance_metadata"} {
		var ddl string
		if err := s.db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(strings.TrimSpace(ddl), "WITHOUT ROWID") {
			t.Errorf("%s is still a rowid table:\n%s", table, ddl)
		}
	}
	var plan string
	if err := s.db.QueryRowContext(ctx, `EXPLAIN QUERY PLAN SELECT task_id FROM human_tasks h
		WHERE h.state = 'completed' AND h.completed_by = ? ORDER BY h.completed_at DESC`, "ann").Scan(new(int), new(int), new(int), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "human_tasks_completed_by") {
		t.Errorf("the completed view does not use the partial index: %s", plan)
	}

	// The triggers recreated with the table keep the counts exact.
	now := time.Date(2026, 2, 4, 0, 0, 0, 0, time.UTC)
	if err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.FinishHumanTask(ctx, 1, 2, TaskCompleted, "carol", "{}", now); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE human_tasks SET claimed_by = 'ann' WHERE instance_id = 1 AND task_id = 1`); err != nil {
			return err
		}
		return tx.InsertHumanTask(ctx, HumanTask{InstanceID: 2, TaskID: 4, ElementID: "approve", Kind: "userTask", ModelID: "m", ProcessID: "p",
			State: TaskOpen, CreatedAt: now, UpdatedAt: now, Owners: []string{"group:auditors"}})
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recountInbox(t, s), keptInbox(t, s)); diff != "" {
		t.Errorf("kept counts after changes (-recount +kept):\n%s", diff)
	}
}

// TestHumanTaskOwners reads a task's owners from its owner set, and from
// its owner rows for a task stored before there was one.
func TestHumanTaskOwners(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := openTest(t, d)
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		var id int64
		if err := s.InTx(ctx, func(tx *Tx) error {
			var err error
			if id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: StatusRunning, StartedBy: "ann", StartedAt: at, UpdatedAt: at, Snapshot: []byte("{}")}); err != nil {
				return err
			}
			for task, owners := range map[int][]string{1: {"user:zed", "group:approvers", "user:zed", "user:amy"}, 2: {"group:legacy", "user:bob"}, 3: nil} {
				if err := tx.InsertHumanTask(ctx, HumanTask{InstanceID: id, TaskID: task, ElementID: "review", Kind: "userTask", ModelID: "m", ProcessID: "p",
					State: TaskOpen, CreatedAt: at, UpdatedAt: at, Owners: owners}); err != nil {
					return err
				}
			}
			// As stored before migration 0150 gave tasks an owner set.
			_, err = tx.tx.ExecContext(ctx, `UPDATE human_tasks SET owner_set = '' WHERE instance_id = ? AND task_id = 2`, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for task, want := range map[int][]string{1: {"group:approvers", "user:amy", "user:zed"}, 2: {"group:legacy", "user:bob"}, 3: nil} {
			ht, err := s.HumanTask(ctx, id, task)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, ht.Owners); diff != "" {
				t.Errorf("owners of task %d (-want +got):\n%s", task, diff)
			}
			if !ht.InstanceStartedAt.Equal(at) || ht.InstanceStartedBy != "ann" {
				t.Errorf("task %d: instance started %v by %q", task, ht.InstanceStartedAt, ht.InstanceStartedBy)
			}
		}
	})
}

// TestDerivedRowsSkipAbsentTables reads an instance's derived rows whole,
// and without the tables the instance row says hold none of them.
func TestDerivedRowsSkipAbsentTables(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := openTest(t, d)
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		var id int64
		timers := []Timer{{TaskID: 4, ElementID: "wait", DueAt: at.Add(time.Hour)}}
		subs := []Subscription{{TaskID: 5, ElementID: "catch", Kind: "message", Name: "paid"}}
		if err := s.InTx(ctx, func(tx *Tx) error {
			var err error
			if id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: StatusRunning, StartedBy: "ann", StartedAt: at, UpdatedAt: at,
				Snapshot: []byte("{}"), DerivedAbsent: DerivedScriptMetadata}); err != nil {
				return err
			}
			if err := tx.SetTimers(ctx, id, nil, timers); err != nil {
				return err
			}
			if err := tx.SetSubscriptions(ctx, id, nil, subs); err != nil {
				return err
			}
			return tx.SetMetadata(ctx, id, nil, map[string]string{"amount": "5"})
		}); err != nil {
			t.Fatal(err)
		}
		in, err := s.Instance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if in.DerivedAbsent != DerivedScriptMetadata {
			t.Errorf("derived_absent %d, want %d", in.DerivedAbsent, DerivedScriptMetadata)
		}
		all := &DerivedRows{Timers: TimerKeys(timers), Subscriptions: SubscriptionKeys(subs), Metadata: map[string]string{"amount": "5"}}
		for _, c := range []struct {
			absent int
			want   *DerivedRows
		}{
			{0, all},
			{in.DerivedAbsent, all},
			{DerivedTimers | DerivedSubscriptions, &DerivedRows{Metadata: all.Metadata}},
			{DerivedMetadata, &DerivedRows{Timers: all.Timers, Subscriptions: all.Subscriptions}},
			{DerivedTimers | DerivedSubscriptions | DerivedMetadata | DerivedScriptMetadata, &DerivedRows{}},
		} {
			got, err := s.DerivedRows(ctx, id, c.absent)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("absent %04b (-want +got):\n%s", c.absent, diff)
			}
		}
		if a := all.Absent(); a != DerivedScriptMetadata {
			t.Errorf("Absent() = %04b, want %04b", a, DerivedScriptMetadata)
		}
	})
}
