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

// deviation is a case where SpiffWorkflow's recorded behaviour is a defect
// and Waymark does the BPMN-correct thing; the test asserts Waymark's result.
type deviation struct {
	reason  string
	status  string
	ready   []string
	waiting []string
	trace   []string       // nil: same trace as recorded
	data    map[string]any // nil: same data as recorded
	// steps, when not 0, runs only the first steps of the scenario: the
	// later ones act on what BPMN says no longer exists.
	steps int
}

var deviations = map[string]deviation{
	"event-subprocess-signal": {
		reason:  "the event subprocess's signal start has no isInterrupting attribute, which BPMN reads as interrupting: the process's own signal starts it and cancels the rest of the process, so the later outside signal finds no trigger and there is one 'task', not two (SpiffWorkflow never interrupts for signal starts)",
		steps:   3,
		status:  "completed",
		ready:   []string{},
		waiting: []string{},
		// The end event after the throw is cancelled with the rest.
		trace: []string{"StartEvent_1", "set_data", "Event_1o52hta", "Event_0rfrdxr", "task", "Event_17xen75", "sub"},
		// The process reached no end event of its own, and an event
		// subprocess's data stays inside it: the final data is empty (an
		// empty map is compared: no key may appear).
		data: map[string]any{},
	},
	"event-gateway-timer": {
		reason:  "SpiffWorkflow never completes an event-based gateway whose timer fires; the gateway completes with its timer event",
		status:  "completed",
		ready:   []string{},
		waiting: []string{},
		trace:   []string{"StartEvent_1", "Gateway_1434v9l", "timer_event", "timer"},
	},
	"parallel-through-same-task": {
		reason:  "the second activation of the inclusive join keeps the READY 'Done' task of the first (tokens are not dropped)",
		status:  "waiting",
		ready:   []string{"sid-F3A979E3-F586-4807-8223-1FAB5A5647B0"},
		waiting: []string{},
		// The end event reached last belongs to the join's first activation,
		// which fired before 'choice' was set on the other branch.
		data: map[string]any{},
	},
}

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
			sc, err := Load(filepath.Join(root, name, "scenario.json"))
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := deviations[name]; ok && d.steps > 0 {
				sc.Steps = sc.Steps[:d.steps]
			}
			res, err := sc.Run(filepath.Join(root, name), opts)
			if res != nil {
				t.Logf("result: status %s trace %v ready %v waiting %v data %v", res.Status, res.Trace, res.Ready, res.Waiting, res.Data)
			}
			var diffs []string
			if err != nil {
				diffs = []string{err.Error()}
			} else {
				exp, err := LoadResult(filepath.Join(root, name, "expected.json"))
				if err != nil {
					t.Fatal(err)
				}
				if len(sc.BPMNTraceDrop) > 0 {
					t.Logf("quirk: %s", sc.QuirkNote)
					if exp.Trace, err = DropFromTrace(exp.Trace, sc.BPMNTraceDrop); err != nil {
						t.Fatal(err)
					}
				}
				if d, ok := deviations[name]; ok {
					t.Logf("deviation from SpiffWorkflow: %s", d.reason)
					exp.Status, exp.Ready, exp.Waiting = d.status, d.ready, d.waiting
					if d.trace != nil {
						exp.Trace = d.trace
					}
					if d.data != nil {
						exp.Data = d.data
					}
				}
				diffs = Compare(exp, res)
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
	t.Logf("conformance: %d passed, %d failed", passed, failed)
}
