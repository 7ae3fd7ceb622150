package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// inboxFixture writes instances and human tasks straight into a store:
//
//	1 started by alice on 2025-03-01 (model shop/order, process order):
//	  task 1 "Pack the order" for group packers, task 2 "Check stock" for
//	  lane_owners bob and group:auditors
//	2 started by bob on 2025-03-05 (model hr/leave, process leave):
//	  task 1 "Approve leave" for group approvers, claimed by carol;
//	  task 2 "Sign" completed by bob
//	3 started by alice on 2025-03-09, suspended (model hr/leave):
//	  task 1 "Approve leave" for group approvers
func inboxFixture(t *testing.T, d dialect) *Store {
	t.Helper()
	s := openTest(t, d)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, time.UTC) }
	type task struct {
		id          int
		name, group string
		owners      []string
		state       string
		claimed     string
		completedBy string
	}
	instances := []struct {
		model, process, starter, status string
		started                         time.Time
		tasks                           []task
	}{
		{"shop/order", "order", "alice", StatusRunning, day(1), []task{
			{id: 1, name: "Pack the order", group: "packers", owners: []string{"group:packers"}, state: TaskOpen},
			{id: 2, name: "Check stock", owners: []string{"group:auditors", "user:bob"}, state: TaskOpen},
		}},
		{"hr/leave", "leave", "bob", StatusRunning, day(5), []task{
			{id: 1, name: "Approve leave", group: "approvers", owners: []string{"group:approvers"}, state: TaskOpen, claimed: "carol"},
			{id: 2, name: "Sign", owners: []string{"user:bob"}, state: TaskCompleted, completedBy: "bob"},
		}},
		{"hr/leave", "leave", "alice", StatusSuspended, day(9), []task{
			{id: 1, name: "Approve leave", group: "approvers", owners: []string{"group:approvers"}, state: TaskOpen},
		}},
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, in := range instances {
			id, err := tx.CreateInstance(ctx, Instance{ModelID: in.model, ProcessID: in.process, ProcessName: in.process, Status: in.status,
				StartedBy: in.starter, StartedAt: in.started, UpdatedAt: in.started, Snapshot: []byte("{}")})
			if err != nil {
				return err
			}
			for _, tk := range in.tasks {
				ht := HumanTask{InstanceID: id, TaskID: tk.id, ElementID: fmt.Sprintf("t%d", tk.id), Name: tk.name, Kind: "userTask",
					AssignedGroup: tk.group, ModelID: in.model, ProcessID: in.process, ProcessName: in.process, State: tk.state,
					ClaimedBy: tk.claimed, CompletedBy: tk.completedBy, CreatedAt: in.started.Add(time.Duration(tk.id) * time.Minute),
					UpdatedAt: in.started, Owners: tk.owners, Data: "{}"}
				if tk.state == TaskCompleted {
					ht.CompletedAt = in.started.Add(time.Hour)
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
	return s
}

func TestInboxViewsAndFilters(t *testing.T) { forEachDialect(t, testInboxViewsAndFilters) }

func testInboxViewsAndFilters(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	bob := Viewer{Username: "bob", Keys: []string{"user:bob", "group:approvers", "group:packers"}}
	carol := Viewer{Username: "carol", Keys: []string{"user:carol", "group:approvers"}}
	alice := Viewer{Username: "alice", Keys: []string{"user:alice"}}
	cases := []struct {
		name string
		q    InboxQuery
		want []string // "instance/task"
	}{
		{"bob: ready for me, newest first; carol's claim and the suspended instance left out",
			InboxQuery{View: InboxMine, Viewer: bob}, []string{"1/2", "1/1"}},
		{"carol: ready for me includes her claim", InboxQuery{View: InboxMine, Viewer: carol}, []string{"2/1"}},
		{"bob's groups: open tasks of approvers and packers, any claim or status",
			InboxQuery{View: InboxGroups, Viewer: bob, Groups: []string{"approvers", "packers"}}, []string{"3/1", "2/1", "1/1"}},
		{"alice started, waiting on others", InboxQuery{View: InboxStarted, Viewer: alice}, []string{"3/1", "1/2", "1/1"}},
		{"bob completed", InboxQuery{View: InboxCompleted, Viewer: bob}, []string{"2/2"}},
		{"process filter by model id", InboxQuery{View: InboxStarted, Viewer: alice, Process: "hr/leave"}, []string{"3/1"}},
		{"process filter by process id", InboxQuery{View: InboxStarted, Viewer: alice, Process: "order"}, []string{"1/2", "1/1"}},
		{"group filter: the lane's group", InboxQuery{View: InboxStarted, Viewer: alice, Group: "packers"}, []string{"1/1"}},
		{"group filter: a group lane_owners names", InboxQuery{View: InboxStarted, Viewer: alice, Group: "auditors"}, []string{"1/2"}},
		{"started after (inclusive)", InboxQuery{View: InboxStarted, Viewer: alice, StartedAfter: time.Date(2025, 3, 9, 9, 0, 0, 0, time.UTC)}, []string{"3/1"}},
		{"started before (exclusive)", InboxQuery{View: InboxStarted, Viewer: alice, StartedBefore: time.Date(2025, 3, 9, 9, 0, 0, 0, time.UTC)}, []string{"1/2", "1/1"}},
		{"text in the task name, any case", InboxQuery{View: InboxStarted, Viewer: alice, Text: "STOCK"}, []string{"1/2"}},
		{"text as an instance number", InboxQuery{View: InboxStarted, Viewer: alice, Text: "3"}, []string{"3/1"}},
		{"page two of one-task pages", InboxQuery{View: InboxStarted, Viewer: alice, Limit: 1, Offset: 1}, []string{"1/2"}},
		{"a page past the end", InboxQuery{View: InboxStarted, Viewer: alice, Limit: 2, Offset: 4}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tasks, total, err := s.InboxTasks(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range tasks {
				got = append(got, fmt.Sprintf("%d/%d", h.InstanceID, h.TaskID))
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("tasks (-want +got):\n%s", diff)
			}
			if c.q.Limit == 0 && total != len(got) {
				t.Errorf("total %d for %d tasks", total, len(got))
			}
			if c.q.Limit == 1 && total != 3 {
				t.Errorf("total %d on a page, want all 3 matches", total)
			}
		})
	}
	if _, _, err := s.InboxTasks(ctx, InboxQuery{View: "everything", Viewer: bob}); err == nil {
		t.Error("an unknown view was accepted")
	}
	counts, err := s.InboxCounts(ctx, bob, []string{"approvers", "packers"})
	if err != nil {
		t.Fatal(err)
	}
	// Bob started instance 2, but its open task is his group's: not "waiting on others".
	if diff := cmp.Diff(map[string]int{InboxMine: 2, InboxGroups: 3, InboxStarted: 0}, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestInstanceListFilters(t *testing.T) { forEachDialect(t, testInstanceListFilters) }

func testInstanceListFilters(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	// Instance 1 waits for a message, instance 2 for a timer and a
	// signal; 1, 2 and 3 hold open tasks.
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.ReplaceSubscriptions(ctx, 1, []Subscription{{TaskID: 5, ElementID: "paid", Kind: "message", Name: "order_paid"}}); err != nil {
			return err
		}
		if err := tx.ReplaceTimers(ctx, 2, []Timer{{TaskID: 6, ElementID: "remind", DueAt: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
			return err
		}
		return tx.ReplaceSubscriptions(ctx, 2, []Subscription{{TaskID: 7, ElementID: "stop", Kind: "signal", Name: "recall"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    InstanceFilter
		want []int64
		all  int
	}{
		{"all, newest first", InstanceFilter{}, []int64{3, 2, 1}, 3},
		{"model", InstanceFilter{ModelID: "hr/leave"}, []int64{3, 2}, 2},
		{"status", InstanceFilter{Status: StatusSuspended}, []int64{3}, 1},
		{"started by", InstanceFilter{StartedBy: "alice"}, []int64{3, 1}, 2},
		{"started between", InstanceFilter{StartedAfter: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), StartedBefore: time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC)}, []int64{2}, 1},
		{"visible to carol: her group's tasks", InstanceFilter{VisibleTo: &Viewer{Username: "carol", Keys: []string{"user:carol", "group:approvers"}}}, []int64{3, 2}, 2},
		{"visible to alice: what she started", InstanceFilter{VisibleTo: &Viewer{Username: "alice", Keys: []string{"user:alice"}}}, []int64{3, 1}, 2},
		{"second page of two", InstanceFilter{Limit: 2, Offset: 2}, []int64{1}, 3},
		{"waiting for a message", InstanceFilter{WaitingFor: "message"}, []int64{1}, 1},
		{"waiting for a message by name", InstanceFilter{WaitingFor: "message", WaitingName: "order_paid"}, []int64{1}, 1},
		{"waiting for another message", InstanceFilter{WaitingFor: "message", WaitingName: "order_shipped"}, nil, 0},
		{"waiting for a timer", InstanceFilter{WaitingFor: "timer"}, []int64{2}, 1},
		{"waiting for a signal", InstanceFilter{WaitingFor: "signal", WaitingName: "recall"}, []int64{2}, 1},
		{"waiting for a person", InstanceFilter{WaitingFor: "task"}, []int64{3, 2, 1}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list, total, err := s.Instances(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, in := range list {
				got = append(got, in.ID)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
			if total != c.all {
				t.Errorf("total %d, want %d", total, c.all)
			}
		})
	}
}

func TestInstanceMetadataKeysCoverEveryPage(t *testing.T) {
	forEachDialect(t, testInstanceMetadataKeysCoverEveryPage)
}

func testInstanceMetadataKeysCoverEveryPage(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.SetInstanceMetadata(ctx, 1, map[string]string{"item": `"Desk"`}); err != nil {
			return err
		}
		return tx.SetInstanceMetadata(ctx, 3, map[string]string{"days": `4`, "item": `"Leave"`})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    InstanceFilter
		want []string
	}{
		{"all instances, though a page of one shows only instance 3", InstanceFilter{Limit: 1}, []string{"days", "item"}},
		{"filtered to instance 1's model", InstanceFilter{ModelID: "shop/order"}, []string{"item"}},
		{"nothing matches", InstanceFilter{StartedBy: "nobody"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.InstanceMetadataKeys(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}
