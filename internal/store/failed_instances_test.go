package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFailedInstancesFor: a failed instance reaches its starter and the
// last person who completed a task in it, nobody else; running ones reach
// no one.
func TestFailedInstancesFor(t *testing.T) {
	forEachDialect(t, testFailedInstancesFor)
}

func testFailedInstancesFor(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	// Instance 2 (started by bob, task 2 completed by bob) and instance 1
	// (started by alice, nothing completed) fail. Carol completes a task
	// of instance 2 after bob did.
	if _, err := s.exec(ctx, `UPDATE instances SET status = 'error' WHERE id IN (1, 2)`); err != nil {
		t.Fatal(err)
	}
	ids := func(user string) ([]int64, int) {
		t.Helper()
		ins, total, err := s.FailedInstancesFor(ctx, user, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, in := range ins {
			if in.Status != StatusError {
				t.Errorf("instance %d has status %q", in.ID, in.Status)
			}
			out = append(out, in.ID)
		}
		return out, total
	}
	for _, c := range []struct {
		user string
		want []int64
	}{
		{"alice", []int64{1}},
		{"bob", []int64{2}},
		{"carol", nil},
		{"", nil},
	} {
		got, total := ids(c.user)
		if diff := cmp.Diff(c.want, got); diff != "" || total != len(c.want) {
			t.Errorf("%q: total %d (-want +got):\n%s", c.user, total, diff)
		}
	}

	// Carol completes a later task of instance 2: she is now the last
	// worker and sees it; bob still started it.
	if _, err := s.exec(ctx, `UPDATE human_tasks SET state = 'completed', completed_by = 'carol', completed_at = '2025-03-05T12:00:00Z'
		WHERE instance_id = 2 AND task_id = 1`); err != nil {
		t.Fatal(err)
	}
	if got, _ := ids("carol"); !cmp.Equal(got, []int64{2}) {
		t.Errorf("carol, the last worker, sees %v", got)
	}
	if got, _ := ids("bob"); !cmp.Equal(got, []int64{2}) {
		t.Errorf("bob, the starter, sees %v", got)
	}
	if ins, total, err := s.FailedInstancesFor(ctx, "carol", 0, 0); err != nil || total != 1 || ins != nil {
		t.Errorf("count only: %v, %d, %v", ins, total, err)
	}
	// Retried and running again: nobody is told any more.
	if _, err := s.exec(ctx, `UPDATE instances SET status = 'running' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if got, _ := ids("carol"); got != nil {
		t.Errorf("a running instance is listed as failed: %v", got)
	}
}

// TestRecentStarts: one row per model the user started, the latest start
// first.
func TestRecentStarts(t *testing.T) {
	forEachDialect(t, testRecentStarts)
}

func testRecentStarts(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	got, err := s.RecentStarts(ctx, "alice", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rs := range got {
		ids = append(ids, rs.ModelID+" "+rs.Last.Format("01-02"))
	}
	// alice started shop/order on 03-01 and hr/leave on 03-09.
	if diff := cmp.Diff([]string{"hr/leave 03-09", "shop/order 03-01"}, ids); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, _ := s.RecentStarts(ctx, "alice", 1); len(got) != 1 || got[0].ModelID != "hr/leave" {
		t.Errorf("limit 1: %v", got)
	}
	if got, _ := s.RecentStarts(ctx, "nobody", 10); len(got) != 0 {
		t.Errorf("nobody: %v", got)
	}
}
