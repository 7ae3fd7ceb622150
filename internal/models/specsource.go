package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/dmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// LoadModel returns a model's library and the process to start:
// primary_process_id, else the first process of the primary file, else the
// first process parsed. Like SpiffWorkflow, it asks only the files the
// primary process needs to be sound: the one defining it, and those of the
// model defining what it calls and the decisions it names, transitively. A
// problem in any of those is returned as a *ProblemsError against its file;
// the other files of the model load when they are sound on their own and
// are left out when they are not (their problems stay reported against
// them). Processes and decisions from elsewhere in the repository are added
// through ResolveProcess.
//
// The result is cached until the repository next changes: every step of
// every instance loads its model, and parsing and compiling it again each
// time was most of a step's cost. A cached model is checked against its
// folder and files on disk (modification time and size), so a save made
// by another Waymark process sharing the folder is seen at the next step.
func (r *Repo) LoadModel(ctx context.Context, modelID string) (*spec.Library, string, error) {
	st := r.state()
	if v, ok := st.loaded.Load(modelID); ok {
		l := v.(loadedModel)
		if l.unchanged() {
			return l.lib, l.primary, nil
		}
		st.loaded.Delete(modelID)
	}
	stamps := r.stampModel(modelID)
	lib, primary, err := r.loadModel(modelID)
	if err != nil {
		return nil, "", err
	}
	// A change since st was taken may have been read in part; its own
	// state starts with an empty cache, so only st may keep the result.
	if r.state() == st {
		st.loaded.Store(modelID, loadedModel{lib: lib, primary: primary, stamps: stamps})
	}
	return lib, primary, nil
}

func (r *Repo) loadModel(modelID string) (*spec.Library, string, error) {
	m, err := r.Model(modelID)
	if err != nil {
		return nil, "", err
	}
	type modelFile struct {
		key      string
		data     []byte
		lib      *spec.Library
		problems []Problem
	}
	var files []*modelFile
	for _, f := range m.Files {
		if f.Type != "bpmn" && f.Type != "dmn" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.dirOf(modelID), f.Name))
		if err != nil {
			return nil, "", fmt.Errorf("load model %q: %w", modelID, err)
		}
		mf := &modelFile{key: modelID + "/" + f.Name, data: data}
		if err := checkXML(mf.key, data); err != nil {
			mf.problems = []Problem{{File: mf.key, Line: lineOf(err), Message: messageOf(err)}}
			mf.lib = spec.NewLibrary()
		} else {
			p := bpmn.NewParser(bpmn.Options{Primary: m.PrimaryProcessID})
			p.Add(mf.key, data)
			mf.lib, err = p.Finish()
			mf.problems = toProblems(err)
		}
		files = append(files, mf)
	}

	// The primary process and the file defining it.
	primary := m.PrimaryProcessID
	defines := func(pid string) *modelFile {
		for _, f := range files {
			if f.lib.Process(pid) != nil {
				return f
			}
		}
		return nil
	}
	if primary == "" || defines(primary) == nil {
		primary = ""
		for _, f := range files {
			if m.PrimaryFileName != "" && strings.HasSuffix(f.key, "/"+m.PrimaryFileName) && len(f.lib.Order) > 0 {
				primary = f.lib.Order[0]
			}
		}
		for _, f := range files {
			if primary == "" && len(f.lib.Order) > 0 {
				primary = f.lib.Order[0]
			}
		}
	}
	if primary == "" {
		var ps []Problem
		for _, f := range files {
			ps = append(ps, f.problems...)
		}
		if len(ps) > 0 {
			return nil, "", &ProblemsError{Problems: ps}
		}
		return nil, "", &NoProcessError{ModelID: modelID}
	}

	// The files the primary process needs, found by following its call
	// activities and business rule tasks through the model's files.
	needed := map[*modelFile]bool{}
	seen := map[string]bool{}
	queue := []string{primary}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		f := defines(pid)
		if f == nil {
			continue // elsewhere in the repository: resolveCalls finds it
		}
		needed[f] = true
		for _, n := range f.lib.Process(pid).AllNodes {
			switch {
			case n.Kind == spec.KindCallActivity && n.CalledElement != "" && !seen[n.CalledElement]:
				seen[n.CalledElement] = true
				queue = append(queue, n.CalledElement)
			case n.Kind == spec.KindBusinessRuleTask && n.CalledDecision != "":
				for _, g := range files {
					if g.lib.Decision(n.CalledDecision) != nil {
						needed[g] = true
					}
				}
			}
		}
	}
	var blocking []Problem
	p := bpmn.NewParser(bpmn.Options{Primary: primary})
	for _, f := range files {
		switch {
		case needed[f] && len(f.problems) > 0:
			blocking = append(blocking, f.problems...)
		case len(f.problems) == 0:
			p.Add(f.key, f.data)
		}
	}
	if len(blocking) > 0 {
		return nil, "", &ProblemsError{Problems: blocking}
	}
	lib, err := p.Finish()
	if err != nil {
		return nil, "", &ProblemsError{Problems: toProblems(err)}
	}
	if err := r.resolveCalls(lib, primary); err != nil {
		return nil, "", fmt.Errorf("load model %q: %w", modelID, err)
	}
	return lib, primary, nil
}

// resolveCalls adds to lib every process the primary process reaches
// through call activities and every decision named by business rule tasks
// that lib lacks.
func (r *Repo) resolveCalls(lib *spec.Library, primary string) error {
	queue := []string{primary}
	visited := map[string]bool{primary: true}
	for len(queue) > 0 {
		proc := lib.Processes[queue[0]]
		queue = queue[1:]
		for _, n := range proc.AllNodes {
			switch {
			case n.Kind == spec.KindCallActivity && n.CalledElement != "" && lib.Process(n.CalledElement) == nil:
				called, err := r.ResolveProcess(n.CalledElement)
				if errors.Is(err, ErrNotFound) {
					return &ProblemsError{Problems: []Problem{{File: proc.File, Element: n.ID, Line: n.Line,
						Message: fmt.Sprintf("the called process %q is not defined in any model of the repository", n.CalledElement)}}}
				}
				if err != nil {
					return fmt.Errorf("call activity %s in %s: %w", n.ID, proc.File, err)
				}
				lib.Processes[called.ID] = called
				lib.Order = append(lib.Order, called.ID)
				visited[called.ID] = true
				queue = append(queue, called.ID)
			case n.Kind == spec.KindCallActivity && n.CalledElement != "" && !visited[n.CalledElement]:
				visited[n.CalledElement] = true
				queue = append(queue, n.CalledElement)
			case n.Kind == spec.KindBusinessRuleTask && n.CalledDecision != "" && lib.Decision(n.CalledDecision) == nil:
				d, err := r.resolveDecision(n.CalledDecision)
				if errors.Is(err, ErrNotFound) {
					return &ProblemsError{Problems: []Problem{{File: proc.File, Element: n.ID, Line: n.Line,
						Message: fmt.Sprintf("the business rule task's decision %q is not defined in any DMN file of the repository", n.CalledDecision)}}}
				}
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
	// Every form post reads its form's files; one stat instead of an
	// open, read and close when the file is as it was last read.
	st := r.state()
	if _, err := r.File(modelID, name); err != nil {
		return nil, err
	}
	path := filepath.Join(r.dirOf(modelID), name)
	stamp := stampOf(path)
	if v, ok := st.files.Load(path); ok && stamp.found {
		if c := v.(cachedFile); c.stamp == stamp {
			return slices.Clone(c.data), nil
		}
	}
	data, err := r.ReadFile(modelID, name)
	if err != nil {
		return nil, err
	}
	// Stamped before the read: a change made while reading shows at the
	// next check. Only the state the read began in keeps it.
	if stamp.found && r.state() == st {
		st.files.Store(path, cachedFile{data: slices.Clone(data), stamp: stamp})
	}
	return data, nil
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

// fileStamp is what a cached model is checked against: a path's
// modification time and size as they were when the model was parsed.
type fileStamp struct {
	path  string
	mod   int64
	size  int64
	found bool
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{path: path}
	}
	return fileStamp{path: path, mod: fi.ModTime().UnixNano(), size: fi.Size(), found: true}
}

// stampModel stamps a model's folder (files added, removed or renamed
// change its time) and each of its diagrams, before they are read: a
// change made while they are read then shows at the next check. The other
// files (forms, settings, notes) are not read by loadModel, so a change to
// them cannot change what it returns; leaving them out spares every step
// a stat per form file.
func (r *Repo) stampModel(modelID string) []fileStamp {
	dir := r.dirOf(modelID)
	out := []fileStamp{stampOf(dir)}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range entries {
		if t := fileType(e.Name()); !e.IsDir() && (t == "bpmn" || t == "dmn") {
			out = append(out, stampOf(filepath.Join(dir, e.Name())))
		}
	}
	return out
}

// unchanged reports whether the files a cached model was parsed from are
// as they were.
func (l loadedModel) unchanged() bool {
	for _, st := range l.stamps {
		if stampOf(st.path) != st {
			return false
		}
	}
	return true
}

// FailurePolicy tells what the model asks for when one of its instances
// fails: suspend it (fault_or_suspend_on_exception: suspend) rather than
// leave it in error, and whom to tell (exception_notification_addresses).
func (r *Repo) FailurePolicy(ctx context.Context, modelID string) (suspend bool, notify []string, err error) {
	m, err := r.Model(modelID)
	if err != nil {
		return false, nil, err
	}
	return m.FaultOrSuspendOnException == "suspend", m.ExceptionNotificationAddresses, nil
}
