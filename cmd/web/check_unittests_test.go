package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unitTestedBPMN holds a script task with a passing and a failing unit test.
const unitTestedBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="priced" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="calc">
      <bpmn:extensionElements>
        <spiffworkflow:unitTests>
          <spiffworkflow:unitTest id="doubles">
            <spiffworkflow:inputJson>{"x": 2}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"x": 2, "y": 4}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
          UNIT
        </spiffworkflow:unitTests>
      </bpmn:extensionElements>
      <bpmn:script>y = x * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`

const failingUnitTest = `<spiffworkflow:unitTest id="wrong">
            <spiffworkflow:inputJson>{"x": 3}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"x": 3, "y": 7}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>`

func TestCheckRunsScriptUnitTests(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "group", "m", "priced.bpmn")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"web", "check", dir}, args...), &out, &errOut, func(string) string { return "" })
		return code, out.String() + errOut.String()
	}
	os.WriteFile(file, []byte(strings.Replace(unitTestedBPMN, "UNIT", "", 1)), 0o644)
	if code, out := check(); code != 0 || !strings.Contains(out, "; 1 script unit tests, 1 pass") {
		t.Fatalf("passing test: exit %d\n%s", code, out)
	}

	os.WriteFile(file, []byte(strings.Replace(unitTestedBPMN, "UNIT", failingUnitTest, 1)), 0o644)
	code, out := check()
	if code == 0 || !strings.Contains(out, `group/m/priced.bpmn: calc: script unit test "wrong" fails: y: got 6, want 7`) || !strings.Contains(out, "2 script unit tests, 1 pass") {
		t.Errorf("failing test: exit %d\n%s", code, out)
	}
	code, out = check("-json")
	var report struct {
		Files     int `json:"files"`
		UnitTests []struct {
			File, Process, Element, Test string
			Passed                       bool
			Diffs                        []string
		} `json:"unit_tests"`
	}
	if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &report); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, out)
	}
	if code == 0 || report.Files != 1 || len(report.UnitTests) != 2 || !report.UnitTests[0].Passed || report.UnitTests[1].Passed ||
		report.UnitTests[1].Element != "calc" || report.UnitTests[1].Process != "priced" || strings.Join(report.UnitTests[1].Diffs, "") != "y: got 6, want 7" {
		t.Errorf("JSON report: exit %d %+v", code, report)
	}
}
