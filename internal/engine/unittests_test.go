package engine_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/script"
)

const unitTestDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="total" name="Total">
      <bpmn:extensionElements>
        <spiffworkflow:unitTests>
          <spiffworkflow:unitTest id="passes">
            <spiffworkflow:inputJson>{"price": 12, "count": 3}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"price": 12, "count": 3, "total": 36, "lines": [{"n": 1}]}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
          <spiffworkflow:unitTest id="wrong total">
            <spiffworkflow:inputJson>{"price": 12, "count": 3, "extra": true}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"price": 12, "count": 3, "total": 35, "lines": [{"n": 2}], "note": "x"}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
          <spiffworkflow:unitTest id="raises">
            <spiffworkflow:inputJson>{"price": 12}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
          <spiffworkflow:unitTest id="bad json">
            <spiffworkflow:inputJson>{"price": </spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
        </spiffworkflow:unitTests>
      </bpmn:extensionElements>
      <bpmn:script>total = price * count
lines = [{"n": 1}]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="total" />
    <bpmn:sequenceFlow id="f2" sourceRef="total" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`

func TestRunUnitTests(t *testing.T) {
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "u.bpmn", Data: []byte(unitTestDiagram)})
	if err != nil {
		t.Fatal(err)
	}
	got := engine.RunUnitTests(&script.Env{}, lib)
	if len(got) != 4 {
		t.Fatalf("%d results, want 4: %v", len(got), got)
	}
	if !got[0].Passed || got[0].TestID != "passes" || got[0].NodeID != "total" || got[0].ProcessID != "p" {
		t.Errorf("first test: %+v", got[0])
	}
	want := []string{
		`extra: not expected, got true`,
		`lines[0].n: got 1, want 2`,
		`note: missing, want "x"`,
		`total: got 36, want 35`,
	}
	if got[1].Passed || got[1].Error != "" || !cmp.Equal(want, got[1].Diffs) {
		t.Errorf("wrong total: passed %v error %q diffs (-want +got):\n%s", got[1].Passed, got[1].Error, cmp.Diff(want, got[1].Diffs))
	}
	if got[2].Passed || !strings.Contains(got[2].Error, "the script failed") || !strings.Contains(got[2].Error, "count") {
		t.Errorf("raises: %+v", got[2])
	}
	if got[3].Passed || !strings.HasPrefix(got[3].Error, "the input JSON is not valid JSON") {
		t.Errorf("bad json: %+v", got[3])
	}
	if s := got[1].String(); !strings.Contains(s, `script task "total" test "wrong total": failed: extra: not expected`) {
		t.Errorf("String() = %q", s)
	}

	// The same tests given with an edited script, as the modeler sends them.
	edited := engine.RunScriptUnitTests(&script.Env{}, "total = price * count - 1\nlines = [{\"n\": 2}]\nnote = 'x'\ndel extra", []engine.UnitTest{
		{ID: "now passes", InputJSON: `{"price": 12, "count": 3, "extra": true}`, ExpectedOutputJSON: `{"price": 12, "count": 3, "total": 35, "lines": [{"n": 2}], "note": "x"}`},
	})
	if len(edited) != 1 || !edited[0].Passed {
		t.Errorf("edited script: %+v", edited)
	}
	broken := engine.RunScriptUnitTests(&script.Env{}, "total = (", []engine.UnitTest{{ID: "a"}})
	if len(broken) != 1 || broken[0].Passed || !strings.HasPrefix(broken[0].Error, "the script does not compile") {
		t.Errorf("broken script: %+v", broken)
	}
}

// TestCorpusUnitTests runs every script unit test of SpiffArena's sample
// repository and reports how many pass. Tests are read straight from the
// XML, so that those of files the engine refuses for other reasons run too.
func TestCorpusUnitTests(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus")
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".bpmn") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus not found at %s: %v", root, err)
	}
	sort.Strings(files)
	env := &script.Env{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	total, passed, parsedToo := 0, 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "unitTest") {
			continue
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(data); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		rel, _ := filepath.Rel(root, f)
		var fromXML []engine.UnitTestResult
		for _, task := range doc.FindElements("//scriptTask") {
			var tests []engine.UnitTest
			for _, u := range task.FindElements("./extensionElements/unitTests/unitTest") {
				ut := engine.UnitTest{ID: u.SelectAttrValue("id", "")}
				if e := u.FindElement("./inputJson"); e != nil {
					ut.InputJSON = e.Text()
				}
				if e := u.FindElement("./expectedOutputJson"); e != nil {
					ut.ExpectedOutputJSON = e.Text()
				}
				tests = append(tests, ut)
			}
			if len(tests) == 0 {
				continue
			}
			src := ""
			if e := task.FindElement("./script"); e != nil {
				src = e.Text()
			}
			for _, r := range engine.RunScriptUnitTests(env, src, tests) {
				r.NodeID = task.SelectAttrValue("id", "")
				fromXML = append(fromXML, r)
			}
		}
		for _, r := range fromXML {
			total++
			if r.Passed {
				passed++
			} else {
				t.Logf("%s: %s", rel, r)
			}
		}
		// Where the engine accepts the file, RunUnitTests agrees.
		if lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: filepath.Base(f), Data: data}); err == nil {
			parsedToo++
			got := engine.RunUnitTests(env, lib)
			if len(got) != len(fromXML) {
				t.Errorf("%s: RunUnitTests ran %d tests, the XML holds %d", rel, len(got), len(fromXML))
			}
			for i := range got {
				if i < len(fromXML) && got[i].Passed != fromXML[i].Passed {
					t.Errorf("%s: %s vs %s", rel, got[i], fromXML[i])
				}
			}
		}
	}
	t.Logf("corpus script unit tests: %d run, %d pass, %d fail (%d files also through the engine's parser)", total, passed, total-passed, parsedToo)
	if total == 0 || passed == 0 {
		t.Errorf("corpus script unit tests: %d run, %d pass", total, passed)
	}
}
