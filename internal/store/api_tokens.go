package store

import (
	"context"
	"fmt"
	"time"
)

// APIToken is a row of the api_tokens table: one bearer token of a user.
type APIToken struct {
	ID int64
	// TokenHash is the SHA-256 of the token, hex-encoded.
	TokenHash string
	UserID    int64
	// Username is filled in by the listing queries.
	Username  string
	Label     string
	CreatedBy string
	CreatedAt time.Time
	// LastUsedAt and ExpiresAt are zero for never and for no expiry.
	LastUsedAt time.Time
	ExpiresAt  time.Time
}

const apiTokenColumns = `t.id, t.token_hash, t.user_id, u.username, t.label, t.created_by, t.created_at, t.last_used_at, t.expires_at`

func scanAPIToken(row scanner) (APIToken, error) {
	var t APIToken
	var created, used, expires string
	if err := row.Scan(&t.ID, &t.TokenHash, &t.UserID, &t.Username, &t.Label, &t.CreatedBy, &created, &used, &expires); err != nil {
		return APIToken{}, err
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return APIToken{}, fmt.Errorf("api token %d created_at: %w", t.ID, err)
	}
	if used != "" {
		if t.LastUsedAt, err = parseTime(used); err != nil {
			return APIToken{}, fmt.Errorf("api token %d last_used_at: %w", t.ID, err)
		}
	}
	if expires != "" {
		if t.ExpiresAt, err = parseTime(expires); err != nil {
			return APIToken{}, fmt.Errorf("api token %d expires_at: %w", t.ID, err)
		}
	}
	return t, nil
}

func optionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// CreateAPIToken inserts a token; a second token of the same user with the
// same label is ErrConflict.
func (s *Store) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	err := s.writeRow(ctx, `
		INSERT INTO api_tokens (token_hash, user_id, label, created_by, created_at, last_used_at, expires_at)
		VALUES (?, ?, ?, ?, ?, '', ?) RETURNING id`,
		[]any{t.TokenHash, t.UserID, t.Label, t.CreatedBy, formatTime(t.CreatedAt), optionalTime(t.ExpiresAt)}, &t.ID)
	if err != nil {
		return APIToken{}, fmt.Errorf("create api token %q of user %d: %w", t.Label, t.UserID, mapError(err))
	}
	return t, nil
}

// APITokenByHash returns the token with the given hash.
func (s *Store) APITokenByHash(ctx context.Context, tokenHash string) (APIToken, error) {
	t, err := scanAPIToken(s.db.QueryRowContext(ctx, `SELECT `+apiTokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, tokenHash))
	if err != nil {
		return APIToken{}, fmt.Errorf("api token: %w", mapError(err))
	}
	return t, nil
}

// APITokens lists the tokens of one user, or of everyone when userID is 0,
// by username and label.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+apiTokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE ? = 0 OR t.user_id = ?
		ORDER BY u.username, t.label`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list api tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchAPIToken records that the token was used at the given time.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, formatTime(at), id); err != nil {
		return fmt.Errorf("touch api token %d: %w", id, err)
	}
	return nil
}

// DeleteAPIToken revokes the user's token with the given label; none is
// ErrNotFound.
func (s *Store) DeleteAPIToken(ctx context.Context, userID int64, label string) error {
	res, err := s.exec(ctx, `DELETE FROM api_tokens WHERE user_id = ? AND label = ?`, userID, label)
	if err != nil {
		return fmt.Errorf("revoke api token %q of user %d: %w", label, userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("api token %q of user %d: %w", label, userID, ErrNotFound)
	}
	return nil
}
