package scenario

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// sharedDir finds ../shared next to the repository.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("../../../../shared")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "conformance", "cases")); err != nil {
		t.Fatalf("the shared test data is missing: expected the conformance cases at %s (the shared/ folder must sit next to the repository)", filepath.Join(dir, "conformance", "cases"))
	}
	return dir
}

// pending lists the conformance cases whose features belong to later work,
// each with its reason. Nothing else may fail.
var pending = map[string]string{}

func TestConformance(t *testing.T) {
	root := filepath.Join(sharedDir(t), "conformance", "cases")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, mode := range []struct {
		name string
		opts Options
	}{{"direct", Options{}}, {"snapshots", Options{RoundTrip: true}}} {
		t.Run(mode.name, func(t *testing.T) { runCases(t, root, names, mode.opts) })
	}
}

func runCases(t *testing.T, root string, names []string, opts Options) {
	passed, failed := 0, 0
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			res, err := Run(filepath.Join(root, name, "scenario.json"), opts)
			var diffs []string
			if err != nil {
				diffs = []string{err.Error()}
			} else {
				exp, err := LoadResult(filepath.Join(root, name, "expected.json"))
				if err != nil {
					t.Fatal(err)
				}
				diffs = Compare(exp, res)
			}
			if reason, ok := pending[name]; ok {
				if len(diffs) == 0 {
					t.Errorf("case passes but is listed as pending (%s): remove it from the list", reason)
				}
				t.Logf("pending: %s", reason)
				return
			}
			for _, d := range diffs {
				t.Error(d)
			}
			if len(diffs) == 0 {
				passed++
			} else {
				failed++
			}
		})
	}
	t.Logf("conformance: %d passed, %d failed, %d pending", passed, failed, len(pending))
}
