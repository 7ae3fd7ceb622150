package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a row of the sessions table: one signed-in browser.
type Session struct {
	ID int64
	// TokenHash is the SHA-256 of the cookie's token, hex-encoded.
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ClientIP   string
	UserAgent  string
}

const sessionColumns = `id, token_hash, user_id, created_at, last_seen_at, client_ip, user_agent`

func scanSession(row scanner) (Session, error) {
	var s Session
	var created, seen string
	if err := row.Scan(&s.ID, &s.TokenHash, &s.UserID, &created, &seen, &s.ClientIP, &s.UserAgent); err != nil {
		return Session{}, err
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return Session{}, fmt.Errorf("session %d created_at: %w", s.ID, err)
	}
	if s.LastSeenAt, err = parseTime(seen); err != nil {
		return Session{}, fmt.Errorf("session %d last_seen_at: %w", s.ID, err)
	}
	return s, nil
}

// CreateSession inserts a session; its times are the caller's (the
// session layer's clock decides time-outs).
func (s *Store) CreateSession(ctx context.Context, sess Session) (Session, error) {
	// RETURNING rather than LastInsertId: PostgreSQL has no last insert id.
	err := s.writeRow(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, client_ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{sess.TokenHash, sess.UserID, formatTime(sess.CreatedAt), formatTime(sess.LastSeenAt), sess.ClientIP, sess.UserAgent}, &sess.ID)
	if err != nil {
		return Session{}, fmt.Errorf("create session of user %d: %w", sess.UserID, mapError(err))
	}
	return sess, nil
}

// SessionByToken returns the session with the given token hash.
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (Session, error) {
	sess, err := scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`, tokenHash))
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", mapError(err))
	}
	return sess, nil
}

// TouchSession records that the session was used at the given time.
func (s *Store) TouchSession(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, formatTime(at), id); err != nil {
		return fmt.Errorf("touch session %d: %w", id, err)
	}
	return nil
}

// DeleteSession deletes one session by id. Deleting a session that is
// already gone is not an error.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete session %d: %w", id, err)
	}
	return nil
}

// DeleteUserSession deletes the user's session with the given id; a
// session of another user, or none, gives ErrNotFound.
func (s *Store) DeleteUserSession(ctx context.Context, userID, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("delete session %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("session %d of user %d: %w", id, userID, ErrNotFound)
	}
	return nil
}

// DeleteUserSessions deletes every session of the user except the one
// with id keep (0 keeps none) and returns how many it deleted.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keep int64) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.DeleteUserSessions(ctx, userID, keep)
		return err
	})
	return n, err
}

// DeleteUserSessions deletes every session of the user except keep.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID, keep int64) (int64, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return res.RowsAffected()
}

// UserSessions lists the user's sessions, most recently used first.
func (s *Store) UserSessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("sessions of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("sessions of user %d: %w", userID, err)
		}
		out = append(out, sess)
	}
	return out, rows.Err()
}

// DeleteExpiredSessions deletes sessions last used at or before idleBefore
// or created at or before createdBefore, and returns how many it deleted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?`,
		formatTime(idleBefore), formatTime(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
