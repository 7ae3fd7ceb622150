package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Data stores at run time (SpiffArena's JSON, key-key-value and typeahead
// stores). A JSON or key-key-value store is named by the id of the process
// group that defines it (location) and its identifier. Values are JSON
// text; the runner writes them in the step that completes the writing
// task.

// JSONDataStore returns the JSON text a JSON data store holds, and false
// when nothing was written to it yet.
func (s *Store) JSONDataStore(ctx context.Context, location, identifier string) (string, bool, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM json_data_stores WHERE location = ? AND identifier = ?`, location, identifier).Scan(&data)
	if err != nil {
		if err = mapError(err); err == ErrNotFound {
			return "", false, nil
		}
		return "", false, fmt.Errorf("json data store %s/%s: %w", location, identifier, err)
	}
	return data, true, nil
}

// PutJSONDataStore replaces what a JSON data store holds.
func (tx *Tx) PutJSONDataStore(ctx context.Context, location, identifier, data string, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO json_data_stores (location, identifier, data, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (location, identifier) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		location, identifier, data, formatTime(at))
	if err != nil {
		return fmt.Errorf("put json data store %s/%s: %w", location, identifier, mapError(err))
	}
	return nil
}

// KKVEntries returns the entries of a key-key-value store under a
// top-level key, by secondary key.
func (s *Store) KKVEntries(ctx context.Context, location, identifier, top string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT secondary_key, value FROM kkv_data_store_entries
		WHERE location = ? AND identifier = ? AND top_level_key = ? ORDER BY secondary_key`, location, identifier, top)
	if err != nil {
		return nil, fmt.Errorf("kkv data store %s/%s: %w", location, identifier, err)
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

// PutKKVEntry sets one entry of a key-key-value store.
func (tx *Tx) PutKKVEntry(ctx context.Context, location, identifier, top, secondary, value string, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO kkv_data_store_entries (location, identifier, top_level_key, secondary_key, value, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (location, identifier, top_level_key, secondary_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		location, identifier, top, secondary, value, formatTime(at))
	if err != nil {
		return fmt.Errorf("put kkv entry %s/%s[%q][%q]: %w", location, identifier, top, secondary, mapError(err))
	}
	return nil
}

// DeleteKKVEntries deletes one entry of a key-key-value store, or every
// entry under the top-level key when secondary is nil.
func (tx *Tx) DeleteKKVEntries(ctx context.Context, location, identifier, top string, secondary *string) error {
	var err error
	if secondary == nil {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM kkv_data_store_entries WHERE location = ? AND identifier = ? AND top_level_key = ?`,
			location, identifier, top)
	} else {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM kkv_data_store_entries WHERE location = ? AND identifier = ? AND top_level_key = ? AND secondary_key = ?`,
			location, identifier, top, *secondary)
	}
	if err != nil {
		return fmt.Errorf("delete kkv entries %s/%s[%q]: %w", location, identifier, top, err)
	}
	return nil
}

// TypeaheadEntry is one suggestion of a typeahead category: the text it
// is found by and the record (JSON text) a form field gets.
type TypeaheadEntry struct {
	SearchTerm string
	Result     string
}

// ReplaceTypeahead replaces every entry of a typeahead category.
func (tx *Tx) ReplaceTypeahead(ctx context.Context, category string, entries []TypeaheadEntry, at time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM typeahead_entries WHERE category = ?`, category); err != nil {
		return fmt.Errorf("replace typeahead %s: %w", category, err)
	}
	for _, e := range entries {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO typeahead_entries (category, search_term, result, created_at) VALUES (?, ?, ?, ?)`,
			category, e.SearchTerm, e.Result, formatTime(at)); err != nil {
			return fmt.Errorf("replace typeahead %s: %w", category, err)
		}
	}
	return nil
}

// Typeahead returns the results (a JSON list of records) of a category's
// entries whose search term starts with prefix, ignoring case, by search
// term; ok is false when the category has no entries at all (its
// suggestions come from elsewhere then).
func (s *Store) Typeahead(ctx context.Context, category, prefix string, limit int) (json.RawMessage, bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM typeahead_entries WHERE category = ? LIMIT 1) AS one`, category).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("typeahead %s: %w", category, err)
	}
	if n == 0 {
		return nil, false, nil
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(prefix)) + "%"
	rows, err := s.db.QueryContext(ctx, `SELECT result FROM typeahead_entries WHERE category = ? AND lower(search_term) LIKE ? ESCAPE '\'
		ORDER BY search_term, id LIMIT ?`, category, like, limit)
	if err != nil {
		return nil, false, fmt.Errorf("typeahead %s: %w", category, err)
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteByte('[')
	for first := true; rows.Next(); first = false {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, false, err
		}
		if !first {
			b.WriteByte(',')
		}
		b.WriteString(r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	b.WriteByte(']')
	return json.RawMessage(b.String()), true, nil
}

// NextKKVKeyNumber hands out the next number (1, 2, ...) of a key-key-value
// store's sequence for create_unique_kkv_top_level_key, committed at once:
// as in SpiffArena, a number is never given twice, even when the step
// that asked for it fails.
func (s *Store) NextKKVKeyNumber(ctx context.Context, location, identifier string) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, `INSERT INTO kkv_key_sequences (location, identifier, last) VALUES (?, ?, 1)
			ON CONFLICT (location, identifier) DO UPDATE SET last = kkv_key_sequences.last + 1 RETURNING last`, location, identifier).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("next key number of key-key-value store %s/%s: %w", location, identifier, err)
	}
	return n, nil
}
