package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Event is one entry of an instance's append-only event log.
type Event struct {
	ID         int64
	InstanceID int64
	TaskID     int
	ElementID  string
	// Event names what happened: a task state ("READY", "COMPLETED", ...)
	// or an instance action ("started", "suspended", "refused", ...).
	Event    string
	Detail   string
	Username string
	At       time.Time
}

// AppendEvents adds entries to the event log, up to eventsPerInsert rows
// a statement (a step logs several).
func (tx *Tx) AppendEvents(ctx context.Context, events []Event) error {
	for len(events) > 0 {
		n := min(len(events), eventsPerInsert)
		args := make([]any, 0, 7*n)
		for _, e := range events[:n] {
			args = append(args, e.InstanceID, e.TaskID, e.ElementID, e.Event, e.Detail, e.Username, formatTime(e.At))
		}
		if _, err := tx.tx.ExecContext(ctx, eventInserts[n], args...); err != nil {
			return fmt.Errorf("append event %s of instance %d: %w", events[0].Event, events[0].InstanceID, mapError(err))
		}
		events = events[n:]
	}
	return nil
}

// eventsPerInsert bounds the rows of one INSERT, and so the statements
// the connections keep compiled for it.
const eventsPerInsert = 8

// eventInserts[n] inserts n events.
var eventInserts = func() [eventsPerInsert + 1]string {
	var out [eventsPerInsert + 1]string
	for n := 1; n <= eventsPerInsert; n++ {
		out[n] = `INSERT INTO event_log (instance_id, task_id, element_id, event, detail, username, at) VALUES ` +
			strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?), `, n), ", ")
	}
	return out
}()

// AppendEvent adds one entry to the event log in its own transaction.
func (s *Store) AppendEvent(ctx context.Context, e Event) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.AppendEvents(ctx, []Event{e}) })
}

// InstanceEvents returns an instance's event log, oldest first.
func (s *Store) InstanceEvents(ctx context.Context, instanceID int64) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, instance_id, task_id, element_id, event, detail, username, at FROM event_log WHERE instance_id = ? ORDER BY id`, instanceID)
	if err != nil {
		return nil, fmt.Errorf("event log of instance %d: %w", instanceID, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ID, &e.InstanceID, &e.TaskID, &e.ElementID, &e.Event, &e.Detail, &e.Username, &at); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
