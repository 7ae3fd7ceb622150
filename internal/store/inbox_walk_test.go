package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// plainTask is a human task as the plain reading of the base tables sees
// it, for comparing the inbox's walks with.
type plainTask struct {
	ref                      taskRef
	name, element, model     string
	process, processName     string
	group, state, claimed    string
	completedBy, completedAt string
	created, started         string
	starter, status          string
	owners                   []string
}

// plainTasks reads every human task with its owners and instance.
func plainTasks(t *testing.T, s *Store) []plainTask {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.QueryContext(ctx, `SELECT h.instance_id, h.task_id, h.name, h.element_id, h.model_id, h.process_id, h.process_name, h.assigned_group,
		h.state, h.claimed_by, h.completed_by, h.completed_at, h.created_at, i.started_at, i.started_by, i.status
		FROM human_tasks h JOIN instances i ON i.id = h.instance_id`)
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[taskRef]int{}
	var out []plainTask
	for rows.Next() {
		var p plainTask
		if err := rows.Scan(&p.ref.instanceID, &p.ref.taskID, &p.name, &p.element, &p.model, &p.process, &p.processName, &p.group,
			&p.state, &p.claimed, &p.completedBy, &p.completedAt, &p.created, &p.started, &p.starter, &p.status); err != nil {
			t.Fatal(err)
		}
		byRef[p.ref] = len(out)
		out = append(out, p)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT instance_id, task_id, owner FROM human_task_owners`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r taskRef
		var owner string
		if err := rows.Scan(&r.instanceID, &r.taskID, &owner); err != nil {
			t.Fatal(err)
		}
		out[byRef[r]].owners = append(out[byRef[r]].owners, owner)
	}
	return out
}

// plainInbox lists what a view and its filters match, in the view's
// order, from the tasks as read by plainTasks.
func plainInbox(all []plainTask, q InboxQuery) []taskRef {
	holds := func(p plainTask, keys []string) bool {
		return slices.ContainsFunc(p.owners, func(o string) bool { return slices.Contains(keys, o) })
	}
	var match []plainTask
	for _, p := range all {
		in := false
		switch q.View {
		case InboxMine:
			in = p.state == TaskOpen && p.status == StatusRunning && (p.claimed == "" || p.claimed == q.Viewer.Username) && holds(p, q.Viewer.Keys)
		case InboxGroups:
			in = p.state == TaskOpen && holds(p, groupKeys(q.Groups))
		case InboxStarted:
			in = p.state == TaskOpen && p.starter == q.Viewer.Username && !holds(p, q.Viewer.Keys)
		case InboxCompleted:
			in = p.state == TaskCompleted && p.completedBy == q.Viewer.Username
		}
		if q.Process != "" {
			in = in && (p.model == q.Process || p.process == q.Process)
		}
		if q.Group != "" {
			in = in && (p.group == q.Group || slices.Contains(p.owners, "group:"+q.Group))
		}
		if !q.StartedAfter.IsZero() {
			in = in && p.started >= formatTime(q.StartedAfter)
		}
		if !q.StartedBefore.IsZero() {
			in = in && p.started < formatTime(q.StartedBefore)
		}
		if text := strings.TrimSpace(q.Text); text != "" {
			l := strings.ToLower(text)
			in = in && (strings.Contains(strings.ToLower(p.name), l) || strings.Contains(strings.ToLower(p.element), l) ||
				strings.Contains(strings.ToLower(p.processName), l) || strings.Contains(strings.ToLower(p.model), l) ||
				strconv.FormatInt(p.ref.instanceID, 10) == text)
		}
		if in {
			match = append(match, p)
		}
	}
	slices.SortFunc(match, func(a, b plainTask) int {
		at, bt := a.created, b.created
		if q.View == InboxCompleted {
			at, bt = a.completedAt, b.completedAt
		}
		return cmp.Or(cmp.Compare(bt, at), cmp.Compare(b.ref.instanceID, a.ref.instanceID), cmp.Compare(b.ref.taskID, a.ref.taskID))
	})
	out := make([]taskRef, len(match))
	for i, p := range match {
		out[i] = p.ref
	}
	return out
}

// seedVariedInbox writes instances and tasks of every kind the inbox
// tells apart, at random but the same each run: several owners per task
// or none, claims, suspended instances, completed and cancelled tasks,
// three models, names that share words, and times that tie.
func seedVariedInbox(t *testing.T, s *Store, instances int) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(14, 260))
	users := []string{"ann", "ben", "cat", "dan"}
	groups := []string{"sales", "ops", "audit"}
	models := []struct{ model, process, name string }{
		{"shop/order", "order", "Order"}, {"hr/leave", "leave", "Leave request"}, {"shop/refund", "refund", "Refund of an order"},
	}
	names := []string{"Pack the order", "Approve leave", "Check stock", "Sign", "Review refund"}
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	err := s.InTx(ctx, func(tx *Tx) error {
		for range instances {
			m := models[r.IntN(len(models))]
			status := StatusRunning
			if r.IntN(6) == 0 {
				status = StatusSuspended
			}
			// Minutes apart, often the same minute: ties in every order.
			started := start.Add(time.Duration(r.IntN(instances/2+1)) * time.Hour)
			id, err := tx.CreateInstance(ctx, Instance{ModelID: m.model, ProcessID: m.process, ProcessName: m.name, Status: status,
				StartedBy: users[r.IntN(len(users))], StartedAt: started, UpdatedAt: started, Snapshot: []byte("{}")})
			if err != nil {
				return err
			}
			for task := 1; task <= 1+r.IntN(3); task++ {
				var owners []string
				group := ""
				if r.IntN(3) > 0 {
					group = groups[r.IntN(len(groups))]
					owners = append(owners, "group:"+group)
				}
				for range r.IntN(3) {
					if r.IntN(2) == 0 {
						owners = append(owners, "user:"+users[r.IntN(len(users))])
					} else {
						owners = append(owners, "group:"+groups[r.IntN(len(groups))])
					}
				}
				created := started.Add(time.Duration(r.IntN(3)) * time.Minute)
				ht := HumanTask{InstanceID: id, TaskID: task, ElementID: fmt.Sprintf("step_%d", task), Name: names[r.IntN(len(names))], Kind: "userTask",
					AssignedGroup: group, ModelID: m.model, ProcessID: m.process, ProcessName: m.name, State: TaskOpen,
					CreatedAt: created, UpdatedAt: created, Owners: owners, Data: "{}"}
				switch x := r.IntN(10); {
				case x < 3:
					ht.State, ht.CompletedBy = TaskCompleted, users[r.IntN(len(users))]
					ht.CompletedAt = created.Add(time.Duration(r.IntN(4)) * time.Hour)
				case x < 4:
					ht.State = TaskCancelled
					ht.CompletedAt = created.Add(time.Hour)
				case x < 6:
					ht.ClaimedBy = users[r.IntN(len(users))]
				}
				if err := tx.InsertHumanTask(ctx, ht); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInboxWalkMatchesPlainQuery compares every view's pages, totals and
// next-page flags, with filters alone and combined, read by walking the
// user's tasks and from a filter's candidates, with what a plain
// reading of human_tasks, human_task_owners and instances gives: the same
// tasks in the same order, the exact total up to the count's bound and
// the bound beyond it.
func TestInboxWalkMatchesPlainQuery(t *testing.T) { forEachDialect(t, testInboxWalkMatchesPlainQuery) }

func testInboxWalkMatchesPlainQuery(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	seedVariedInbox(t, s, 300)
	all := plainTasks(t, s)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	filters := []InboxQuery{
		{},
		{Process: "shop/order"},
		{Process: "leave"},
		{Process: "nothing/here"},
		{Group: "ops"},
		{Group: "audit"},
		{StartedAfter: day(3)},
		{StartedBefore: day(4)},
		{StartedAfter: day(2), StartedBefore: day(6)},
		{Text: "order"},
		{Text: " STOCK "},
		{Text: "step_3"},
		{Text: "7"},
		{Process: "shop/refund", Group: "sales"},
		{Process: "order", Text: "pack", StartedAfter: day(2)},
		{Group: "ops", StartedBefore: day(5), Text: "a"},
	}
	viewers := []struct {
		user   string
		groups []string
	}{{"ann", []string{"sales"}}, {"ben", []string{"ops", "audit"}}, {"cat", nil}, {"dan", []string{"sales", "ops", "audit"}}}
	checked := map[string]int{}
	for _, v := range viewers {
		keys := append([]string{"user:" + v.user}, groupKeys(v.groups)...)
		for _, view := range []string{InboxMine, InboxGroups, InboxStarted, InboxCompleted} {
			for _, f := range filters {
				q := f
				q.View, q.Viewer, q.Groups = view, Viewer{Username: v.user, Keys: keys}, v.groups
				want := plainInbox(all, q)
				name := fmt.Sprintf("%s %s %+v", v.user, view, f)
				for _, page := range []struct{ limit, offset, bound, narrow int }{
					{5, 0, 0, 0}, {5, 5, 0, -1}, {7, 14, 0, 0}, {7, 14, 0, -1}, {25, 0, 0, 0}, {25, 0, 0, -1},
					{4, 0, 10, 0}, {4, 0, 10, -1}, {4, 8, 10, 20}, {3, 30, 6, -1}, {3, 30, 6, 0},
				} {
					q.Limit, q.Offset, q.countBound, q.narrowMax = page.limit, page.offset, page.bound, page.narrow
					got, err := s.Inbox(ctx, q)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var gotRefs []taskRef
					for _, task := range got.Tasks {
						gotRefs = append(gotRefs, taskRef{task.InstanceID, task.TaskID})
					}
					wantPage := want[min(page.offset, len(want)):min(page.offset+page.limit, len(want))]
					if !slices.Equal(gotRefs, wantPage) {
						t.Fatalf("%s, page %+v: tasks %v, want %v", name, page, gotRefs, wantPage)
					}
					if next := len(want) > page.offset+page.limit; got.Next != next {
						t.Errorf("%s, page %+v: next %v, want %v", name, page, got.Next, next)
					}
					wantTotal, atLeast := len(want), false
					if bounded := q.walked(); bounded {
						counted := InboxCountBound
						if page.bound > 0 {
							counted = page.bound
						}
						if limit := page.offset + max(counted, page.limit); len(want) > limit {
							wantTotal, atLeast = limit, true
						}
					}
					if got.Total != wantTotal || got.AtLeast != atLeast {
						t.Errorf("%s, page %+v: total %d (at least: %v), want %d (%v)", name, page, got.Total, got.AtLeast, wantTotal, atLeast)
					}
					if atLeast {
						checked["bounded"]++
					}
					if len(wantPage) > 0 {
						checked["non-empty"]++
					}
				}
				q.Limit, q.Offset, q.countBound, q.narrowMax, q.NoTotal = 3, 0, 0, 0, true
				got, err := s.Inbox(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(got.Tasks) != min(3, len(want)) || got.Total != 0 {
					t.Errorf("%s without total: %d tasks, total %d; want %d, 0", name, len(got.Tasks), got.Total, min(3, len(want)))
				}
			}
		}
	}
	// The fixture must exercise what is compared: pages with tasks, and
	// totals cut at the bound.
	if checked["bounded"] < 50 || checked["non-empty"] < 500 {
		t.Fatalf("the fixture exercises too little: %v", checked)
	}
	// Both ways were compared: the candidates of a process filter are few
	// enough here, and too many where at most one may be read.
	narrow := InboxQuery{View: InboxMine, Viewer: Viewer{Username: "ann", Keys: []string{"user:ann", "group:sales"}}, Process: "shop/order"}
	if query, _, err := s.narrowQuery(ctx, narrow, 10); err != nil || query == "" {
		t.Errorf("a process filter over 300 instances reads no candidates: %v", err)
	}
	narrow.narrowMax = 1
	if query, _, err := s.narrowQuery(ctx, narrow, 10); err != nil || query != "" {
		t.Errorf("more than one candidate read where one may be: %v", err)
	}
	// A text filter reads the tasks of the labels it matches, and of the
	// instance it names.
	for _, text := range []string{"Refund", "step_3", "7"} {
		narrow := InboxQuery{View: InboxGroups, Viewer: Viewer{Username: "ben", Keys: []string{"user:ben", "group:ops"}}, Groups: []string{"ops"}, Text: text}
		if query, _, err := s.narrowQuery(ctx, narrow, 10); err != nil || !strings.Contains(query, "task_labels") {
			t.Errorf("a text filter %q over 300 instances reads no candidates: %v", text, err)
		}
	}
	for _, text := range []string{"7", "07", "x"} {
		src := textCandidates(text, d)
		if hasID := len(src.parts) == 2; hasID != (text == "7") {
			t.Errorf("text %q: instance candidates %v, want them only for an id written as the database writes it", text, hasID)
		}
	}
	if _, err := s.Inbox(ctx, InboxQuery{View: "everything"}); err == nil || !strings.Contains(err.Error(), `"everything"`) {
		t.Errorf("unknown view: %v, want an error naming it", err)
	}
}

// TestInboxWalkPlannedEachRun: on PostgreSQL the filtered views run as
// unnamed statements, planned for their values on every run, so no
// prepared statement of theirs falls back to a generic plan; the inbox's
// plain reads stay prepared.
func TestInboxWalkPlannedEachRun(t *testing.T) {
	s := openTest(t, dialectPostgres)
	ctx := context.Background()
	seedVariedInbox(t, s, 30)
	// One connection, so the statements listed are the ones it ran.
	s.db.SetMaxOpenConns(1)
	q := InboxQuery{View: InboxGroups, Viewer: Viewer{Username: "ben", Keys: []string{"user:ben", "group:ops"}}, Groups: []string{"ops"}, Text: "refund"}
	for range 7 {
		if _, err := s.Inbox(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.InboxBadge(ctx, q.Viewer); err != nil {
		t.Fatal(err)
	}
	var walks, others int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE statement LIKE '%task_labels%' OR statement LIKE '%CROSS JOIN LATERAL%'), count(*)
		FROM pg_prepared_statements WHERE statement NOT LIKE '%pg_prepared_statements%'`).Scan(&walks, &others); err != nil {
		t.Fatal(err)
	}
	if walks != 0 || others == 0 {
		rows, _ := s.db.QueryContext(ctx, `SELECT statement FROM pg_prepared_statements`)
		for rows != nil && rows.Next() {
			var st string
			rows.Scan(&st)
			t.Log(st)
		}
		t.Errorf("prepared statements: %d of the filtered views, %d in all; want none of them among some", walks, others)
	}
}
