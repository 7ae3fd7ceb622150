package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recountInbox counts the open tasks of every owner key, and of every
// starter, from human_tasks, human_task_owners and instances, as the kept
// counts should say: by "owner|owner set|claim|running".
func recountInbox(t *testing.T, s *Store) map[string]int {
	t.Helper()
	out := countRows(t, s, `SELECT o.owner, h.owner_set, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, count(*)
		FROM human_task_owners o JOIN human_tasks h ON h.instance_id = o.instance_id AND h.task_id = o.task_id
		JOIN instances i ON i.id = h.instance_id
		WHERE h.state = 'open' GROUP BY o.owner, h.owner_set, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END`)
	for k, n := range countRows(t, s, `SELECT 'started:' || i.started_by, h.owner_set, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, count(*)
		FROM human_tasks h JOIN instances i ON i.id = h.instance_id
		WHERE h.state = 'open' GROUP BY i.started_by, h.owner_set, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END`) {
		out[k] = n
	}
	return out
}

// keptInbox reads the kept counts, changes not yet folded included.
func keptInbox(t *testing.T, s *Store) map[string]int {
	t.Helper()
	q := `SELECT owner, owner_set, claimed_by, running, n FROM inbox_counts`
	if s.dialect == dialectPostgres {
		q = `SELECT owner, owner_set, claimed_by, running, sum(n) FROM (` + q + ` UNION ALL
			SELECT owner, owner_set, claimed_by, running, delta FROM inbox_count_changes) AS c GROUP BY owner, owner_set, claimed_by, running`
	}
	return countRows(t, s, q)
}

func countRows(t *testing.T, s *Store, q string) map[string]int {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var owner, set, claimed string
		var running, n int
		if err := rows.Scan(&owner, &set, &claimed, &running, &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			out[fmt.Sprintf("%s|%s|%s|%d", owner, strings.ReplaceAll(set, "\n", ","), claimed, running)] = n
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// bruteInbox lists the open tasks of the "ready for me", "my groups" and
// "started by me" views straight from human_tasks and every owner row,
// newest first.
func bruteInbox(t *testing.T, s *Store, v Viewer, groups []string) (mine, mygroups, started []string) {
	t.Helper()
	list := func(where string, keys []string, args ...any) []string {
		held := `EXISTS`
		if strings.HasPrefix(where, "i.started_by") {
			// Started by the viewer, held by none of their keys.
			held = `NOT EXISTS`
		} else if len(keys) == 0 {
			return nil
		}
		if len(keys) == 0 {
			keys = []string{"-"}
		}
		rows, err := s.db.QueryContext(context.Background(), `SELECT h.instance_id, h.task_id FROM human_tasks h JOIN instances i ON i.id = h.instance_id
			WHERE h.state = 'open' AND `+where+` AND `+held+` (SELECT 1 FROM human_task_owners o
				WHERE o.instance_id = h.instance_id AND o.task_id = h.task_id AND o.owner IN (`+placeholders(len(keys))+`))
			ORDER BY h.created_at DESC, h.instance_id DESC, h.task_id DESC`, append(args, keyArgs(keys)...)...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id int64
			var task int
			if err := rows.Scan(&id, &task); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%d/%d", id, task))
		}
		return out
	}
	return list(`i.status = 'running' AND h.claimed_by IN ('', ?)`, v.Keys, v.Username), list(`1 = 1`, groupKeys(groups)),
		list(`i.started_by = ?`, v.Keys, v.Username)
}

func taskKeys(tasks []HumanTask) []string {
	var out []string
	for _, h := range tasks {
		out = append(out, fmt.Sprintf("%d/%d", h.InstanceID, h.TaskID))
	}
	return out
}

type inboxViewer struct {
	v      Viewer
	groups []string
}

// checkInbox compares the kept counts with a recount, and every viewer's
// counts, badge and pages with the tasks listed from scratch.
func checkInbox(t *testing.T, s *Store, step string, viewers []inboxViewer) {
	t.Helper()
	ctx := context.Background()
	if diff := cmp.Diff(recountInbox(t, s), keptInbox(t, s)); diff != "" {
		t.Fatalf("%s: kept counts differ from a recount (-recount +kept):\n%s", step, diff)
	}
	for _, w := range viewers {
		mine, mygroups, started := bruteInbox(t, s, w.v, w.groups)
		counts, err := s.InboxCounts(ctx, w.v, w.groups)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]int{InboxMine: len(mine), InboxGroups: len(mygroups), InboxStarted: len(started)}, counts); diff != "" {
			t.Errorf("%s: %s counts (-want +got):\n%s", step, w.v.Username, diff)
		}
		badge, err := s.InboxBadge(ctx, w.v)
		if err != nil {
			t.Fatal(err)
		}
		if badge != len(mine) {
			t.Errorf("%s: %s badge %d, want %d", step, w.v.Username, badge, len(mine))
		}
		for _, c := range []struct {
			view string
			want []string
		}{{InboxMine, mine}, {InboxGroups, mygroups}, {InboxStarted, started}} {
			// Pages of two, and one page of all.
			var got []string
			for off := 0; off <= len(c.want); off += 2 {
				page, total, err := s.InboxTasks(ctx, InboxQuery{View: c.view, Viewer: w.v, Groups: w.groups, Limit: 2, Offset: off})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(c.want) {
					t.Errorf("%s: %s %s total %d, want %d", step, w.v.Username, c.view, total, len(c.want))
				}
				got = append(got, taskKeys(page)...)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s: %s %s pages (-want +got):\n%s", step, w.v.Username, c.view, diff)
			}
		}
	}
}

func TestInboxCountsStayExact(t *testing.T) { forEachDialect(t, testInboxCountsStayExact) }

func testInboxCountsStayExact(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	viewers := []inboxViewer{
		{Viewer{Username: "bob", Keys: []string{"user:bob", "user:bob@example.com", "group:approvers"}}, []string{"approvers"}},
		{Viewer{Username: "carol", Keys: []string{"user:carol", "group:approvers", "group:auditors"}}, []string{"approvers", "auditors"}},
		{Viewer{Username: "dave", Keys: []string{"user:dave", "group:auditors"}}, []string{"auditors"}},
		// Alice starts every instance and holds none of their tasks.
		{Viewer{Username: "alice", Keys: []string{"user:alice"}}, nil},
	}
	minute := 0
	task := func(instance int64, id int, owners ...string) HumanTask {
		minute++
		return HumanTask{InstanceID: instance, TaskID: id, ElementID: fmt.Sprintf("t%d", id), Name: fmt.Sprintf("Task %d", id), Kind: "userTask",
			ModelID: "m", ProcessID: "p", ProcessName: "p", State: TaskOpen, CreatedAt: at.Add(time.Duration(minute) * time.Minute), UpdatedAt: at,
			Owners: owners, Data: "{}"}
	}
	do := func(step string, fn func(tx *Tx) error) {
		t.Helper()
		if err := s.InTx(ctx, fn); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkInbox(t, s, step, viewers)
	}
	setStatus := func(id int64, status string) func(tx *Tx) error {
		return func(tx *Tx) error {
			in, err := s.Instance(ctx, id)
			if err != nil {
				return err
			}
			in.Status = status
			return tx.UpdateInstance(ctx, in)
		}
	}
	var one, two int64
	do("tasks open", func(tx *Tx) error {
		var err error
		for _, id := range []*int64{&one, &two} {
			if *id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", ProcessName: "p", Status: StatusRunning, StartedBy: "alice",
				StartedAt: at, UpdatedAt: at, Snapshot: []byte("{}")}); err != nil {
				return err
			}
		}
		for _, h := range []HumanTask{
			task(one, 1, "group:approvers"),
			// Two of bob's keys, and a key given twice: the task counts once.
			task(one, 2, "user:bob", "group:approvers", "user:bob"),
			task(one, 3, "group:auditors", "group:approvers"),
			task(one, 4, "user:bob@example.com"),
			task(two, 1, "user:bob"),
			task(two, 2, "group:auditors"),
		} {
			if err := tx.InsertHumanTask(ctx, h); err != nil {
				return err
			}
		}
		return nil
	})
	claim := func(step string, id int64, task int, from, to string) {
		t.Helper()
		if err := s.ClaimHumanTask(ctx, id, task, from, to); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkInbox(t, s, step, viewers)
	}
	claim("carol claims a task bob's group holds", one, 1, "", "carol")
	claim("carol releases it", one, 1, "carol", "")
	claim("bob claims a task two of his keys hold", one, 2, "", "bob")
	do("bob completes it", func(tx *Tx) error { return tx.FinishHumanTask(ctx, one, 2, TaskCompleted, "bob", "{}", at) })
	do("a task is cancelled", func(tx *Tx) error { return tx.FinishHumanTask(ctx, one, 3, TaskCancelled, "", "{}", at) })
	do("the lane changes: bob's task completes, the next goes to the auditors", func(tx *Tx) error {
		if err := tx.FinishHumanTask(ctx, two, 1, TaskCompleted, "bob", "{}", at); err != nil {
			return err
		}
		return tx.InsertHumanTask(ctx, task(two, 3, "group:auditors"))
	})
	claim("dave claims the auditors' task", two, 3, "", "dave")
	do("instance one is suspended", setStatus(one, StatusSuspended))
	do("instance one resumes", setStatus(one, StatusRunning))
	do("instance two is terminated, its tasks cancelled", func(tx *Tx) error {
		if err := setStatus(two, StatusTerminated)(tx); err != nil {
			return err
		}
		for _, id := range []int{2, 3} {
			if err := tx.FinishHumanTask(ctx, two, id, TaskCancelled, "", "{}", at); err != nil {
				return err
			}
		}
		return nil
	})
	ids, err := s.CloneInstance(ctx, one, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkInbox(t, s, "instance one copied three times", viewers)
	do("instance one is deleted", func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, one)
		return err
	})
	if err := s.FoldInboxCounts(ctx); err != nil {
		t.Fatal(err)
	}
	checkInbox(t, s, "counts folded", viewers)
	counts, err := s.InboxCounts(ctx, viewers[0].v, viewers[0].groups)
	if err != nil {
		t.Fatal(err)
	}
	// Each copy holds task 1 (approvers) and task 4 (bob's email): the
	// views are not empty, so the comparisons above compared something.
	if counts[InboxMine] != 2*len(ids) || counts[InboxGroups] != len(ids) {
		t.Errorf("bob's counts after the copies: %v", counts)
	}
	if counts, err = s.InboxCounts(ctx, viewers[3].v, nil); err != nil || counts[InboxStarted] != 2*len(ids) {
		t.Errorf("alice's counts after the copies: %v, %v", counts, err)
	}
}

// TestInboxCountsUnderLoad has many writers open, claim and complete tasks
// of the same group at once (on PostgreSQL in transactions of their own)
// and checks the kept counts against a recount afterwards.
func TestInboxCountsUnderLoad(t *testing.T) { forEachDialect(t, testInboxCountsUnderLoad) }

func testInboxCountsUnderLoad(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	const workers, each = 8, 12
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			errs <- func() error {
				for i := range each {
					var id int64
					err := s.InTx(ctx, func(tx *Tx) error {
						var err error
						if id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: StatusRunning, StartedBy: "alice",
							StartedAt: at, UpdatedAt: at, Snapshot: []byte("{}")}); err != nil {
							return err
						}
						for task, lane := range []string{"group:approvers", "group:auditors"} {
							if err := tx.InsertHumanTask(ctx, HumanTask{InstanceID: id, TaskID: task + 1, ElementID: "t", Kind: "userTask", ModelID: "m", ProcessID: "p",
								State: TaskOpen, CreatedAt: at.Add(time.Duration(w*each+i) * time.Second), UpdatedAt: at, Owners: []string{lane, "user:bob"}, Data: "{}"}); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						return err
					}
					if err := s.ClaimHumanTask(ctx, id, 1, "", "bob"); err != nil {
						return err
					}
					if i%3 == 0 {
						continue
					}
					// Close the tasks in the opposite order to the one
					// they were counted in.
					if err := s.InTx(ctx, func(tx *Tx) error {
						for _, task := range []int{2, 1} {
							if err := tx.FinishHumanTask(ctx, id, task, TaskCompleted, "bob", "{}", at); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						return err
					}
				}
				return nil
			}()
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	bob := inboxViewer{Viewer{Username: "bob", Keys: []string{"user:bob", "group:approvers"}}, []string{"approvers"}}
	checkInbox(t, s, "after the load", []inboxViewer{bob})
	n, err := s.InboxBadge(ctx, bob.v)
	if err != nil {
		t.Fatal(err)
	}
	if want := workers * ((each + 2) / 3) * 2; n != want {
		t.Errorf("bob's badge %d, want %d", n, want)
	}
	if err := s.FoldInboxCounts(ctx); err != nil {
		t.Fatal(err)
	}
	checkInbox(t, s, "after folding", []inboxViewer{bob})
	if d == dialectPostgres {
		var left int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM inbox_count_changes`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d count changes left after a fold with nothing else running", left)
		}
	}
}

// TestInboxMigrationFillsOpenTasks takes a database back to before
// migration 0150 (its tables, triggers and column gone, tasks in every
// state stored) and migrates it again: the open tasks and their counts are
// filled from what is stored, and later changes keep them exact.
func TestInboxMigrationFillsOpenTasks(t *testing.T) {
	forEachDialect(t, testInboxMigrationFillsOpenTasks)
}

func testInboxMigrationFillsOpenTasks(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	undo := []string{
		`DROP TRIGGER inbox_open_owner_added`, `DROP TRIGGER inbox_open_owner_removed`, `DROP TRIGGER inbox_open_task_closed`,
		`DROP TRIGGER inbox_open_task_reopened`, `DROP TRIGGER inbox_open_task_claimed`, `DROP TRIGGER inbox_open_instance_status`,
		`DROP TRIGGER inbox_open_task_added`,
		`DROP TABLE inbox_counts`, `DROP TABLE inbox_open`,
	}
	if d == dialectPostgres {
		undo = []string{`DROP TABLE inbox_counts, inbox_count_changes, inbox_open CASCADE`,
			`DROP FUNCTION inbox_owner_changed, inbox_task_changed, inbox_instance_status_changed, inbox_open_counted, inbox_task_added CASCADE`}
	}
	undo = append(undo, `ALTER TABLE human_tasks DROP COLUMN owner_set`, `DELETE FROM schema_migrations WHERE name = '0150_inbox_open.sql'`)
	if err := s.InTx(ctx, func(tx *Tx) error {
		for _, q := range undo {
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	viewers := []inboxViewer{
		{Viewer{Username: "bob", Keys: []string{"user:bob", "group:approvers", "group:packers"}}, []string{"approvers", "packers"}},
		{Viewer{Username: "carol", Keys: []string{"user:carol", "group:approvers"}}, []string{"approvers"}},
		{Viewer{Username: "dave", Keys: []string{"user:dave", "group:auditors"}}, []string{"auditors"}},
		{Viewer{Username: "alice", Keys: []string{"user:alice"}}, nil},
	}
	checkInbox(t, s, "migrated", viewers)
	// The fixture's open tasks of running instances: 1/1 (packers), 1/2
	// (bob and auditors), 2/1 (approvers, carol's claim); 3/1 waits in a
	// suspended instance.
	want := map[string]int{
		"group:packers|group:packers||1":            1,
		"group:auditors|group:auditors,user:bob||1": 1,
		"user:bob|group:auditors,user:bob||1":       1,
		"group:approvers|group:approvers|carol|1":   1,
		"group:approvers|group:approvers||0":        1,
		// Alice started 1 and 3, bob 2.
		"started:alice|group:packers||1":           1,
		"started:alice|group:auditors,user:bob||1": 1,
		"started:bob|group:approvers|carol|1":      1,
		"started:alice|group:approvers||0":         1,
	}
	if diff := cmp.Diff(want, keptInbox(t, s)); diff != "" {
		t.Errorf("counts after the migration (-want +got):\n%s", diff)
	}
	if err := s.ClaimHumanTask(ctx, 2, 1, "carol", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.FinishHumanTask(ctx, 1, 2, TaskCompleted, "bob", "{}", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	checkInbox(t, s, "changed after the migration", viewers)
}
