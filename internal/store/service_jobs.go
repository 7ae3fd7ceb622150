package store

import (
	"context"
	"fmt"
	"time"
)

// ServiceJob is a service-task call a worker still owes an instance.
type ServiceJob struct {
	InstanceID int64
	TaskID     int
	ElementID  string
	Operator   string
	// Params and TaskData are JSON text.
	Params    string
	TaskData  string
	CreatedAt time.Time
}

// AddServiceJob records a call to make.
func (tx *Tx) AddServiceJob(ctx context.Context, j ServiceJob) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO service_jobs (instance_id, task_id, element_id, operator, params, task_data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, task_id) DO UPDATE SET element_id = excluded.element_id, operator = excluded.operator,
		params = excluded.params, task_data = excluded.task_data, created_at = excluded.created_at`,
		j.InstanceID, j.TaskID, j.ElementID, j.Operator, j.Params, j.TaskData, formatTime(j.CreatedAt))
	if err != nil {
		return fmt.Errorf("add service job %d/%d: %w", j.InstanceID, j.TaskID, mapError(err))
	}
	return nil
}

// DeleteServiceJob removes a call that was answered.
func (tx *Tx) DeleteServiceJob(ctx context.Context, instanceID int64, taskID int) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM service_jobs WHERE instance_id = ? AND task_id = ?`, instanceID, taskID); err != nil {
		return fmt.Errorf("delete service job %d/%d: %w", instanceID, taskID, err)
	}
	return nil
}

// ServiceJobs lists the calls still owed, oldest first.
func (s *Store) ServiceJobs(ctx context.Context) ([]ServiceJob, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT instance_id, task_id, element_id, operator, params, task_data, created_at FROM service_jobs ORDER BY created_at, instance_id, task_id`)
	if err != nil {
		return nil, fmt.Errorf("service jobs: %w", err)
	}
	defer rows.Close()
	var out []ServiceJob
	for rows.Next() {
		var j ServiceJob
		var created string
		if err := rows.Scan(&j.InstanceID, &j.TaskID, &j.ElementID, &j.Operator, &j.Params, &j.TaskData, &created); err != nil {
			return nil, err
		}
		if j.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// ServiceJobOwed reports whether a call is still owed.
func (s *Store) ServiceJobOwed(ctx context.Context, instanceID int64, taskID int) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM service_jobs WHERE instance_id = ? AND task_id = ?`, instanceID, taskID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("service job %d/%d: %w", instanceID, taskID, err)
	}
	return n > 0, nil
}
