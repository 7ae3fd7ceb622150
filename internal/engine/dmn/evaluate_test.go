package dmn

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

func TestEvaluateHitPolicies(t *testing.T) {
	// Rules 2, 3 and 4 match x = 5; rule 1 does not.
	base := func(hit, agg string) table {
		return table{
			hit: hit, agg: agg,
			inputs:  []col{{expr: "x"}},
			outputs: []col{{name: "n"}, {name: "s"}},
			rules: [][]string{
				{"> 10", "1", `"a"`},
				{"> 1", "2", `"b"`},
				{"5", "3", `"c"`},
				{"-", "4", `"d"`},
			},
		}
	}
	tests := []struct {
		name  string
		table table
		data  map[string]any
		want  map[string]any
	}{
		{"default is unique, first match", base("", ""), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"UNIQUE first match", base("UNIQUE", ""), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"lower-case hit policy", base("unique", ""), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"FIRST", base("FIRST", ""), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"PRIORITY first match", base("PRIORITY", ""), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"OUTPUT ORDER first match", base("OUTPUT ORDER", ""), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"COLLECT lists", base("COLLECT", ""), map[string]any{"x": int64(5)},
			map[string]any{"n": []any{int64(2), int64(3), int64(4)}, "s": []any{"b", "c", "d"}}},
		{"RULE ORDER lists in rule order", base("RULE ORDER", ""), map[string]any{"x": int64(5)},
			map[string]any{"n": []any{int64(2), int64(3), int64(4)}, "s": []any{"b", "c", "d"}}},
		{"COLLECT COUNT", base("COLLECT", "COUNT"), map[string]any{"x": int64(5)}, map[string]any{"n": int64(3), "s": int64(3)}},
		{"COLLECT MIN", base("COLLECT", "MIN"), map[string]any{"x": int64(5)}, map[string]any{"n": int64(2), "s": "b"}},
		{"COLLECT MAX", base("COLLECT", "MAX"), map[string]any{"x": int64(5)}, map[string]any{"n": int64(4), "s": "d"}},
		{"COLLECT one match", base("COLLECT", ""), map[string]any{"x": int64(0)}, map[string]any{"n": []any{int64(4)}, "s": []any{"d"}}},
		{"unique no match", table{inputs: []col{{expr: "x"}}, outputs: []col{{name: "n"}}, rules: [][]string{{"1", "1"}}},
			map[string]any{"x": int64(2)}, map[string]any{}},
		{"COLLECT no match", table{hit: "COLLECT", inputs: []col{{expr: "x"}}, outputs: []col{{name: "n"}}, rules: [][]string{{"1", "1"}}},
			map[string]any{"x": int64(2)}, map[string]any{}},
		{"COLLECT SUM of ints", table{hit: "COLLECT", agg: "SUM", inputs: []col{{expr: "x"}}, outputs: []col{{name: "total"}},
			rules: [][]string{{"-", "1"}, {"-", "2"}, {"> 100", "100"}, {"-", "4"}}},
			map[string]any{"x": int64(5)}, map[string]any{"total": int64(7)}},
		{"COLLECT SUM with a float", table{hit: "COLLECT", agg: "SUM", inputs: []col{{expr: "x"}}, outputs: []col{{name: "total"}},
			rules: [][]string{{"-", "1"}, {"-", "2.5"}}},
			map[string]any{"x": int64(5)}, map[string]any{"total": 3.5}},
		{"COLLECT MAX of floats and ints", table{hit: "COLLECT", agg: "MAX", inputs: []col{{expr: "x"}}, outputs: []col{{name: "m"}},
			rules: [][]string{{"-", "1"}, {"-", "2.5"}, {"-", "2"}}},
			map[string]any{"x": int64(5)}, map[string]any{"m": 2.5}},
		{"COLLECT with dotted outputs groups per top-level key", table{hit: "COLLECT", inputs: []col{{expr: "x"}},
			outputs: []col{{name: "p.a"}, {name: "p.b"}},
			rules:   [][]string{{"-", "1", "2"}, {"-", "3", "4"}}},
			map[string]any{"x": int64(5)},
			map[string]any{"p": []any{map[string]any{"a": int64(1), "b": int64(2)}, map[string]any{"a": int64(3), "b": int64(4)}}}},
		{"COLLECT SUM with dotted output", table{hit: "COLLECT", agg: "SUM", inputs: []col{{expr: "x"}},
			outputs: []col{{name: "p.total"}},
			rules:   [][]string{{"-", "1"}, {"-", "3"}}},
			map[string]any{"x": int64(5)}, map[string]any{"p": map[string]any{"total": int64(4)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.table.xml())
			got, err := d.Evaluate(nil, tc.data)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

// Single-hit policies other than UNIQUE and FIRST check every rule, so an
// error in a rule after the first match still fails; UNIQUE and FIRST stop.
func TestEvaluateStopsOnlyForUniqueAndFirst(t *testing.T) {
	for _, tc := range []struct {
		hit     string
		wantErr bool
	}{
		{"UNIQUE", false}, {"FIRST", false},
		{"PRIORITY", true}, {"ANY", true}, {"OUTPUT ORDER", true}, {"COLLECT", true}, {"RULE ORDER", true},
	} {
		t.Run(tc.hit, func(t *testing.T) {
			d := mustParse(t, table{hit: tc.hit, inputs: []col{{expr: "x"}}, outputs: []col{{name: "n"}},
				rules: [][]string{{"-", "1"}, {"== missing", "2"}}}.xml())
			_, err := d.Evaluate(nil, map[string]any{"x": int64(1)})
			if (err != nil) != tc.wantErr {
				t.Fatalf("Evaluate error = %v, want error: %v", err, tc.wantErr)
			}
		})
	}
}

func TestEvaluateInputEntries(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		entry    string
		kind     EntryKind
		data     map[string]any
		want     bool
		wantSrc  string
		inputCol *col // overrides the input column
	}{
		{name: "empty matches anything", input: "x", entry: "", kind: EntryAny, data: map[string]any{}, want: true},
		{name: "blank matches anything", input: "x", entry: "  \n ", kind: EntryAny, data: map[string]any{}, want: true},
		{name: "dash matches anything", input: "x", entry: "-", kind: EntryAny, data: map[string]any{}, want: true},
		{name: "string literal equal", input: "x", entry: `"gold"`, kind: EntryEqual, data: map[string]any{"x": "gold"}, want: true, wantSrc: `dmninputexpr == ("gold")`},
		{name: "string literal differs", input: "x", entry: `"gold"`, kind: EntryEqual, data: map[string]any{"x": "silver"}, want: false},
		{name: "number equal", input: "x", entry: "5", kind: EntryEqual, data: map[string]any{"x": int64(5)}, want: true},
		{name: "int equals float", input: "x", entry: "5.0", kind: EntryEqual, data: map[string]any{"x": int64(5)}, want: true},
		{name: "variable equal", input: "x", entry: "y", kind: EntryEqual, data: map[string]any{"x": "a", "y": "a"}, want: true},
		{name: "list equal", input: "x", entry: "[1, 2]", kind: EntryEqual, data: map[string]any{"x": []any{int64(1), int64(2)}}, want: true},
		{name: "bool entry on a comparison input", input: "a < 0", entry: "True", kind: EntryEqual, data: map[string]any{"a": int64(-1)}, want: true},
		{name: "False entry on a comparison input", input: "a < 0", entry: "False", kind: EntryEqual, data: map[string]any{"a": int64(-1)}, want: false},
		{name: "equality entry is parenthesised", input: "a", entry: "0 == 0", kind: EntryEqual, data: map[string]any{"a": true}, want: true},
		{name: "greater", input: "x", entry: "> 5", kind: EntryCompare, data: map[string]any{"x": int64(6)}, want: true, wantSrc: "dmninputexpr > 5"},
		{name: "greater fails", input: "x", entry: "> 5", kind: EntryCompare, data: map[string]any{"x": int64(5)}, want: false},
		{name: "greater or equal", input: "x", entry: ">=5", kind: EntryCompare, data: map[string]any{"x": int64(5)}, want: true},
		{name: "in list", input: "x", entry: `in ["a", "b"]`, kind: EntryCompare, data: map[string]any{"x": "b"}, want: true},
		{name: "not in tuple", input: "x", entry: `not in ("a", "b")`, kind: EntryCompare, data: map[string]any{"x": "b"}, want: false},
		{name: "explicit ==", input: "x", entry: `== "x"`, kind: EntryCompare, data: map[string]any{"x": "x"}, want: true},
		{name: "not equal", input: "x", entry: `!= "x"`, kind: EntryCompare, data: map[string]any{"x": "y"}, want: true},
		{name: "compare on an expression input", input: "x + 1", entry: "> 5", kind: EntryCompare, data: map[string]any{"x": int64(5)}, want: true},
		{name: "range with ?", input: "x", entry: "100 <= ? and ? <= 110", kind: EntryTest, data: map[string]any{"x": int64(105)}, want: true, wantSrc: "100 <= dmninputexpr and dmninputexpr <= 110"},
		{name: "range with ? outside", input: "x", entry: "100 <= ? and ? <= 110", kind: EntryTest, data: map[string]any{"x": int64(111)}, want: false},
		{name: "substring with ?", input: "name", entry: `"ar" in ?`, kind: EntryTest, data: map[string]any{"name": "Larry"}, want: true},
		{name: "? inside quotes is text", input: "x", entry: `"why?"`, kind: EntryEqual, data: map[string]any{"x": "why?"}, want: true},
		{name: "? after a quoted ?", input: "x", entry: `? != "?"`, kind: EntryTest, data: map[string]any{"x": "a"}, want: true, wantSrc: `dmninputexpr != "?"`},
		{name: "? with escaped quote", input: "x", entry: `? == "a\"?"`, kind: EntryTest, data: map[string]any{"x": `a"?`}, want: true},
		{name: "slice input", input: "telephone[-4:]", entry: `"1234"`, kind: EntryEqual, data: map[string]any{"telephone": "555-1234"}, want: true},
		{name: "dict input", input: `info["kind"]`, entry: `"a"`, kind: EntryEqual, data: map[string]any{"info": map[string]any{"kind": "a"}}, want: true},
		{name: "label fallback", entry: "> 10", kind: EntryCompare, data: map[string]any{"amount": int64(11)}, want: true, inputCol: &col{label: "amount"}},
		{name: "label fallback keeps the label as written", entry: "1", kind: EntryEqual, data: map[string]any{"amount ": int64(1)}, want: true, inputCol: &col{label: "amount "}},
		{name: "label fallback with spaces in the label", entry: `"x"`, kind: EntryEqual, data: map[string]any{"the input": "x"}, want: true, inputCol: &col{label: "the input"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := col{expr: tc.input}
			if tc.inputCol != nil {
				in = *tc.inputCol
			}
			d := mustParse(t, table{inputs: []col{in}, outputs: []col{{name: "hit"}}, rules: [][]string{{tc.entry, "True"}}}.xml())
			ent := d.Rules[0].Inputs[0]
			if ent.Kind != tc.kind {
				t.Errorf("entry kind = %v, want %v", ent.Kind, tc.kind)
			}
			if tc.wantSrc != "" && ent.Source != tc.wantSrc {
				t.Errorf("entry source = %q, want %q", ent.Source, tc.wantSrc)
			}
			got, err := d.Evaluate(nil, tc.data)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if _, hit := got["hit"]; hit != tc.want {
				t.Errorf("matched = %v, want %v (result %v)", hit, tc.want, got)
			}
		})
	}
}

func TestEvaluateOutputs(t *testing.T) {
	tests := []struct {
		name    string
		outputs []col
		entries []string
		data    map[string]any
		want    map[string]any
	}{
		{"name is the key", []col{{name: "answer", label: "Answer"}}, []string{`"Y"`}, nil, map[string]any{"answer": "Y"}},
		{"label when no name", []col{{label: "Answer"}}, []string{`"Y"`}, nil, map[string]any{"Answer": "Y"}},
		{"empty entry gives empty string", []col{{name: "a"}, {name: "b"}}, []string{"", "1"}, nil, map[string]any{"a": "", "b": int64(1)}},
		{"dotted names nest", []col{{name: "user.name"}, {name: "user.address.city"}, {name: "flag"}},
			[]string{`"Ann"`, `"Oslo"`, "True"}, nil,
			map[string]any{"user": map[string]any{"name": "Ann", "address": map[string]any{"city": "Oslo"}}, "flag": true}},
		{"expressions over data", []col{{name: "ratio"}, {name: "msg"}}, []string{"(salary/12)/amount", `"id: " + str(n)`},
			map[string]any{"salary": int64(120), "amount": int64(5), "n": int64(7)},
			map[string]any{"ratio": 2.0, "msg": "id: 7"}},
		{"list and dict values", []col{{name: "l"}, {name: "m"}}, []string{`["read", "write"]`, `{"a": 1}`}, nil,
			map[string]any{"l": []any{"read", "write"}, "m": map[string]any{"a": int64(1)}}},
		{"multi-line entry", []col{{name: "s"}}, []string{"\"ALL\"\n"}, nil, map[string]any{"s": "ALL"}},
		{"None", []col{{name: "s"}}, []string{"None"}, nil, map[string]any{"s": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, table{inputs: []col{{expr: "1"}}, outputs: tc.outputs, rules: [][]string{append([]string{"-"}, tc.entries...)}}.xml())
			got, err := d.Evaluate(nil, tc.data)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name   string
		table  table
		data   map[string]any
		want   EvalError // Err is not compared
		prefix string
	}{
		{"undefined input variable",
			table{id: "discount", inputs: []col{{expr: "amount", label: "amount"}}, outputs: []col{{name: "d"}}, rules: [][]string{{"> 5", "1"}}},
			map[string]any{},
			EvalError{DecisionID: "discount", RuleID: "rule_1", Part: "input", Column: "amount"},
			`decision "discount": rule "rule_1" input "amount": `},
		{"undefined name in an entry",
			table{id: "d", inputs: []col{{expr: "x", label: "X"}}, outputs: []col{{name: "d"}}, rules: [][]string{{"1", "0"}, {"== nowhere", "1"}}},
			map[string]any{"x": int64(2)},
			EvalError{DecisionID: "d", RuleID: "rule_2", Part: "input", Column: "X"},
			`decision "d": rule "rule_2" input "X": `},
		{"undefined name in an output",
			table{id: "d", inputs: []col{{expr: "x"}}, outputs: []col{{name: "out.v"}}, rules: [][]string{{"-", "nowhere"}}},
			map[string]any{"x": int64(1)},
			EvalError{DecisionID: "d", RuleID: "rule_1", Part: "output", Column: "out.v"},
			`decision "d": rule "rule_1" output "out.v": `},
		{"label fallback without data",
			table{id: "d", inputs: []col{{label: "amount"}}, outputs: []col{{name: "v"}}, rules: [][]string{{"> 1", "1"}}},
			map[string]any{},
			EvalError{DecisionID: "d", RuleID: "rule_1", Part: "input", Column: "amount"},
			`decision "d": rule "rule_1" input "amount": the input has no expression and the task data has no "amount" (the input's label)`},
		{"SUM of strings",
			table{id: "d", hit: "COLLECT", agg: "SUM", inputs: []col{{expr: "1"}}, outputs: []col{{name: "v"}}, rules: [][]string{{"-", "1"}, {"-", `"x"`}}},
			map[string]any{},
			EvalError{DecisionID: "d", RuleID: "rule_2", Part: "output", Column: "v"},
			`decision "d": rule "rule_2" output "v": aggregation SUM needs numbers, got the string "x"`},
		{"MIN of strings and numbers",
			table{id: "d", hit: "COLLECT", agg: "MIN", inputs: []col{{expr: "1"}}, outputs: []col{{name: "v"}}, rules: [][]string{{"-", "1"}, {"-", `"x"`}}},
			map[string]any{},
			EvalError{DecisionID: "d", RuleID: "rule_2", Part: "output", Column: "v"},
			`decision "d": rule "rule_2" output "v": aggregation MIN cannot compare the string "x" with numbers`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.table.xml())
			_, err := d.Evaluate(nil, tc.data)
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Evaluate error = %v, want *EvalError", err)
			}
			if diff := cmp.Diff(tc.want, *ee, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Err" }, cmp.Ignore())); diff != "" {
				t.Errorf("EvalError (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Errorf("message = %q, want prefix %q", err.Error(), tc.prefix)
			}
		})
	}
}

// A script error keeps its kind through EvalError, and the message ends with
// the script package's own wording.
func TestEvaluateErrorWrapsScriptError(t *testing.T) {
	d := mustParse(t, table{id: "discount", inputs: []col{{expr: "amount", label: "amount"}}, outputs: []col{{name: "d"}}, rules: [][]string{{"> 5", "1"}}}.xml())
	_, err := d.Evaluate(nil, map[string]any{})
	var se *script.Error
	if !errors.As(err, &se) {
		t.Fatalf("Evaluate error = %v, want it to wrap *script.Error", err)
	}
	if se.Kind != script.KindRuntime {
		t.Errorf("script error kind = %q, want %q", se.Kind, script.KindRuntime)
	}
	want := `decision "discount": rule "rule_1" input "amount": ` + se.Msg
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
	if !strings.Contains(se.Msg, "amount") {
		t.Errorf("script message %q does not name the variable", se.Msg)
	}
}

// Evaluate must not change the caller's data, and the input expression is
// evaluated once however many rules test it.
func TestEvaluateLeavesDataAlone(t *testing.T) {
	d := mustParse(t, table{inputs: []col{{expr: "x"}}, outputs: []col{{name: "y"}}, rules: [][]string{{"> 10", "1"}, {"> 5", "2"}, {"-", "3"}}}.xml())
	data := map[string]any{"x": int64(7), "nested": map[string]any{"a": "b"}}
	got, err := d.Evaluate(&script.Env{}, data)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if diff := cmp.Diff(map[string]any{"y": int64(2)}, got); diff != "" {
		t.Errorf("Evaluate (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"x": int64(7), "nested": map[string]any{"a": "b"}}, data); diff != "" {
		t.Errorf("data changed (-want +got):\n%s", diff)
	}
}
