package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="broken"/>
    <bpmn:sequenceFlow id="f1" sourceRef="broken" targetRef="nowhere"/>
    <bpmn:task id="orphan"/>
  </bpmn:process>
</bpmn:definitions>`

// checkJSONReport checks the JSON report of the check test folder: the
// keys and types the issue specifies, for the report and each problem.
func checkJSONReport(t *testing.T, out []byte) {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"files", "files_ok", "scripts", "scripts_ok"} {
		if _, ok := raw[k].(float64); !ok {
			t.Errorf("report key %q = %#v, want a number", k, raw[k])
		}
	}
	if raw["files"] != 3.0 || raw["files_ok"] != 1.0 || raw["scripts"] != 2.0 || raw["scripts_ok"] != 1.0 {
		t.Errorf("counts = %v %v %v %v, want 3 files, 1 ok, 2 scripts, 1 ok", raw["files"], raw["files_ok"], raw["scripts"], raw["scripts_ok"])
	}
	problems, ok := raw["problems"].([]any)
	if !ok {
		t.Fatalf("problems = %#v, want a list", raw["problems"])
	}
	type located struct{ File, Element string }
	var got []located
	for i, p := range problems {
		obj, ok := p.(map[string]any)
		if !ok {
			t.Errorf("problem %d = %#v, want an object", i, p)
			continue
		}
		for _, k := range []string{"file", "element", "message"} {
			if _, ok := obj[k].(string); !ok {
				t.Errorf("problem %d key %q = %#v, want a string (present even when empty)", i, k, obj[k])
			}
		}
		if msg, _ := obj["message"].(string); msg == "" {
			t.Errorf("problem %d has an empty message", i)
		}
		for k, v := range obj {
			switch k {
			case "file", "element", "message":
			case "warning":
				t.Errorf("problem %d is marked as a warning", i)
			case "line":
				if _, ok := v.(float64); !ok {
					t.Errorf("problem %d line = %#v, want a number", i, v)
				}
			default:
				t.Errorf("problem %d has an unexpected key %q", i, k)
			}
		}
		file, _ := obj["file"].(string)
		element, _ := obj["element"].(string)
		got = append(got, located{file, element})
	}
	bad := filepath.Join("group", "bad-model", "bad.bpmn")
	want := []located{
		// Malformed XML is a problem of the whole file: element is "".
		{filepath.Join("group", "broken-model", "broken.bpmn"), ""},
		{bad, "broken"}, // the script does not parse
		{bad, "f1"},     // the flow leads nowhere
	}
	// No flow leads to the orphan task: a warning, apart from the problems.
	if ws, ok := raw["warnings"].([]any); !ok || len(ws) != 1 || ws[0].(map[string]any)["element"] != "orphan" || ws[0].(map[string]any)["warning"] != true {
		t.Errorf("warnings = %#v, want one, on the orphan task", raw["warnings"])
	}
	sortLocated := func(l []located) {
		sort.Slice(l, func(i, j int) bool { return l[i].File+" "+l[i].Element < l[j].File+" "+l[j].Element })
	}
	sortLocated(got)
	sortLocated(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems (-want +got):\n%s\n%s", d, out)
	}
}

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
	write("group/broken-model/broken.bpmn", `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">`)
	// The flag may come before or after the folder, with one dash or two.
	for _, args := range []string{"-json DIR", "--json DIR", "DIR -json", "DIR --json"} {
		t.Run("problems in JSON and exit 1: check "+args, func(t *testing.T) {
			argv := []string{"web", "check"}
			for _, a := range strings.Fields(args) {
				argv = append(argv, strings.Replace(a, "DIR", dir, 1))
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), argv, &out, &errOut, func(string) string { return "" })
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, errOut.String())
			}
			checkJSONReport(t, out.Bytes())
		})
	}

	t.Run("two folders are a usage error", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"web", "check", dir, "-json", dir}, &out, &errOut, func(string) string { return "" })
		if code != 2 || !strings.Contains(errOut.String(), "one folder") {
			t.Errorf("exit %d, stderr %q; want 2 and a usage message", code, errOut.String())
		}
	})

	t.Run("a folder after -- may start with a dash", func(t *testing.T) {
		dashed := filepath.Join(t.TempDir(), "-models")
		if err := os.MkdirAll(dashed, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dashed, "good.bpmn"), []byte(goodBPMN), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		t.Chdir(filepath.Dir(dashed))
		code := run(context.Background(), []string{"web", "check", "-json", "--", "-models"}, &out, &errOut, func(string) string { return "" })
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errOut.String())
		}
		if !strings.Contains(out.String(), `"files_ok": 1`) {
			t.Errorf("report = %s", out.String())
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
	// Flags in any order, with one dash or two.
	for _, args := range []string{"-scenario PATH", "--scenario PATH -snapshots", "-snapshots --scenario=PATH"} {
		t.Run("run "+args, func(t *testing.T) {
			argv := []string{"web", "run"}
			for _, a := range strings.Fields(args) {
				argv = append(argv, strings.Replace(a, "PATH", path, 1))
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), argv, &out, &errOut, func(string) string { return "" })
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
			// The case calls no service: the lists are empty, never null.
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"service_calls", "thrown"} {
				if got := string(raw[k]); got != "[]" {
					t.Errorf("%q = %s, want []", k, got)
				}
			}
		})
	}

	t.Run("a stray argument is a usage error", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"web", "run", "-scenario", path, "extra"}, &out, &errOut, func(string) string { return "" })
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
}
