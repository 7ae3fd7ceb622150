package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// DerivedRows is what the rows a step derives from an instance hold as
// stored: its waiting timers, its message and signal subscriptions, its
// extracted metadata and the metadata its scripts saved. Only the steps of
// the instance write them, each in the transaction that moves the
// instance's version on, so rows read after the instance's row belong to
// that version or to a later one, which the step's version check then
// refuses. A step hands them to the Set* writes below, and the single
// writer writes what changed without reading them again.
type DerivedRows struct {
	Timers         []string // rowKey(task id, element id, due)
	Subscriptions  []string // rowKey(task id, element id, kind, name)
	Metadata       map[string]string
	ScriptMetadata map[string]string
}

// TimerKeys and SubscriptionKeys give the keys Set* compare.
func TimerKeys(timers []Timer) []string {
	out := make([]string, len(timers))
	for i, t := range timers {
		out[i] = rowKey(t.TaskID, t.ElementID, t.DueAt.UTC().Format(dueLayout))
	}
	return out
}

func SubscriptionKeys(subs []Subscription) []string {
	out := make([]string, len(subs))
	for i, m := range subs {
		out[i] = rowKey(m.TaskID, m.ElementID, m.Kind, m.Name)
	}
	return out
}

// The derived tables, as bits of Instance.DerivedAbsent.
const (
	DerivedTimers = 1 << iota
	DerivedSubscriptions
	DerivedMetadata
	DerivedScriptMetadata
	derivedAll = DerivedTimers | DerivedSubscriptions | DerivedMetadata | DerivedScriptMetadata
)

// Absent says which derived tables hold none of the rows d describes.
func (d *DerivedRows) Absent() int {
	a := 0
	if len(d.Timers) == 0 {
		a |= DerivedTimers
	}
	if len(d.Subscriptions) == 0 {
		a |= DerivedSubscriptions
	}
	if len(d.Metadata) == 0 {
		a |= DerivedMetadata
	}
	if len(d.ScriptMetadata) == 0 {
		a |= DerivedScriptMetadata
	}
	return a
}

// derivedParts read each kind; derivedQueries[absent] reads, in one
// statement, the kinds not in absent.
var derivedParts = [...]struct {
	bit   int
	query string
}{
	{DerivedTimers, `SELECT 't', task_id, element_id, due_at, '' FROM timers WHERE instance_id = ?`},
	{DerivedSubscriptions, `SELECT 's', task_id, element_id, kind, name FROM message_subscriptions WHERE instance_id = ?`},
	{DerivedMetadata, `SELECT 'm', 0, key, value, '' FROM instance_metadata WHERE instance_id = ?`},
	{DerivedScriptMetadata, `SELECT 'x', 0, key, value, '' FROM instance_script_metadata WHERE instance_id = ?`},
}

var derivedQueries = func() (out [derivedAll + 1]struct {
	query string
	args  int
}) {
	for absent := range out {
		var parts []string
		for _, p := range derivedParts {
			if absent&p.bit == 0 {
				parts = append(parts, p.query)
			}
		}
		out[absent].query, out[absent].args = strings.Join(parts, " UNION ALL "), len(parts)
	}
	return out
}()

// DerivedRows reads an instance's derived rows through the read pool,
// skipping the tables absent (from Instance.DerivedAbsent) says hold none.
func (s *Store) DerivedRows(ctx context.Context, instanceID int64, absent int) (*DerivedRows, error) {
	q := derivedQueries[absent&derivedAll]
	if q.args == 0 {
		return &DerivedRows{}, nil
	}
	args := make([]any, q.args)
	for i := range args {
		args[i] = instanceID
	}
	rows, err := s.db.QueryContext(ctx, q.query, args...)
	return scanDerivedRows(instanceID, rows, err)
}

// DerivedRows reads all of an instance's derived rows in the transaction.
func (tx *Tx) DerivedRows(ctx context.Context, instanceID int64) (*DerivedRows, error) {
	q := derivedQueries[0]
	rows, err := tx.tx.QueryContext(ctx, q.query, instanceID, instanceID, instanceID, instanceID)
	return scanDerivedRows(instanceID, rows, err)
}

func scanDerivedRows(instanceID int64, rows *sql.Rows, err error) (*DerivedRows, error) {
	if err != nil {
		return nil, fmt.Errorf("derived rows of instance %d: %w", instanceID, err)
	}
	defer rows.Close()
	d := &DerivedRows{}
	for rows.Next() {
		var kind, a, b, c string
		var task int64
		if err := rows.Scan(&kind, &task, &a, &b, &c); err != nil {
			return nil, fmt.Errorf("derived rows of instance %d: %w", instanceID, err)
		}
		switch kind {
		case "t":
			d.Timers = append(d.Timers, rowKey(task, a, b))
		case "s":
			d.Subscriptions = append(d.Subscriptions, rowKey(task, a, b, c))
		case "m":
			if d.Metadata == nil {
				d.Metadata = map[string]string{}
			}
			d.Metadata[a] = b
		case "x":
			if d.ScriptMetadata == nil {
				d.ScriptMetadata = map[string]string{}
			}
			d.ScriptMetadata[a] = b
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("derived rows of instance %d: %w", instanceID, err)
	}
	return d, nil
}

// sameKeys reports whether two lists hold the same keys, in any order and
// ignoring repeats.
func sameKeys(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// SetTimers replaces the waiting timers of an instance whose stored
// timers have the keys have; it writes nothing when they are the same.
func (tx *Tx) SetTimers(ctx context.Context, instanceID int64, have []string, timers []Timer) error {
	if sameKeys(have, TimerKeys(timers)) {
		return nil
	}
	if len(have) > 0 {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM timers WHERE instance_id = ?`, instanceID); err != nil {
			return fmt.Errorf("clear timers of instance %d: %w", instanceID, err)
		}
	}
	for _, t := range timers {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO timers (instance_id, task_id, element_id, due_at) VALUES (?, ?, ?, ?)`,
			instanceID, t.TaskID, t.ElementID, t.DueAt.UTC().Format(dueLayout)); err != nil {
			return fmt.Errorf("add timer %s of instance %d: %w", t.ElementID, instanceID, mapError(err))
		}
	}
	return nil
}

// SetSubscriptions replaces the subscriptions of an instance whose stored
// subscriptions have the keys have; it writes nothing when they are the
// same.
func (tx *Tx) SetSubscriptions(ctx context.Context, instanceID int64, have []string, subs []Subscription) error {
	if sameKeys(have, SubscriptionKeys(subs)) {
		return nil
	}
	if len(have) > 0 {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM message_subscriptions WHERE instance_id = ?`, instanceID); err != nil {
			return fmt.Errorf("clear subscriptions of instance %d: %w", instanceID, err)
		}
	}
	for _, m := range subs {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO message_subscriptions (instance_id, task_id, element_id, kind, name) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			instanceID, m.TaskID, m.ElementID, m.Kind, m.Name); err != nil {
			return fmt.Errorf("add subscription %s %q of instance %d: %w", m.Kind, m.Name, instanceID, mapError(err))
		}
	}
	return nil
}

// SetMetadata writes the instance's extracted metadata values (JSON text
// by key) over the stored values have: keys that went are deleted, new
// and changed values upserted, unchanged rows left alone (a row deleted
// and inserted again still costs its pages in the log).
func (tx *Tx) SetMetadata(ctx context.Context, instanceID int64, have, values map[string]string) error {
	gone := make([]string, 0, len(have))
	for k := range have {
		if _, ok := values[k]; !ok {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM instance_metadata WHERE instance_id = ? AND key = ?`, instanceID, k); err != nil {
			return fmt.Errorf("clear metadata %s of instance %d: %w", k, instanceID, err)
		}
	}
	keys := make([]string, 0, len(values))
	for k, v := range values {
		if old, ok := have[k]; !ok || old != v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO instance_metadata (instance_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value`, instanceID, k, values[k]); err != nil {
			return fmt.Errorf("set metadata %s of instance %d: %w", k, instanceID, err)
		}
	}
	return nil
}
