package store

import (
	"context"
	"fmt"
	"time"
)

// ServiceCallback is the callback a connector proxy may use to answer a
// service-task call later (HTTP 202). TokenHash is the SHA-256 hash of the
// call's token; AnsweredAt is zero until a callback completed the task.
type ServiceCallback struct {
	InstanceID int64
	TaskID     int
	TokenHash  string
	CreatedAt  time.Time
	AnsweredAt time.Time
	// Params are the call's parameters as JSON text, with secret
	// references as written (never their values).
	Params string
}

// SetServiceCallback records the token of a call about to go out,
// replacing the token of an earlier call of the same task (a retry), so
// only the newest call can be answered.
func (s *Store) SetServiceCallback(ctx context.Context, c ServiceCallback) error {
	_, err := s.exec(ctx, `INSERT INTO service_callbacks (instance_id, task_id, token_hash, created_at, answered_at, params) VALUES (?, ?, ?, ?, '', ?)
		ON CONFLICT (instance_id, task_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at, answered_at = '',
		params = excluded.params`,
		c.InstanceID, c.TaskID, c.TokenHash, formatTime(c.CreatedAt), c.Params)
	if err != nil {
		return fmt.Errorf("set service callback %d/%d: %w", c.InstanceID, c.TaskID, mapError(err))
	}
	return nil
}

// ServiceCallback returns the callback of a task, or ErrNotFound.
func (s *Store) ServiceCallback(ctx context.Context, instanceID int64, taskID int) (ServiceCallback, error) {
	c := ServiceCallback{InstanceID: instanceID, TaskID: taskID}
	var created, answered string
	err := s.db.QueryRowContext(ctx, `SELECT token_hash, created_at, answered_at, params FROM service_callbacks WHERE instance_id = ? AND task_id = ?`,
		instanceID, taskID).Scan(&c.TokenHash, &created, &answered, &c.Params)
	if err != nil {
		return c, fmt.Errorf("service callback %d/%d: %w", instanceID, taskID, mapError(err))
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return c, err
	}
	if answered != "" {
		if c.AnsweredAt, err = parseTime(answered); err != nil {
			return c, err
		}
	}
	return c, nil
}

// AnswerServiceCallback marks the callback with this token answered, in
// the step that completes its task. It returns ErrConflict when the
// callback was answered already or its token was replaced meanwhile, so
// two callbacks racing each other complete the task once.
func (tx *Tx) AnswerServiceCallback(ctx context.Context, instanceID int64, taskID int, tokenHash string, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE service_callbacks SET answered_at = ? WHERE instance_id = ? AND task_id = ? AND token_hash = ? AND answered_at = ''`,
		formatTime(at), instanceID, taskID, tokenHash)
	if err != nil {
		return fmt.Errorf("answer service callback %d/%d: %w", instanceID, taskID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("answer service callback %d/%d: answered already: %w", instanceID, taskID, ErrConflict)
	}
	return nil
}

// DeleteServiceCallback forgets the callback of a call that was answered
// at once, so its token can never complete the task.
func (tx *Tx) DeleteServiceCallback(ctx context.Context, instanceID int64, taskID int) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM service_callbacks WHERE instance_id = ? AND task_id = ?`, instanceID, taskID); err != nil {
		return fmt.Errorf("delete service callback %d/%d: %w", instanceID, taskID, err)
	}
	return nil
}
