package dmn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// scenario is the part of a conformance scenario.json these tests use.
type scenario struct {
	Files    []string       `json:"files"`
	Decision string         `json:"decision"`
	Process  string         `json:"process"`
	Data     map[string]any `json:"data"`
}

type expected struct {
	Status string         `json:"status"`
	Data   map[string]any `json:"data"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// TestConformance evaluates the decisions of the shared dmn-* conformance
// cases and compares the merged data with what SpiffWorkflow recorded.
// DMN-only cases name the decision and its data. A case that runs a process
// is a straight line of script tasks before one business rule task here;
// the test runs those scripts for the data and evaluates the decision the
// task names, leaving the process itself to the engine's own runner.
func TestConformance(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(sharedDir(t), "conformance", "cases", "dmn-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no dmn-* conformance cases under %s", filepath.Join(sharedDir(t), "conformance", "cases"))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var sc scenario
			var want expected
			readJSON(t, filepath.Join(dir, "scenario.json"), &sc)
			readJSON(t, filepath.Join(dir, "expected.json"), &want)

			decisions := map[string]*Decision{}
			var bpmnFiles []string
			for _, f := range sc.Files {
				if !strings.HasSuffix(f, ".dmn") {
					bpmnFiles = append(bpmnFiles, filepath.Join(dir, f))
					continue
				}
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				ds, err := Parse(f, b)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				for _, d := range ds {
					decisions[d.ID] = d
				}
			}
			data := map[string]any{}
			deepMerge(data, sc.Data)
			decisionID := sc.Decision
			if decisionID == "" {
				decisionID, data = runScriptsBeforeRuleTask(t, bpmnFiles, sc.Process, data)
			}
			d, ok := decisions[decisionID]
			if !ok {
				t.Fatalf("no decision %q among the case's DMN files", decisionID)
			}
			out, err := d.Evaluate(nil, data)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			deepMerge(data, out)
			if want.Status != "completed" {
				t.Fatalf("expected status %q: this test only knows completed cases", want.Status)
			}
			if diff := cmp.Diff(jsonRoundTrip(t, want.Data), jsonRoundTrip(t, data)); diff != "" {
				t.Errorf("data (-SpiffWorkflow +Waymark):\n%s", diff)
			}
		})
	}
}

// runScriptsBeforeRuleTask runs, in document order, the script tasks of
// process and returns the decision id of its business rule task with the
// data the scripts leave.
func runScriptsBeforeRuleTask(t *testing.T, files []string, process string, data map[string]any) (string, map[string]any) {
	t.Helper()
	const bpmnNS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	for _, f := range files {
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(f); err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		for _, p := range doc.FindElements("//process") {
			if p.NamespaceURI() != bpmnNS || p.SelectAttrValue("id", "") != process {
				continue
			}
			for _, el := range p.ChildElements() {
				switch el.Tag {
				case "scriptTask":
					src := el.FindElement("script")
					if src == nil {
						continue
					}
					prog, err := script.Compile(el.SelectAttrValue("id", ""), src.Text())
					if err != nil {
						t.Fatalf("compile script: %v", err)
					}
					if data, err = prog.Exec(nil, data); err != nil {
						t.Fatalf("run script: %v", err)
					}
				case "businessRuleTask":
					called := el.FindElement("extensionElements/calledDecisionId")
					if called == nil {
						t.Fatalf("business rule task %s names no decision", el.SelectAttrValue("id", ""))
					}
					return strings.TrimSpace(called.Text()), data
				}
			}
		}
	}
	t.Fatalf("no business rule task in process %q", process)
	return "", nil
}
