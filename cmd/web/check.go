package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/internal/jinja"
	"github.com/waymark-bpm/waymark/internal/models"
)

// contentChecks are the checks of form schemas and templates the model
// repository runs on save and check runs on a folder.
var contentChecks = models.Checks{Schema: forms.CheckSchema, Template: jinja.Check}

// addReferenceProblems adds to r what the models under dir refer to and
// is missing or broken: form and UI-schema files, form schemas that are
// not valid JSON Schema, instructions that are not valid Jinja. (Called
// processes and decisions the BPMN check reports itself.)
func addReferenceProblems(r *bpmn.Report, dir string) error {
	ps, err := models.CheckDir(dir, contentChecks)
	if err != nil {
		return err
	}
	bad := map[string]bool{}
	for _, p := range r.Problems {
		bad[p.File] = true
	}
	for _, p := range ps {
		r.Problems = append(r.Problems, bpmn.Problem{File: p.File, ElementID: p.Element, Line: p.Line, Msg: p.Message})
		if bpmn.IsModelFile(p.File) && !bad[p.File] {
			bad[p.File] = true
			r.FilesOK--
		}
	}
	return nil
}

// errProblems makes check exit non-zero when a model has problems, so model
// repositories can use it in their own CI.
var errProblems = errors.New("problems found")

// checkCmd validates every BPMN and DMN file under a folder: parse,
// validate, and compile every script, pre/post script and condition; then
// run the unit tests of every script task (spiffworkflow:unitTests).
func checkCmd(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "check")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	folders, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(folders) != 1 {
		return usageErrorf("check takes one folder: web check [-json] DIR")
	}
	dir := folders[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageErrorf("%s is not a folder", dir)
	}
	r, err := bpmn.CheckDir(dir)
	if err != nil {
		return err
	}
	if err := addReferenceProblems(r, dir); err != nil {
		return err
	}
	tests, err := checkUnitTests(dir)
	if err != nil {
		return err
	}
	failed := 0
	for _, u := range tests {
		if !u.Passed {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		report := struct {
			*bpmn.Report
			UnitTests []checkUnitTest `json:"unit_tests"`
		}{r, tests}
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else {
		for _, p := range r.Problems {
			fmt.Fprintln(e.stdout, p.Error())
		}
		for _, p := range r.Warnings {
			fmt.Fprintln(e.stdout, p.Error())
		}
		for _, u := range tests {
			if !u.Passed {
				fmt.Fprintln(e.stdout, u.text())
			}
		}
		fmt.Fprintf(e.stdout, "%d files, %d without problems; %d scripts and expressions, %d compile; %d problems, %d warnings; %d script unit tests, %d pass\n",
			r.Files, r.FilesOK, r.Scripts, r.ScriptsOK, len(r.Problems), len(r.Warnings), len(tests), len(tests)-failed)
	}
	if len(r.Problems) > 0 {
		return fmt.Errorf("%w in %d of %d files", errProblems, r.Files-r.FilesOK, r.Files)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d script unit tests fail", errProblems, failed, len(tests))
	}
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`web check DIR -json` as well as `web check -json
// DIR`), which the flag package alone refuses: it stops at the first
// argument that is not a flag. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageErrorf("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
