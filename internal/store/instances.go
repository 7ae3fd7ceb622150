package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Instance statuses as stored.
const (
	StatusRunning    = "running"
	StatusCompleted  = "completed"
	StatusError      = "error"
	StatusTerminated = "terminated"
	StatusSuspended  = "suspended"
)

// Instance is a row of the instances table.
type Instance struct {
	ID          int64
	ModelID     string
	ProcessID   string
	ProcessName string
	Status      string
	StartedBy   string
	StartedAt   time.Time
	UpdatedAt   time.Time
	EndedAt     time.Time // zero while the instance runs
	Version     int64
	Snapshot    []byte
	// The failing task when Status is error.
	ErrorTask    int
	ErrorElement string
	ErrorWhere   string
	ErrorLine    int
	ErrorMessage string
	// DerivedAbsent says which derived tables hold none of the instance's
	// rows (Derived* bits; see DerivedRows). Only Instance reads it; the
	// zero value claims nothing.
	DerivedAbsent int
	// Metadata holds the extracted metadata values (JSON text) by key; only
	// filled by Instances.
	Metadata map[string]string
	// chunkList is the stored snapshot's chunk list as Instance read it
	// ("" for a whole snapshot; see snapshot_chunks.go), so that an update
	// knows whether chunks are left to delete.
	chunkList string
}

const instanceListColumns = `id, model_id, process_id, process_name, status, started_by, started_at, updated_at, ended_at, version,
	error_task, error_element, error_where, error_line, error_message`

func scanInstance(row scanner, withSnapshot bool) (Instance, error) {
	var in Instance
	var started, updated, ended string
	dest := []any{&in.ID, &in.ModelID, &in.ProcessID, &in.ProcessName, &in.Status, &in.StartedBy, &started, &updated, &ended, &in.Version,
		&in.ErrorTask, &in.ErrorElement, &in.ErrorWhere, &in.ErrorLine, &in.ErrorMessage}
	if withSnapshot {
		dest = append(dest, &in.Snapshot, &in.chunkList, &in.DerivedAbsent)
	}
	if err := row.Scan(dest...); err != nil {
		return Instance{}, err
	}
	var err error
	if in.StartedAt, err = parseTime(started); err != nil {
		return Instance{}, fmt.Errorf("instance %d started_at: %w", in.ID, err)
	}
	if in.UpdatedAt, err = parseTime(updated); err != nil {
		return Instance{}, fmt.Errorf("instance %d updated_at: %w", in.ID, err)
	}
	if ended != "" {
		if in.EndedAt, err = parseTime(ended); err != nil {
			return Instance{}, fmt.Errorf("instance %d ended_at: %w", in.ID, err)
		}
	}
	return in, nil
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// Instance returns the instance with the given id, snapshot included.
func (s *Store) Instance(ctx context.Context, id int64) (Instance, error) {
	// A step that commits between reading the row and its chunks changes
	// them; the read then starts again.
	for attempt := 0; ; attempt++ {
		in, err := scanInstance(s.db.QueryRowContext(ctx, `SELECT `+instanceListColumns+`, snapshot, snapshot_chunks, derived_absent FROM instances WHERE id = ?`, id), true)
		if err != nil {
			return Instance{}, fmt.Errorf("instance %d: %w", id, mapError(err))
		}
		if in.chunkList == "" {
			return in, nil
		}
		in.Snapshot, err = s.readChunks(ctx, id, in.Version, in.chunkList)
		if errors.Is(err, errChunksMoved) && attempt < 20 {
			continue
		}
		if err != nil {
			return Instance{}, fmt.Errorf("instance %d: %w", id, err)
		}
		return in, nil
	}
}

// CreateInstance inserts a new instance with version 1 and returns its id.
func (tx *Tx) CreateInstance(ctx context.Context, in Instance) (int64, error) {
	var id int64
	p, err := tx.planSnapshot(ctx, 0, in.Snapshot)
	if err != nil {
		return 0, err
	}
	err = tx.tx.QueryRowContext(ctx, `INSERT INTO instances (model_id, process_id, process_name, status, started_by, started_at, updated_at, ended_at, version, snapshot, snapshot_chunks,
		error_task, error_element, error_where, error_line, error_message, derived_absent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.ModelID, in.ProcessID, in.ProcessName, in.Status, in.StartedBy, formatTime(in.StartedAt), formatTime(in.UpdatedAt), optTime(in.EndedAt), inlineBytes(p), p.list,
		in.ErrorTask, in.ErrorElement, in.ErrorWhere, in.ErrorLine, in.ErrorMessage, in.DerivedAbsent).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create instance of %s: %w", in.ModelID, mapError(err))
	}
	if p.list == "" {
		tx.countSnapshot(len(p.inline))
		return id, nil
	}
	if err := tx.writeChunks(ctx, id, p); err != nil {
		return 0, err
	}
	return id, nil
}

// UpdateInstance writes the instance's state if its stored version is
// still in.Version, and stores version+1. Someone else's write in between
// gives ErrConflict.
//
// A large snapshot is stored in chunks, of which only those the step
// changed are written (snapshot_chunks.go).
func (tx *Tx) UpdateInstance(ctx context.Context, in Instance) error {
	p, err := tx.planSnapshot(ctx, in.ID, in.Snapshot)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE instances SET status = ?, updated_at = ?, ended_at = ?, version = version + 1, snapshot = ?, snapshot_chunks = ?,
		error_task = ?, error_element = ?, error_where = ?, error_line = ?, error_message = ?, derived_absent = ?
		WHERE id = ? AND version = ?`,
		in.Status, formatTime(in.UpdatedAt), optTime(in.EndedAt), inlineBytes(p), p.list,
		in.ErrorTask, in.ErrorElement, in.ErrorWhere, in.ErrorLine, in.ErrorMessage, in.DerivedAbsent, in.ID, in.Version)
	if err != nil {
		return fmt.Errorf("update instance %d: %w", in.ID, mapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update instance %d: %w", in.ID, err)
	}
	if n == 0 {
		var exists int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM instances WHERE id = ?`, in.ID).Scan(&exists); err != nil {
			return fmt.Errorf("update instance %d: %w", in.ID, err)
		}
		if exists == 0 {
			return fmt.Errorf("update instance %d: %w", in.ID, ErrNotFound)
		}
		return fmt.Errorf("instance %d changed since version %d: %w", in.ID, in.Version, ErrConflict)
	}
	if p.list == "" && in.chunkList == "" {
		// Whole before and after: nothing in the chunk table to change.
		tx.countSnapshot(len(p.inline))
		return nil
	}
	return tx.writeChunks(ctx, in.ID, p)
}

// InstanceFilter selects instances for the instance list. Zero fields do
// not filter.
type InstanceFilter struct {
	ModelID   string
	Status    string
	StartedBy string
	// StartedAfter and StartedBefore bound the start time (after is
	// inclusive, before exclusive).
	StartedAfter, StartedBefore time.Time
	// Metadata keeps instances whose metadata value for the key contains
	// the text (case-insensitive).
	MetadataKey, MetadataValue string
	// WaitingFor keeps instances waiting for "task" (a person), "timer",
	// "message" or "signal"; WaitingName narrows messages and signals to
	// one name.
	WaitingFor, WaitingName string
	// VisibleTo limits the list to instances a user started or holds a
	// task in (owner keys as in InboxQuery); nil means no limit (admins).
	VisibleTo *Viewer
	Limit     int
	Offset    int
}

// Viewer is who is looking: the username and the owner keys that match
// them ("user:alice", "user:alice@example.com", "group:approvers").
type Viewer struct {
	Username string
	Keys     []string
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func keyArgs(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// instanceWhere builds the WHERE clause of an instance filter.
func instanceWhere(f InstanceFilter) (string, []any) {
	var where []string
	var args []any
	if f.ModelID != "" {
		where = append(where, `model_id = ?`)
		args = append(args, f.ModelID)
	}
	if f.Status != "" {
		where = append(where, `status = ?`)
		args = append(args, f.Status)
	}
	if f.StartedBy != "" {
		where = append(where, `started_by = ?`)
		args = append(args, f.StartedBy)
	}
	if !f.StartedAfter.IsZero() {
		where = append(where, `started_at >= ?`)
		args = append(args, formatTime(f.StartedAfter))
	}
	if !f.StartedBefore.IsZero() {
		where = append(where, `started_at < ?`)
		args = append(args, formatTime(f.StartedBefore))
	}
	if f.MetadataKey != "" {
		where = append(where, `id IN (SELECT instance_id FROM instance_metadata WHERE key = ? AND lower(value) LIKE ?)`)
		args = append(args, f.MetadataKey, "%"+strings.ToLower(f.MetadataValue)+"%")
	}
	switch f.WaitingFor {
	case "task":
		where = append(where, `id IN (SELECT instance_id FROM human_tasks WHERE state = 'open')`)
	case "timer":
		where = append(where, `id IN (SELECT instance_id FROM timers)`)
	case "message", "signal":
		cond := `id IN (SELECT instance_id FROM message_subscriptions WHERE kind = ?`
		args = append(args, f.WaitingFor)
		if f.WaitingName != "" {
			cond += ` AND name = ?`
			args = append(args, f.WaitingName)
		}
		where = append(where, cond+`)`)
	}
	if v := f.VisibleTo; v != nil {
		cond := `started_by = ?`
		args = append(args, v.Username)
		if len(v.Keys) > 0 {
			cond += ` OR id IN (SELECT instance_id FROM human_task_owners WHERE owner IN (` + placeholders(len(v.Keys)) + `))`
			args = append(args, keyArgs(v.Keys)...)
		}
		where = append(where, `(`+cond+`)`)
	}
	clause := ""
	if len(where) > 0 {
		clause = ` WHERE ` + strings.Join(where, ` AND `)
	}
	return clause, args
}

// InstanceMetadataKeys lists the metadata keys of every instance the
// filter matches (not only one page), so a list shows the same columns
// on every page.
func (s *Store) InstanceMetadataKeys(ctx context.Context, f InstanceFilter) ([]string, error) {
	clause, args := instanceWhere(f)
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT key FROM instance_metadata WHERE instance_id IN (SELECT id FROM instances`+clause+`) ORDER BY key`, args...)
	if err != nil {
		return nil, fmt.Errorf("instance metadata keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Instances lists instances newest first with their metadata, and the
// number of instances the filter matches.
func (s *Store) Instances(ctx context.Context, f InstanceFilter) ([]Instance, int, error) {
	clause, args := instanceWhere(f)
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM instances`+clause, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count instances: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+instanceListColumns+` FROM instances`+clause+` ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	defer rows.Close()
	var out []Instance
	byID := map[int64]int{}
	for rows.Next() {
		in, err := scanInstance(rows, false)
		if err != nil {
			return nil, 0, err
		}
		byID[in.ID] = len(out)
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]any, 0, len(out))
	for _, in := range out {
		ids = append(ids, in.ID)
	}
	mrows, err := s.db.QueryContext(ctx, `SELECT instance_id, key, value FROM instance_metadata WHERE instance_id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("list instance metadata: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var id int64
		var k, v string
		if err := mrows.Scan(&id, &k, &v); err != nil {
			return nil, 0, err
		}
		in := &out[byID[id]]
		if in.Metadata == nil {
			in.Metadata = map[string]string{}
		}
		in.Metadata[k] = v
	}
	return out, total, mrows.Err()
}

// InstanceMetadata returns the extracted metadata values of one instance.
func (s *Store) InstanceMetadata(ctx context.Context, instanceID int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM instance_metadata WHERE instance_id = ? ORDER BY key`, instanceID)
	if err != nil {
		return nil, fmt.Errorf("metadata of instance %d: %w", instanceID, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// ActiveInstanceIDs returns the ids of instances that are neither finished
// nor suspended (running or in error), oldest first.
func (s *Store) ActiveInstanceIDs(ctx context.Context) ([]int64, error) {
	return queryIDs(ctx, s.db, `SELECT id FROM instances WHERE status IN ('running', 'error') ORDER BY id`)
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// inlineBytes is the value of instances.snapshot: the whole snapshot, or
// an empty one when it is stored in chunks (the column is NOT NULL).
func inlineBytes(p storedSnapshot) []byte {
	if p.inline == nil {
		return []byte{}
	}
	return p.inline
}
