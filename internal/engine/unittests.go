package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// UnitTestResult is the outcome of one spiffworkflow:unitTest of a script
// task: the script runs on the test's input JSON as task data, and the task
// data after it must equal the expected output JSON, as SpiffArena checks
// them.
type UnitTestResult struct {
	ProcessID, NodeID, NodeName string
	TestID                      string
	Passed                      bool
	// Error says why the test could not be judged on the data: input or
	// expected output that is not a JSON object, a task with no script,
	// or the script failing. Empty when the script ran.
	Error string
	// Diffs list where the data after the script differs from the
	// expected output, one line per path ("total: got 12, want 10").
	Diffs []string
}

// String reads like `approve/compute test "T1": passed` or with the
// reason it failed.
func (r UnitTestResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "script task %q test %q: ", r.NodeID, r.TestID)
	switch {
	case r.Passed:
		b.WriteString("passed")
	case r.Error != "":
		b.WriteString("failed: " + r.Error)
	default:
		b.WriteString("failed: " + strings.Join(r.Diffs, "; "))
	}
	return b.String()
}

// UnitTest is one test given on its own, as the modeler's panel sends it.
type UnitTest struct {
	ID, InputJSON, ExpectedOutputJSON string
}

// RunScriptUnitTests runs tests against a script source (as the modeler
// holds it, saved or not). A script that does not compile fails every test
// with the compile error.
func RunScriptUnitTests(env *script.Env, source string, tests []UnitTest) []UnitTestResult {
	prog, err := script.Compile("script", source)
	out := make([]UnitTestResult, 0, len(tests))
	for _, u := range tests {
		r := UnitTestResult{TestID: u.ID}
		if err != nil {
			r.Error = "the script does not compile: " + err.Error()
		} else {
			runUnitTest(env, prog, u.InputJSON, u.ExpectedOutputJSON, &r)
		}
		out = append(out, r)
	}
	return out
}

// RunUnitTests runs the unit tests of every script task of the library's
// processes, in process order and then by node id.
func RunUnitTests(env *script.Env, lib *spec.Library) []UnitTestResult {
	var out []UnitTestResult
	for _, pid := range lib.Order {
		proc := lib.Processes[pid]
		if proc == nil {
			continue
		}
		ids := make([]string, 0, len(proc.AllNodes))
		for id, n := range proc.AllNodes {
			if len(n.UnitTests) > 0 {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			n := proc.AllNodes[id]
			for _, u := range n.UnitTests {
				r := UnitTestResult{ProcessID: pid, NodeID: n.ID, NodeName: n.Name, TestID: u.ID}
				if n.Script == nil {
					r.Error = "the task has no script"
				} else {
					runUnitTest(env, n.Script, u.InputJSON, u.ExpectedOutputJSON, &r)
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func runUnitTest(env *script.Env, prog *script.Program, input, expected string, r *UnitTestResult) {
	in, err := jsonObject(input)
	if err != nil {
		r.Error = "the input JSON " + err.Error()
		return
	}
	want, err := jsonObject(expected)
	if err != nil {
		r.Error = "the expected output JSON " + err.Error()
		return
	}
	got, err := prog.Exec(env, in)
	if err != nil {
		r.Error = "the script failed: " + err.Error()
		return
	}
	diffValues("", got, want, &r.Diffs)
	r.Passed = len(r.Diffs) == 0
}

// jsonObject reads a test's JSON; empty text is an empty object.
func jsonObject(text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" {
		return map[string]any{}, nil
	}
	v, err := parseValue([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("is not valid JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("is not a JSON object")
	}
	return m, nil
}

// diffValues appends where got differs from want, path by path.
func diffValues(path string, got, want any, diffs *[]string) {
	name := path
	if name == "" {
		name = "(the data)"
	}
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		keys := map[string]bool{}
		for k := range gm {
			keys[k] = true
		}
		for k := range wm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			gv, inGot := gm[k]
			wv, inWant := wm[k]
			switch {
			case !inGot:
				*diffs = append(*diffs, fmt.Sprintf("%s: missing, want %s", p, jsonText(wv)))
			case !inWant:
				*diffs = append(*diffs, fmt.Sprintf("%s: not expected, got %s", p, jsonText(gv)))
			default:
				diffValues(p, gv, wv, diffs)
			}
		}
		return
	}
	gl, gok := got.([]any)
	wl, wok := want.([]any)
	if gok && wok && len(gl) == len(wl) {
		for i := range gl {
			diffValues(path+"["+strconv.Itoa(i)+"]", gl[i], wl[i], diffs)
		}
		return
	}
	if !equalValue(got, want) {
		*diffs = append(*diffs, fmt.Sprintf("%s: got %s, want %s", name, jsonText(got), jsonText(want)))
	}
}

func jsonText(v any) string { return string(appendValue(nil, v)) }
