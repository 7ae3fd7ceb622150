package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessionRows(t *testing.T) {
	forEachDialect(t, testSessionRows)
}

func testSessionRows(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	var alice, bob User
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if alice, err = tx.CreateUser(ctx, User{Username: "alice", Source: SourceFile}); err != nil {
			return err
		}
		bob, err = tx.CreateUser(ctx, User{Username: "bob", Source: SourceLocal})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mk := func(u User, hash string) Session {
		sess, err := s.CreateSession(ctx, Session{TokenHash: hash, UserID: u.ID, CreatedAt: t0, LastSeenAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	a1, a2, b1 := mk(alice, "a1"), mk(alice, "a2"), mk(bob, "b1")
	if a1.ID == 0 || a1.ID == a2.ID {
		t.Fatalf("ids %d %d", a1.ID, a2.ID)
	}
	if _, err := s.CreateSession(ctx, Session{TokenHash: "a1", UserID: bob.ID, CreatedAt: t0, LastSeenAt: t0}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate token hash: %v", err)
	}

	t.Run("EndingAnotherUsersSessionIsNotFound", func(t *testing.T) {
		if err := s.DeleteUserSession(ctx, bob.ID, a1.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("bob ended alice's session: %v", err)
		}
		if _, err := s.SessionByToken(ctx, "a1"); err != nil {
			t.Errorf("alice's session is gone: %v", err)
		}
	})

	t.Run("AllButOne", func(t *testing.T) {
		n, err := s.DeleteUserSessions(ctx, alice.ID, a2.ID)
		if err != nil || n != 1 {
			t.Fatalf("deleted %d (%v), want 1", n, err)
		}
		list, _ := s.UserSessions(ctx, alice.ID)
		if len(list) != 1 || list[0].ID != a2.ID {
			t.Errorf("left %+v, want only a2", list)
		}
	})

	t.Run("RemovedUserTakesSessionsAlong", func(t *testing.T) {
		err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.DeleteUsersExcept(ctx, SourceFile, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByToken(ctx, "a2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a removed user's session remains: %v", err)
		}
		if _, err := s.SessionByToken(ctx, b1.TokenHash); err != nil {
			t.Errorf("another user's session went too: %v", err)
		}
	})
}
