package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/dmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// LoadModel parses every BPMN and DMN file of a model together into one
// library, adds the processes its call activities name (through
// ResolveProcess, transitively) and the decision tables its business rule
// tasks name from elsewhere in the repository, and returns it with the
// process to start: primary_process_id, else the first process of the
// primary file, else the first process parsed. Problems in the model's
// files are returned as a *ProblemsError.
//
// The result is cached until the repository next changes: every step of
// every instance loads its model, and parsing and compiling it again each
// time was most of a step's cost. Files edited outside Waymark are seen
// after Refresh, as the rest of the repository is.
func (r *Repo) LoadModel(ctx context.Context, modelID string) (*spec.Library, string, error) {
	st := r.state()
	if v, ok := st.loaded.Load(modelID); ok {
		l := v.(loadedModel)
		return l.lib, l.primary, nil
	}
	lib, primary, err := r.loadModel(modelID)
	if err != nil {
		return nil, "", err
	}
	// A change since st was taken may have been read in part; its own
	// state starts with an empty cache, so only st may keep the result.
	if r.state() == st {
		st.loaded.Store(modelID, loadedModel{lib: lib, primary: primary})
	}
	return lib, primary, nil
}

func (r *Repo) loadModel(modelID string) (*spec.Library, string, error) {
	m, err := r.Model(modelID)
	if err != nil {
		return nil, "", err
	}
	p := bpmn.NewParser(bpmn.Options{})
	for _, f := range m.Files {
		if f.Type != "bpmn" && f.Type != "dmn" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.dirOf(modelID), f.Name))
		if err != nil {
			return nil, "", fmt.Errorf("load model %q: %w", modelID, err)
		}
		key := modelID + "/" + f.Name
		if err := checkXML(key, data); err != nil {
			return nil, "", &ProblemsError{Problems: []Problem{{File: key, Line: lineOf(err), Message: messageOf(err)}}}
		}
		p.Add(key, data)
	}
	lib, err := p.Finish()
	if err != nil {
		return nil, "", &ProblemsError{Problems: toProblems(err)}
	}
	if err := r.resolveCalls(lib); err != nil {
		return nil, "", fmt.Errorf("load model %q: %w", modelID, err)
	}
	primary := m.PrimaryProcessID
	if primary == "" || lib.Process(primary) == nil {
		primary = ""
		for _, pid := range lib.Order {
			pr := lib.Processes[pid]
			if m.PrimaryFileName != "" && strings.HasSuffix(pr.File, "/"+m.PrimaryFileName) {
				primary = pid
				break
			}
		}
		if primary == "" && len(lib.Order) > 0 {
			primary = lib.Order[0]
		}
	}
	if primary == "" {
		return nil, "", fmt.Errorf("%w: model %q defines no process", ErrInvalid, modelID)
	}
	return lib, primary, nil
}

// resolveCalls adds to lib every process reachable through call activities
// and every decision named by business rule tasks that lib lacks.
func (r *Repo) resolveCalls(lib *spec.Library) error {
	queue := append([]string(nil), lib.Order...)
	for len(queue) > 0 {
		proc := lib.Processes[queue[0]]
		queue = queue[1:]
		for _, n := range proc.AllNodes {
			switch {
			case n.Kind == spec.KindCallActivity && n.CalledElement != "" && lib.Process(n.CalledElement) == nil:
				called, err := r.ResolveProcess(n.CalledElement)
				if err != nil {
					return fmt.Errorf("call activity %s in %s: %w", n.ID, proc.File, err)
				}
				lib.Processes[called.ID] = called
				lib.Order = append(lib.Order, called.ID)
				queue = append(queue, called.ID)
			case n.Kind == spec.KindBusinessRuleTask && n.CalledDecision != "" && lib.Decision(n.CalledDecision) == nil:
				d, err := r.resolveDecision(n.CalledDecision)
				if err != nil {
					return fmt.Errorf("business rule task %s in %s: %w", n.ID, proc.File, err)
				}
				lib.Decisions[d.ID] = d
			}
		}
	}
	return nil
}

// ResolveProcess returns any process of the repository by id, parsing its
// file when its content changed since the last parse. An unknown id is an
// error wrapping ErrNotFound.
func (r *Repo) ResolveProcess(id string) (*spec.Process, error) {
	loc, ok := r.state().procs[id]
	if !ok {
		return nil, fmt.Errorf("process %q is not defined in the model repository: %w", id, ErrNotFound)
	}
	p, err := r.parsedAt(loc)
	if err != nil {
		return nil, err
	}
	proc := p.lib.Process(id)
	if proc == nil {
		return nil, fmt.Errorf("process %q is no longer in %s: %w", id, loc.path(), ErrNotFound)
	}
	if len(p.problems) > 0 {
		return nil, fmt.Errorf("process %q: %w", id, &ProblemsError{Problems: p.problems})
	}
	return proc, nil
}

func (r *Repo) resolveDecision(id string) (*dmn.Decision, error) {
	loc, ok := r.state().decisions[id]
	if !ok {
		return nil, fmt.Errorf("decision %q is not defined in the model repository: %w", id, ErrNotFound)
	}
	p, err := r.parsedAt(loc)
	if err != nil {
		return nil, err
	}
	d := p.lib.Decision(id)
	if d == nil {
		return nil, fmt.Errorf("decision %q is no longer in %s: %w", id, loc.path(), ErrNotFound)
	}
	return d, nil
}

// parsedAt re-reads a file and returns its (cached) parse.
func (r *Repo) parsedAt(loc location) (*parsed, error) {
	full := filepath.Join(r.dirOf(loc.model), loc.file)
	info, err := os.Lstat(full)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", loc.path(), ErrNotFound)
	} else if err != nil {
		return nil, err
	}
	return r.parseFile(loc.model, loc.file, full, info.Size())
}

// ReadModelFile returns a file of a model (forms read their JSON schemas
// through it).
func (r *Repo) ReadModelFile(ctx context.Context, modelID, name string) ([]byte, error) {
	return r.ReadFile(modelID, name)
}

// MetadataPaths returns the model's metadata_extraction_paths: key ->
// dotted path into the instance data.
func (r *Repo) MetadataPaths(ctx context.Context, modelID string) (map[string]string, error) {
	m, err := r.Model(modelID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m.MetadataExtractionPaths))
	for _, p := range m.MetadataExtractionPaths {
		out[p.Key] = p.Path
	}
	return out, nil
}
