package store

import (
	"context"
	"fmt"
)

// Subscription is a message or signal an instance waits for.
type Subscription struct {
	InstanceID int64
	TaskID     int
	ElementID  string
	Kind       string // message or signal
	Name       string
}

// ReplaceSubscriptions replaces the message and signal subscriptions of an
// instance.
func (tx *Tx) ReplaceSubscriptions(ctx context.Context, instanceID int64, subs []Subscription) error {
	want := make([]string, len(subs))
	for i, m := range subs {
		want[i] = rowKey(m.TaskID, m.ElementID, m.Kind, m.Name)
	}
	if same, err := tx.sameRows(ctx, want, `SELECT task_id, element_id, kind, name FROM message_subscriptions WHERE instance_id = ?`, instanceID); err != nil || same {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM message_subscriptions WHERE instance_id = ?`, instanceID); err != nil {
		return fmt.Errorf("clear subscriptions of instance %d: %w", instanceID, err)
	}
	for _, m := range subs {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO message_subscriptions (instance_id, task_id, element_id, kind, name) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			instanceID, m.TaskID, m.ElementID, m.Kind, m.Name); err != nil {
			return fmt.Errorf("add subscription %s %q of instance %d: %w", m.Kind, m.Name, instanceID, mapError(err))
		}
	}
	return nil
}

// InstanceSubscriptions lists what an instance waits for.
func (s *Store) InstanceSubscriptions(ctx context.Context, instanceID int64) ([]Subscription, error) {
	return s.subscriptions(ctx, `SELECT instance_id, task_id, element_id, kind, name FROM message_subscriptions WHERE instance_id = ? ORDER BY task_id`, instanceID)
}

// Subscribers lists the running instances waiting for a message or signal
// with the given name, oldest first.
func (s *Store) Subscribers(ctx context.Context, kind, name string) ([]Subscription, error) {
	return s.subscriptions(ctx, `SELECT m.instance_id, m.task_id, m.element_id, m.kind, m.name FROM message_subscriptions m
		JOIN instances i ON i.id = m.instance_id WHERE m.kind = ? AND m.name = ? AND i.status = 'running' ORDER BY m.instance_id, m.task_id`, kind, name)
}

func (s *Store) subscriptions(ctx context.Context, query string, args ...any) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("message subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		var m Subscription
		if err := rows.Scan(&m.InstanceID, &m.TaskID, &m.ElementID, &m.Kind, &m.Name); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
