package models

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Checks are checks of file content whose code lives in packages the
// repository must not import: the form package knows JSON Schema, the
// template package knows Jinja. cmd/web wires them in (SetChecks); a nil
// check is skipped.
type Checks struct {
	// Schema reports what is wrong with a JSON-schema form file.
	Schema func(name string, data []byte) error
	// Template reports a syntax error in a Jinja template.
	Template func(name, src string) error
}

// SetChecks sets the content checks saving and CheckRepository run.
func (r *Repo) SetChecks(c Checks) {
	r.checksMu.Lock()
	r.checks = c
	r.checksMu.Unlock()
}

func (r *Repo) contentChecks() Checks {
	r.checksMu.Lock()
	defer r.checksMu.Unlock()
	return r.checks
}

// Property names SpiffArena gives a user task's form files.
const (
	formSchemaProperty = "formJsonSchemaFilename"
	formUIProperty     = "formUiSchemaFilename"
)

// referenceProblems checks what the processes of lib, parsed from file key
// of model modelID, refer to: the form and UI-schema files of their tasks
// (which must be files of the model, has says which are), the processes
// their call activities call and the decisions their business rule tasks
// evaluate (defined in the repository or in lib), and the Jinja syntax of
// their instructions. Each problem names the element and its line. calls
// false leaves called processes and decisions to the caller (the BPMN
// parser checks them when it reads a whole folder).
func referenceProblems(st *state, checks Checks, key string, lib *spec.Library, has func(name string) bool, calls bool) []Problem {
	var out []Problem
	modelID := key[:strings.LastIndexByte(key, '/')]
	for _, pid := range lib.Order {
		proc := lib.Processes[pid]
		ids := make([]string, 0, len(proc.AllNodes))
		for id := range proc.AllNodes {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			n := proc.AllNodes[id]
			at := func(msg string) {
				out = append(out, Problem{File: key, Element: n.ID, Line: n.Line, Message: msg})
			}
			for _, prop := range []string{formSchemaProperty, formUIProperty} {
				name := strings.TrimSpace(n.Properties[prop])
				if name == "" || has(name) {
					continue
				}
				what := "form file"
				if prop == formUIProperty {
					what = "UI-schema file"
				}
				at(fmt.Sprintf("the %s %q (%s) is not a file of model %s: create it in the model, or correct the name", what, name, prop, modelID))
			}
			if c := n.CalledElement; calls && n.Kind == spec.KindCallActivity && c != "" && !strings.ContainsAny(c, " ()\"'") {
				if _, ok := st.procs[c]; !ok && lib.Processes[c] == nil {
					at(fmt.Sprintf("calls process %q, which no model of the repository defines", c))
				}
			}
			if d := n.CalledDecision; calls && d != "" {
				if _, ok := st.decisions[d]; !ok && lib.Decisions[d] == nil {
					at(fmt.Sprintf("evaluates decision %q, which no DMN file of the repository defines", d))
				}
			}
			if checks.Template != nil && n.Instructions != "" {
				if err := checks.Template("instructions", n.Instructions); err != nil {
					at("the instructions are not a valid Jinja template: " + err.Error())
				}
			}
		}
	}
	return out
}

// schemaProblems checks a JSON file a task names as its form schema.
func schemaProblems(checks Checks, key string, data []byte) []Problem {
	if checks.Schema == nil {
		return nil
	}
	if err := checks.Schema(filepath.Base(key), data); err != nil {
		return []Problem{{File: key, Message: "not a valid JSON Schema form: " + err.Error()}}
	}
	return nil
}

// uiSchemaProblems checks a JSON file a task names as its UI schema: it
// goes through Jinja before it is read, as the form schema does.
func uiSchemaProblems(checks Checks, key string, data []byte) []Problem {
	if checks.Template == nil {
		return nil
	}
	if err := checks.Template(filepath.Base(key), string(data)); err != nil {
		return []Problem{{File: key, Message: "not a valid Jinja template: " + err.Error()}}
	}
	return nil
}

// formSchemas returns the form-schema file names the tasks of a model name.
func formSchemas(st *state, modelID string) map[string]bool {
	return taskFiles(st, modelID, formSchemaProperty)
}

// uiSchemas returns the UI-schema file names the tasks of a model name.
func uiSchemas(st *state, modelID string) map[string]bool {
	return taskFiles(st, modelID, formUIProperty)
}

func taskFiles(st *state, modelID, property string) map[string]bool {
	out := map[string]bool{}
	m := st.models[modelID]
	if m == nil {
		return out
	}
	for _, f := range m.Files {
		p := st.parsed[joinID(modelID, f.Name)]
		if p == nil {
			continue
		}
		for _, proc := range p.lib.Processes {
			for _, n := range proc.AllNodes {
				if name := strings.TrimSpace(n.Properties[property]); name != "" {
					out[name] = true
				}
			}
		}
	}
	return out
}

// CheckReferences reports, for every model of the repository, what its
// files refer to and is missing or broken (see referenceProblems), and the
// form-schema files that are not valid JSON Schema. Problems the files
// have on their own (parse errors) are in FileInfo.Problems.
func (r *Repo) CheckReferences() []Problem {
	return r.state().referenceReport(r.contentChecks(), r.dirOf, true)
}

// FileReferences reports what one BPMN file of a model refers to and is
// missing or broken (see referenceProblems), as its page shows them.
func (r *Repo) FileReferences(modelID, name string) []Problem {
	st := r.state()
	m := st.models[modelID]
	p := st.parsed[joinID(modelID, name)]
	if m == nil || p == nil || p.lib == nil {
		return nil
	}
	has := func(f string) bool {
		return slices.ContainsFunc(m.Files, func(fi FileInfo) bool { return fi.Name == f })
	}
	return referenceProblems(st, r.contentChecks(), joinID(modelID, name), p.lib, has, true)
}

// CheckDir reports the reference problems (see CheckReferences) of the
// models in a folder laid out as a repository, reading it only. Called
// processes and decisions are left to the BPMN parser, which checks them
// across the folder.
func CheckDir(dir string, checks Checks) ([]Problem, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r := &Repo{root: abs, cache: map[string]*parsed{}}
	st, err := r.scan(abs)
	if err != nil {
		return nil, err
	}
	return st.referenceReport(checks, r.dirOf, false), nil
}

func (st *state) referenceReport(checks Checks, dirOf func(string) string, calls bool) []Problem {
	var out []Problem
	ids := make([]string, 0, len(st.models))
	for id := range st.models {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m := st.models[id]
		has := func(name string) bool {
			return slices.ContainsFunc(m.Files, func(f FileInfo) bool { return f.Name == name })
		}
		for _, f := range m.Files {
			key := joinID(id, f.Name)
			if p := st.parsed[key]; p != nil && p.lib != nil {
				out = append(out, referenceProblems(st, checks, key, p.lib, has, calls)...)
			}
		}
		schemas := formSchemas(st, id)
		for _, name := range slices.Sorted(maps.Keys(schemas)) {
			if !has(name) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dirOf(id), name))
			if err != nil {
				out = append(out, Problem{File: joinID(id, name), Message: err.Error()})
				continue
			}
			if len(checkJSON(joinID(id, name), data)) > 0 {
				continue // reported as the file's own problem
			}
			out = append(out, schemaProblems(checks, joinID(id, name), data)...)
		}
		for _, name := range slices.Sorted(maps.Keys(uiSchemas(st, id))) {
			if !has(name) || schemas[name] {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dirOf(id), name))
			if err != nil {
				out = append(out, Problem{File: joinID(id, name), Message: err.Error()})
				continue
			}
			out = append(out, uiSchemaProblems(checks, joinID(id, name), data)...)
		}
	}
	return out
}
