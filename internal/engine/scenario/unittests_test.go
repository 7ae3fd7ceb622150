package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const unitTested = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="calc">
      <bpmn:extensionElements>
        <spiffworkflow:unitTests>
          <spiffworkflow:unitTest id="stamp">
            <spiffworkflow:inputJson>{"x": 2}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>WANT</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
        </spiffworkflow:unitTests>
      </bpmn:extensionElements>
      <bpmn:script>y = x * 2
day = datetime.now().day</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`

// TestScenarioRunsScriptUnitTests: the scenario runner runs the unit tests
// of its files on the scenario's clock, and a failing one fails the
// comparison with the expected result.
func TestScenarioRunsScriptUnitTests(t *testing.T) {
	run := func(want string) (*Result, []string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "p.bpmn"), []byte(strings.Replace(unitTested, "WANT", want, 1)), 0o644)
		os.WriteFile(filepath.Join(dir, "scenario.json"), []byte(`{"files": ["p.bpmn"], "process": "p", "start_time": "2026-03-07T10:00:00+00:00", "data": {"x": 1}}`), 0o644)
		res, err := Run(filepath.Join(dir, "scenario.json"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		exp := &Result{Status: "completed", Trace: res.Trace, Ready: []string{}, Waiting: []string{}, Data: map[string]any{"x": 1.0, "y": 2.0, "day": 7.0}}
		return res, Compare(exp, res)
	}
	res, diffs := run(`{"x": 2, "y": 4, "day": 7}`)
	if len(res.UnitTests) != 1 || !res.UnitTests[0].Passed || len(diffs) != 0 {
		t.Errorf("passing unit test: %+v, diffs %v", res.UnitTests, diffs)
	}
	res, diffs = run(`{"x": 2, "y": 5, "day": 7}`)
	if len(res.UnitTests) != 1 || res.UnitTests[0].Passed || len(diffs) != 1 || diffs[0] != `script task "calc" unit test "stamp" fails: y: got 4, want 5` {
		t.Errorf("failing unit test: %+v, diffs %q", res.UnitTests, diffs)
	}
}
