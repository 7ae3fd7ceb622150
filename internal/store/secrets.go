package store

import (
	"context"
	"fmt"
	"time"
)

// Secret is a row of the secrets table. Value is the encrypted value;
// internal/secrets encrypts and decrypts it.
type Secret struct {
	Name      string
	Value     []byte
	CreatedBy string
	CreatedAt time.Time
	UpdatedBy string
	UpdatedAt time.Time
}

// PutSecret creates the secret or replaces its value.
func (s *Store) PutSecret(ctx context.Context, name string, value []byte, by string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		now := formatTime(tx.now)
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO secrets (name, value, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			name, value, by, now, by, now)
		if err != nil {
			return fmt.Errorf("store secret %s: %w", name, mapError(err))
		}
		return nil
	})
}

// Secret returns one secret with its encrypted value.
func (s *Store) Secret(ctx context.Context, name string) (Secret, error) {
	var sec Secret
	var created, updated string
	err := s.db.QueryRowContext(ctx, `SELECT name, value, created_by, created_at, updated_by, updated_at FROM secrets WHERE name = ?`, name).
		Scan(&sec.Name, &sec.Value, &sec.CreatedBy, &created, &sec.UpdatedBy, &updated)
	if err != nil {
		return Secret{}, fmt.Errorf("secret %s: %w", name, mapError(err))
	}
	if sec.CreatedAt, err = parseTime(created); err != nil {
		return Secret{}, err
	}
	if sec.UpdatedAt, err = parseTime(updated); err != nil {
		return Secret{}, err
	}
	return sec, nil
}

// Secrets lists the secrets by name, without their values.
func (s *Store) Secrets(ctx context.Context) ([]Secret, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, created_by, created_at, updated_by, updated_at FROM secrets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	defer rows.Close()
	var out []Secret
	for rows.Next() {
		var sec Secret
		var created, updated string
		if err := rows.Scan(&sec.Name, &sec.CreatedBy, &created, &sec.UpdatedBy, &updated); err != nil {
			return nil, err
		}
		if sec.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if sec.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, rows.Err()
}

// DeleteSecret removes a secret; ErrNotFound when there is none.
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM secrets WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("delete secret %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("secret %s: %w", name, ErrNotFound)
		}
		return nil
	})
}
