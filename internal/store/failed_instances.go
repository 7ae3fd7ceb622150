package store

import (
	"context"
	"fmt"
)

// failedForWhere selects the failed instances a user is told about: those
// they started, and those whose most recently completed human task they
// completed (the last person who worked on it). The status index keeps it
// to failed instances only.
const failedForWhere = ` FROM instances i WHERE i.status = 'error' AND (i.started_by = ? OR ? = (
	SELECT h.completed_by FROM human_tasks h
	WHERE h.instance_id = i.id AND h.state = 'completed'
	ORDER BY h.completed_at DESC, h.task_id DESC LIMIT 1))`

// FailedInstancesFor returns a page of the failed instances the user
// started or last worked on, newest failure first, and how many there are.
// A limit of 0 counts them only.
func (s *Store) FailedInstancesFor(ctx context.Context, username string, limit, offset int) ([]Instance, int, error) {
	if username == "" {
		return nil, 0, nil
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*)`+failedForWhere, username, username).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count failed instances of %s: %w", username, err)
	}
	if limit <= 0 {
		return nil, total, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+instanceListColumns+failedForWhere+` ORDER BY i.updated_at DESC, i.id DESC LIMIT ? OFFSET ?`,
		username, username, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list failed instances of %s: %w", username, err)
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		in, err := scanInstance(rows, false)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, in)
	}
	return out, total, rows.Err()
}

// InstanceHeader returns an instance without its snapshot: what a page
// needs to say what state an action left it in.
func (s *Store) InstanceHeader(ctx context.Context, id int64) (Instance, error) {
	in, err := scanInstance(s.db.QueryRowContext(ctx, `SELECT `+instanceListColumns+` FROM instances WHERE id = ?`, id), false)
	if err != nil {
		return Instance{}, fmt.Errorf("instance %d: %w", id, mapError(err))
	}
	return in, nil
}
