package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Counts read for monitoring (/metrics). They are aggregate queries over
// indexed columns, run when a scraper asks, not on any request path.

// InstanceCountsByStatus returns how many instances each status has.
func (s *Store) InstanceCountsByStatus(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM instances GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count instances by status: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("count instances by status: %w", err)
		}
		out[status] = n
	}
	return out, rows.Err()
}

// QueueDepth returns the background work waiting at now: service calls not
// yet answered ("service_jobs") and timers of running instances due by now
// ("due_timers").
func (s *Store) QueueDepth(ctx context.Context, now time.Time) (map[string]int, error) {
	var jobs, timers int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM service_jobs`).Scan(&jobs); err != nil {
		return nil, fmt.Errorf("count service jobs: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM timers t JOIN instances i ON i.id = t.instance_id
		WHERE i.status = 'running' AND t.due_at <= ?`, now.UTC().Format(dueLayout)).Scan(&timers); err != nil {
		return nil, fmt.Errorf("count due timers: %w", err)
	}
	return map[string]int{"service_jobs": jobs, "due_timers": timers}, nil
}

// OldestDueTimer returns the due time of the earliest timer of a running
// instance that is due by now; ok is false when none is.
func (s *Store) OldestDueTimer(ctx context.Context, now time.Time) (due time.Time, ok bool, err error) {
	var v sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT min(t.due_at) FROM timers t JOIN instances i ON i.id = t.instance_id
		WHERE i.status = 'running' AND t.due_at <= ?`, now.UTC().Format(dueLayout)).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("oldest due timer: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	if due, err = time.Parse(dueLayout, v.String); err != nil {
		return time.Time{}, false, fmt.Errorf("oldest due timer %q: %w", v.String, err)
	}
	return due, true, nil
}
