package store

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is a row of the audit log.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Event    string
	Username string
	// Actor is who did it when that is not the user (an admin); empty for
	// the user's own actions.
	Actor    string
	ClientIP string
	Detail   string
}

// AppendAudit adds an entry to the audit log.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	_, err := s.exec(ctx, `
		INSERT INTO audit_log (at, event, username, actor, client_ip, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		formatTime(e.At), e.Event, e.Username, e.Actor, e.ClientIP, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit %s of %q: %w", e.Event, e.Username, err)
	}
	return nil
}

// AuditQuery selects audit entries: newest first, those with an id below
// Before (0 for the newest), of one username when set, at most Limit.
type AuditQuery struct {
	Username string
	Before   int64
	Limit    int
}

// AuditEntries returns the audit entries the query selects.
func (s *Store) AuditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	query := `SELECT id, at, event, username, actor, client_ip, detail FROM audit_log WHERE 1 = 1`
	var args []any
	if q.Username != "" {
		query += ` AND username = ?`
		args = append(args, q.Username)
	}
	if q.Before > 0 {
		query += ` AND id < ?`
		args = append(args, q.Before)
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Event, &e.Username, &e.Actor, &e.ClientIP, &e.Detail); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Throttle is the sign-in throttling state of one key.
type Throttle struct {
	Key         string
	Failures    int
	LastAt      time.Time
	LockedUntil time.Time
}

// UpdateThrottles reads the throttling state of every key in one
// transaction and lets decide compute the new state; rows decide returns
// are written, keys it leaves out are kept as they were. The transaction
// makes check-and-count atomic, so parallel guesses cannot all slip
// through before the first one is counted.
func (s *Store) UpdateThrottles(ctx context.Context, keys []string, decide func(current []Throttle) []Throttle) error {
	return s.InTx(ctx, func(tx *Tx) error {
		// On PostgreSQL several processes count sign-ins at once: the read
		// and the write of the counts must not interleave (on SQLite the
		// one writer already keeps them apart).
		if err := tx.lockShared(ctx); err != nil {
			return err
		}
		current := make([]Throttle, 0, len(keys))
		for _, k := range keys {
			t := Throttle{Key: k}
			var last, locked string
			err := tx.tx.QueryRowContext(ctx, `SELECT failures, last_at, locked_until FROM sign_in_throttle WHERE key = ?`, k).
				Scan(&t.Failures, &last, &locked)
			switch err := mapError(err); {
			case err == ErrNotFound:
			case err != nil:
				return fmt.Errorf("throttle %q: %w", k, err)
			default:
				if t.LastAt, err = parseTime(last); err != nil {
					return fmt.Errorf("throttle %q: %w", k, err)
				}
				if locked != "" {
					if t.LockedUntil, err = parseTime(locked); err != nil {
						return fmt.Errorf("throttle %q: %w", k, err)
					}
				}
			}
			current = append(current, t)
		}
		for _, t := range decide(current) {
			if t.Failures == 0 {
				if _, err := tx.tx.ExecContext(ctx, `DELETE FROM sign_in_throttle WHERE key = ?`, t.Key); err != nil {
					return fmt.Errorf("clear throttle %q: %w", t.Key, err)
				}
				continue
			}
			locked := ""
			if !t.LockedUntil.IsZero() {
				locked = formatTime(t.LockedUntil)
			}
			_, err := tx.tx.ExecContext(ctx, `
				INSERT INTO sign_in_throttle (key, failures, last_at, locked_until) VALUES (?, ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at,
					locked_until = excluded.locked_until`,
				t.Key, t.Failures, formatTime(t.LastAt), locked)
			if err != nil {
				return fmt.Errorf("write throttle %q: %w", t.Key, err)
			}
		}
		return nil
	})
}

// DeleteStaleThrottles deletes the throttling rows whose last failure is
// before `before` and whose lock, if any, has ended by `now`.
func (s *Store) DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error) {
	res, err := s.exec(ctx, `
		DELETE FROM sign_in_throttle WHERE last_at < ? AND (locked_until = '' OR locked_until <= ?)`,
		formatTime(before), formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("delete stale throttles: %w", err)
	}
	return res.RowsAffected()
}
