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
	// Warnings are problems where no run reaches (see Parser.Warnings):
	// reported, but the files load.
	Warnings []Problem `json:"warnings"`
}

// CheckFiles parses a set of BPMN and DMN files together (call activities
// may name processes in other files; process and decision ids must be unique
// across all of them) and reports every problem.
func CheckFiles(files []File) *Report {
	r := &Report{Problems: []Problem{}, Warnings: []Problem{}}
	p := NewParser(Options{RequireCalledProcesses: true})
	for _, f := range files {
		p.Add(f.Name, f.Data)
	}
	_, err := p.Finish()
	var ps Problems
	if errors.As(err, &ps) {
		r.Problems = append(r.Problems, ps...)
	}
	r.Warnings = append(r.Warnings, p.Warnings()...)
	st := p.Stats()
	r.Scripts, r.ScriptsOK = st.Scripts, st.ScriptsOK
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
	return r
}

// IsModelFile reports whether a file name is a BPMN or DMN file.
func IsModelFile(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".bpmn") || strings.HasSuffix(lower, ".bpmn20.xml") || strings.HasSuffix(lower, ".dmn")
}

// CheckDir checks every BPMN and DMN file under dir (hidden folders are
// skipped). File names in the report are relative to dir.
func CheckDir(dir string) (*Report, error) {
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
		if !IsModelFile(d.Name()) || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if info.Size() > MaxFileSize {
			files = append(files, File{Name: rel, Data: make([]byte, MaxFileSize+1)})
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
	return CheckFiles(files), nil
}
