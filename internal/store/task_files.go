package store

import (
	"context"
	"fmt"
	"time"
)

// TaskFile is a file uploaded through a task form.
type TaskFile struct {
	ID         int64
	InstanceID int64
	TaskID     int
	Field      string
	Name       string
	MimeType   string
	// Digest is the hex SHA-256 of Content; task data refers to it.
	Digest     string
	Size       int64
	Content    []byte
	UploadedBy string
	CreatedAt  time.Time
}

// AddTaskFile stores an uploaded file and returns its id.
func (s *Store) AddTaskFile(ctx context.Context, f TaskFile) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.AddTaskFile(ctx, f)
		return err
	})
	return id, err
}

// AddTaskFile stores an uploaded file in the transaction, so a task's files
// are kept exactly when its completion is.
func (tx *Tx) AddTaskFile(ctx context.Context, f TaskFile) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO task_files (instance_id, task_id, field, name, mime_type, digest, size, content, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.InstanceID, f.TaskID, f.Field, f.Name, f.MimeType, f.Digest, int64(len(f.Content)), f.Content, f.UploadedBy, formatTime(tx.now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store file %q for task %d/%d: %w", f.Name, f.InstanceID, f.TaskID, mapError(err))
	}
	return id, nil
}

// TaskFile returns the first file uploaded with the given digest to an
// instance, with its content.
func (s *Store) TaskFile(ctx context.Context, instanceID int64, digest string) (TaskFile, error) {
	var f TaskFile
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, instance_id, task_id, field, name, mime_type, digest, size, content, uploaded_by, created_at
		FROM task_files WHERE instance_id = ? AND digest = ? ORDER BY id LIMIT 1`, instanceID, digest).
		Scan(&f.ID, &f.InstanceID, &f.TaskID, &f.Field, &f.Name, &f.MimeType, &f.Digest, &f.Size, &f.Content, &f.UploadedBy, &created)
	if err != nil {
		return TaskFile{}, fmt.Errorf("file %s of instance %d: %w", digest, instanceID, mapError(err))
	}
	if f.CreatedAt, err = parseTime(created); err != nil {
		return TaskFile{}, err
	}
	return f, nil
}

// InstanceTaskFiles lists the files uploaded to an instance's tasks, in
// upload order, without their content; a file uploaded twice is listed
// once.
func (s *Store) InstanceTaskFiles(ctx context.Context, instanceID int64) ([]TaskFile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.id, f.task_id, f.field, f.name, f.mime_type, f.digest, f.size, f.uploaded_by, f.created_at
		FROM task_files f WHERE f.instance_id = ? AND f.id = (SELECT min(g.id) FROM task_files g
			WHERE g.instance_id = f.instance_id AND g.task_id = f.task_id AND g.field = f.field AND g.digest = f.digest)
		ORDER BY f.id`, instanceID)
	if err != nil {
		return nil, fmt.Errorf("files of instance %d: %w", instanceID, err)
	}
	defer rows.Close()
	var out []TaskFile
	for rows.Next() {
		f := TaskFile{InstanceID: instanceID}
		var created string
		if err := rows.Scan(&f.ID, &f.TaskID, &f.Field, &f.Name, &f.MimeType, &f.Digest, &f.Size, &f.UploadedBy, &created); err != nil {
			return nil, err
		}
		if f.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
