package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// FileVersion is one saved version of a model repository file.
type FileVersion struct {
	ID      int64
	ModelID string
	File    string
	Version int
	Author  string
	Action  string
	Size    int64
	SHA256  string
	Created time.Time
	// Content is filled by FileVersionContent only.
	Content []byte
}

const fileVersionColumns = `id, model_id, file, version, author, action, size, sha256, created_at`

// AddFileVersion records content as the next version of the file and
// returns it. Size and hash are computed here.
func (s *Store) AddFileVersion(ctx context.Context, modelID, file, author, action string, content []byte) (FileVersion, error) {
	sum := sha256.Sum256(content)
	v := FileVersion{ModelID: modelID, File: file, Author: author, Action: action,
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM model_file_versions
			WHERE model_id = ? AND file = ?`, modelID, file).Scan(&v.Version); err != nil {
			return err
		}
		v.Created = tx.now
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO model_file_versions
			(model_id, file, version, author, action, size, sha256, content, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			modelID, file, v.Version, author, action, v.Size, v.SHA256, content, formatTime(tx.now))
		if err != nil {
			return mapError(err)
		}
		v.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return FileVersion{}, fmt.Errorf("record version of %s/%s: %w", modelID, file, err)
	}
	return v, nil
}

// FileVersions lists the versions of a file, newest first, without content.
func (s *Store) FileVersions(ctx context.Context, modelID, file string) ([]FileVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+fileVersionColumns+` FROM model_file_versions
		WHERE model_id = ? AND file = ? ORDER BY version DESC`, modelID, file)
	if err != nil {
		return nil, fmt.Errorf("versions of %s/%s: %w", modelID, file, err)
	}
	defer rows.Close()
	out := []FileVersion{}
	for rows.Next() {
		v, err := scanFileVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FileVersionContent returns one version with its content.
func (s *Store) FileVersionContent(ctx context.Context, modelID, file string, version int) (FileVersion, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+fileVersionColumns+`, content FROM model_file_versions
		WHERE model_id = ? AND file = ? AND version = ?`, modelID, file, version)
	var v FileVersion
	var created string
	if err := row.Scan(&v.ID, &v.ModelID, &v.File, &v.Version, &v.Author, &v.Action, &v.Size, &v.SHA256, &created, &v.Content); err != nil {
		return FileVersion{}, fmt.Errorf("version %d of %s/%s: %w", version, modelID, file, mapError(err))
	}
	var err error
	if v.Created, err = parseTime(created); err != nil {
		return FileVersion{}, fmt.Errorf("version %d of %s/%s created_at: %w", version, modelID, file, err)
	}
	return v, nil
}

// MoveFileHistory re-keys the history of one file to a new model id and
// file name, after a rename. See MoveHistory for numbering.
func (s *Store) MoveFileHistory(ctx context.Context, oldModel, oldFile, newModel, newFile string) error {
	err := s.InTx(ctx, func(tx *Tx) error {
		return moveFileHistory(ctx, tx, oldModel, oldFile, newModel, newFile)
	})
	if err != nil {
		return fmt.Errorf("move history of %s/%s: %w", oldModel, oldFile, err)
	}
	return nil
}

// MoveHistory re-keys the history of a model or group after it is renamed
// or moved: the rows of oldID and, with subtree (a group), of every id
// under oldID+"/" get newID in place of oldID. A file that already has
// history at the new place (something deleted there earlier) keeps it, and
// the moved versions are numbered after it, so the two read as one
// history. It all happens in one transaction.
func (s *Store) MoveHistory(ctx context.Context, oldID, newID string, subtree bool) error {
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `SELECT DISTINCT model_id, file FROM model_file_versions
			WHERE model_id = ?1 OR (?2 AND substr(model_id, 1, length(?1) + 1) = ?1 || '/')
			ORDER BY model_id, file`, oldID, subtree)
		if err != nil {
			return err
		}
		type key struct{ model, file string }
		var keys []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.model, &k.file); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if err := moveFileHistory(ctx, tx, k.model, k.file, newID+k.model[len(oldID):], k.file); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("move history of %s: %w", oldID, err)
	}
	return nil
}

func moveFileHistory(ctx context.Context, tx *Tx, oldModel, oldFile, newModel, newFile string) error {
	var after int
	if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM model_file_versions
		WHERE model_id = ? AND file = ?`, newModel, newFile).Scan(&after); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, `UPDATE model_file_versions SET model_id = ?, file = ?, version = version + ?
		WHERE model_id = ? AND file = ?`, newModel, newFile, after, oldModel, oldFile)
	return mapError(err)
}

func scanFileVersion(row scanner) (FileVersion, error) {
	var v FileVersion
	var created string
	if err := row.Scan(&v.ID, &v.ModelID, &v.File, &v.Version, &v.Author, &v.Action, &v.Size, &v.SHA256, &created); err != nil {
		return FileVersion{}, err
	}
	var err error
	if v.Created, err = parseTime(created); err != nil {
		return FileVersion{}, fmt.Errorf("file version %d created_at: %w", v.ID, err)
	}
	return v, nil
}
