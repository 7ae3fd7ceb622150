package store

import (
	"context"
	"fmt"
	"time"
)

// OutboxMessage is a message or signal waiting in the outbox for the
// router to deliver it.
type OutboxMessage struct {
	ID   int64
	Kind string // message or signal
	Name string
	// Payload is JSON text.
	Payload      string
	FromInstance int64 // 0 when sent from outside
	FromElement  string
	// SentBy is the user whose action sent it; an instance it starts is
	// started by them.
	SentBy    string
	CreatedAt time.Time
	// ExpiresAt is when an undelivered message is dropped; a message whose
	// ExpiresAt is not after CreatedAt is tried once.
	ExpiresAt time.Time
}

// AddOutboxMessage records a thrown message or signal for the router and
// returns its id. It runs in the transaction of the step that threw it.
func (tx *Tx) AddOutboxMessage(ctx context.Context, m OutboxMessage) (int64, error) {
	if m.Kind != "message" && m.Kind != "signal" {
		return 0, fmt.Errorf("outbox: kind %q is neither message nor signal", m.Kind)
	}
	if m.Name == "" {
		return 0, fmt.Errorf("outbox: %s without a name", m.Kind)
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO message_outbox (kind, name, payload, from_instance, from_element, sent_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.Kind, m.Name, m.Payload, m.FromInstance, m.FromElement, m.SentBy, m.CreatedAt.UTC().Format(dueLayout), m.ExpiresAt.UTC().Format(dueLayout)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add %s %q to the outbox: %w", m.Kind, m.Name, mapError(err))
	}
	return id, nil
}

// ConsumeOutboxMessage deletes a message in the transaction of the step
// that consumed it. If another transaction consumed it first it fails with
// ErrConflict, so the step that would have consumed it twice rolls back.
func (tx *Tx) ConsumeOutboxMessage(ctx context.Context, id int64) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM message_outbox WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("consume outbox message %d: %w", id, mapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("consume outbox message %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("outbox message %d was consumed meanwhile: %w", id, ErrConflict)
	}
	return nil
}

// DeleteOutboxMessage drops a message no one consumed (expired, or a
// signal that has reached every receiver). Deleting one already gone is
// not an error.
func (s *Store) DeleteOutboxMessage(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `DELETE FROM message_outbox WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete outbox message %d: %w", id, err)
	}
	// Ids are never reused, so deliveries left by a crash here are inert.
	if _, err := s.exec(ctx, `DELETE FROM signal_deliveries WHERE outbox_id = ?`, id); err != nil {
		return fmt.Errorf("delete deliveries of outbox message %d: %w", id, err)
	}
	return nil
}

// OutboxMessages lists up to limit messages still to deliver, oldest
// first.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, name, payload, from_instance, from_element, sent_by, created_at, expires_at
		FROM message_outbox ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var created, expires string
		if err := rows.Scan(&m.ID, &m.Kind, &m.Name, &m.Payload, &m.FromInstance, &m.FromElement, &m.SentBy, &created, &expires); err != nil {
			return nil, err
		}
		if m.CreatedAt, err = time.Parse(dueLayout, created); err != nil {
			return nil, fmt.Errorf("outbox message %d: %w", m.ID, err)
		}
		if m.ExpiresAt, err = time.Parse(dueLayout, expires); err != nil {
			return nil, fmt.Errorf("outbox message %d: %w", m.ID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// RecordSignalDelivery records, in the transaction of the step a signal
// caused, that it reached target (an instance or a started process). A
// target already recorded fails with ErrConflict.
func (tx *Tx) RecordSignalDelivery(ctx context.Context, outboxID int64, target string) error {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO signal_deliveries (outbox_id, target) VALUES (?, ?) ON CONFLICT DO NOTHING`, outboxID, target)
	if err != nil {
		return fmt.Errorf("record signal %d reaching %s: %w", outboxID, target, mapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("signal %d already reached %s: %w", outboxID, target, ErrConflict)
	}
	return nil
}

// SignalDeliveries returns the targets a signal in the outbox has reached.
func (s *Store) SignalDeliveries(ctx context.Context, outboxID int64) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT target FROM signal_deliveries WHERE outbox_id = ?`, outboxID)
	if err != nil {
		return nil, fmt.Errorf("deliveries of signal %d: %w", outboxID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out[t] = true
	}
	return out, rows.Err()
}
