package store

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIdentities(t *testing.T) {
	forEachDialect(t, testIdentities)
}

func testIdentities(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	var ann, ben User
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if ann, err = tx.CreateUser(ctx, User{Username: "ann", Source: SourceLocal}); err != nil {
			return err
		}
		ben, err = tx.CreateUser(ctx, User{Username: "ben", Source: SourceFile})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	err = s.InTx(ctx, func(tx *Tx) error {
		if linked, err := tx.HasIdentity(ctx, ann.ID); err != nil || linked {
			t.Errorf("HasIdentity before linking = %v, %v", linked, err)
		}
		if _, err := tx.UserByIdentity(ctx, "https://idp", "s-1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unlinked identity: %v", err)
		}
		if err := tx.LinkIdentity(ctx, Identity{Issuer: "https://idp", Subject: "s-1", UserID: ann.ID}); err != nil {
			return err
		}
		// Linking again records a sign-in.
		if err := tx.LinkIdentity(ctx, Identity{Issuer: "https://idp", Subject: "s-1", UserID: ann.ID}); err != nil {
			return err
		}
		// The same subject at another issuer is another account.
		if err := tx.LinkIdentity(ctx, Identity{Issuer: "https://other", Subject: "s-1", UserID: ben.ID}); err != nil {
			return err
		}
		if err := tx.LinkIdentity(ctx, Identity{Issuer: "https://idp", Subject: "s-1", UserID: ben.ID}); !errors.Is(err, ErrConflict) {
			t.Errorf("linking ann's account to ben: %v, want ErrConflict", err)
		}
		u, err := tx.UserByIdentity(ctx, "https://idp", "s-1")
		if err != nil || u.ID != ann.ID {
			t.Errorf("UserByIdentity = %+v, %v", u, err)
		}
		if linked, err := tx.HasIdentity(ctx, ann.ID); err != nil || !linked {
			t.Errorf("HasIdentity after linking = %v, %v", linked, err)
		}
		if err := tx.SetSignInGroups(ctx, ann.ID, []string{"b", "a", "b"}); err != nil {
			return err
		}
		return tx.SetSignInGroups(ctx, ben.ID, []string{"x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.SignInGroups(ctx, ann.ID); err != nil || !cmp.Equal(got, []string{"a", "b"}) {
		t.Errorf("SignInGroups = %v, %v", got, err)
	}

	// Replacing, and removing the user, clear the rows.
	err = s.InTx(ctx, func(tx *Tx) error {
		if err := tx.SetSignInGroups(ctx, ann.ID, []string{"c"}); err != nil {
			return err
		}
		_, err := tx.DeleteUsersExcept(ctx, SourceFile, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SignInGroups(ctx, ann.ID); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("after replacing: %v", got)
	}
	if got, _ := s.SignInGroups(ctx, ben.ID); len(got) != 0 {
		t.Errorf("a deleted user's groups remain: %v", got)
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.UserByIdentity(ctx, "https://other", "s-1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a deleted user's identity remains: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
