package dmn

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// knownBadCorpusFiles lists the corpus files that are not loadable DMN, with
// the problem Parse must report for each. Every other file must parse.
var knownBadCorpusFiles = map[string]string{
	// An SVG probing for external resources, saved with a .dmn name.
	"misc/service-tests/testing-sec/test/test.dmn": "not a DMN file: the root element is <svg>",
}

// TestCorpus parses every .dmn file of the SpiffArena sample models.
func TestCorpus(t *testing.T) {
	root := filepath.Join(sharedDir(t), "corpus", "sample-process-models")
	var files []string
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".dmn") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	if len(files) == 0 {
		t.Fatalf("no .dmn files under %s", root)
	}
	sort.Strings(files)
	parsed, failed, decisions, rules, exprs := 0, 0, 0, 0, 0
	seen := map[string]bool{}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := Parse(rel, data)
		want, bad := knownBadCorpusFiles[rel]
		seen[rel] = true
		switch {
		case err != nil:
			failed++
			t.Logf("failed: %v", err)
			if !bad {
				t.Errorf("%s does not parse: %v", rel, err)
			} else if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: problem %q, want one containing %q", rel, err, want)
			}
		case bad:
			t.Errorf("%s parses, but it is listed as a bad file (%s)", rel, want)
		default:
			parsed++
			for _, d := range ds {
				decisions++
				rules += len(d.Rules)
				exprs += d.ExpressionCount()
			}
		}
	}
	for rel := range knownBadCorpusFiles {
		if !seen[rel] {
			t.Errorf("known bad file %s is not in the corpus any more", rel)
		}
	}
	t.Logf("corpus: %d .dmn files, %d parsed (%d decisions, %d rules, %d expressions), %d failed", len(files), parsed, decisions, rules, exprs, failed)
}

// TestCorpusDecisions evaluates a few corpus decisions the way their
// processes call them.
func TestCorpusDecisions(t *testing.T) {
	root := filepath.Join(sharedDir(t), "corpus", "sample-process-models")
	tests := []struct {
		name, file, decision string
		data                 map[string]any
		want                 map[string]any
	}{
		{"boolean input, True entry", "misc/category_number_one/dmn-boolean-test/boolean-test-1.dmn", "Boolean_Test_Table_1",
			map[string]any{"a": int64(0)}, map[string]any{"result_table_1": "Table 1 Rule 1 - a equals zero"}},
		{"boolean input, False entry", "misc/category_number_one/dmn-boolean-test/boolean-test-1.dmn", "Boolean_Test_Table_1",
			map[string]any{"a": int64(3)}, map[string]any{"result_table_1": "Table 1 Rule 2 - does not equal zero"}},
		{"slice input", "misc/documentation/user-guide-basics/analyze-telephone-number.dmn", "Analyze_Telephone_Number",
			map[string]any{"lastName": "Norris", "telephone": "+1 7138686003"},
			map[string]any{"isRealChuckNorris": true, "whichNumber": "Chuck's Personal Number"}},
		{"slice input, other number", "misc/documentation/user-guide-basics/analyze-telephone-number.dmn", "Analyze_Telephone_Number",
			map[string]any{"lastName": "Norris", "telephone": "5550000000"},
			map[string]any{"isRealChuckNorris": false, "whichNumber": "Some Other Chuck Norris"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			ds, err := Parse(tc.file, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var d *Decision
			for _, x := range ds {
				if x.ID == tc.decision {
					d = x
				}
			}
			if d == nil {
				t.Fatalf("no decision %q in %s", tc.decision, tc.file)
			}
			got, err := d.Evaluate(nil, tc.data)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}
