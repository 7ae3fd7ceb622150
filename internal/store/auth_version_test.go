package store

import (
	"context"
	"testing"
	"time"
)

// Every write that can change who a request is moves the auth version;
// recording a session's or token's last use does not.
func TestAuthVersion(t *testing.T) {
	forEachDialect(t, testAuthVersion)
}

func testAuthVersion(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		n, err := s.AuthVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	step := func(what string, moves bool, fn func(tx *Tx) error) {
		t.Helper()
		before := version()
		if err := s.InTx(ctx, fn); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if after := version(); (after != before) != moves {
			t.Errorf("%s: auth version %d -> %d; want a change: %v", what, before, after, moves)
		}
	}
	var alice User
	var gid int64
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	step("create a user", false, func(tx *Tx) (err error) {
		alice, err = tx.CreateUser(ctx, User{Username: "alice", Source: SourceLocal})
		return err
	})
	step("create a group", false, func(tx *Tx) (err error) {
		gid, err = tx.EnsureGroup(ctx, "approvers", SourceLocal)
		return err
	})
	step("add a member", true, func(tx *Tx) error { return tx.AddGroupMember(ctx, gid, alice.ID, SourceLocal) })
	step("remove a member", true, func(tx *Tx) error { return tx.RemoveGroupMember(ctx, gid, alice.ID, SourceLocal) })
	step("set sign-in groups", true, func(tx *Tx) error { return tx.SetSignInGroups(ctx, alice.ID, []string{"ops"}) })
	step("disable the user", true, func(tx *Tx) error { return tx.SetUserDisabled(ctx, alice.ID, t0) })
	step("set a password", true, func(tx *Tx) error { return tx.SetUserPassword(ctx, alice.ID, "x", true) })

	sess, err := s.CreateSession(ctx, Session{TokenHash: "s1", UserID: alice.ID, CreatedAt: t0, LastSeenAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateAPIToken(ctx, APIToken{TokenHash: "t1", UserID: alice.ID, Label: "ci", CreatedBy: "admin", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what  string
		moves bool
		fn    func() error
	}{
		{"touch the session", false, func() error { return s.TouchSession(ctx, sess.ID, t0.Add(time.Minute)) }},
		{"touch the token", false, func() error { return s.TouchAPIToken(ctx, tok.ID, t0.Add(time.Minute)) }},
		{"end the session", true, func() error { return s.DeleteSession(ctx, sess.ID) }},
		{"revoke the token", true, func() error { return s.DeleteAPIToken(ctx, alice.ID, "ci") }},
	} {
		before := version()
		if err := c.fn(); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if after := version(); (after != before) != c.moves {
			t.Errorf("%s: auth version %d -> %d; want a change: %v", c.what, before, after, c.moves)
		}
	}
	step("remove the user", true, func(tx *Tx) error {
		_, err := tx.DeleteUsersExcept(ctx, SourceLocal, nil)
		return err
	})
	step("remove the group", true, func(tx *Tx) error {
		_, err := tx.DeleteGroupsExcept(ctx, SourceLocal, nil)
		return err
	})
}
