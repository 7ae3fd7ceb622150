package bpmn_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

func readFile(t *testing.T, name string) bpmn.File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bpmn.File{Name: name, Data: b}
}

// lineOf returns the 1-based line of the first occurrence of s in the file.
func lineOf(t *testing.T, f bpmn.File, s string) int {
	t.Helper()
	for i, line := range strings.Split(string(f.Data), "\n") {
		if strings.Contains(line, s) {
			return i + 1
		}
	}
	t.Fatalf("%s: %q not found", f.Name, s)
	return 0
}

// where locates a problem: the file, the element and the line.
type where struct {
	File, Element string
	Line          int
}

// wantProblem is a problem a case expects: located at the element's start
// tag (or at an explicit line for file-level problems) with a message
// containing every one of msg.
type wantProblem struct {
	file, element string
	line          int // 0: the line of the element's id attribute
	msg           []string
}

func problemsOf(t *testing.T, err error) bpmn.Problems {
	t.Helper()
	var ps bpmn.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse error = %v (%T), want bpmn.Problems", err, err)
	}
	return ps
}

func TestProblems(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		opts  bpmn.Options
		want  []wantProblem
		// warn: the files load and want lists the warnings.
		warn bool
	}{
		{
			name: "sequence flow to an unknown target", files: []string{"flow_unknown_target.bpmn"},
			want: []wantProblem{{file: "flow_unknown_target.bpmn", element: "f1", msg: []string{`"ghost"`, "target"}}},
		},
		{
			name: "exclusive gateway without outgoing flow", files: []string{"xor_no_outgoing.bpmn"},
			want: []wantProblem{{file: "xor_no_outgoing.bpmn", element: "gw", msg: []string{"exclusive gateway", "no outgoing"}}},
		},
		{
			name: "non-default exclusive flow without condition", files: []string{"xor_flow_no_condition.bpmn"},
			want: []wantProblem{{file: "xor_flow_no_condition.bpmn", element: "fb", msg: []string{`"gw"`, "without a condition", "default"}}},
		},
		{
			name: "script that does not parse", files: []string{"script_syntax.bpmn"},
			want: []wantProblem{{file: "script_syntax.bpmn", element: "bad_script", msg: []string{"script does not parse"}}},
		},
		{
			name: "condition that does not parse", files: []string{"condition_syntax.bpmn"},
			want: []wantProblem{{file: "condition_syntax.bpmn", element: "fa", msg: []string{"condition does not parse"}}},
		},
		{
			name: "duplicate process id across two files names the other file", files: []string{"dup_a.bpmn", "dup_b.bpmn"},
			want: []wantProblem{{file: "dup_b.bpmn", element: "Process_dup", msg: []string{"duplicate process id", "dup_a.bpmn"}}},
		},
		{
			name: "unsupported elements no flow reaches are warnings", files: []string{"unsupported.bpmn"}, warn: true,
			want: []wantProblem{
				{file: "unsupported.bpmn", element: "cx", msg: []string{"complex gateway", "not supported"}},
				{file: "unsupported.bpmn", element: "adhoc", msg: []string{"ad-hoc", "not supported"}},
			},
		},
		{
			name: "task with no incoming flow is not connected, a warning", files: []string{"not_connected.bpmn"}, warn: true,
			want: []wantProblem{{file: "not_connected.bpmn", element: "orphan", msg: []string{"not connected", "Orphan"}}},
		},
		{
			name: "malformed XML gives the line", files: []string{"malformed.bpmn"},
			want: []wantProblem{{file: "malformed.bpmn", line: 5, msg: []string{"malformed XML"}}},
		},
		{
			name: "standard loop without maximum or condition", files: []string{"loop_no_limit.bpmn"},
			want: []wantProblem{{file: "loop_no_limit.bpmn", element: "again", msg: []string{"loopMaximum", "loopCondition"}}},
		},
		{
			name: "multi-instance without cardinality or input", files: []string{"mi_no_input.bpmn"},
			want: []wantProblem{{file: "mi_no_input.bpmn", element: "many", msg: []string{"loopCardinality", "loopDataInputRef"}}},
		},
		{
			name: "boundary event attached to a missing activity is a warning", files: []string{"boundary_missing.bpmn"}, warn: true,
			want: []wantProblem{{file: "boundary_missing.bpmn", element: "bnd", msg: []string{`"nope"`}}},
		},
		{
			name: "cancel boundary event on a subprocess that is not a transaction", files: []string{"cancel_boundary.bpmn"},
			want: []wantProblem{{file: "cancel_boundary.bpmn", element: "cbnd", msg: []string{"cancel", "transaction"}}},
		},
		{
			name: "message flows with missing, unknown or same-pool ends", files: []string{"collaboration_bad.bpmn"},
			want: []wantProblem{
				{file: "collaboration_bad.bpmn", element: "mf_ghost_source", msg: []string{"sourceRef", `"ghost"`, `"bad_collab"`}},
				{file: "collaboration_bad.bpmn", element: "mf_ghost_target", msg: []string{"targetRef", `"pool_c"`, "neither a pool"}},
				{file: "collaboration_bad.bpmn", element: "mf_no_target", msg: []string{"has no targetRef"}},
				// A sequence flow is in the file but is not a flow node.
				{file: "collaboration_bad.bpmn", element: "mf_to_flow", msg: []string{"targetRef", `"b_f1"`}},
				{file: "collaboration_bad.bpmn", element: "mf_same_pool", msg: []string{`"a_task"`, `"pool_a"`, "between two pools"}},
				{file: "collaboration_bad.bpmn", element: "mf_bad_message", msg: []string{`"msg_missing"`, "not defined"}},
			},
		},
		{
			name: "compensation events in places BPMN does not allow", files: []string{"compensation_bad.bpmn"},
			want: []wantProblem{
				{file: "compensation_bad.bpmn", element: "b_nohandler", msg: []string{"has no handler", "association", "isForCompensation"}},
				{file: "compensation_bad.bpmn", element: "b_wrong", msg: []string{`"c"`, "not marked isForCompensation"}},
				{file: "compensation_bad.bpmn", element: "h_flows", msg: []string{"handler", "sequence flows"}},
				{file: "compensation_bad.bpmn", element: "h_timer", msg: []string{`"h_flows"`, "boundary events on a handler are not supported"}},
				{file: "compensation_bad.bpmn", element: "catch_comp", msg: []string{"intermediateCatchEvent", "cannot have a compensation event definition"}},
				{file: "compensation_bad.bpmn", element: "t_unknown", msg: []string{`"ghost"`, "not defined"}},
				{file: "compensation_bad.bpmn", element: "t_event", msg: []string{`"start"`, "startEvent", "not an activity"}},
				{file: "compensation_bad.bpmn", element: "t_other", msg: []string{`"inner_task"`, "not in the same process or subprocess"}},
				{file: "compensation_bad.bpmn", element: "s_comp_start", msg: []string{"compensation start event", "event subprocess"}},
				{file: "compensation_bad.bpmn", element: "es_top", msg: []string{"must be inside a subprocess"}},
			},
		},
		{
			name: "executable process without start event", files: []string{"no_start.bpmn"},
			want: []wantProblem{{file: "no_start.bpmn", element: "p_nostart", msg: []string{"no start event"}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]bpmn.File{}
			var list []bpmn.File
			for _, n := range c.files {
				f := readFile(t, n)
				files[n] = f
				list = append(list, f)
			}
			parser := bpmn.NewParser(c.opts)
			for _, f := range list {
				parser.Add(f.Name, f.Data)
			}
			_, err := parser.Finish()
			var ps bpmn.Problems
			if c.warn {
				if err != nil {
					t.Fatalf("Finish: %v, want only warnings", err)
				}
				ps = parser.Warnings()
				for _, p := range ps {
					if !p.Warning || !strings.Contains(p.Error(), "warning: ") {
						t.Errorf("warning %+v is not marked as one", p)
					}
				}
			} else {
				ps = problemsOf(t, err)
			}
			var got, want []where
			for _, p := range ps {
				got = append(got, where{p.File, p.ElementID, p.Line})
			}
			for _, w := range c.want {
				line := w.line
				if line == 0 {
					line = lineOf(t, files[w.file], fmt.Sprintf(`id="%s"`, w.element))
				}
				want = append(want, where{w.file, w.element, line})
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("problems (-want +got):\n%s\nall: %v", d, err)
			}
			for i, w := range c.want {
				for _, s := range w.msg {
					if !strings.Contains(ps[i].Msg, s) {
						t.Errorf("problem %q does not mention %q", ps[i].Msg, s)
					}
				}
				// The error text a user sees carries the location too.
				if !strings.Contains(ps[i].Error(), w.file) {
					t.Errorf("Error() = %q, want the file name", ps[i].Error())
				}
			}
		})
	}
}

func TestCollaborationMessageFlows(t *testing.T) {
	f := readFile(t, "collaboration.bpmn")
	lib, err := bpmn.Parse(bpmn.Options{}, f)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c := lib.Collaborations["order_collab"]
	if c == nil {
		t.Fatal("collaboration order_collab missing")
	}
	line := func(id string) int { return lineOf(t, f, fmt.Sprintf(`id="%s"`, id)) }
	wantPools := []spec.Participant{
		{ID: "pool_buyer", Name: "Buyer", ProcessID: "buyer", Line: line("pool_buyer")},
		{ID: "pool_seller", Name: "Seller", ProcessID: "seller", Line: line("pool_seller")},
		{ID: "pool_bank", Name: "Bank", Line: line("pool_bank")},
	}
	if d := cmp.Diff(wantPools, c.Participants); d != "" {
		t.Errorf("participants (-want +got):\n%s", d)
	}
	// Every kind of end: a throw event to a start event, a send task to a
	// pool, pool to black-box pool, and a task nested in a subprocess.
	wantFlows := []spec.MessageFlow{
		{ID: "mf_order", Name: "order", Source: "send_order", Target: "receive_order", Message: "order_placed", Line: line("mf_order")},
		{ID: "mf_invoice", Source: "send_invoice", Target: "pool_buyer", Message: "msg_invoice", Line: line("mf_invoice")},
		{ID: "mf_payment", Source: "pool_buyer", Target: "pool_bank", Line: line("mf_payment")},
		{ID: "mf_nested", Source: "pack_inner", Target: "pool_bank", Line: line("mf_nested")},
	}
	if d := cmp.Diff(wantFlows, c.MessageFlows); d != "" {
		t.Errorf("message flows (-want +got):\n%s", d)
	}
}

func TestNonExecutableProcessWithoutStartLoads(t *testing.T) {
	// Only the executable process is a problem; the draft next to it is not.
	_, err := bpmn.Parse(bpmn.Options{}, readFile(t, "no_start.bpmn"))
	for _, p := range problemsOf(t, err) {
		if p.ElementID == "p_draft" || p.ElementID == "draft_end" {
			t.Errorf("unexpected problem for the non-executable process: %v", p)
		}
	}
}

func TestCalledProcessMissing(t *testing.T) {
	diagram := `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://waymark.test/parse">
  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="call_it"/>
    <bpmn:callActivity id="call_it" calledElement="missing_process"/>
    <bpmn:sequenceFlow id="f1" sourceRef="call_it" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
`
	f := bpmn.File{Name: "caller.bpmn", Data: []byte(diagram)}
	t.Run("required", func(t *testing.T) {
		_, err := bpmn.Parse(bpmn.Options{RequireCalledProcesses: true}, f)
		ps := problemsOf(t, err)
		want := []where{{"caller.bpmn", "call_it", 6}}
		var got []where
		for _, p := range ps {
			got = append(got, where{p.File, p.ElementID, p.Line})
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("problems (-want +got):\n%s", d)
		}
		if !strings.Contains(ps[0].Msg, `"missing_process"`) {
			t.Errorf("message %q does not name the called process", ps[0].Msg)
		}
	})
	t.Run("not required", func(t *testing.T) {
		lib, err := bpmn.Parse(bpmn.Options{}, f)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if got := lib.Process("caller").AllNodes["call_it"].CalledElement; got != "missing_process" {
			t.Errorf("CalledElement = %q", got)
		}
	})
}

func TestDoctypeRefused(t *testing.T) {
	dir := t.TempDir()
	secretPath := filepath.Join(dir, "secret.txt")
	const secret = "TOP-SECRET-7f3a9c"
	if err := os.WriteFile(secretPath, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	body := `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://waymark.test/parse">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" name="&payload;"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:documentation>&payload;</bpmn:documentation></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
`
	cases := []struct {
		name, doc string
		line      int
	}{
		{"external entity", `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE bpmn:definitions [ <!ENTITY payload SYSTEM "file://` + secretPath + `"> ]>
` + body, 2},
		{"parameter entity", `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE bpmn:definitions [ <!ENTITY % ext SYSTEM "file://` + secretPath + `"> %ext; <!ENTITY payload "x"> ]>
` + body, 2},
		{"internal entity expansion", `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE bpmn:definitions [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY payload "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
` + body, 2},
		{"entity reference without a declaration", `<?xml version="1.0" encoding="UTF-8"?>
` + body, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "evil.bpmn", Data: []byte(c.doc)})
			ps := problemsOf(t, err)
			if len(ps) != 1 || ps[0].File != "evil.bpmn" || ps[0].Line != c.line {
				t.Errorf("problems = %v, want one in evil.bpmn at line %d", ps, c.line)
			}
			if strings.Contains(c.doc, "DOCTYPE") && !strings.Contains(strings.ToLower(ps[0].Msg), "document type") {
				t.Errorf("message %q does not say document type declarations are refused", ps[0].Msg)
			}
			if lib != nil && lib.Process("p") != nil {
				t.Errorf("process p was loaded from a refused file")
			}
			everything := fmt.Sprintf("%v %+v %#v", err, ps, lib)
			if strings.Contains(everything, secret) || strings.Contains(everything, "aaaaaaaaaaaaaaaaaaaa") {
				t.Errorf("entity content leaked into the output: %s", everything)
			}
		})
	}
}

func parseOne(t *testing.T, name string) *spec.Library {
	t.Helper()
	lib, err := bpmn.Parse(bpmn.Options{}, readFile(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return lib
}

// src returns the trimmed source of a compiled script or expression ("" for nil).
func src[T interface {
	*script.Expr | *script.Program
	Source() string
}](e T) string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(e.Source())
}

func TestSpiffExtensions(t *testing.T) {
	p := parseOne(t, "spiff_extensions.bpmn").Process("p_ext")
	if p == nil {
		t.Fatal("process p_ext missing")
	}
	node := func(id string) *spec.Node {
		n := p.AllNodes[id]
		if n == nil {
			t.Fatalf("node %s missing", id)
		}
		return n
	}

	type userTask struct {
		Pre, Post, Instructions, VariableName string
		Properties, Metadata, Extensions      map[string]string
	}
	approve := node("approve")
	gotUser := userTask{
		Pre: src(approve.PreScript), Post: src(approve.PostScript), Instructions: approve.Instructions,
		VariableName: approve.VariableName, Properties: approve.Properties, Metadata: approve.TaskMetadata, Extensions: approve.Extensions,
	}
	wantUser := userTask{
		Pre: "limit = amount * 2", Post: `approved_by = "finance"`, Instructions: "Approve **{{ amount }}**", VariableName: "decision",
		Properties: map[string]string{"formJsonSchemaFilename": "approve-schema.json", "formUiSchemaFilename": "approve-uischema.json"},
		Metadata:   map[string]string{"priority": `"urgent"`},
		Extensions: map[string]string{"futureThing": "kept as text"},
	}
	if d := cmp.Diff(wantUser, gotUser); d != "" {
		t.Errorf("user task extensions (-want +got):\n%s", d)
	}

	type param struct{ ID, Type, Value string }
	type operator struct {
		ID, ResultVariable   string
		Params               []param
		Retries, BackoffBase int
	}
	op := node("call_api").Service
	if op == nil {
		t.Fatal("call_api has no service operator")
	}
	gotOp := operator{ID: op.ID, ResultVariable: op.ResultVariable, Retries: op.Retries, BackoffBase: op.BackoffBase}
	for _, pr := range op.Params {
		gotOp.Params = append(gotOp.Params, param{pr.ID, pr.Type, src(pr.Value)})
	}
	wantOp := operator{ID: "http/GetRequestV2", ResultVariable: "response", Retries: 3, BackoffBase: 2,
		Params: []param{{"url", "str", `"https://api.example/rates/" + currency`}, {"timeout", "int", "5"}}}
	if d := cmp.Diff(wantOp, gotOp); d != "" {
		t.Errorf("service operator (-want +got):\n%s", d)
	}

	if got := node("decide").CalledDecision; got != "discount_table" {
		t.Errorf("calledDecisionId = %q, want discount_table", got)
	}

	type message struct {
		Type            spec.EventType
		Name, Payload   string
		Variable, RefID string
	}
	msg := func(id string) []message {
		var out []message
		for _, e := range node(id).Events {
			out = append(out, message{e.Type, e.Name, src(e.Payload), e.Variable, e.RefID})
		}
		return out
	}
	gotMsgs := map[string][]message{"send_order": msg("send_order"), "receive_order": msg("receive_order"), "catch_order": msg("catch_order")}
	wantMsgs := map[string][]message{
		"send_order":    {{spec.EventMessage, "order out", `{"order_id": order_id}`, "", "msg_out"}},
		"receive_order": {{spec.EventMessage, "order in", "", "incoming", "msg_in"}},
		"catch_order":   {{spec.EventMessage, "order event", "", "caught", "msg_event"}},
	}
	if d := cmp.Diff(wantMsgs, gotMsgs); d != "" {
		t.Errorf("message definitions (-want +got):\n%s", d)
	}

	compute := node("compute")
	wantTests := []spec.UnitTest{{ID: "doubles", InputJSON: `{"x": 2}`, ExpectedOutputJSON: `{"x": 2, "y": 4}`}}
	if d := cmp.Diff(wantTests, compute.UnitTests); d != "" {
		t.Errorf("unit tests (-want +got):\n%s", d)
	}
	if got := src(compute.Script); got != "y = x * 2" {
		t.Errorf("script = %q", got)
	}

	each := node("each")
	if each.MI == nil || !each.ScriptsOnInstances {
		t.Errorf("each: MI = %v, ScriptsOnInstances = %v; want a multi-instance with scriptsOnInstances", each.MI, each.ScriptsOnInstances)
	} else if got := src(each.MI.Cardinality); got != "2" {
		t.Errorf("loopCardinality = %q, want 2", got)
	}
	if node("approve").ScriptsOnInstances {
		t.Errorf("approve has ScriptsOnInstances set")
	}
}

func TestOutgoingOrderFollowsDI(t *testing.T) {
	lib := parseOne(t, "di_order.bpmn")
	cases := []struct {
		process, node string
		want          []string
	}{
		{"p_di", "gw", []string{"to_high", "to_mid", "to_low"}}, // by the y of the target shapes
		{"p_no_di", "split2", []string{"g1", "g2", "g3"}},       // no shapes: document order
	}
	for _, c := range cases {
		t.Run(c.process, func(t *testing.T) {
			n := lib.Process(c.process).AllNodes[c.node]
			var got []string
			for i, fl := range n.Outgoing {
				got = append(got, fl.ID)
				if fl.Index != i {
					t.Errorf("flow %s has Index %d at position %d", fl.ID, fl.Index, i)
				}
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("outgoing order (-want +got):\n%s", d)
			}
		})
	}
	if d := lib.Process("p_di").AllNodes["gw"].Default; d == nil || d.ID != "to_low" {
		t.Errorf("default flow = %v, want to_low", d)
	}
}
