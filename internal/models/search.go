package models

import (
	"context"
	"fmt"

	"github.com/waymark-bpm/waymark/internal/store"
)

// ProcessMatch is a call-activity search result; Rank is 1 for an exact
// id, 2 for a prefix of the id or the display name, 3 for a substring.
type ProcessMatch = store.ProcessMatch

// Decision is a decision table of the repository, for the business rule
// task picker.
type Decision = store.IndexedDecision

// SearchProcesses answers call-activity search: processes whose id or name
// contains q, ranked. An empty q lists the first limit by display name.
func (r *Repo) SearchProcesses(ctx context.Context, q string, limit int) ([]ProcessMatch, error) {
	return r.index.SearchProcesses(ctx, q, clampLimit(limit))
}

// SearchDecisions finds decision tables by id or name.
func (r *Repo) SearchDecisions(ctx context.Context, q string, limit int) ([]Decision, error) {
	return r.index.SearchDecisions(ctx, q, clampLimit(limit))
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 20
	case n > 200:
		return 200
	}
	return n
}

// Callers lists the processes, in any model, whose call activities call a
// process defined by the given model.
func (r *Repo) Callers(ctx context.Context, modelID string) ([]ProcessMatch, error) {
	if _, err := r.Model(modelID); err != nil {
		return nil, err
	}
	return r.index.ProcessCallers(ctx, r.ProcessIDs(modelID))
}

// CallersOf lists the processes whose call activities call processID.
func (r *Repo) CallersOf(ctx context.Context, processID string) ([]ProcessMatch, error) {
	return r.index.ProcessCallers(ctx, []string{processID})
}

// ProcessIDs lists the process ids the model's files define (and keep:
// ids clashing with another file are not the model's).
func (r *Repo) ProcessIDs(modelID string) []string {
	st := r.state()
	m := st.models[modelID]
	if m == nil {
		return nil
	}
	var ids []string
	for _, f := range m.Files {
		p := st.parsed[modelID+"/"+f.Name]
		if p == nil {
			continue
		}
		for _, pid := range p.lib.Order {
			if st.procs[pid] == (location{modelID, f.Name}) {
				ids = append(ids, pid)
			}
		}
	}
	return ids
}

// ProcessLocation returns the model and file defining a process id.
func (r *Repo) ProcessLocation(processID string) (modelID, file string, err error) {
	loc, ok := r.state().procs[processID]
	if !ok {
		return "", "", fmt.Errorf("process %q: %w", processID, ErrNotFound)
	}
	return loc.model, loc.file, nil
}

// Stats counts what the repository holds.
type Stats struct {
	Groups, Models, Files, Processes, Decisions, FilesWithProblems int
}

// Stats returns the counts of the current scan.
func (r *Repo) Stats() Stats {
	st := r.state()
	s := Stats{Groups: len(st.groups) - 1, Models: len(st.models), Processes: len(st.procs), Decisions: len(st.decisions)}
	for _, m := range st.models {
		s.Files += len(m.Files)
		for _, f := range m.Files {
			if len(f.Problems) > 0 {
				s.FilesWithProblems++
			}
		}
	}
	return s
}

// Problems lists every problem of every BPMN and DMN file, plus the
// scan's own, by path.
func (r *Repo) Problems() []Problem {
	st := r.state()
	out := append([]Problem(nil), st.problems...)
	for _, m := range st.models {
		for _, f := range m.Files {
			out = append(out, f.Problems...)
		}
	}
	return out
}

// ProcessName returns the display name of an indexed process (its id when
// it has no name).
func (r *Repo) ProcessName(processID string) string {
	st := r.state()
	loc, ok := st.procs[processID]
	if !ok {
		return processID
	}
	if p := st.parsed[loc.path()]; p != nil {
		if proc := p.lib.Process(processID); proc != nil && proc.Name != "" {
			return proc.Name
		}
	}
	return processID
}
