package store

import (
	"context"
	"fmt"
	"time"
)

// RecentStart is a model a user started, and when they last did.
type RecentStart struct {
	ModelID string
	Last    time.Time
}

// RecentStarts returns the models the user started most recently, newest
// first, one row per model. It reads the user's own instances through the
// starter index.
func (s *Store) RecentStarts(ctx context.Context, username string, limit int) ([]RecentStart, error) {
	if username == "" || limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT model_id, max(started_at) AS last FROM instances
		WHERE started_by = ? GROUP BY model_id ORDER BY last DESC, model_id LIMIT ?`, username, limit)
	if err != nil {
		return nil, fmt.Errorf("recent starts of %s: %w", username, err)
	}
	defer rows.Close()
	var out []RecentStart
	for rows.Next() {
		var rs RecentStart
		var last string
		if err := rows.Scan(&rs.ModelID, &last); err != nil {
			return nil, fmt.Errorf("recent starts of %s: %w", username, err)
		}
		if rs.Last, err = parseTime(last); err != nil {
			return nil, fmt.Errorf("recent start of %s: %w", rs.ModelID, err)
		}
		out = append(out, rs)
	}
	return out, rows.Err()
}
