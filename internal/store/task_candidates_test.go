package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTaskCandidates counts the people who could take each task of the
// inbox fixture: group members from the file and from sign-in, users by
// name or email once each, unknown user keys one each.
func TestTaskCandidates(t *testing.T) {
	forEachDialect(t, testTaskCandidates)
}

func testTaskCandidates(t *testing.T, d dialect) {
	s := inboxFixture(t, d)
	ctx := context.Background()
	err := s.InTx(ctx, func(tx *Tx) error {
		ids := map[string]int64{}
		for _, u := range []User{{Username: "ann", Email: "Ann@Example.com", Source: SourceFile}, {Username: "bob", Source: SourceFile}, {Username: "carol", Source: SourceFile}} {
			got, err := tx.CreateUser(ctx, u)
			if err != nil {
				return err
			}
			ids[u.Username] = got.ID
		}
		for group, members := range map[string][]string{"packers": {"ann", "bob"}, "approvers": {"carol"}} {
			gid, err := tx.EnsureGroup(ctx, group, SourceFile)
			if err != nil {
				return err
			}
			for _, m := range members {
				if err := tx.AddGroupMember(ctx, gid, ids[m], SourceFile); err != nil {
					return err
				}
			}
		}
		// Ann is an auditor through her sign-in provider only.
		return tx.SetSignInGroups(ctx, ids["ann"], []string{"auditors"})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Task 1 of instance 3 (approvers: carol) also names carol by name and
	// by email-less key, and someone without an account.
	if _, err := s.exec(ctx, `INSERT INTO human_task_owners (instance_id, task_id, owner) VALUES
		(3, 1, 'user:carol'), (2, 2, 'user:ann@example.com'), (2, 2, 'user:ann')`); err != nil {
		t.Fatal(err)
	}
	keys := []TaskKey{{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 1}, {9, 9}}
	got, err := s.TaskCandidates(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[TaskKey]int{
		{1, 1}: 2, // packers: ann, bob
		{1, 2}: 2, // auditors (ann, by sign-in) and bob
		{2, 1}: 1, // approvers: carol
		{2, 2}: 2, // bob, and ann by email and by name once
		{3, 1}: 1, // approvers and user:carol are the same person
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	if _, err := s.exec(ctx, `INSERT INTO human_task_owners (instance_id, task_id, owner) VALUES (3, 1, 'user:stranger@example.com')`); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TaskCandidates(ctx, []TaskKey{{3, 1}}); got[TaskKey{3, 1}] != 2 {
		t.Errorf("an owner key without an account counts as a person: %v", got)
	}
}
