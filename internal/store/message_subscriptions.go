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
