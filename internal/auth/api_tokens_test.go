package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var alice store.User
	if err := s.InTx(ctx, func(tx *store.Tx) error {
		alice, err = tx.CreateUser(ctx, store.User{Username: "alice", Source: store.SourceLocal})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tokens := NewAPITokens(s, func() time.Time { return now })

	token, row, err := tokens.Create(ctx, "alice", "", "admin", time.Hour)
	if err != nil || row.Label != DefaultTokenLabel || !row.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("create: %+v %v", row, err)
	}
	if !strings.HasPrefix(token, "wm_") || len(token) < 40 || strings.Contains(row.TokenHash, token) {
		t.Errorf("token %q, stored hash %q", token, row.TokenHash)
	}
	other, _, err := tokens.Create(ctx, "alice", "second", "admin", 0)
	if err != nil || other == token {
		t.Fatalf("second token: %q %v", other, err)
	}
	for _, bad := range []struct {
		user, label string
		ttl         time.Duration
		want        string
	}{
		{"alice", "default", 0, `already has a token labelled "default"`},
		{"nobody", "x", 0, `no user "nobody"`},
		{"alice", "a\nb", 0, "no control characters"},
		{"alice", strings.Repeat("x", 101), 0, "at most 100 characters"},
		{"alice", "x", -time.Second, "cannot be negative"},
	} {
		if _, _, err := tokens.Create(ctx, bad.user, bad.label, "admin", bad.ttl); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("create %q %q %s: %v, want %q", bad.user, bad.label, bad.ttl, err, bad.want)
		}
	}

	if id, err := tokens.Authenticate(ctx, token); err != nil || id != alice.ID {
		t.Fatalf("authenticate: %d %v", id, err)
	}
	for _, forged := range []string{"", "wm_", token[:len(token)-1], strings.TrimPrefix(token, "wm_")} {
		if _, err := tokens.Authenticate(ctx, forged); !errors.Is(err, ErrBadToken) {
			t.Errorf("forged %q: %v", forged, err)
		}
	}
	// Use is recorded at most once a minute.
	now = now.Add(30 * time.Second)
	tokens.Authenticate(ctx, token)
	if got, _ := s.APITokenByHash(ctx, row.TokenHash); !got.LastUsedAt.Equal(now.Add(-30 * time.Second)) {
		t.Errorf("last used %v, want the first use", got.LastUsedAt)
	}
	now = now.Add(time.Hour)
	if _, err := tokens.Authenticate(ctx, token); !errors.Is(err, ErrBadToken) {
		t.Errorf("expired token: %v", err)
	}
	if _, err := tokens.Authenticate(ctx, other); err != nil {
		t.Errorf("a token without expiry: %v", err)
	}
	if err := tokens.Revoke(ctx, "alice", "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Authenticate(ctx, other); !errors.Is(err, ErrBadToken) {
		t.Errorf("revoked token: %v", err)
	}
	if err := tokens.Revoke(ctx, "alice", "second"); !errors.Is(err, ErrInvalid) {
		t.Errorf("revoke twice: %v", err)
	}
}

// BenchmarkAPITokenAuthenticate measures checking a bearer token: its hash,
// one indexed read, the expiry (the last-use write happens once a minute).
func BenchmarkAPITokenAuthenticate(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "waymark.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.CreateUser(ctx, store.User{Username: "ci", Source: store.SourceLocal})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	tokens := NewAPITokens(s, nil)
	token, _, err := tokens.Create(ctx, "ci", "bench", "admin", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := tokens.Authenticate(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
