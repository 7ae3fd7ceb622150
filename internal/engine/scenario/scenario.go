// Package scenario runs the engine-neutral conformance scenarios of
// ../shared/conformance (format: FORMAT.md there) and compares results.
// It drives the engine exactly as a host does: parse files, start, complete
// human tasks, deliver messages and signals, advance a fake clock.
//
// Imports: engine, engine/bpmn, engine/spec, engine/script.
package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Scenario is a parsed scenario.json.
type Scenario struct {
	Description   string         `json:"description"`
	Files         []string       `json:"files"`
	Process       string         `json:"process"`
	Decision      string         `json:"decision"`
	Collaboration bool           `json:"collaboration"`
	StartTime     string         `json:"start_time"`
	Data          map[string]any `json:"data"`
	Services      map[string]any `json:"services"`
	Steps         []Step         `json:"steps"`
	Notes         string         `json:"notes"`
	SpiffQuirk    bool           `json:"spiff_quirk"`
	// BPMNTraceDrop lists, for a quirk case, the element completions
	// SpiffWorkflow records and BPMN does not (see DropFromTrace).
	BPMNTraceDrop []string                   `json:"bpmn_trace_drop"`
	QuirkNote     string                     `json:"quirk_note"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// Step is one scenario action.
type Step struct {
	Complete string         `json:"complete,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
	Message  string         `json:"message,omitempty"`
	Signal   string         `json:"signal,omitempty"`
	Payload  any            `json:"payload,omitempty"`
	Advance  string         `json:"advance,omitempty"`
}

// Result is the runner's output, in expected.json's shape.
type Result struct {
	Status       string         `json:"status"`
	Trace        []string       `json:"trace"`
	Ready        []string       `json:"ready"`
	Waiting      []string       `json:"waiting"`
	Data         map[string]any `json:"data"`
	ErrorTask    string         `json:"error_task,omitempty"`
	Error        string         `json:"error,omitempty"`
	AfterSteps   []Snapshot     `json:"after_steps"`
	Thrown       []Thrown       `json:"thrown"`
	ServiceCalls []ServiceCall  `json:"service_calls"`
	// UnitTests are the outcomes of the script tasks' unit tests
	// (spiffworkflow:unitTests) in the scenario's files; a failing one
	// fails the scenario.
	UnitTests []UnitTest `json:"unit_tests,omitempty"`
	// Clock is the virtual clock after the last step.
	Clock string `json:"clock,omitempty"`
	// Recorded holds the answers Options.Live gave, by operator, in the
	// shape of Scenario.Services.
	Recorded map[string]any `json:"recorded_services,omitempty"`
}

// UnitTest is the outcome of one script unit test.
type UnitTest struct {
	Task   string   `json:"task"`
	Test   string   `json:"test"`
	Passed bool     `json:"passed"`
	Error  string   `json:"error,omitempty"`
	Diffs  []string `json:"diffs,omitempty"`
}

// Snapshot lists READY human tasks and WAITING catchers after a step.
type Snapshot struct {
	Ready   []string `json:"ready"`
	Waiting []string `json:"waiting"`
}

// Thrown is an event that left the instance.
type Thrown struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Payload any    `json:"payload"`
}

// ServiceCall records a service-task operator call.
type ServiceCall struct {
	Task     string         `json:"task"`
	Operator string         `json:"operator"`
	Params   map[string]any `json:"params"`
}

// Load reads a scenario file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// clock is the scenario's fake clock: it moves only through advance steps.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// services answers service calls with the scenario's canned results.
type services struct {
	canned map[string]any
	calls  []ServiceCall
	// live answers an operator that has no canned result; what it gives
	// is kept in recorded, so one run calls each operator once.
	live     func(ServiceCall) (any, error)
	recorded map[string]any
}

func (s *services) CallService(call engine.ServiceCall) (engine.ServiceResult, error) {
	c := ServiceCall{Task: call.NodeID, Operator: call.Operator, Params: call.Params}
	s.calls = append(s.calls, c)
	v, ok := s.canned[call.Operator]
	if !ok {
		v, ok = s.recorded[call.Operator]
	}
	if !ok && s.live != nil {
		got, err := s.live(c)
		if err != nil {
			return engine.ServiceResult{}, err
		}
		if s.recorded == nil {
			s.recorded = map[string]any{}
		}
		v, ok = got, true
		s.recorded[call.Operator] = got
	}
	if !ok {
		return engine.ServiceResult{}, fmt.Errorf("operator %q is not available", call.Operator)
	}
	return engine.ServiceResult{Value: engine.Normalize(v)}, nil
}

// Options change how a scenario is driven.
type Options struct {
	// RoundTrip snapshots and restores the instance before every step and
	// checks that the restored instance snapshots to the same bytes: a
	// restored instance must go on as if it had never stopped.
	RoundTrip bool
	// Live answers a service call whose operator has no recorded result
	// (a test run in the editor calling the real connector); its answer
	// is returned in Result.Recorded so the next replay need not call
	// again.
	Live func(ServiceCall) (any, error)
}

// Run runs the scenario at path (files are relative to its folder).
func Run(path string, opts Options) (*Result, error) {
	s, err := Load(path)
	if err != nil {
		return nil, err
	}
	return s.Run(filepath.Dir(path), opts)
}

// Run runs the scenario with files read from dir.
func (s *Scenario) Run(dir string, o Options) (*Result, error) {
	var files []bpmn.File
	for _, f := range s.Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		files = append(files, bpmn.File{Name: f, Data: b})
	}
	return s.run(files, o)
}

func (s *Scenario) run(files []bpmn.File, o Options) (*Result, error) {
	res := &Result{Trace: []string{}, Ready: []string{}, Waiting: []string{}, Data: map[string]any{}, AfterSteps: []Snapshot{}, Thrown: []Thrown{}, ServiceCalls: []ServiceCall{}}
	lib, err := bpmn.Parse(bpmn.Options{RequireCalledProcesses: true}, files...)
	if err != nil {
		res.Status, res.Error = "invalid", err.Error()
		return res, nil
	}
	start := "2026-01-05T09:00:00+00:00"
	if s.StartTime != "" {
		start = s.StartTime
	}
	t0, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return nil, fmt.Errorf("start_time: %w", err)
	}
	// Unit tests see the scenario's start time, so runs repeat exactly.
	for _, u := range engine.RunUnitTests(&script.Env{Now: func() time.Time { return t0.UTC() }}, lib) {
		res.UnitTests = append(res.UnitTests, UnitTest{Task: u.NodeID, Test: u.TestID, Passed: u.Passed, Error: u.Error, Diffs: u.Diffs})
	}
	if s.Decision != "" {
		return s.runDecision(lib, res), nil
	}
	clk := &clock{now: t0.UTC()}
	svc := &services{canned: s.Services, live: o.Live}
	env := engine.Env{Clock: clk, Services: svc}
	opts := engine.StartOptions{Data: engine.NormalizeMap(s.Data)}
	if s.Collaboration {
		opts.Collaboration = s.Process
	} else {
		opts.Process = s.Process
	}
	in, err := engine.Start(lib, opts, env)
	if err != nil {
		res.Status, res.Error = "invalid", err.Error()
		return res, nil
	}
	collect := func() {
		for _, e := range in.TakeEffects() {
			res.Thrown = append(res.Thrown, Thrown{Kind: e.Kind, Name: e.Name, Payload: e.Payload})
		}
		res.AfterSteps = append(res.AfterSteps, snapshot(in))
	}
	collect()
	for i, st := range s.Steps {
		if in.Status() == engine.Failed {
			break
		}
		if o.RoundTrip {
			if in, err = roundTrip(lib, in, env); err != nil {
				return nil, fmt.Errorf("before step %d: %w", i+1, err)
			}
		}
		if err := s.step(in, clk, st); err != nil {
			return nil, fmt.Errorf("step %d: %w", i+1, err)
		}
		collect()
	}
	res.ServiceCalls = append(res.ServiceCalls, svc.calls...) // [] rather than null when there were none
	res.Recorded = svc.recorded
	res.Clock = clk.now.Format(time.RFC3339)
	final := snapshot(in)
	res.Ready, res.Waiting = final.Ready, final.Waiting
	res.Trace = in.Trace()
	switch in.Status() {
	case engine.Done:
		res.Status = "completed"
		res.Data = clean(in.Data())
	case engine.Failed:
		res.Status = "error"
		if te := in.Err(); te != nil {
			res.ErrorTask = te.NodeID
			res.Error = te.Error()
			res.Data = clean(in.Task(te.TaskID).Data)
		}
	default:
		res.Status = "waiting"
		if t := in.LastCompleted(); t != nil {
			res.Data = clean(t.Data)
		}
	}
	return res, nil
}

// runDecision evaluates a DMN-only scenario: the decision's outputs are
// deep-merged into the data, as a business rule task does.
func (s *Scenario) runDecision(lib *spec.Library, res *Result) *Result {
	d := lib.Decision(s.Decision)
	if d == nil {
		res.Status, res.Error = "invalid", fmt.Sprintf("decision %q is not defined", s.Decision)
		return res
	}
	data := engine.NormalizeMap(s.Data)
	out, err := d.Evaluate(&script.Env{}, data)
	if err != nil {
		res.Status, res.Error, res.Data = "error", err.Error(), data
		return res
	}
	res.Status, res.Data = "completed", engine.DeepMerge(data, out)
	return res
}

func (s *Scenario) step(in *engine.Instance, clk *clock, st Step) error {
	switch {
	case st.Complete != "":
		var pick *engine.Task
		for _, t := range in.ReadyHuman() {
			if t.Node.ID == st.Complete {
				pick = t
				break
			}
		}
		if pick == nil {
			return fmt.Errorf("no READY task %q to complete", st.Complete)
		}
		return in.Complete(pick.ID, engine.NormalizeMap(st.Data))
	case st.Message != "":
		_, err := in.Deliver("message", st.Message, st.Payload)
		return err
	case st.Signal != "":
		_, err := in.Deliver("signal", st.Signal, st.Payload)
		return err
	case st.Advance != "":
		d, err := engine.ParseDuration(clk.now, st.Advance)
		if err != nil {
			return err
		}
		clk.now = clk.now.Add(d)
		in.AdvanceTo(clk.now)
		return nil
	}
	return errors.New("empty step")
}

// roundTrip snapshots an instance, restores it and checks the restored one
// snapshots identically.
func roundTrip(lib *spec.Library, in *engine.Instance, env engine.Env) (*engine.Instance, error) {
	b1, err := in.Snapshot()
	if err != nil {
		return nil, err
	}
	out, err := engine.Restore(lib, b1, env)
	if err != nil {
		return nil, err
	}
	b2, err := out.Snapshot()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(b1, b2) {
		return nil, fmt.Errorf("restored instance snapshots differently:\n%s\n%s", b1, b2)
	}
	return out, nil
}

func snapshot(in *engine.Instance) Snapshot {
	s := Snapshot{Ready: []string{}, Waiting: []string{}}
	for _, t := range in.ReadyHuman() {
		s.Ready = append(s.Ready, t.Node.ID)
	}
	for _, t := range in.Waiting() {
		s.Waiting = append(s.Waiting, t.Node.ID)
	}
	sort.Strings(s.Ready)
	sort.Strings(s.Waiting)
	return s
}

// clean drops keys starting with "__".
func clean(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !strings.HasPrefix(k, "__") {
			out[k] = v
		}
	}
	return out
}

var spaceRE = regexp.MustCompile(`\s+`)

// Compare checks an actual result against an expected one by the rules of
// FORMAT.md and returns the differences (none when they agree).
func Compare(expected, actual *Result) []string {
	var diffs []string
	for _, u := range actual.UnitTests {
		if u.Passed {
			continue
		}
		why := u.Error
		if why == "" {
			why = strings.Join(u.Diffs, "; ")
		}
		diffs = append(diffs, fmt.Sprintf("script task %q unit test %q fails: %s", u.Task, u.Test, why))
	}
	if expected.Status != actual.Status {
		diffs = append(diffs, fmt.Sprintf("status: expected %q, got %q (error: %s)", expected.Status, actual.Status, spaceRE.ReplaceAllString(actual.Error, " ")))
		return diffs
	}
	if expected.ErrorTask != actual.ErrorTask {
		diffs = append(diffs, fmt.Sprintf("error_task: expected %q, got %q", expected.ErrorTask, actual.ErrorTask))
	}
	if expected.Error != "" && actual.Error == "" {
		diffs = append(diffs, "error: expected an error message, got none")
	}
	if !sameMultiset(expected.Ready, actual.Ready) {
		diffs = append(diffs, fmt.Sprintf("ready: expected %v, got %v", expected.Ready, actual.Ready))
	}
	if !sameMultiset(expected.Waiting, actual.Waiting) {
		diffs = append(diffs, fmt.Sprintf("waiting: expected %v, got %v", expected.Waiting, actual.Waiting))
	}
	if !sameMultiset(expected.Trace, actual.Trace) {
		diffs = append(diffs, fmt.Sprintf("trace: expected %v, got %v", expected.Trace, actual.Trace))
	}
	keys := make([]string, 0, len(expected.Data))
	for k := range expected.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		av, ok := actual.Data[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("data[%q]: missing (expected %s)", k, jsonText(expected.Data[k])))
			continue
		}
		if !jsonEqual(expected.Data[k], av) {
			diffs = append(diffs, fmt.Sprintf("data[%q]: expected %s, got %s", k, jsonText(expected.Data[k]), jsonText(av)))
		}
	}
	extra := make([]string, 0)
	for k := range actual.Data {
		if _, ok := expected.Data[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		diffs = append(diffs, fmt.Sprintf("data[%q]: not expected, got %s", k, jsonText(actual.Data[k])))
	}
	return diffs
}

// DropFromTrace returns trace without one completion (the first) of each
// element listed: a quirk case's bpmn_trace_drop, the activities an
// interrupting boundary event cancels, which SpiffWorkflow records as
// completed and BPMN does not. An id the trace lacks is an error.
func DropFromTrace(trace, drop []string) ([]string, error) {
	out := append([]string(nil), trace...)
	for _, id := range drop {
		i := slices.Index(out, id)
		if i < 0 {
			return nil, fmt.Errorf("bpmn_trace_drop: %q is not in the expected trace", id)
		}
		out = slices.Delete(out, i, i+1)
	}
	return out, nil
}

func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonEqual compares two JSON values: numbers by value, booleans only with
// booleans.
func jsonEqual(a, b any) bool {
	a, b = engine.Normalize(a), engine.Normalize(b)
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !jsonEqual(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case int64, float64:
		xf, ok1 := num(x)
		yf, ok2 := num(b)
		return ok1 && ok2 && xf == yf
	}
	return a == b
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// LoadResult reads an expected.json.
func LoadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var r Result
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Data = engine.NormalizeMap(r.Data)
	return &r, nil
}
