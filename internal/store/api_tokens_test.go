package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAPITokenRows(t *testing.T) {
	forEachDialect(t, testAPITokenRows)
}

func testAPITokenRows(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	var alice, bob User
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if alice, err = tx.CreateUser(ctx, User{Username: "alice", Source: SourceLocal}); err != nil {
			return err
		}
		bob, err = tx.CreateUser(ctx, User{Username: "bob", Source: SourceLocal})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, err := s.CreateAPIToken(ctx, APIToken{TokenHash: "h1", UserID: alice.ID, Label: "ci", CreatedBy: "admin", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAPIToken(ctx, APIToken{TokenHash: "h2", UserID: alice.ID, Label: "ci", CreatedBy: "admin", CreatedAt: t0}); !errors.Is(err, ErrConflict) {
		t.Errorf("second token labelled ci: %v, want ErrConflict", err)
	}
	if _, err := s.CreateAPIToken(ctx, APIToken{TokenHash: "h3", UserID: bob.ID, Label: "ci", CreatedBy: "bob", CreatedAt: t0}); err != nil {
		t.Errorf("bob's token labelled ci: %v", err)
	}
	got, err := s.APITokenByHash(ctx, "h1")
	if err != nil || got.ID != a.ID || got.Username != "alice" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || !got.LastUsedAt.IsZero() {
		t.Fatalf("by hash: %+v, %v", got, err)
	}
	if err := s.TouchAPIToken(ctx, a.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APITokenByHash(ctx, "h1"); !got.LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("last used %v", got.LastUsedAt)
	}
	all, _ := s.APITokens(ctx, 0)
	mine, _ := s.APITokens(ctx, bob.ID)
	if len(all) != 2 || len(mine) != 1 || mine[0].Username != "bob" {
		t.Errorf("all %+v, bob's %+v", all, mine)
	}
	if err := s.DeleteAPIToken(ctx, bob.ID, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke missing: %v", err)
	}
	if err := s.DeleteAPIToken(ctx, alice.ID, "ci"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APITokenByHash(ctx, "h1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked token still found: %v", err)
	}
	if _, err := s.APITokenByHash(ctx, "h3"); err != nil {
		t.Errorf("bob's token went with alice's: %v", err)
	}
}
