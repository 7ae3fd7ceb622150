package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// IndexedProcess is one row of the model repository's process index.
type IndexedProcess struct {
	ProcessID   string
	DisplayName string
	ModelID     string
	File        string
	// Kinds are the BPMN element kinds the process contains (tag names).
	Kinds          []string
	MessagesThrown []string
	MessagesCaught []string
	SignalsThrown  []string
	SignalsCaught  []string
	// Calls are the process ids its call activities name.
	Calls []string
}

// IndexedDecision is one decision table of the model repository.
type IndexedDecision struct {
	DecisionID string
	Name       string
	ModelID    string
	File       string
}

// ProcessMatch is a call-activity search result. Rank is 1 for an exact
// id, 2 for a prefix of the id or the name, 3 for a substring of either.
type ProcessMatch struct {
	ProcessID   string
	DisplayName string
	ModelID     string
	File        string
	Rank        int
	// Kinds, messages and signals are filled by SearchProcesses only.
	Kinds          []string
	MessagesThrown []string
	MessagesCaught []string
	SignalsThrown  []string
	SignalsCaught  []string
}

// ReplaceModelIndex replaces the whole index with the given processes and
// decisions in one transaction. Ids must be unique (the caller resolves
// clashes); a duplicate is ErrConflict and nothing changes.
func (s *Store) ReplaceModelIndex(ctx context.Context, procs []IndexedProcess, decisions []IndexedDecision) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockShared(ctx); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM model_process_events`,
			`DELETE FROM model_process_calls`,
			`DELETE FROM model_processes`,
			`DELETE FROM model_decisions`,
		} {
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("clear model index: %w", err)
			}
		}
		return insertIndex(ctx, tx, procs, decisions)
	})
}

func insertIndex(ctx context.Context, tx *Tx, procs []IndexedProcess, decisions []IndexedDecision) error {
	insProc, err := tx.tx.PrepareContext(ctx, `INSERT INTO model_processes
		(process_id, display_name, model_id, file, id_lc, name_lc, kinds) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insProc.Close()
	insEvent, err := tx.tx.PrepareContext(ctx, `INSERT INTO model_process_events
		(process_id, kind, direction, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer insEvent.Close()
	insCall, err := tx.tx.PrepareContext(ctx, `INSERT INTO model_process_calls (process_id, called_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer insCall.Close()
	for _, p := range procs {
		if _, err := insProc.ExecContext(ctx, p.ProcessID, p.DisplayName, p.ModelID, p.File,
			strings.ToLower(p.ProcessID), strings.ToLower(p.DisplayName), strings.Join(p.Kinds, " ")); err != nil {
			return fmt.Errorf("index process %q: %w", p.ProcessID, mapError(err))
		}
		for _, ev := range []struct {
			kind, dir string
			names     []string
		}{
			{"message", "throw", p.MessagesThrown}, {"message", "catch", p.MessagesCaught},
			{"signal", "throw", p.SignalsThrown}, {"signal", "catch", p.SignalsCaught},
		} {
			for _, n := range ev.names {
				if _, err := insEvent.ExecContext(ctx, p.ProcessID, ev.kind, ev.dir, n); err != nil {
					return fmt.Errorf("index process %q %s %s: %w", p.ProcessID, ev.kind, n, mapError(err))
				}
			}
		}
		for _, c := range p.Calls {
			if _, err := insCall.ExecContext(ctx, p.ProcessID, c); err != nil {
				return fmt.Errorf("index process %q call %q: %w", p.ProcessID, c, mapError(err))
			}
		}
	}
	insDec, err := tx.tx.PrepareContext(ctx, `INSERT INTO model_decisions
		(decision_id, name, model_id, file, id_lc, name_lc) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insDec.Close()
	for _, d := range decisions {
		if _, err := insDec.ExecContext(ctx, d.DecisionID, d.Name, d.ModelID, d.File,
			strings.ToLower(d.DecisionID), strings.ToLower(d.Name)); err != nil {
			return fmt.Errorf("index decision %q: %w", d.DecisionID, mapError(err))
		}
	}
	return nil
}

// SearchProcesses finds indexed processes whose id or display name contains
// q (case-insensitive), best first: exact id, then prefix of id or name,
// then substring; within a rank by display name. An empty q lists the first
// limit processes by display name (all with rank 3).
func (s *Store) SearchProcesses(ctx context.Context, q string, limit int) ([]ProcessMatch, error) {
	if limit <= 0 {
		limit = 20
	}
	lq := strings.ToLower(strings.TrimSpace(q))
	rows, err := s.db.QueryContext(ctx, `SELECT process_id, display_name, model_id, file, kinds,
		CASE WHEN ?1 = '' THEN 3
		     WHEN id_lc = ?1 THEN 1
		     WHEN instr(id_lc, ?1) = 1 OR instr(name_lc, ?1) = 1 THEN 2
		     ELSE 3 END AS rank
		FROM model_processes
		WHERE ?1 = '' OR instr(id_lc, ?1) > 0 OR instr(name_lc, ?1) > 0
		ORDER BY rank, name_lc, process_id
		LIMIT ?2`, lq, limit)
	if err != nil {
		return nil, fmt.Errorf("search processes %q: %w", q, err)
	}
	defer rows.Close()
	out := []ProcessMatch{}
	for rows.Next() {
		var m ProcessMatch
		var kinds string
		if err := rows.Scan(&m.ProcessID, &m.DisplayName, &m.ModelID, &m.File, &kinds, &m.Rank); err != nil {
			return nil, err
		}
		m.Kinds = strings.Fields(kinds)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.fillEvents(ctx, out); err != nil {
		return nil, fmt.Errorf("search processes %q: %w", q, err)
	}
	return out, nil
}

// fillEvents adds the messages and signals each process throws and
// catches, in one query for all of them.
func (s *Store) fillEvents(ctx context.Context, ms []ProcessMatch) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[string]*ProcessMatch, len(ms))
	args := make([]any, len(ms))
	for i := range ms {
		byID[ms[i].ProcessID] = &ms[i]
		args[i] = ms[i].ProcessID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT process_id, kind, direction, name FROM model_process_events
		WHERE process_id IN (?`+strings.Repeat(", ?", len(ms)-1)+`)
		ORDER BY process_id, kind, direction, name`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, dir, name string
		if err := rows.Scan(&id, &kind, &dir, &name); err != nil {
			return err
		}
		m := byID[id]
		switch kind + "/" + dir {
		case "message/throw":
			m.MessagesThrown = append(m.MessagesThrown, name)
		case "message/catch":
			m.MessagesCaught = append(m.MessagesCaught, name)
		case "signal/throw":
			m.SignalsThrown = append(m.SignalsThrown, name)
		case "signal/catch":
			m.SignalsCaught = append(m.SignalsCaught, name)
		}
	}
	return rows.Err()
}

// SearchDecisions finds decision tables by id or name, ranked like
// SearchProcesses.
func (s *Store) SearchDecisions(ctx context.Context, q string, limit int) ([]IndexedDecision, error) {
	if limit <= 0 {
		limit = 20
	}
	lq := strings.ToLower(strings.TrimSpace(q))
	rows, err := s.db.QueryContext(ctx, `SELECT decision_id, name, model_id, file
		FROM model_decisions
		WHERE ?1 = '' OR instr(id_lc, ?1) > 0 OR instr(name_lc, ?1) > 0
		ORDER BY CASE WHEN ?1 = '' THEN 3
		              WHEN id_lc = ?1 THEN 1
		              WHEN instr(id_lc, ?1) = 1 OR instr(name_lc, ?1) = 1 THEN 2
		              ELSE 3 END, name_lc, decision_id
		LIMIT ?2`, lq, limit)
	if err != nil {
		return nil, fmt.Errorf("search decisions %q: %w", q, err)
	}
	defer rows.Close()
	out := []IndexedDecision{}
	for rows.Next() {
		var d IndexedDecision
		if err := rows.Scan(&d.DecisionID, &d.Name, &d.ModelID, &d.File); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// IndexedProcessByID returns one indexed process with its events and calls.
func (s *Store) IndexedProcessByID(ctx context.Context, id string) (IndexedProcess, error) {
	var p IndexedProcess
	var kinds string
	err := s.db.QueryRowContext(ctx, `SELECT process_id, display_name, model_id, file, kinds
		FROM model_processes WHERE process_id = ?`, id).Scan(&p.ProcessID, &p.DisplayName, &p.ModelID, &p.File, &kinds)
	if err != nil {
		return IndexedProcess{}, fmt.Errorf("indexed process %q: %w", id, mapError(err))
	}
	p.Kinds = strings.Fields(kinds)
	rows, err := s.db.QueryContext(ctx, `SELECT kind, direction, name FROM model_process_events
		WHERE process_id = ? ORDER BY kind, direction, name`, id)
	if err != nil {
		return IndexedProcess{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, dir, name string
		if err := rows.Scan(&kind, &dir, &name); err != nil {
			return IndexedProcess{}, err
		}
		switch kind + "/" + dir {
		case "message/throw":
			p.MessagesThrown = append(p.MessagesThrown, name)
		case "message/catch":
			p.MessagesCaught = append(p.MessagesCaught, name)
		case "signal/throw":
			p.SignalsThrown = append(p.SignalsThrown, name)
		case "signal/catch":
			p.SignalsCaught = append(p.SignalsCaught, name)
		}
	}
	if err := rows.Err(); err != nil {
		return IndexedProcess{}, err
	}
	p.Calls, err = s.queryStrings(ctx, `SELECT called_id FROM model_process_calls WHERE process_id = ? ORDER BY called_id`, id)
	return p, err
}

// IndexedProcessesOfModel lists the processes a model's files define, by
// file and id.
func (s *Store) IndexedProcessesOfModel(ctx context.Context, modelID string) ([]ProcessMatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT process_id, display_name, model_id, file
		FROM model_processes WHERE model_id = ? ORDER BY file, process_id`, modelID)
	if err != nil {
		return nil, fmt.Errorf("processes of model %q: %w", modelID, err)
	}
	return scanMatches(rows)
}

// ProcessCallers lists the processes whose call activities call any of the
// given process ids, by model and id.
func (s *Store) ProcessCallers(ctx context.Context, calledIDs []string) ([]ProcessMatch, error) {
	if len(calledIDs) == 0 {
		return []ProcessMatch{}, nil
	}
	args := make([]any, len(calledIDs))
	for i, id := range calledIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT p.process_id, p.display_name, p.model_id, p.file
		FROM model_process_calls c JOIN model_processes p ON p.process_id = c.process_id
		WHERE c.called_id IN (?`+strings.Repeat(", ?", len(calledIDs)-1)+`)
		ORDER BY p.model_id, p.process_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("callers of %v: %w", calledIDs, err)
	}
	return scanMatches(rows)
}

// IndexedProcessCount returns how many processes the index holds.
func (s *Store) IndexedProcessCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM model_processes`).Scan(&n)
	return n, err
}

func scanMatches(rows *sql.Rows) ([]ProcessMatch, error) {
	defer rows.Close()
	out := []ProcessMatch{}
	for rows.Next() {
		var m ProcessMatch
		if err := rows.Scan(&m.ProcessID, &m.DisplayName, &m.ModelID, &m.File); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) queryStrings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
