package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// checkUnitTest is one script unit test in the report of `web check`.
type checkUnitTest struct {
	File    string   `json:"file"`
	Process string   `json:"process"`
	Element string   `json:"element"`
	Test    string   `json:"test"`
	Passed  bool     `json:"passed"`
	Error   string   `json:"error,omitempty"`
	Diffs   []string `json:"diffs,omitempty"`
}

// checkUnitTests runs the spiffworkflow:unitTests of every script task of
// the BPMN files under dir, file by file. A file the engine refuses is
// skipped: its problems are in the report already.
func checkUnitTests(dir string) ([]checkUnitTest, error) {
	var files []string
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
		if strings.HasSuffix(strings.ToLower(d.Name()), ".bpmn") && d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	env := &script.Env{Now: time.Now}
	out := []checkUnitTest{}
	for _, path := range files {
		info, err := os.Stat(path)
		if err != nil || info.Size() > bpmn.MaxFileSize {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if !strings.Contains(string(data), "unitTest") {
			continue
		}
		lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: filepath.Base(path), Data: data})
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(dir, path)
		for _, r := range engine.RunUnitTests(env, lib) {
			out = append(out, checkUnitTest{File: filepath.ToSlash(rel), Process: r.ProcessID, Element: r.NodeID, Test: r.TestID,
				Passed: r.Passed, Error: r.Error, Diffs: r.Diffs})
		}
	}
	return out, nil
}

// text is the line `web check` prints for a failed test.
func (u checkUnitTest) text() string {
	why := u.Error
	if why == "" {
		why = strings.Join(u.Diffs, "; ")
	}
	return u.File + ": " + u.Element + ": script unit test " + quote(u.Test) + " fails: " + why
}

func quote(s string) string { return `"` + s + `"` }
