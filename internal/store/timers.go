package store

import (
	"context"
	"fmt"
	"time"
)

// Timer is a waiting timer of an instance.
type Timer struct {
	InstanceID int64
	TaskID     int
	ElementID  string
	DueAt      time.Time
}

// dueLayout stores due times with microseconds in a fixed width, so the
// text sorts and compares like the times themselves.
const dueLayout = "2006-01-02T15:04:05.000000Z"

// InstanceTimers lists the waiting timers of an instance, earliest first.
func (s *Store) InstanceTimers(ctx context.Context, instanceID int64) ([]Timer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT instance_id, task_id, element_id, due_at FROM timers WHERE instance_id = ? ORDER BY due_at`, instanceID)
	if err != nil {
		return nil, fmt.Errorf("timers of instance %d: %w", instanceID, err)
	}
	defer rows.Close()
	var out []Timer
	for rows.Next() {
		var t Timer
		var due string
		if err := rows.Scan(&t.InstanceID, &t.TaskID, &t.ElementID, &due); err != nil {
			return nil, err
		}
		if t.DueAt, err = time.Parse(dueLayout, due); err != nil {
			return nil, fmt.Errorf("timer %s of instance %d: %w", t.ElementID, instanceID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
