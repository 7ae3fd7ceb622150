package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The rows script helpers read and write (migration 0180).

// SaveScriptMetadata sets metadata values a script saved (JSON text by
// key), replacing earlier values of the same keys.
func (tx *Tx) SaveScriptMetadata(ctx context.Context, instanceID int64, values map[string]string) error {
	for k, v := range values {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO instance_script_metadata (instance_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value`, instanceID, k, v); err != nil {
			return fmt.Errorf("save metadata %s of instance %d: %w", k, instanceID, err)
		}
	}
	return nil
}

// UserProperties returns a user's properties by key, decoded from JSON;
// an unknown user has none.
func (s *Store) UserProperties(ctx context.Context, username string) (map[string]any, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT p.key, p.value FROM user_properties p JOIN users u ON u.id = p.user_id
		WHERE u.username = ? ORDER BY p.key`, username)
	if err != nil {
		return nil, fmt.Errorf("properties of user %q: %w", username, err)
	}
	defer rows.Close()
	out := map[string]any{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("properties of user %q: %w", username, err)
		}
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			return nil, fmt.Errorf("property %s of user %q: %w", k, username, err)
		}
		out[k] = x
	}
	return out, rows.Err()
}

// SetUserProperties sets properties (JSON text by key) of the named user;
// an unknown user gives ErrNotFound.
func (tx *Tx) SetUserProperties(ctx context.Context, username string, values map[string]string) error {
	u, err := tx.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	for k, v := range values {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO user_properties (user_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value`, u.ID, k, v); err != nil {
			return fmt.Errorf("set property %s of user %q: %w", k, username, err)
		}
	}
	return nil
}

// CountStartedBy counts the instances of a model a user started.
func (s *Store) CountStartedBy(ctx context.Context, modelID, username string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM instances WHERE model_id = ? AND started_by = ?`, modelID, username).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count instances of %s started by %q: %w", modelID, username, err)
	}
	return n, nil
}

// ReserveInstance creates an instance row before its first step is
// saved, so the step's scripts can learn its id; the step then saves it
// as any other step does (version 1). DeleteReservedInstance removes it
// again when that step is not saved.
func (s *Store) ReserveInstance(ctx context.Context, in Instance) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateInstance(ctx, in)
		return err
	})
	return id, err
}

// DeleteReservedInstance deletes an instance that ReserveInstance made and
// no step has saved since (its version is still 1).
func (s *Store) DeleteReservedInstance(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ? AND version = 1`, id)
		return err
	})
}

// InstanceCriteria selects instances to delete, as SpiffArena's
// delete_process_instances_with_criteria does: any of Statuses, last
// updated before UpdatedBefore, of Model when set, not of ExcludeModels,
// and of no model starting with one of ExcludePrefixes.
type InstanceCriteria struct {
	Statuses        []string
	UpdatedBefore   time.Time
	Model           string
	ExcludeModels   []string
	ExcludePrefixes []string
}

// InstancesMatching lists up to limit instances (id, model and status
// only) that match any of the criteria, oldest first, never the instance
// keep.
func (s *Store) InstancesMatching(ctx context.Context, criteria []InstanceCriteria, keep int64, limit int) ([]Instance, error) {
	if len(criteria) == 0 || limit <= 0 {
		return nil, nil
	}
	var ors []string
	var args []any
	for _, c := range criteria {
		if len(c.Statuses) == 0 {
			continue
		}
		conds := []string{"status IN (" + placeholders(len(c.Statuses)) + ")", "updated_at < ?"}
		for _, st := range c.Statuses {
			args = append(args, st)
		}
		args = append(args, formatTime(c.UpdatedBefore))
		if c.Model != "" {
			conds = append(conds, "model_id = ?")
			args = append(args, c.Model)
		}
		if len(c.ExcludeModels) > 0 {
			conds = append(conds, "model_id NOT IN ("+placeholders(len(c.ExcludeModels))+")")
			for _, m := range c.ExcludeModels {
				args = append(args, m)
			}
		}
		for _, p := range c.ExcludePrefixes {
			// substr rather than LIKE: a model id may hold _ and %.
			conds = append(conds, "substr(model_id, 1, ?) <> ?")
			args = append(args, len(p), p)
		}
		ors = append(ors, "("+strings.Join(conds, " AND ")+")")
	}
	if len(ors) == 0 {
		return nil, nil
	}
	args = append(args, keep, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT id, model_id, status FROM instances WHERE (`+strings.Join(ors, " OR ")+`) AND id <> ?
		ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("instances matching criteria: %w", err)
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		var in Instance
		if err := rows.Scan(&in.ID, &in.ModelID, &in.Status); err != nil {
			return nil, fmt.Errorf("instances matching criteria: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// DeleteInstances deletes instances and every row derived from them.
func (tx *Tx) DeleteInstances(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete instance %d: %w", id, err)
		}
	}
	return nil
}
