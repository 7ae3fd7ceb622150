package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Claims on background work. On SQLite the claiming UPDATE runs in a write
// transaction, which SQLite serialises; on PostgreSQL processes claim at
// the same time, and FOR UPDATE SKIP LOCKED lets each pass over the rows
// another is claiming instead of waiting for them.

// skipLocked is the row-locking clause of a claim's inner SELECT.
func (s *Store) skipLocked(of string) string {
	if s.dialect != dialectPostgres {
		return ""
	}
	if of != "" {
		return " FOR UPDATE OF " + of + " SKIP LOCKED"
	}
	return " FOR UPDATE SKIP LOCKED"
}

// ClaimDueTimerInstances claims the waiting timers due at or before now of
// running instances, until now+lease, and returns their instances, earliest
// due first. Timers another process holds a claim on are left out. A step
// that saves the instance rewrites its timers, which ends the claim;
// ReleaseTimers ends it when the step is not saved.
func (s *Store) ClaimDueTimerInstances(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	nowText := now.UTC().Format(dueLayout)
	var ids []int64
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `UPDATE timers SET claimed_until = ?
			WHERE (instance_id, task_id) IN (
				SELECT t.instance_id, t.task_id FROM timers t JOIN instances i ON i.id = t.instance_id
				WHERE i.status = 'running' AND t.due_at <= ? AND t.claimed_until < ?
				ORDER BY t.due_at LIMIT ?`+s.skipLocked("t")+`)
			RETURNING instance_id, due_at`,
			now.Add(lease).UTC().Format(dueLayout), nowText, nowText, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		type due struct {
			id  int64
			due string
		}
		var claimed []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.due); err != nil {
				return err
			}
			claimed = append(claimed, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		slices.SortFunc(claimed, func(a, b due) int {
			if a.due != b.due {
				if a.due < b.due {
					return -1
				}
				return 1
			}
			return int(a.id - b.id)
		})
		ids = ids[:0]
		for _, d := range claimed {
			if !slices.Contains(ids, d.id) {
				ids = append(ids, d.id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim due timers: %w", err)
	}
	return ids, nil
}

// ReleaseTimers ends the claims on an instance's timers, for a process
// that claimed them and could not save the step.
func (s *Store) ReleaseTimers(ctx context.Context, instanceID int64) error {
	if _, err := s.exec(ctx, `UPDATE timers SET claimed_until = '' WHERE instance_id = ? AND claimed_until <> ''`, instanceID); err != nil {
		return fmt.Errorf("release timers of instance %d: %w", instanceID, err)
	}
	return nil
}

// ClaimServiceJobs claims up to limit owed service calls that nobody holds,
// until now+lease, and returns them oldest first. The step that answers a
// call deletes its job; ReleaseServiceJob ends a claim without an answer.
func (s *Store) ClaimServiceJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ServiceJob, error) {
	var out []ServiceJob
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `UPDATE service_jobs SET claimed_until = ?
			WHERE (instance_id, task_id) IN (
				SELECT instance_id, task_id FROM service_jobs WHERE claimed_until < ?
				ORDER BY created_at, instance_id, task_id LIMIT ?`+s.skipLocked("")+`)
			RETURNING instance_id, task_id, element_id, operator, params, task_data, created_at`,
			now.Add(lease).UTC().Format(dueLayout), now.UTC().Format(dueLayout), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = out[:0]
		for rows.Next() {
			var j ServiceJob
			var created string
			if err := rows.Scan(&j.InstanceID, &j.TaskID, &j.ElementID, &j.Operator, &j.Params, &j.TaskData, &created); err != nil {
				return err
			}
			if j.CreatedAt, err = parseTime(created); err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim service jobs: %w", err)
	}
	slices.SortFunc(out, func(a, b ServiceJob) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		if a.InstanceID != b.InstanceID {
			return int(a.InstanceID - b.InstanceID)
		}
		return a.TaskID - b.TaskID
	})
	return out, nil
}

// ReleaseServiceJob ends the claim on a job that is still owed, so the next
// claim (in any process) takes it again.
func (s *Store) ReleaseServiceJob(ctx context.Context, instanceID int64, taskID int) error {
	if _, err := s.exec(ctx, `UPDATE service_jobs SET claimed_until = '' WHERE instance_id = ? AND task_id = ? AND claimed_until <> ''`, instanceID, taskID); err != nil {
		return fmt.Errorf("release service job %d/%d: %w", instanceID, taskID, err)
	}
	return nil
}
