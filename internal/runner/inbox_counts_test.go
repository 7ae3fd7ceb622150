package runner_test

import (
	"context"
	"testing"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// TestInboxCountsFollowTheRunner drives instances through the runner (the
// request's lane hands over to the approvers, claims and releases,
// suspend, resume, terminate) and after each action compares every
// user's kept counts and badge with the same views counted by query (a
// filter on the model makes the store count the matching rows).
func TestInboxCountsFollowTheRunner(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	var ids []int64
	for range 4 {
		id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	check := func(step string) {
		t.Helper()
		for _, a := range []runner.Actor{alice, bob, cathy} {
			kept, err := e.store.InboxCounts(ctx, a.Viewer(), a.Groups)
			if err != nil {
				t.Fatal(err)
			}
			badge, err := e.store.InboxBadge(ctx, a.Viewer())
			if err != nil {
				t.Fatal(err)
			}
			for _, view := range []string{store.InboxMine, store.InboxGroups, store.InboxStarted} {
				_, counted, err := e.store.InboxTasks(ctx, store.InboxQuery{View: view, Viewer: a.Viewer(), Groups: a.Groups, Process: "group/approval"})
				if err != nil {
					t.Fatal(err)
				}
				if kept[view] != counted {
					t.Errorf("%s: %s's %s count is %d, counted %d", step, a.Username, view, kept[view], counted)
				}
			}
			if badge != kept[store.InboxMine] {
				t.Errorf("%s: %s's badge %d, ready for them %d", step, a.Username, badge, kept[store.InboxMine])
			}
		}
	}
	check("four requests open")
	for _, id := range ids[:3] {
		if err := e.runner.CompleteTask(ctx, alice, id, openTask(t, e, id, "request"), map[string]any{"item": "Laptop", "amount": 1200}); err != nil {
			t.Fatal(err)
		}
	}
	check("three handed to the approvers")
	approve := openTask(t, e, ids[0], "approve")
	if err := e.runner.Claim(ctx, cathy, ids[0], approve); err != nil {
		t.Fatal(err)
	}
	check("cathy claims one")
	if err := e.runner.Release(ctx, cathy, ids[0], approve); err != nil {
		t.Fatal(err)
	}
	check("cathy releases it")
	if err := e.runner.Suspend(ctx, admin, ids[1]); err != nil {
		t.Fatal(err)
	}
	check("one suspended")
	if err := e.runner.Resume(ctx, admin, ids[1]); err != nil {
		t.Fatal(err)
	}
	check("resumed")
	if err := e.runner.Terminate(ctx, admin, ids[2]); err != nil {
		t.Fatal(err)
	}
	check("one terminated")
	if err := e.runner.CompleteTask(ctx, bob, ids[0], approve, map[string]any{"approved": true, "comment": "ok"}); err != nil {
		t.Fatal(err)
	}
	check("one approved")
	counts, err := e.store.InboxCounts(ctx, bob.Viewer(), bob.Groups)
	if err != nil {
		t.Fatal(err)
	}
	// Left for the approvers: the resumed instance's approval.
	if counts[store.InboxMine] != 1 || counts[store.InboxGroups] != 1 {
		t.Errorf("bob's counts at the end: %v, want one task ready", counts)
	}
}
