package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// PermissionRule is a permission rule added in the app.
type PermissionRule struct {
	ID        int64
	Name      string
	Groups    []string
	Users     []string
	Actions   []string
	URI       string
	CreatedBy string
	CreatedAt time.Time
}

// PermissionRules lists the rules added in the app, by name.
func (s *Store) PermissionRules(ctx context.Context) ([]PermissionRule, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, name, groups, users, actions, uri, created_by, created_at
		FROM permission_rules ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list permission rules: %w", err)
	}
	defer rows.Close()
	var out []PermissionRule
	for rows.Next() {
		var r PermissionRule
		var groups, users, actions, created string
		if err := rows.Scan(&r.ID, &r.Name, &groups, &users, &actions, &r.URI, &r.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("list permission rules: %w", err)
		}
		for _, f := range []struct {
			col string
			dst *[]string
		}{{groups, &r.Groups}, {users, &r.Users}, {actions, &r.Actions}} {
			if err := json.Unmarshal([]byte(f.col), f.dst); err != nil {
				return nil, fmt.Errorf("permission rule %q: %w", r.Name, err)
			}
		}
		if r.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("permission rule %q: %w", r.Name, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreatePermissionRule stores a rule; a taken name gives ErrConflict.
func (s *Store) CreatePermissionRule(ctx context.Context, r PermissionRule) (PermissionRule, error) {
	list := func(v []string) string {
		if v == nil {
			v = []string{}
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	err := s.writeRow(ctx, `
		INSERT INTO permission_rules (name, groups, users, actions, uri, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{r.Name, list(r.Groups), list(r.Users), list(r.Actions), r.URI, r.CreatedBy, formatTime(r.CreatedAt)}, &r.ID)
	if err != nil {
		return PermissionRule{}, fmt.Errorf("create permission rule %q: %w", r.Name, mapError(err))
	}
	return r, nil
}

// DeletePermissionRule deletes a rule by id and returns its name; a
// missing rule gives ErrNotFound.
func (s *Store) DeletePermissionRule(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.tx.QueryRowContext(ctx, `SELECT name FROM permission_rules WHERE id = ?`, id).Scan(&name); err != nil {
			return fmt.Errorf("permission rule %d: %w", id, mapError(err))
		}
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM permission_rules WHERE id = ?`, id)
		return err
	})
	return name, err
}
