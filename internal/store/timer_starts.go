package store

import (
	"context"
	"fmt"
	"time"
)

// TimerStart is the schedule of one timer start event.
type TimerStart struct {
	ModelID, ProcessID, ElementID string
	// Definition is the timer it was scheduled from (type and expression);
	// a different one reschedules it.
	Definition string
	// NextDue is zero once the timer will not fire again.
	NextDue time.Time
	// Remaining fires of a cycle (-1 unbounded); Period its interval.
	Remaining int
	Period    time.Duration
}

func (t TimerStart) key() string { return t.ModelID + "/" + t.ProcessID + "#" + t.ElementID }

func dueText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dueLayout)
}

// TimerStarts lists every scheduled timer start event.
func (s *Store) TimerStarts(ctx context.Context) ([]TimerStart, error) {
	return s.timerStarts(ctx, `SELECT model_id, process_id, element_id, definition, next_due, remaining, period_ms FROM timer_starts
		ORDER BY model_id, process_id, element_id`)
}

// DueTimerStarts lists up to limit timer start events due at or before
// now, earliest first.
func (s *Store) DueTimerStarts(ctx context.Context, now time.Time, limit int) ([]TimerStart, error) {
	return s.timerStarts(ctx, `SELECT model_id, process_id, element_id, definition, next_due, remaining, period_ms FROM timer_starts
		WHERE next_due <> '' AND next_due <= ? ORDER BY next_due LIMIT ?`, now.UTC().Format(dueLayout), limit)
}

func (s *Store) timerStarts(ctx context.Context, q string, args ...any) ([]TimerStart, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("timer starts: %w", err)
	}
	defer rows.Close()
	var out []TimerStart
	for rows.Next() {
		var t TimerStart
		var due string
		var period int64
		if err := rows.Scan(&t.ModelID, &t.ProcessID, &t.ElementID, &t.Definition, &due, &t.Remaining, &period); err != nil {
			return nil, err
		}
		if due != "" {
			if t.NextDue, err = time.Parse(dueLayout, due); err != nil {
				return nil, fmt.Errorf("timer start %s: %w", t.key(), err)
			}
		}
		t.Period = time.Duration(period) * time.Millisecond
		out = append(out, t)
	}
	return out, rows.Err()
}

// PutTimerStart schedules a timer start event, replacing its schedule.
func (s *Store) PutTimerStart(ctx context.Context, t TimerStart) error {
	_, err := s.exec(ctx, `INSERT INTO timer_starts (model_id, process_id, element_id, definition, next_due, remaining, period_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model_id, process_id, element_id) DO UPDATE SET definition = excluded.definition,
		next_due = excluded.next_due, remaining = excluded.remaining, period_ms = excluded.period_ms`,
		t.ModelID, t.ProcessID, t.ElementID, t.Definition, dueText(t.NextDue), t.Remaining, t.Period.Milliseconds())
	if err != nil {
		return fmt.Errorf("schedule timer start %s: %w", t.key(), mapError(err))
	}
	return nil
}

// DeleteTimerStart drops the schedule of a timer start event that is gone.
func (s *Store) DeleteTimerStart(ctx context.Context, t TimerStart) error {
	if _, err := s.exec(ctx, `DELETE FROM timer_starts WHERE model_id = ? AND process_id = ? AND element_id = ?`,
		t.ModelID, t.ProcessID, t.ElementID); err != nil {
		return fmt.Errorf("unschedule timer start %s: %w", t.key(), err)
	}
	return nil
}

// AdvanceTimerStart moves a timer start event from the due time t.NextDue
// to next (zero: it will not fire again) with remaining fires left, in the
// transaction that starts the instance for t.NextDue. If the due time was
// taken meanwhile (another tick or process started it, or the model
// rescheduled it) it fails with ErrConflict.
func (tx *Tx) AdvanceTimerStart(ctx context.Context, t TimerStart, next time.Time, remaining int) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE timer_starts SET next_due = ?, remaining = ?
		WHERE model_id = ? AND process_id = ? AND element_id = ? AND next_due = ? AND definition = ?`,
		dueText(next), remaining, t.ModelID, t.ProcessID, t.ElementID, dueText(t.NextDue), t.Definition)
	if err != nil {
		return fmt.Errorf("advance timer start %s: %w", t.key(), mapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("timer start %s due %s was started or rescheduled meanwhile: %w", t.key(), dueText(t.NextDue), ErrConflict)
	}
	return nil
}
