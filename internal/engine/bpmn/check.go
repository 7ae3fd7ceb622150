package bpmn

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// Stats counts what the parser compiled: scripts (script tasks, pre- and
// post-scripts) and expressions (conditions, parameters, payloads, timers...).
type Stats struct {
	Scripts   int
	ScriptsOK int
}

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

func (p *Parser) compile(name, src string) (*script.Program, error) {
	p.stats.Scripts++
	prog, err := script.Compile(name, src)
	if err == nil {
		p.stats.ScriptsOK++
	}
	return prog, err
}

func (p *Parser) compileExpr(name, src string) (*script.Expr, error) {
	p.stats.Scripts++
	e, err := script.CompileExpr(name, src)
	if err == nil {
		p.stats.ScriptsOK++
	}
	return e, err
}

// Report is the result of checking a folder of models: how many files and
// scripts were read and which problems were found.
type Report struct {
	Files     int       `json:"files"`
	FilesOK   int       `json:"files_ok"`
	Scripts   int       `json:"scripts"`
	ScriptsOK int       `json:"scripts_ok"`
	Problems  []Problem `json:"problems"`
}

// CheckFiles parses a set of files together (call activities may name
// processes in other files; process ids must be unique across all of them)
// and reports every problem. extra checkers handle other kinds of files
// (decision tables) by name suffix.
func CheckFiles(files []File, extra map[string]func(File) ([]Problem, int, int)) *Report {
	r := &Report{Problems: []Problem{}}
	p := NewParser(Options{RequireCalledProcesses: true})
	for _, f := range files {
		handled := false
		for suffix, check := range extra {
			if strings.HasSuffix(strings.ToLower(f.Name), suffix) {
				probs, scripts, ok := check(f)
				r.Problems = append(r.Problems, probs...)
				r.Scripts += scripts
				r.ScriptsOK += ok
				handled = true
			}
		}
		if !handled {
			p.Add(f.Name, f.Data)
		}
	}
	_, err := p.Finish()
	var ps Problems
	if errors.As(err, &ps) {
		r.Problems = append(r.Problems, ps...)
	}
	st := p.Stats()
	r.Scripts += st.Scripts
	r.ScriptsOK += st.ScriptsOK
	bad := map[string]bool{}
	for _, pr := range r.Problems {
		bad[pr.File] = true
	}
	r.Files = len(files)
	for _, f := range files {
		if !bad[f.Name] {
			r.FilesOK++
		}
	}
	Problems(r.Problems).sort()
	return r
}

// CheckDir checks every .bpmn file (and, through extra, other model files)
// under dir. File names in the report are relative to dir.
func CheckDir(dir string, extra map[string]func(File) ([]Problem, int, int)) (*Report, error) {
	var files []File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != dir {
				return filepath.SkipDir
			}
			return nil
		}
		lower := strings.ToLower(d.Name())
		want := strings.HasSuffix(lower, ".bpmn") || strings.HasSuffix(lower, ".bpmn20.xml")
		for suffix := range extra {
			want = want || strings.HasSuffix(lower, suffix)
		}
		if !want || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if info.Size() > MaxFileSize {
			files = append(files, File{Name: rel, Data: nil})
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, File{Name: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return CheckFiles(files, extra), nil
}
