package models

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestCorpus points the repository at SpiffArena's sample repository.
func TestCorpus(t *testing.T) {
	ctx := context.Background()
	dir := copyCorpus(t)
	r, st := openRepo(t, dir)

	// Every folder with process_model.json is a model, every other folder
	// with process_group.json a group.
	var wantModels, wantGroups []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fileExists(filepath.Join(p, modelFile)):
			wantModels = append(wantModels, filepath.ToSlash(rel))
			return filepath.SkipDir
		case fileExists(filepath.Join(p, groupFile)):
			wantGroups = append(wantGroups, filepath.ToSlash(rel))
		}
		return nil
	})
	var gotModels, gotGroups []string
	var walk func(g *Group)
	walk = func(g *Group) {
		for _, c := range g.Groups {
			gotGroups = append(gotGroups, c.ID)
			walk(c)
		}
		for _, m := range g.Models {
			gotModels = append(gotModels, m.ID)
		}
	}
	walk(r.Tree())
	slices.Sort(wantModels)
	slices.Sort(wantGroups)
	slices.Sort(gotModels)
	slices.Sort(gotGroups)
	if diff := gocmp.Diff(wantModels, gotModels); diff != "" {
		t.Errorf("models (-disk +repo):\n%s", diff)
	}
	if diff := gocmp.Diff(wantGroups, gotGroups); diff != "" {
		t.Errorf("groups (-disk +repo):\n%s", diff)
	}

	// Names and order come from the metadata files, for every group and
	// model at every level.
	checkNamesAndOrder(t, dir, r.Tree())
	var top []string
	for _, g := range r.Tree().Groups {
		top = append(top, g.DisplayName)
	}
	// Extensions has no display_order (0), misc ("Shared Resources") 3,
	// site-administration 4.
	if diff := gocmp.Diff([]string{"Extensions", "Shared Resources", "Site Administration"}, top); diff != "" {
		t.Errorf("top-level groups (-want +got):\n%s", diff)
	}
	misc, err := r.Group("misc")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(misc.Groups); i++ {
		a, b := misc.Groups[i-1], misc.Groups[i]
		if a.DisplayOrder > b.DisplayOrder || a.DisplayOrder == b.DisplayOrder && strings.ToLower(a.DisplayName) > strings.ToLower(b.DisplayName) {
			t.Errorf("groups of misc out of order: %q (%d) before %q (%d)", a.DisplayName, a.DisplayOrder, b.DisplayName, b.DisplayOrder)
		}
	}
	m, err := r.Model("misc/test/a102")
	if err != nil {
		t.Fatal(err)
	}
	if m.DisplayName != "A.1.0.2 - Service Task" || m.DisplayOrder != 13 || m.PrimaryFileName != "A.1.0.2.bpmn" {
		t.Errorf("misc/test/a102 = %q order %d primary %q", m.DisplayName, m.DisplayOrder, m.PrimaryFileName)
	}
	if g, _ := r.Group("misc/test"); g.DisplayName != "Testing" {
		t.Errorf("misc/test display name %q, want Testing", g.DisplayName)
	}

	// Every BPMN and DMN file is indexed or reported with a precise error.
	indexedFiles := map[string]bool{}
	st2 := r.state()
	for _, loc := range st2.procs {
		indexedFiles[loc.path()] = true
	}
	for _, loc := range st2.decisions {
		indexedFiles[loc.path()] = true
	}
	var bpmnFiles, reported int
	for id, m := range st2.models {
		for _, f := range m.Files {
			if f.Type != "bpmn" && f.Type != "dmn" {
				continue
			}
			bpmnFiles++
			key := id + "/" + f.Name
			if len(f.Problems) > 0 {
				reported++
				for _, p := range f.Problems {
					if p.File != key || p.Message == "" {
						t.Errorf("%s: vague problem %+v", key, p)
					}
				}
				continue
			}
			if !indexedFiles[key] {
				// A file without problems may still define nothing (an
				// empty collaboration); it must then say so by having no
				// processes at all.
				if p := st2.parsed[key]; len(p.lib.Order) > 0 || len(p.lib.Decisions) > 0 {
					t.Errorf("%s parses but is not indexed", key)
				}
			}
		}
	}
	// The external-entity file is refused before the parser sees it, with
	// the line of the declaration, and nothing outside was read.
	xxe, err := r.File("misc/test/a102", "invoice.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	if len(xxe.Problems) == 0 || !strings.Contains(xxe.Problems[0].Message, "document type declaration") || xxe.Problems[0].Line == 0 {
		t.Errorf("XXE file problems: %+v", xxe.Problems)
	}
	for _, p := range r.Problems() {
		if strings.Contains(p.Message, "root:") || strings.Contains(p.Message, "/etc/") {
			t.Errorf("a problem carries outside content: %+v", p)
		}
	}

	n, err := st.IndexedProcessCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stats := r.Stats()
	if n != stats.Processes || n == 0 {
		t.Errorf("index holds %d processes, the scan found %d", n, stats.Processes)
	}
	t.Logf("corpus: %d groups, %d models, %d BPMN/DMN files (%d with problems), %d indexed processes, %d decisions",
		stats.Groups, stats.Models, bpmnFiles, reported, n, stats.Decisions)
	for _, p := range r.Problems() {
		t.Logf("problem: %s", p)
	}

	// Every model loads for the runner, or is a known-bad model refused for
	// a real defect of its files, named here with the words its error must
	// carry. The test fails when one more model is refused, and when a
	// known-bad one loads (the list must stay true).
	knownBad := map[string]string{
		// Documents without any process or decision.
		"misc/test/natalia-test":                                   "defines no process",
		"misc/category_number_one/form-builder":                    "defines no process",
		"misc/acceptance-tests-group-one/acceptance-tests-model-3": "defines no process",
		// Hostile on purpose: an external entity, an SVG named .dmn.
		"misc/service-tests/testing-sec/test": "document type declaration",
		// They call processes or decisions the repository does not have.
		"misc/shared/enumerations":               `"Shared_Build_Enum_List_from_AWS" is not defined`,
		"misc/shared/currency":                   `"Shared_Build_Enum_List_from_AWS" is not defined`,
		"misc/test/e2e-2":                        `"Process_m5lxua8" is not defined`,
		"misc/category_number_one/call-activity": `"empty_workflow_with_user_task" is not defined`,
		"misc/category_number_one/loop-test":     `"empty_workflow_with_user_task" is not defined`,
		"misc/service-tests/example-for-michael": `decision "awesome" is not defined`,
		// Defects SpiffWorkflow's parser refuses too, where a run reaches them.
		"misc/test/submit-invoice":   "without a condition and is not its default flow",
		"misc/test/c403-loop-task":   "without a condition and is not its default flow",
		"misc/test/c30":              "without a condition and is not its default flow",
		"misc/test/tc-b":             "without a condition and is not its default flow",
		"misc/test/c70":              "needs a loopCardinality or a loopDataInputRef",
		"misc/test/b11":              "timer event has no timeDate, timeDuration or timeCycle",
		"misc/test/b10-all-elements": "timer event has no timeDate, timeDuration or timeCycle",
		"misc/test/c10":              "timer event has no timeDate, timeDuration or timeCycle",
		"misc/test/a30":              `subprocess "Activity_1y1w8fv" has no start event`,
		"misc/test/e2e-7":            "call activity has no calledElement",
		// A draft: timers without a time, and compensation boundary events
		// that no association connects to a handler.
		"misc/test/c60": "has no handler: connect it by an association",
	}
	// Every BPMN and DMN file parses, or is a known-bad file whose problems
	// include the words named here: a real defect where a run reaches it.
	knownBadFiles := map[string]string{
		"misc/service-tests/testing-sec/test/test.bpmn":                         "document type declaration",
		"misc/service-tests/testing-sec/test/test.dmn":                          "not a DMN file",
		"misc/test/a102/invoice.bpmn":                                           "document type declaration",
		"misc/shared/user-info/group-finance.bpmn":                              "needs a loopCardinality or a loopDataInputRef",
		"misc/test/TC-1.0/cc-invoice-approval-process-v2 (1).bpmn":              "has no start event",
		"misc/test/TC-1.0/compare-invoice-data-vs-enterprise-systems-data.bpmn": "script task has no script",
		"misc/test/TC-1.0/manual-approval-process.bpmn":                         "script task has no script",
		"misc/test/a30/A.3.0.bpmn":                                              "has no start event",
		"misc/test/b10-all-elements/B.1.0.bpmn":                                 "timer event has no timeDate",
		"misc/test/b11/B.1.1.bpmn":                                              "timer event has no timeDate",
		"misc/test/c10/C.1.0.bpmn":                                              "timer event has no timeDate",
		"misc/test/c30/C.3.0.bpmn":                                              "without a condition and is not its default flow",
		"misc/test/c403-loop-task/C.4.0.3.bpmn":                                 "without a condition and is not its default flow",
		"misc/test/c60/C.6.0.bpmn":                                              "has no handler: connect it by an association",
		"misc/test/c70/C.7.0.bpmn":                                              "without a condition and is not its default flow",
		"misc/test/e2e-7/E2E-7.bpmn":                                            "call activity has no calledElement",
		"misc/test/submit-invoice/submit-invoice.bpmn":                          "without a condition and is not its default flow",
		"misc/test/submit-invoice/submit-invoice1.bpmn":                         "without a condition and is not its default flow",
		"misc/test/tc-b/TC-B.bpmn":                                              "without a condition and is not its default flow",
	}
	// Tasks no flow reaches are warnings, as SpiffWorkflow runs the model;
	// so is a service task parameter that is not an expression (an API key
	// without quotes; a425 calls a103): SpiffWorkflow fails the task when
	// it runs.
	for _, c := range []struct{ model, file, element string }{
		{"misc/shared/enumerations", "enumerations.bpmn", "Activity_18npi29"},
		{"misc/shared/currency", "currency-format.bpmn", "Activity_1ok1tfd"},
		{"misc/test/a103", "A.1.0.3.bpmn", "Activity_0xhr131"},
	} {
		f, err := r.File(c.model, c.file)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Problems) > 0 || !slices.ContainsFunc(f.Warnings, func(p Problem) bool { return p.Element == c.element }) {
			t.Errorf("%s/%s: problems %+v, warnings %+v; want a warning on %s and no problem", c.model, c.file, f.Problems, f.Warnings, c.element)
		}
	}
	var loaded, refused int
	ids := slices.Sorted(maps.Keys(st2.models))
	for _, id := range ids {
		for _, f := range st2.models[id].Files {
			if f.Type != "bpmn" && f.Type != "dmn" {
				continue
			}
			key := id + "/" + f.Name
			t.Logf("file %s: %d problems, %d warnings", key, len(f.Problems), len(f.Warnings))
			want, bad := knownBadFiles[key]
			switch {
			case len(f.Problems) > 0 && !bad:
				t.Errorf("%s is refused and is not a known-bad file: %+v", key, f.Problems)
			case len(f.Problems) == 0 && bad:
				t.Errorf("%s parses now: take it off the known-bad files", key)
			case bad && !slices.ContainsFunc(f.Problems, func(p Problem) bool { return strings.Contains(p.Message, want) }):
				t.Errorf("%s is refused for another reason than %q: %+v", key, want, f.Problems)
			}
		}
		lib, primary, err := r.LoadModel(ctx, id)
		var pe *ProblemsError
		switch {
		case err == nil:
			t.Logf("model %s: loads, primary %s", id, primary)
			if lib.Process(primary) == nil {
				t.Errorf("%s: primary process %q not in the library", id, primary)
			}
			if _, bad := knownBad[id]; bad {
				t.Errorf("%s loads now: take it off the known-bad list", id)
			}
			loaded++
		case errors.As(err, &pe), errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid):
			t.Logf("model %s: refused: %v", id, err)
			if !strings.Contains(err.Error(), id) && (pe == nil || !strings.Contains(pe.Problems[0].File, id)) {
				t.Errorf("%s: error does not name the model or its file: %v", id, err)
			}
			if want, bad := knownBad[id]; !bad {
				t.Errorf("%s is refused and is not a known-bad model: %v", id, err)
			} else if !strings.Contains(err.Error(), want) {
				t.Errorf("%s is refused for another reason than %q: %v", id, want, err)
			}
			refused++
		default:
			t.Errorf("%s: unexpected error kind: %v", id, err)
		}
	}
	t.Logf("LoadModel: %d models load, %d are refused with problems", loaded, refused)
}

// diskEntry is a group or model as its folder and JSON file describe it.
type diskEntry struct {
	id, name string
	order    int
}

// readDiskGroup lists the groups and models directly inside the folder of
// group id, read from their JSON files independently of the scan: the
// display name (the folder name when the file has none) and display_order,
// sorted as SpiffArena lists them, by display_order, then display name
// (ignoring case), then id. A folder with neither file counts as a group
// when something inside it is one.
func readDiskGroup(t *testing.T, root, id string) (groups, models []diskEntry) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(id)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		child := joinID(id, e.Name())
		dir := filepath.Join(root, filepath.FromSlash(child))
		var meta struct {
			DisplayName  *string `json:"display_name"`
			DisplayOrder *int    `json:"display_order"`
		}
		de := diskEntry{id: child, name: e.Name()}
		readMeta := func(file string) bool {
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return false
			}
			if err := json.Unmarshal(data, &meta); err != nil {
				t.Errorf("%s/%s: %v", child, file, err)
			}
			if meta.DisplayName != nil && *meta.DisplayName != "" {
				de.name = *meta.DisplayName
			}
			if meta.DisplayOrder != nil {
				de.order = *meta.DisplayOrder
			}
			return true
		}
		switch {
		case readMeta(modelFile):
			models = append(models, de)
		case readMeta(groupFile):
			groups = append(groups, de)
		default:
			if gs, ms := readDiskGroup(t, root, child); len(gs) > 0 || len(ms) > 0 {
				groups = append(groups, de)
			}
		}
	}
	byOrder := func(a, b diskEntry) int {
		if a.order != b.order {
			return cmp.Compare(a.order, b.order)
		}
		if c := strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	}
	slices.SortStableFunc(groups, byOrder)
	slices.SortStableFunc(models, byOrder)
	return groups, models
}

// checkNamesAndOrder compares every group's groups and models, in order,
// with what the folders and JSON files say.
func checkNamesAndOrder(t *testing.T, root string, g *Group) {
	t.Helper()
	wantGroups, wantModels := readDiskGroup(t, root, g.ID)
	var gotGroups, gotModels []diskEntry
	for _, c := range g.Groups {
		gotGroups = append(gotGroups, diskEntry{c.ID, c.DisplayName, c.DisplayOrder})
	}
	for _, m := range g.Models {
		gotModels = append(gotModels, diskEntry{m.ID, m.DisplayName, m.DisplayOrder})
	}
	opt := gocmp.AllowUnexported(diskEntry{})
	if diff := gocmp.Diff(wantGroups, gotGroups, opt); diff != "" {
		t.Errorf("groups of %q (-disk +repo):\n%s", g.ID, diff)
	}
	if diff := gocmp.Diff(wantModels, gotModels, opt); diff != "" {
		t.Errorf("models of %q (-disk +repo):\n%s", g.ID, diff)
	}
	for _, c := range g.Groups {
		checkNamesAndOrder(t, root, c)
	}
}
