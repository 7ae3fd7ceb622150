package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// FileVersion is one saved version of a model repository file.
type FileVersion struct {
	ID      int64
	ModelID string
	File    string
	Version int
	Author  string
	// Action says what made the version: save, draft, upload, restore,
	// create, original (the content found on disk before Waymark first
	// changed the file), or a deletion, whose version keeps the content
	// removed: delete (the file alone), delete-model, delete-group (with
	// its model or group).
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
	var v FileVersion
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		v, err = addFileVersion(ctx, tx, NewFileVersion{ModelID: modelID, File: file, Author: author, Action: action, Content: content})
		return err
	})
	if err != nil {
		return FileVersion{}, fmt.Errorf("record version of %s/%s: %w", modelID, file, err)
	}
	return v, nil
}

// NewFileVersion is a version to record with AddFileVersions.
type NewFileVersion struct {
	ModelID string
	File    string
	Author  string
	Action  string
	Content []byte
}

// AddFileVersions records several versions in one transaction: all of them
// or none (a whole model's files when it is deleted or restored).
func (s *Store) AddFileVersions(ctx context.Context, versions []NewFileVersion) ([]FileVersion, error) {
	out := make([]FileVersion, 0, len(versions))
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, nv := range versions {
			v, err := addFileVersion(ctx, tx, nv)
			if err != nil {
				return fmt.Errorf("record version of %s/%s: %w", nv.ModelID, nv.File, err)
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func addFileVersion(ctx context.Context, tx *Tx, nv NewFileVersion) (FileVersion, error) {
	if err := tx.lockShared(ctx); err != nil {
		return FileVersion{}, err
	}
	if nv.Content == nil {
		nv.Content = []byte{} // an empty file, not a missing one
	}
	sum := sha256.Sum256(nv.Content)
	v := FileVersion{ModelID: nv.ModelID, File: nv.File, Author: nv.Author, Action: nv.Action,
		Size: int64(len(nv.Content)), SHA256: hex.EncodeToString(sum[:]), Created: tx.now}
	if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM model_file_versions
		WHERE model_id = ? AND file = ?`, nv.ModelID, nv.File).Scan(&v.Version); err != nil {
		return FileVersion{}, err
	}
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO model_file_versions
		(model_id, file, version, author, action, size, sha256, content, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nv.ModelID, nv.File, v.Version, nv.Author, nv.Action, v.Size, v.SHA256, nv.Content, formatTime(tx.now)).Scan(&v.ID)
	if err != nil {
		return FileVersion{}, mapError(err)
	}
	return v, nil
}

// DeletedFiles lists, by model id and file, the files whose last version
// records a deletion (an action starting with "delete": the content the
// deletion removed), for the model or group id and, with subtree, for
// every id under it ("" with subtree is the whole repository). Content is
// not loaded.
func (s *Store) DeletedFiles(ctx context.Context, id string, subtree bool) ([]FileVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+prefixed("v.", fileVersionColumns)+`
		FROM model_file_versions v
		JOIN (SELECT model_id, file, max(version) AS version FROM model_file_versions
		      WHERE model_id = ?1 OR (?2 AND (?1 = '' OR substr(model_id, 1, length(?1) + 1) = ?1 || '/'))
		      GROUP BY model_id, file) last
		  ON v.model_id = last.model_id AND v.file = last.file AND v.version = last.version
		WHERE substr(v.action, 1, 6) = 'delete'
		ORDER BY v.model_id, v.file`, id, subtree)
	if err != nil {
		return nil, fmt.Errorf("deleted files of %q: %w", id, err)
	}
	return scanFileVersions(rows)
}

// scanFileVersions reads and closes rows of fileVersionColumns.
func scanFileVersions(rows *sql.Rows) ([]FileVersion, error) {
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

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, c := range parts {
		parts[i] = alias + c
	}
	return strings.Join(parts, ", ")
}

// FileVersions lists the versions of a file, newest first, without content.
func (s *Store) FileVersions(ctx context.Context, modelID, file string) ([]FileVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+fileVersionColumns+` FROM model_file_versions
		WHERE model_id = ? AND file = ? ORDER BY version DESC`, modelID, file)
	if err != nil {
		return nil, fmt.Errorf("versions of %s/%s: %w", modelID, file, err)
	}
	return scanFileVersions(rows)
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
	if err := tx.lockShared(ctx); err != nil {
		return err
	}
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
