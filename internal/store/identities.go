package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Identity links an account at an OpenID Connect provider to a user.
type Identity struct {
	Issuer  string
	Subject string
	UserID  int64
}

// UserByIdentity returns the user linked to the provider account, or
// ErrNotFound.
func (tx *Tx) UserByIdentity(ctx context.Context, issuer, subject string) (User, error) {
	u, err := scanUser(tx.tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?)`, issuer, subject))
	if err != nil {
		return User{}, fmt.Errorf("user of %s at %s: %w", subject, issuer, mapError(err))
	}
	return u, nil
}

// HasIdentity reports whether any provider account is linked to the user.
func (tx *Tx) HasIdentity(ctx context.Context, userID int64) (bool, error) {
	var one int
	err := tx.tx.QueryRowContext(ctx, `SELECT 1 FROM user_identities WHERE user_id = ? LIMIT 1`, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("identities of user %d: %w", userID, err)
	}
	return true, nil
}

// LinkIdentity links a provider account to a user, or records a new sign-in
// when it is linked already. An account linked to another user gives
// ErrConflict.
func (tx *Tx) LinkIdentity(ctx context.Context, id Identity) error {
	now := formatTime(tx.now)
	res, err := tx.tx.ExecContext(ctx, `
		INSERT INTO user_identities (issuer, subject, user_id, created_at, last_sign_in_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (issuer, subject) DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at
		WHERE user_identities.user_id = excluded.user_id`,
		id.Issuer, id.Subject, id.UserID, now, now)
	if err != nil {
		return fmt.Errorf("link %s at %s to user %d: %w", id.Subject, id.Issuer, id.UserID, mapError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("link %s at %s to user %d: linked to another user: %w", id.Subject, id.Issuer, id.UserID, ErrConflict)
	}
	return nil
}

// SetSignInGroups replaces the groups the user got at sign-in.
func (tx *Tx) SetSignInGroups(ctx context.Context, userID int64, groups []string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM user_sign_in_groups WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("clear sign-in groups of user %d: %w", userID, err)
	}
	groups = slices.Clone(groups)
	slices.Sort(groups)
	for _, g := range slices.Compact(groups) {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO user_sign_in_groups (user_id, group_name) VALUES (?, ?)`, userID, g); err != nil {
			return fmt.Errorf("add sign-in group %q of user %d: %w", g, userID, mapError(err))
		}
	}
	return nil
}

// SignInGroups returns the groups the user got at their last sign-in
// through a provider, sorted.
func (s *Store) SignInGroups(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT group_name FROM user_sign_in_groups WHERE user_id = ? ORDER BY group_name`, userID)
	if err != nil {
		return nil, fmt.Errorf("sign-in groups of user %d: %w", userID, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}
