package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// t0 is the clock reading every test instance starts at.
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// testClock is the fake clock the host gives the engine; it moves only
// through advance steps.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// serviceCall is what the fake connector records of each call.
type serviceCall struct {
	Node     string
	Operator string
	Params   map[string]any
	Types    map[string]string
}

// fakeServices answers service tasks: a canned value per operator, or
// Pending, or an error for the first failures calls.
type fakeServices struct {
	results  map[string]any
	pending  map[string]bool
	failures map[string]int
	calls    []serviceCall
}

func (s *fakeServices) CallService(call engine.ServiceCall) (engine.ServiceResult, error) {
	s.calls = append(s.calls, serviceCall{Node: call.NodeID, Operator: call.Operator, Params: call.Params, Types: call.Types})
	if s.failures[call.Operator] > 0 {
		s.failures[call.Operator]--
		return engine.ServiceResult{}, fmt.Errorf("connector %s is unavailable", call.Operator)
	}
	if s.pending[call.Operator] {
		return engine.ServiceResult{Pending: true}, nil
	}
	v, ok := s.results[call.Operator]
	if !ok {
		return engine.ServiceResult{}, fmt.Errorf("operator %q is not available", call.Operator)
	}
	return engine.ServiceResult{Value: v}, nil
}

// decisionCall is what the fake decision evaluator records.
type decisionCall struct {
	Decision string
	Data     map[string]any
}

type fakeDecisions struct {
	outputs map[string]map[string]any
	calls   []decisionCall
}

func (d *fakeDecisions) EvaluateDecision(id string, data map[string]any) (map[string]any, error) {
	d.calls = append(d.calls, decisionCall{Decision: id, Data: data})
	out, ok := d.outputs[id]
	if !ok {
		return nil, fmt.Errorf("no decision %q", id)
	}
	return out, nil
}

// readTestdata reads files from testdata.
func readTestdata(t testing.TB, names ...string) []bpmn.File {
	t.Helper()
	var files []bpmn.File
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, bpmn.File{Name: n, Data: b})
	}
	return files
}

// load parses testdata files into a library; they must load cleanly.
func load(t testing.TB, names ...string) *spec.Library {
	t.Helper()
	lib, err := bpmn.Parse(bpmn.Options{}, readTestdata(t, names...)...)
	if err != nil {
		t.Fatalf("parse %v: %v", names, err)
	}
	return lib
}

// run is one instance under test with what its host owns.
type run struct {
	lib       *spec.Library
	env       engine.Env
	clock     *testClock
	services  *fakeServices
	decisions *fakeDecisions
	in        *engine.Instance
}

// step is one host action or check between runs of the engine.
type step struct {
	name string
	do   func(t *testing.T, r *run)
}

func findTask(in *engine.Instance, id string, pred func(*engine.Task) bool) *engine.Task {
	for _, tk := range in.Tasks() {
		if tk.Node.ID == id && pred(tk) {
			return tk
		}
	}
	return nil
}

// complete submits a form to the first READY human task with the BPMN id.
func complete(id string, form map[string]any) step {
	return step{"complete " + id, func(t *testing.T, r *run) {
		t.Helper()
		tk := findTask(r.in, id, func(tk *engine.Task) bool { return tk.State == engine.Ready })
		if tk == nil {
			t.Fatalf("no READY task %q to complete; ready: %v", id, nodeIDs(r.in.ReadyHuman()))
		}
		if err := r.in.Complete(tk.ID, form); err != nil {
			t.Fatalf("Complete(%s): %v", id, err)
		}
	}}
}

// completeWhere completes the READY task with the BPMN id whose data has key == value.
func completeWhere(id, key string, value any, form map[string]any) step {
	return step{fmt.Sprintf("complete %s where %s=%v", id, key, value), func(t *testing.T, r *run) {
		t.Helper()
		tk := findTask(r.in, id, func(tk *engine.Task) bool {
			return tk.State == engine.Ready && cmp.Equal(tk.Data[key], value)
		})
		if tk == nil {
			t.Fatalf("no READY task %q with %s=%v", id, key, value)
		}
		if err := r.in.Complete(tk.ID, form); err != nil {
			t.Fatalf("Complete(%s): %v", id, err)
		}
	}}
}

// expectNow checks the READY human tasks and WAITING catchers at this point.
func expectNow(ready, waiting []string) step {
	return step{"expect ready/waiting", func(t *testing.T, r *run) {
		t.Helper()
		got := [2][]string{nodeIDs(r.in.ReadyHuman()), nodeIDs(r.in.Waiting())}
		want := [2][]string{ready, waiting}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("ready/waiting (-want +got):\n%s", d)
		}
	}}
}

// expectTrace checks the trace at this point.
func expectTrace(want ...string) step {
	return step{"expect trace", func(t *testing.T, r *run) {
		t.Helper()
		if d := cmp.Diff(want, r.in.Trace()); d != "" {
			t.Errorf("trace (-want +got):\n%s", d)
		}
	}}
}

// expectData checks the data of the most recent task with the BPMN id.
func expectData(id string, want map[string]any) step {
	return step{"expect data of " + id, func(t *testing.T, r *run) {
		t.Helper()
		var tk *engine.Task
		for _, x := range r.in.Tasks() {
			if x.Node.ID == id {
				tk = x
			}
		}
		if tk == nil {
			t.Fatalf("no task %q", id)
		}
		if d := cmp.Diff(want, tk.Data); d != "" {
			t.Errorf("data of %s (-want +got):\n%s", id, d)
		}
	}}
}

// expectStatus checks the instance status at this point.
func expectStatus(want engine.Status) step {
	return step{"expect status", func(t *testing.T, r *run) {
		t.Helper()
		if got := r.in.Status(); got != want {
			t.Errorf("status = %v, want %v (error: %v)", got, want, r.in.Err())
		}
	}}
}

func deliver(kind, name string, payload any, wantCaught bool) step {
	return step{"deliver " + kind + " " + name, func(t *testing.T, r *run) {
		t.Helper()
		caught, err := r.in.Deliver(kind, name, payload)
		if err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		if caught != wantCaught {
			t.Errorf("Deliver(%s %s) caught = %v, want %v", kind, name, caught, wantCaught)
		}
	}}
}

// advance moves the clock on and fires the timers due strictly before it.
func advance(d time.Duration) step {
	return step{"advance " + d.String(), func(t *testing.T, r *run) {
		r.clock.now = r.clock.now.Add(d)
		r.in.AdvanceTo(r.clock.now)
	}}
}

func completeStarted(id string, result any) step {
	return step{"complete started " + id, func(t *testing.T, r *run) {
		t.Helper()
		tk := findTask(r.in, id, func(tk *engine.Task) bool { return tk.State == engine.Started })
		if tk == nil {
			t.Fatalf("no STARTED task %q", id)
		}
		if err := r.in.CompleteStarted(tk.ID, result); err != nil {
			t.Fatalf("CompleteStarted(%s): %v", id, err)
		}
	}}
}

func failStarted(id, msg string) step {
	return step{"fail started " + id, func(t *testing.T, r *run) {
		t.Helper()
		tk := findTask(r.in, id, func(tk *engine.Task) bool { return tk.State == engine.Started })
		if tk == nil {
			t.Fatalf("no STARTED task %q", id)
		}
		if err := r.in.FailStarted(tk.ID, msg); err != nil {
			t.Fatalf("FailStarted(%s): %v", id, err)
		}
	}}
}

func retry(id string) step {
	return step{"retry " + id, func(t *testing.T, r *run) {
		t.Helper()
		tk := findTask(r.in, id, func(tk *engine.Task) bool { return tk.State == engine.Error })
		if tk == nil {
			t.Fatalf("no task %q in ERROR", id)
		}
		if err := r.in.Retry(tk.ID); err != nil {
			t.Fatalf("Retry(%s): %v", id, err)
		}
	}}
}

// fixModel restores the instance against a fixed version of the model, as a
// host does after the modeler corrected a diagram.
func fixModel(files ...string) step {
	return step{"restore against " + strings.Join(files, ","), func(t *testing.T, r *run) {
		t.Helper()
		snap, err := r.in.Snapshot()
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		r.lib = load(t, files...)
		in, err := engine.Restore(r.lib, snap, r.env)
		if err != nil {
			t.Fatalf("Restore against %v: %v", files, err)
		}
		r.in = in
	}}
}

func nodeIDs(tasks []*engine.Task) []string {
	out := []string{}
	for _, t := range tasks {
		out = append(out, t.Node.ID)
	}
	return out
}

// outcome is what a case checks once its steps are done.
type outcome struct {
	Status  string
	Trace   []string
	Ready   []string
	Waiting []string
	Data    map[string]any
	// ErrTask, ErrWhere and ErrLine describe Instance.Err(); the message is
	// checked separately with errHas.
	ErrTask  string
	ErrWhere string
	ErrLine  int
}

type effect struct {
	Kind, Name string
	Payload    any
}

type engineCase struct {
	name      string
	files     []string
	process   string
	data      map[string]any
	services  *fakeServices
	decisions *fakeDecisions
	steps     []step
	want      outcome
	// errHas must occur in the failing task's message.
	errHas string
	// states: BPMN id -> states of its tasks in creation order.
	states map[string][]string
	// lanes: BPMN id -> Lane() of its tasks.
	lanes map[string]string
	// calls and effects, checked when not nil.
	calls     []serviceCall
	decided   []decisionCall
	effects   []effect
	checkFx   bool
	checkCall bool
}

func observe(r *run) outcome {
	o := outcome{
		Status:  r.in.Status().String(),
		Trace:   r.in.Trace(),
		Ready:   nodeIDs(r.in.ReadyHuman()),
		Waiting: nodeIDs(r.in.Waiting()),
		Data:    r.in.Data(),
	}
	if e := r.in.Err(); e != nil {
		o.ErrTask, o.ErrWhere, o.ErrLine = e.NodeID, e.Where, e.Line
	}
	return o
}

// startCase parses the case's files and starts its process.
func startCase(t *testing.T, c engineCase) *run {
	t.Helper()
	files := c.files
	if len(files) == 0 {
		t.Fatal("case names no files")
	}
	r := &run{lib: load(t, files...), clock: &testClock{now: t0}}
	// Each run gets its own fakes: a case runs more than once.
	r.services = &fakeServices{results: map[string]any{}, pending: map[string]bool{}, failures: map[string]int{}}
	if c.services != nil {
		maps.Copy(r.services.results, c.services.results)
		maps.Copy(r.services.pending, c.services.pending)
		maps.Copy(r.services.failures, c.services.failures)
	}
	r.decisions = &fakeDecisions{outputs: map[string]map[string]any{}}
	if c.decisions != nil {
		maps.Copy(r.decisions.outputs, c.decisions.outputs)
	}
	r.env = engine.Env{Clock: r.clock, Services: r.services, Decisions: r.decisions}
	in, err := engine.Start(r.lib, engine.StartOptions{Process: c.process, Data: c.data}, r.env)
	if err != nil {
		t.Fatalf("Start(%s): %v", c.process, err)
	}
	r.in = in
	return r
}

// runCase runs the case; with viaSnapshot the instance is written to a
// snapshot and restored before every step and before the final checks, so
// every wait point also goes through Snapshot and Restore.
func runCase(t *testing.T, c engineCase, viaSnapshot bool) {
	r := startCase(t, c)
	roundTrip := func() {
		t.Helper()
		if !viaSnapshot {
			return
		}
		snap, err := r.in.Snapshot()
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		in, err := engine.Restore(r.lib, snap, r.env)
		if err != nil {
			t.Fatalf("Restore: %v", err)
		}
		again, err := in.Snapshot()
		if err != nil {
			t.Fatalf("Snapshot after Restore: %v", err)
		}
		if !bytes.Equal(snap, again) {
			t.Fatalf("Snapshot -> Restore -> Snapshot changed the bytes:\n%s\n%s", snap, again)
		}
		r.in = in
	}
	for _, s := range c.steps {
		roundTrip()
		s.do(t, r)
		if t.Failed() {
			t.Logf("after step %q: status %v, trace %v, err %v", s.name, r.in.Status(), r.in.Trace(), r.in.Err())
			return
		}
	}
	roundTrip()
	if d := cmp.Diff(c.want, observe(r)); d != "" {
		t.Errorf("outcome (-want +got):\n%s", d)
	}
	if c.errHas != "" {
		if e := r.in.Err(); e == nil || !strings.Contains(e.Msg, c.errHas) {
			t.Errorf("error = %v, want a message containing %q", e, c.errHas)
		}
	}
	if c.states != nil {
		got := map[string][]string{}
		for id := range c.states {
			got[id] = []string{}
		}
		for _, tk := range r.in.Tasks() {
			if _, ok := c.states[tk.Node.ID]; ok {
				got[tk.Node.ID] = append(got[tk.Node.ID], tk.State.String())
			}
		}
		if d := cmp.Diff(c.states, got); d != "" {
			t.Errorf("task states (-want +got):\n%s", d)
		}
	}
	if c.lanes != nil {
		got := map[string]string{}
		for _, tk := range r.in.Tasks() {
			got[tk.Node.ID] = tk.Lane()
		}
		if d := cmp.Diff(c.lanes, got); d != "" {
			t.Errorf("lanes (-want +got):\n%s", d)
		}
	}
	if c.checkCall {
		if d := cmp.Diff(c.calls, r.services.calls); d != "" {
			t.Errorf("service calls (-want +got):\n%s", d)
		}
		if d := cmp.Diff(c.decided, r.decisions.calls); d != "" {
			t.Errorf("decision calls (-want +got):\n%s", d)
		}
	}
	if c.checkFx {
		var got []effect
		for _, e := range r.in.TakeEffects() {
			got = append(got, effect{Kind: e.Kind, Name: e.Name, Payload: e.Payload})
		}
		if d := cmp.Diff(c.effects, got); d != "" {
			t.Errorf("effects (-want +got):\n%s", d)
		}
	}
}

func runCases(t *testing.T, cases []engineCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Run("direct", func(t *testing.T) { runCase(t, c, false) })
			t.Run("restored", func(t *testing.T) { runCase(t, c, true) })
		})
	}
}

// Values in engine data are int64, float64, string, bool, nil, []any and map[string]any.
type m = map[string]any

func l(v ...any) []any { return v }

func strs(v ...string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

const (
	statusDone    = "completed"
	statusRunning = "running"
	statusFailed  = "error"
)

func TestEvents(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "none start and end", files: []string{"basic.bpmn"}, process: "p_none",
			data: m{"a": int64(1)},
			want: outcome{Status: statusDone, Trace: strs("start", "end"), Ready: strs(), Waiting: strs(), Data: m{"a": int64(1)}},
		},
		{
			name: "terminate end event cancels the other branch", files: []string{"basic.bpmn"}, process: "p_terminate",
			want:   outcome{Status: statusDone, Trace: strs("start", "split", "script_a", "term_end"), Ready: strs(), Waiting: strs(), Data: m{"a": int64(1)}},
			states: map[string][]string{"wait_b": {"CANCELLED"}, "end_b": {}},
		},
		{
			name: "terminate end event inside a subprocess ends only the subprocess", files: []string{"basic.bpmn"}, process: "p_terminate_sub",
			want: outcome{Status: statusDone,
				Trace: strs("start", "sub_start", "sub_split", "s1", "sub_term", "sub", "after", "end"),
				Ready: strs(), Waiting: strs(), Data: m{"inner": "done", "after": "done!"}},
			states: map[string][]string{"inner_wait": {"CANCELLED"}, "sub": {"COMPLETED"}, "after": {"COMPLETED"}},
		},
		{
			name: "message send, receive task and message catch", files: []string{"tasks.bpmn"}, process: "p_messages",
			data: m{"order_id": int64(7)},
			steps: []step{
				expectNow(strs(), strs("wait_reply")),
				deliver("message", "ack", m{"early": true}, false),
				deliver("message", "reply", m{"ok": true}, true),
				expectNow(strs(), strs("wait_ack")),
				deliver("message", "ack", "done", true),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "send_order", "wait_reply", "wait_ack", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"order_id": int64(7), "reply": m{"ok": true}, "ack": "done"}},
			checkFx: true,
			effects: []effect{{Kind: "message", Name: "order", Payload: m{"id": int64(7), "total": int64(70)}}},
		},
		{
			name: "signal catch stores the payload under the signal's variableName", files: []string{"tasks.bpmn"}, process: "p_signal",
			steps: []step{
				expectNow(strs(), strs("wait_go")),
				deliver("signal", "stop", nil, false),
				deliver("signal", "go", m{"k": int64(1)}, true),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "wait_go", "end"), Ready: strs(), Waiting: strs(), Data: m{"go_payload": m{"k": int64(1)}}},
		},
		{
			name: "timer duration fires only strictly after its due time", files: []string{"tasks.bpmn"}, process: "p_timer",
			steps: []step{
				expectNow(strs(), strs("wait_hour")),
				advance(time.Hour),
				expectStatus(engine.Running),
				expectNow(strs(), strs("wait_hour")),
				advance(time.Second),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "wait_hour", "end"), Ready: strs(), Waiting: strs(), Data: m{}},
		},
		{
			name: "timer date from a variable", files: []string{"tasks.bpmn"}, process: "p_timer_date",
			data: m{"due": "2026-01-06T09:00:00Z"},
			steps: []step{
				advance(23 * time.Hour),
				expectNow(strs(), strs("wait_date")),
				advance(time.Hour + time.Millisecond),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "wait_date", "end"), Ready: strs(), Waiting: strs(), Data: m{"due": "2026-01-06T09:00:00Z"}},
		},
	})
}

func TestTasks(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "user task with and without variableName", files: []string{"basic.bpmn"}, process: "p_user",
			data: m{"order": m{"id": int64(1)}},
			steps: []step{
				expectNow(strs("ask_order"), strs()),
				complete("ask_order", m{"qty": int64(2)}),
				expectData("ask_more", m{"order": m{"qty": int64(2)}}),
				complete("ask_more", m{"order": m{"note": "rush"}, "b": true}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "ask_order", "ask_more", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"order": m{"qty": int64(2), "note": "rush"}, "b": true}},
		},
		{
			name: "manual task and untyped task wait for a person", files: []string{"basic.bpmn"}, process: "p_manual",
			steps: []step{
				expectNow(strs("manual"), strs()),
				expectStatus(engine.Running),
				complete("manual", nil),
				expectNow(strs("plain"), strs()),
				expectTrace("start", "manual"),
				complete("plain", m{"seen": true}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "manual", "plain", "end"), Ready: strs(), Waiting: strs(), Data: m{"seen": true}},
		},
		{
			name: "script task", files: []string{"basic.bpmn"}, process: "p_script",
			data: m{"x": int64(3)},
			want: outcome{Status: statusDone, Trace: strs("start", "calc", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": int64(3), "y": int64(6), "squares": l(int64(0), int64(1), int64(4)), "label": "n=6", "size": "big"}},
		},
		{
			name: "service task result under resultVariable, parameters evaluated", files: []string{"tasks.bpmn"}, process: "p_service",
			data:     m{"cur": "eur", "qty": int64(4)},
			services: &fakeServices{results: map[string]any{"rates/Get": m{"rate": 1.5}}},
			want: outcome{Status: statusDone, Trace: strs("start", "get_rate", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"cur": "eur", "qty": int64(4), "rate": m{"rate": 1.5}}},
			checkCall: true,
			calls: []serviceCall{{Node: "get_rate", Operator: "rates/Get",
				Params: map[string]any{"currency": "EUR", "amount": int64(8)},
				Types:  map[string]string{"currency": "str", "amount": "int"}}},
		},
		{
			name: "service task result under spiff__<id>_result without resultVariable", files: []string{"tasks.bpmn"}, process: "p_service_default",
			services: &fakeServices{results: map[string]any{"data/Fetch": l("x")}},
			want: outcome{Status: statusDone, Trace: strs("start", "fetch-data", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"spiff__fetch_data_result": l("x")}},
		},
		{
			name: "pending service task stays STARTED until CompleteStarted", files: []string{"tasks.bpmn"}, process: "p_service_pending",
			data:     m{"question": "why"},
			services: &fakeServices{pending: map[string]bool{"slow/Op": true}},
			steps: []step{
				expectStatus(engine.Running),
				expectNow(strs(), strs()),
				expectTrace("start"),
				completeStarted("slow", m{"v": int64(42)}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "slow", "after", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"question": "why", "answer": m{"v": int64(42)}, "seen": int64(42)}},
			states: map[string][]string{"slow": {"COMPLETED"}},
		},
		{
			name: "FailStarted puts the pending service task in ERROR", files: []string{"tasks.bpmn"}, process: "p_service_pending",
			data:     m{"question": "why"},
			services: &fakeServices{pending: map[string]bool{"slow/Op": true}},
			steps:    []step{failStarted("slow", "upstream said no")},
			want:     outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "slow"},
			errHas:   "upstream said no",
			states:   map[string][]string{"slow": {"ERROR"}, "after": {}},
		},
		{
			name: "service error fails the task and Retry calls the operator again", files: []string{"tasks.bpmn"}, process: "p_service",
			data:     m{"cur": "usd", "qty": int64(1)},
			services: &fakeServices{results: map[string]any{"rates/Get": 2.0}, failures: map[string]int{"rates/Get": 1}},
			steps: []step{
				expectStatus(engine.Failed),
				expectTrace("start"),
				retry("get_rate"),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "get_rate", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"cur": "usd", "qty": int64(1), "rate": 2.0}},
			checkCall: true,
			calls: []serviceCall{
				{Node: "get_rate", Operator: "rates/Get", Params: map[string]any{"currency": "USD", "amount": int64(2)}, Types: map[string]string{"currency": "str", "amount": "int"}},
				{Node: "get_rate", Operator: "rates/Get", Params: map[string]any{"currency": "USD", "amount": int64(2)}, Types: map[string]string{"currency": "str", "amount": "int"}},
			},
		},
		{
			name: "business rule task deep-merges the decision outputs", files: []string{"tasks.bpmn"}, process: "p_rules",
			data:      m{"amount": int64(120), "discount": m{"code": "A"}},
			decisions: &fakeDecisions{outputs: map[string]map[string]any{"discounts": {"discount": m{"rate": 0.1}}}},
			want: outcome{Status: statusDone, Trace: strs("start", "decide", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"amount": int64(120), "discount": m{"code": "A", "rate": 0.1}}},
			checkCall: true,
			decided:   []decisionCall{{Decision: "discounts", Data: m{"amount": int64(120), "discount": m{"code": "A"}}}},
		},
	})
}

func TestGateways(t *testing.T) {
	xor := func(x int64, path, task string) engineCase {
		return engineCase{
			name: fmt.Sprintf("exclusive x=%d takes %s", x, task), files: []string{"gateways.bpmn"}, process: "p_xor",
			data: m{"x": x},
			want: outcome{Status: statusDone, Trace: strs("start", "gw", task, "merge", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": x, "path": path}},
		}
	}
	runCases(t, []engineCase{
		xor(20, "a", "ta"),
		xor(7, "b", "tb"), // x > 5 and x > 0 both hold: the first in order wins
		xor(1, "c", "tc"),
		xor(-1, "d", "td"), // no condition holds: the default flow
		{
			name: "exclusive merge passes every token through", files: []string{"gateways.bpmn"}, process: "p_xor_merge",
			steps: []step{
				expectNow(strs("after", "after"), strs()),
				expectTrace("start", "split", "m1", "m2", "merge", "merge"),
				complete("after", nil),
				expectStatus(engine.Running),
				complete("after", nil),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "split", "m1", "m2", "merge", "merge", "after", "end", "after", "end"),
				Ready: strs(), Waiting: strs(), Data: m{"one": int64(1), "two": int64(2)}},
		},
		{
			name: "exclusive with no true condition and no default fails at the gateway", files: []string{"gateways.bpmn"}, process: "p_xor_none",
			data:   m{"x": int64(1)},
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "gw"},
			errHas: "no conditions satisfied",
			states: map[string][]string{"gw": {"ERROR"}, "end1": {}, "end2": {}},
		},
		{
			name: "exclusive failing inside a subprocess stops the subprocess", files: []string{"gateways.bpmn"}, process: "p_xor_none_sub",
			data:   m{"x": int64(1)},
			want:   outcome{Status: statusFailed, Trace: strs("start", "sub_start"), Ready: strs(), Waiting: strs(), ErrTask: "sub_gw"},
			errHas: "no conditions satisfied",
			states: map[string][]string{"sub_gw": {"ERROR"}, "sub": {"STARTED"}, "after": {}},
		},
		{
			name: "exclusive conditions are tried in the order of the target shapes' y", files: []string{"di_xor.bpmn"}, process: "p_di_xor",
			data:   m{"x": int64(1)},
			want:   outcome{Status: statusDone, Trace: strs("start", "gw", "upper"), Ready: strs(), Waiting: strs(), Data: m{"x": int64(1)}},
			states: map[string][]string{"lower": {}},
		},
		{
			name: "parallel split and join merge the branches' data", files: []string{"gateways.bpmn"}, process: "p_and",
			want: outcome{Status: statusDone, Trace: strs("start", "split", "pa", "pb", "join", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"a": int64(1), "b": int64(2), "shared": m{"x": int64(1), "y": int64(2)}}},
		},
		{
			name: "parallel join waits for every branch", files: []string{"gateways.bpmn"}, process: "p_and_wait",
			steps: []step{
				expectNow(strs("ua"), strs()),
				expectTrace("start", "split", "sb"),
				complete("ua", m{"u": int64(1)}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "split", "sb", "ua", "join", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"b": int64(2), "u": int64(1)}},
			states: map[string][]string{"join": {"COMPLETED"}},
		},
		{
			name: "inclusive takes every true condition and joins only those", files: []string{"gateways.bpmn"}, process: "p_or",
			data: m{"x": int64(7)},
			steps: []step{
				expectNow(strs("oa", "ob"), strs()),
				complete("oa", m{"a": true}),
				expectNow(strs("ob"), strs()),
				expectTrace("start", "or_split", "oa"),
				complete("ob", m{"b": true}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "or_split", "oa", "ob", "or_join", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": int64(7), "a": true, "b": true}},
			states: map[string][]string{"oc": {}, "od": {}, "or_join": {"COMPLETED"}},
		},
		{
			name: "inclusive takes all three when all hold", files: []string{"gateways.bpmn"}, process: "p_or",
			data: m{"x": int64(11)},
			steps: []step{
				expectNow(strs("oa", "ob", "oc"), strs()),
				complete("oc", nil),
				complete("oa", nil),
				expectStatus(engine.Running),
				complete("ob", nil),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "or_split", "oc", "oa", "ob", "or_join", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": int64(11)}},
		},
		{
			name: "inclusive takes the default when no condition holds", files: []string{"gateways.bpmn"}, process: "p_or",
			data: m{"x": int64(-1)},
			want: outcome{Status: statusDone, Trace: strs("start", "or_split", "od", "or_join", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": int64(-1), "d": true}},
		},
		{
			name: "inclusive always takes an unconditioned flow", files: []string{"gateways.bpmn"}, process: "p_or_uncond",
			data: m{"x": int64(1)},
			want: outcome{Status: statusDone, Trace: strs("start", "or2", "u1", "join2", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": int64(1), "u1": true}},
			states: map[string][]string{"u2": {}},
		},
	})
}

func TestSubprocessesAndBoundaries(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "embedded subprocess gets the data and hands back its end event's data", files: []string{"subprocess.bpmn"}, process: "p_sub",
			want: outcome{Status: statusDone, Trace: strs("start", "prep", "s_start", "s_calc", "s_end", "sub", "post", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"x": int64(1), "y": int64(2), "z": int64(3), "nested": m{"keep": true, "added": int64(2)}}},
		},
		{
			name: "script error in one branch of a subprocess keeps the subprocess open", files: []string{"subprocess.bpmn"}, process: "p_sub_branch_error",
			data:   m{"zero": int64(0)},
			want:   outcome{Status: statusFailed, Trace: strs("start", "ss", "ssplit", "good", "send2"), Ready: strs(), Waiting: strs(), ErrTask: "bad", ErrWhere: "script", ErrLine: 1},
			errHas: "division by zero",
			states: map[string][]string{"bad": {"ERROR"}, "sub2": {"STARTED"}, "after2": {}, "end": {}},
		},
		{
			name: "interrupting boundary timer on a user task", files: []string{"subprocess.bpmn"}, process: "p_bnd_task",
			steps: []step{
				expectNow(strs("approve"), strs("timer_b")),
				advance(2 * time.Hour),
			},
			want:   outcome{Status: statusDone, Trace: strs("start", "timer_b", "late", "late_end"), Ready: strs(), Waiting: strs(), Data: m{"late": true}},
			states: map[string][]string{"approve": {"CANCELLED"}, "ok_end": {}},
		},
		{
			name: "boundary timer is cancelled when the task completes first", files: []string{"subprocess.bpmn"}, process: "p_bnd_task",
			steps: []step{
				advance(30 * time.Minute),
				complete("approve", m{"ok": true}),
				expectNow(strs(), strs()),
				advance(2 * time.Hour),
			},
			want:   outcome{Status: statusDone, Trace: strs("start", "approve", "ok_end"), Ready: strs(), Waiting: strs(), Data: m{"ok": true}},
			states: map[string][]string{"timer_b": {"CANCELLED"}, "late": {}},
		},
		{
			name: "non-interrupting boundary timer keeps the task", files: []string{"subprocess.bpmn"}, process: "p_bnd_noint",
			steps: []step{
				expectNow(strs("approve"), strs("remind")),
				advance(2 * time.Hour),
				expectNow(strs("approve"), strs()),
				expectTrace("start", "remind", "remind_end"),
				expectStatus(engine.Running),
				complete("approve", m{"ok": true}),
			},
			want:   outcome{Status: statusDone, Trace: strs("start", "remind", "remind_end", "approve", "ok_end"), Ready: strs(), Waiting: strs(), Data: m{"ok": true}},
			states: map[string][]string{"approve": {"COMPLETED"}},
		},
		{
			name: "interrupting boundary timer on a subprocess cancels it", files: []string{"subprocess.bpmn"}, process: "p_bnd_sub",
			steps: []step{
				expectNow(strs("w_task"), strs("sub_timer")),
				advance(2 * time.Hour),
			},
			want:   outcome{Status: statusDone, Trace: strs("start", "w_start", "sub_timer", "timeout", "timeout_end"), Ready: strs(), Waiting: strs(), Data: m{"timed_out": true}},
			states: map[string][]string{"work": {"CANCELLED"}, "w_task": {"CANCELLED"}, "w_end": {}, "done_end": {}},
		},
	})
}

func TestCallActivities(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "called process in a second file gets and returns all data", files: []string{"call_parent.bpmn", "call_child.bpmn"}, process: "p_call",
			want: outcome{Status: statusDone, Trace: strs("start", "prep", "c_start", "c_calc", "c_end", "call", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"a": int64(1), "b": int64(2), "c": int64(3)}},
		},
		{
			name: "ioSpecification of the called process limits what goes in and out", files: []string{"call_parent.bpmn", "call_child.bpmn"}, process: "p_call_io",
			steps: []step{
				expectNow(strs("ci_look"), strs()),
				expectData("ci_look", m{"a": int64(1), "c": int64(10), "leak": "x"}),
				complete("ci_look", nil),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "prep", "ci_start", "ci_calc", "ci_look", "ci_end", "call_io", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"a": int64(1), "b": int64(2), "c": int64(10)}},
		},
		{
			name: "missing called process is a runtime error on the call activity", files: []string{"call_parent.bpmn"}, process: "p_call_missing",
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "call_missing"},
			errHas: `the called process "nowhere" was not found`,
			states: map[string][]string{"call_missing": {"ERROR"}},
		},
	})
}

func TestCalledProcessRequired(t *testing.T) {
	_, err := bpmn.Parse(bpmn.Options{RequireCalledProcesses: true}, readTestdata(t, "call_parent.bpmn", "call_child.bpmn")...)
	var ps bpmn.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse error = %v, want bpmn.Problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.File+" "+p.ElementID)
	}
	if d := cmp.Diff([]string{"call_parent.bpmn call_missing"}, got); d != "" {
		t.Fatalf("problems (-want +got):\n%s\n%v", d, err)
	}
	if !strings.Contains(ps[0].Msg, `"nowhere"`) || ps[0].Line == 0 {
		t.Errorf("problem = %+v, want the line and a message naming %q", ps[0], "nowhere")
	}
}

func TestLoops(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "standard loop continues while the condition holds", files: []string{"loops.bpmn"}, process: "p_loop_cond",
			data: m{"count": int64(0)},
			want: outcome{Status: statusDone, Trace: strs("start", "count_up", "count_up", "count_up", "count_up", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"count": int64(3)}},
		},
		{
			name: "standard loop stops at loopMaximum", files: []string{"loops.bpmn"}, process: "p_loop_max",
			data: m{"n": int64(0)},
			want: outcome{Status: statusDone, Trace: strs("start", "spin", "spin", "spin", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"n": int64(2)}},
		},
		{
			name: "testBefore with a false condition never runs the body", files: []string{"loops.bpmn"}, process: "p_loop_before",
			data: m{"go": false},
			want: outcome{Status: statusDone, Trace: strs("start", "guarded", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"go": false}},
		},
		{
			name: "without testBefore the body runs once before the test", files: []string{"loops.bpmn"}, process: "p_loop_after",
			data: m{"go": false},
			want: outcome{Status: statusDone, Trace: strs("start", "unguarded", "unguarded", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"go": false, "ran": true}},
		},
		{
			name: "parallel multi-instance with loopCardinality", files: []string{"loops.bpmn"}, process: "p_mi_card",
			want: outcome{Status: statusDone, Trace: strs("start", "square", "square", "square", "square", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"squares": l(int64(0), int64(1), int64(4))}},
		},
		{
			name: "parallel multi-instance over an input collection", files: []string{"loops.bpmn"}, process: "p_mi_input",
			data: m{"names": l("a", "b", "c")},
			want: outcome{Status: statusDone, Trace: strs("start", "greet", "greet", "greet", "greet", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"names": l("a", "b", "c"), "greetings": l("hi a", "hi b", "hi c")}},
		},
		{
			name: "sequential multi-instance runs one instance at a time", files: []string{"loops.bpmn"}, process: "p_mi_seq",
			data: m{"items": l("x", "y")},
			steps: []step{
				expectNow(strs("review"), strs()),
				expectData("review", m{"items": l("x", "y"), "reviews": []any{}, "item": "x"}),
				complete("review", m{"verdict": "ok x"}),
				expectNow(strs("review"), strs()),
				expectData("review", m{"items": l("x", "y"), "reviews": l("ok x"), "item": "y"}),
				complete("review", m{"verdict": "ok y"}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "review", "review", "review", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"items": l("x", "y"), "reviews": l("ok x", "ok y")}},
		},
		{
			name: "completionCondition cancels the remaining instances", files: []string{"loops.bpmn"}, process: "p_mi_completion",
			data: m{"voters": l("ann", "bob", "cy")},
			steps: []step{
				expectNow(strs("vote", "vote", "vote"), strs()),
				completeWhere("vote", "voter", "bob", m{"ballot": "stop"}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "vote", "vote", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"voters": l("ann", "bob", "cy"), "votes": l("stop")}},
			states: map[string][]string{"vote": {"COMPLETED", "CANCELLED", "COMPLETED", "CANCELLED"}},
		},
		{
			name: "pre and post scripts run once around a multi-instance activity", files: []string{"loops.bpmn"}, process: "p_mi_scripts_once",
			data: m{"vals": l(int64(1), int64(2), int64(3))},
			want: outcome{Status: statusDone, Trace: strs("start", "triple", "triple", "triple", "triple", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"vals": l(int64(1), int64(2), int64(3)), "factor": int64(3), "tripled": l(int64(3), int64(6), int64(9)), "total": int64(18), "t": int64(9)}},
		},
		{
			name: "scriptsOnInstances runs pre and post scripts on each instance", files: []string{"loops.bpmn"}, process: "p_mi_scripts_each",
			data: m{"vals": l(int64(1), int64(2), int64(3))},
			want: outcome{Status: statusDone, Trace: strs("start", "bump", "bump", "bump", "bump", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"vals": l(int64(1), int64(2), int64(3)), "out": l(int64(203), int64(205), int64(207))}},
		},
	})
}

func TestData(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "data objects through data input and output associations", files: []string{"data.bpmn"}, process: "p_data_objects",
			steps: []step{
				expectNow(strs("check_total"), strs()),
				expectData("check_total", m{"DO_total": int64(5)}),
				complete("check_total", m{"checked": true}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "set_total", "check_total", "double", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"checked": true, "doubled": int64(10), "data_objects": m{"DO_total": int64(5)}}},
		},
		{
			name: "pre-script runs before the form, post-script after it", files: []string{"data.bpmn"}, process: "p_prepost",
			data: m{"amount": int64(50)},
			steps: []step{
				expectData("approve", m{"amount": int64(50), "limit": int64(100)}),
				complete("approve", m{"ok": true}),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "approve", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"amount": int64(50), "limit": int64(100), "ok": true, "approved_by": "finance"}},
		},
		{
			name: "script runtime error names the task and the line", files: []string{"data.bpmn"}, process: "p_script_error",
			data:   m{"zero": int64(0)},
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "compute", ErrWhere: "script", ErrLine: 2},
			errHas: "division by zero",
			states: map[string][]string{"compute": {"ERROR"}},
		},
		{
			name: "undefined name in a script names the line", files: []string{"data.bpmn"}, process: "p_name_error",
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "lookup", ErrWhere: "script", ErrLine: 2},
			errHas: "missing",
		},
		{
			name: "Retry without a fix fails the same way again", files: []string{"data.bpmn"}, process: "p_script_error",
			data:   m{"zero": int64(0)},
			steps:  []step{retry("compute")},
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "compute", ErrWhere: "script", ErrLine: 2},
			errHas: "division by zero",
			states: map[string][]string{"compute": {"ERROR"}},
		},
		{
			name: "Retry re-runs the script after the model was fixed", files: []string{"data.bpmn"}, process: "p_script_error",
			data: m{"zero": int64(0)},
			steps: []step{
				expectStatus(engine.Failed),
				fixModel("data_fixed.bpmn"),
				retry("compute"),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "compute", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"zero": int64(0), "a": int64(1), "b": int64(2), "c": int64(3)}},
		},
		{
			name: "post-script error keeps the form and Retry resumes with the post-script", files: []string{"data.bpmn"}, process: "p_post_error",
			data: m{"zero": int64(0)},
			steps: []step{
				complete("confirm", m{"ok": true}),
				expectStatus(engine.Failed),
				expectNow(strs(), strs()),
				fixModel("data_fixed.bpmn"),
				retry("confirm"),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "confirm", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"zero": int64(0), "ok": true, "ratio": int64(10)}},
		},
		{
			name: "post-script error is reported on the task", files: []string{"data.bpmn"}, process: "p_post_error",
			data:   m{"zero": int64(0)},
			steps:  []step{complete("confirm", m{"ok": true})},
			want:   outcome{Status: statusFailed, Trace: strs("start"), Ready: strs(), Waiting: strs(), ErrTask: "confirm", ErrWhere: "post-script", ErrLine: 1},
			errHas: "division by zero",
			states: map[string][]string{"confirm": {"ERROR"}},
		},
		{
			name: "pre-script error and Retry after the fix makes the task READY", files: []string{"data.bpmn"}, process: "p_pre_error",
			data: m{"zero": int64(0)},
			steps: []step{
				expectStatus(engine.Failed),
				expectNow(strs(), strs()),
				fixModel("data_fixed.bpmn"),
				retry("prepare"),
				expectStatus(engine.Running),
				expectNow(strs("prepare"), strs()),
				complete("prepare", nil),
			},
			want: outcome{Status: statusDone, Trace: strs("start", "prepare", "end"), Ready: strs(), Waiting: strs(),
				Data: m{"zero": int64(0), "share": int64(10)}},
		},
		{
			name: "lanes and nested lanes", files: []string{"lanes.bpmn"}, process: "p_lanes",
			steps: []step{complete("l_approve", nil)},
			want: outcome{Status: statusDone, Trace: strs("l_start", "l_quote", "ls_start", "ls_task", "ls_end", "l_sub", "l_approve", "l_book", "l_end"),
				Ready: strs(), Waiting: strs(), Data: m{"quote": int64(1), "inner": int64(1), "booked": true}},
			lanes: map[string]string{
				"l_start": "Sales", "l_quote": "Sales", "l_sub": "Sales", "ls_start": "Sales", "ls_task": "Sales", "ls_end": "Sales",
				"l_approve": "Approvers", "l_book": "Clerks", "l_end": "Clerks",
			},
		},
	})
}

// snapSteps drives p_snap from its first wait point to the end.
var snapSteps = []step{
	advance(2 * time.Hour),
	completeWhere("fanout", "item", "a", m{"answer": "A"}),
	complete("ask", m{"asked": true}),
	completeWhere("fanout", "item", "b", m{"answer": "B"}),
}

func TestSnapshot(t *testing.T) {
	newRun := func(t *testing.T) *run {
		return startCase(t, engineCase{files: []string{"snapshot.bpmn"}, process: "p_snap", data: m{"items": l("a", "b")}})
	}
	t.Run("round trip at a wait point gives identical bytes", func(t *testing.T) {
		r := newRun(t)
		if got := nodeIDs(r.in.ReadyHuman()); !cmp.Equal(got, []string{"ask", "fanout", "fanout"}) {
			t.Fatalf("ready = %v, want ask and two fanout instances", got)
		}
		first, err := r.in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		restored, err := engine.Restore(r.lib, first, r.env)
		if err != nil {
			t.Fatal(err)
		}
		second, err := restored.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("snapshot bytes differ after Restore:\n%s\n%s", first, second)
		}
	})
	t.Run("restored instance continues like one never stopped", func(t *testing.T) {
		plain := newRun(t)
		stopped := newRun(t)
		snap, err := stopped.in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		stopped.in, err = engine.Restore(stopped.lib, snap, stopped.env)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snapSteps {
			s.do(t, plain)
			s.do(t, stopped)
		}
		if t.Failed() {
			return
		}
		want := outcome{Status: statusDone,
			Trace: strs("start", "split", "wait_t", "tick", "fanout", "ask", "fanout", "fanout", "join", "end"),
			Ready: strs(), Waiting: strs(),
			Data: m{"items": l("a", "b"), "answers": l("A", "B"), "asked": true, "ticked": true, "data_objects": m{"DO_note": "ticked 2"}}}
		if d := cmp.Diff(want, observe(plain)); d != "" {
			t.Errorf("never stopped (-want +got):\n%s", d)
		}
		if d := cmp.Diff(observe(plain), observe(stopped)); d != "" {
			t.Errorf("restored differs from never stopped (-plain +restored):\n%s", d)
		}
		a, err1 := plain.in.Snapshot()
		b, err2 := stopped.in.Snapshot()
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("final snapshots differ:\n%s\n%s", a, b)
		}
	})
	t.Run("restore against a library missing the element fails with ErrSnapshot", func(t *testing.T) {
		r := newRun(t)
		snap, err := r.in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		_, err = engine.Restore(load(t, "snapshot_renamed.bpmn"), snap, r.env)
		if !errors.Is(err, engine.ErrSnapshot) {
			t.Fatalf("Restore error = %v, want ErrSnapshot", err)
		}
		if !strings.Contains(err.Error(), `"ask"`) {
			t.Errorf("Restore error = %v, want it to name the missing element %q", err, "ask")
		}
	})
	t.Run("restore against a library without the process fails with ErrSnapshot", func(t *testing.T) {
		r := newRun(t)
		snap, err := r.in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		_, err = engine.Restore(load(t, "basic.bpmn"), snap, r.env)
		if !errors.Is(err, engine.ErrSnapshot) {
			t.Fatalf("Restore error = %v, want ErrSnapshot", err)
		}
	})
}

func TestDeterminism(t *testing.T) {
	cases := []struct {
		file, process string
		data          map[string]any
		steps         []step
	}{
		{"gateways.bpmn", "p_and", nil, nil},
		{"gateways.bpmn", "p_or", m{"x": int64(20)}, []step{complete("oc", nil), complete("oa", nil), complete("ob", nil)}},
		{"loops.bpmn", "p_mi_input", m{"names": l("a", "b", "c", "d")}, nil},
		{"snapshot.bpmn", "p_snap", m{"items": l("a", "b")}, snapSteps},
	}
	for _, c := range cases {
		t.Run(c.process, func(t *testing.T) {
			var traces [][]string
			var snaps [][]byte
			for range 2 {
				r := startCase(t, engineCase{files: []string{c.file}, process: c.process, data: c.data})
				for _, s := range c.steps {
					s.do(t, r)
				}
				snap, err := r.in.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if r.in.Status() != engine.Done {
					t.Fatalf("status %v, want completed (error %v)", r.in.Status(), r.in.Err())
				}
				traces = append(traces, r.in.Trace())
				snaps = append(snaps, snap)
			}
			if d := cmp.Diff(traces[0], traces[1]); d != "" {
				t.Errorf("traces differ (-first +second):\n%s", d)
			}
			if !bytes.Equal(snaps[0], snaps[1]) {
				t.Errorf("snapshots differ:\n%s\n%s", snaps[0], snaps[1])
			}
		})
	}
}

// TestWaitingLeavesOutJoins checks that Waiting lists only catching tasks:
// a join waiting for its branches is not one.
func TestWaitingLeavesOutJoins(t *testing.T) {
	r := startCase(t, engineCase{files: []string{"gateways.bpmn"}, process: "p_and_wait"})
	for _, tk := range r.in.Tasks() {
		if tk.Node.ID == "join" && tk.State != engine.Waiting {
			t.Errorf("join is %v, want WAITING while ua is open", tk.State)
		}
	}
	if got := nodeIDs(r.in.Waiting()); len(got) != 0 {
		t.Errorf("Waiting() = %v, want no catching task (the join is not one)", got)
	}
	ids := nodeIDs(r.in.ReadyHuman())
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	if d := cmp.Diff([]string{"ua"}, sorted); d != "" {
		t.Errorf("ReadyHuman (-want +got):\n%s", d)
	}
}
