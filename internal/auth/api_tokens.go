package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// ErrBadToken: a bearer token that is unknown, revoked or expired.
var ErrBadToken = errors.New("unknown, revoked or expired API token")

// apiTokenPrefix marks Waymark's tokens, so a leaked one is easy to
// recognise in a log or a repository.
const apiTokenPrefix = "wm_"

// APITokenStore is what API tokens need from the database.
type APITokenStore interface {
	UserByUsername(ctx context.Context, username string) (store.User, error)
	CreateAPIToken(ctx context.Context, t store.APIToken) (store.APIToken, error)
	APITokenByHash(ctx context.Context, tokenHash string) (store.APIToken, error)
	APITokens(ctx context.Context, userID int64) ([]store.APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	DeleteAPIToken(ctx context.Context, userID int64, label string) error
}

// APITokens makes, checks and revokes bearer tokens for the machine API.
// A token acts as its user; only its SHA-256 is stored.
type APITokens struct {
	db  APITokenStore
	now func() time.Time
	// rows caches tokens by hash for the current auth version, when db
	// has one (store.AuthVersion).
	rows versioned[string, store.APIToken]
}

// NewAPITokens returns the token service; now nil means time.Now.
func NewAPITokens(db APITokenStore, now func() time.Time) *APITokens {
	if now == nil {
		now = time.Now
	}
	return &APITokens{db: db, now: now}
}

// DefaultTokenLabel names a token made without a label.
const DefaultTokenLabel = "default"

// Create makes a token for the user and returns it in clear, the only
// time it is shown. ttl 0 makes a token that does not expire.
func (a *APITokens) Create(ctx context.Context, username, label, createdBy string, ttl time.Duration) (string, store.APIToken, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		label = DefaultTokenLabel
	}
	if len(label) > 100 || strings.ContainsFunc(label, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", store.APIToken{}, fmt.Errorf("%w: a token label has at most 100 characters and no control characters", ErrInvalid)
	}
	if ttl < 0 {
		return "", store.APIToken{}, fmt.Errorf("%w: a token's lifetime cannot be negative (%s)", ErrInvalid, ttl)
	}
	u, err := a.db.UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return "", store.APIToken{}, fmt.Errorf("%w: there is no user %q", ErrInvalid, username)
	}
	if err != nil {
		return "", store.APIToken{}, err
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := apiTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	now := a.now().UTC().Truncate(time.Second)
	row := store.APIToken{TokenHash: hashToken(token), UserID: u.ID, Username: u.Username, Label: label, CreatedBy: createdBy, CreatedAt: now}
	if ttl > 0 {
		row.ExpiresAt = now.Add(ttl)
	}
	row, err = a.db.CreateAPIToken(ctx, row)
	if errors.Is(err, store.ErrConflict) {
		return "", store.APIToken{}, fmt.Errorf("%w: %s already has a token labelled %q; revoke it or choose another label", ErrInvalid, username, label)
	}
	if err != nil {
		return "", store.APIToken{}, err
	}
	return token, row, nil
}

// Authenticate returns the id of the token's user, or ErrBadToken. It
// records the use at most once a minute per token.
func (a *APITokens) Authenticate(ctx context.Context, token string) (int64, error) {
	if !strings.HasPrefix(token, apiTokenPrefix) {
		return 0, ErrBadToken
	}
	hash := hashToken(token)
	v, cache, err := authVersion(ctx, a.db)
	if err != nil {
		return 0, err
	}
	now := a.now()
	// A cached token serves while it needs no write (used within the
	// minute) and has not expired; otherwise it is read again.
	if cache {
		if row, ok := a.rows.get(v, hash); ok && now.Sub(row.LastUsedAt) < time.Minute && (row.ExpiresAt.IsZero() || now.Before(row.ExpiresAt)) {
			return row.UserID, nil
		}
	}
	row, err := a.db.APITokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return 0, ErrBadToken
	}
	if err != nil {
		return 0, err
	}
	if !row.ExpiresAt.IsZero() && !now.Before(row.ExpiresAt) {
		return 0, ErrBadToken
	}
	if now.Sub(row.LastUsedAt) >= time.Minute {
		if err := a.db.TouchAPIToken(ctx, row.ID, now); err != nil {
			return 0, err
		}
		row.LastUsedAt = now
	}
	if cache {
		a.rows.put(v, hash, row)
	}
	return row.UserID, nil
}

// List returns the tokens of one user, or of everyone for userID 0.
func (a *APITokens) List(ctx context.Context, userID int64) ([]store.APIToken, error) {
	return a.db.APITokens(ctx, userID)
}

// Revoke deletes the user's token with the label.
func (a *APITokens) Revoke(ctx context.Context, username, label string) error {
	u, err := a.db.UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: there is no user %q", ErrInvalid, username)
	}
	if err != nil {
		return err
	}
	if err := a.db.DeleteAPIToken(ctx, u.ID, label); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s has no token labelled %q", ErrInvalid, username, label)
	} else if err != nil {
		return err
	}
	return nil
}
