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

const goodBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="good" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="calc"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`

const badBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="bad" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="broken"><bpmn:script>x = (1 +</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nowhere"/>
  </bpmn:process>
</bpmn:definitions>`

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("group/good-model/good.bpmn", goodBPMN)

	t.Run("clean folder exits 0", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"web", "check", dir}, &out, &errOut, func(string) string { return "" })
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errOut.String())
		}
		if !strings.Contains(out.String(), "1 files, 1 without problems") {
			t.Errorf("summary = %q", out.String())
		}
	})

	write("group/bad-model/bad.bpmn", badBPMN)
	t.Run("problems in JSON and exit 1", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"web", "check", "-json", dir}, &out, &errOut, func(string) string { return "" })
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		var r struct {
			Files     int `json:"files"`
			FilesOK   int `json:"files_ok"`
			Scripts   int `json:"scripts"`
			ScriptsOK int `json:"scripts_ok"`
			Problems  []struct{ File, Element, Message string }
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out.String())
		}
		var raw map[string]any
		_ = json.Unmarshal(out.Bytes(), &raw)
		for _, k := range []string{"files", "files_ok", "scripts", "scripts_ok", "problems"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("JSON report lacks %q", k)
			}
		}
		if r.Files != 2 || r.FilesOK != 1 || r.Scripts != 2 || r.ScriptsOK != 1 {
			t.Errorf("counts = %+v", r)
		}
		found := map[string]bool{}
		for _, p := range r.Problems {
			if p.File != filepath.Join("group", "bad-model", "bad.bpmn") {
				t.Errorf("problem in unexpected file %q", p.File)
			}
			found[p.Element] = true
		}
		if !found["broken"] || !found["f1"] {
			t.Errorf("problems = %+v, want ones for the script task and the flow", r.Problems)
		}
	})

	t.Run("not a folder is a usage error", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"web", "check", filepath.Join(dir, "missing")}, &out, &errOut, func(string) string { return "" })
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
}

func TestRunCommand(t *testing.T) {
	path, err := filepath.Abs("../../../shared/conformance/cases/exclusive-greater/scenario.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the shared test data is missing: expected %s (shared/ must sit next to the repository)", path)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"web", "run", "-scenario", path}, &out, &errOut, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var res struct {
		Status string
		Trace  []string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if res.Status != "completed" || len(res.Trace) != 4 || res.Trace[2] != "Activity_Greater" {
		t.Errorf("result = %+v", res)
	}
}
