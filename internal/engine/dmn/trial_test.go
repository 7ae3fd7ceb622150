package dmn

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

func TestTryShowsEveryMatchAndTheRulesUsed(t *testing.T) {
	tb := func(hit string) table {
		return table{
			hit:     hit,
			inputs:  []col{{expr: "amount"}, {expr: "tier"}},
			outputs: []col{{name: "discount"}, {name: "note"}},
			rules: [][]string{
				{"> 1000", `"gold"`, "15", `"big gold"`},
				{"> 100", "-", "5", `"over 100 for " + str(amount)`},
				{"-", `"gold"`, "10", `"gold"`},
				{"< 0", "-", "0", `"refund"`},
			},
		}
	}
	tests := []struct {
		hit     string
		inputs  []any
		matched []int
		used    []int
		result  map[string]any
	}{
		{"UNIQUE", []any{int64(500), "gold"}, []int{1, 2}, []int{1}, map[string]any{"discount": int64(5), "note": "over 100 for 500"}},
		{"FIRST", []any{int64(5000), "gold"}, []int{0, 1, 2}, []int{0}, map[string]any{"discount": int64(15), "note": "big gold"}},
		{"COLLECT", []any{int64(500), "gold"}, []int{1, 2}, []int{1, 2}, map[string]any{"discount": []any{int64(5), int64(10)}, "note": []any{"over 100 for 500", "gold"}}},
		{"RULE ORDER", []any{int64(50), "silver"}, nil, nil, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.hit, func(t *testing.T) {
			d := mustParse(t, tb(tt.hit).xml())
			got, err := d.Try(&script.Env{}, tt.inputs)
			if err != nil {
				t.Fatalf("Try: %v", err)
			}
			if diff := cmp.Diff(tt.matched, got.Matched); diff != "" {
				t.Errorf("Matched (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.used, got.Used); diff != "" {
				t.Errorf("Used (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.result, got.Result); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
			// The same table evaluated on task data agrees with Try.
			want, err := d.Evaluate(&script.Env{}, map[string]any{"amount": tt.inputs[0], "tier": tt.inputs[1]})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(want, got.Result); diff != "" {
				t.Errorf("Try and Evaluate differ (-Evaluate +Try):\n%s", diff)
			}
		})
	}
}

func TestTryErrorsNameDecisionRuleAndColumn(t *testing.T) {
	d := mustParse(t, table{
		inputs:  []col{{expr: "n", label: "Count"}},
		outputs: []col{{name: "out"}},
		rules: [][]string{
			{"> 5", "1"},
			{"? + undefined_name > 0", "2"},
		},
	}.xml())
	if _, err := d.Try(&script.Env{}, []any{int64(1)}); err == nil {
		t.Fatal("Try succeeded, want an error from rule 2")
	} else {
		var ee *EvalError
		if !errors.As(err, &ee) || ee.RuleID != "rule_2" || ee.Column != "Count" {
			t.Fatalf("error %v (%#v), want an EvalError at rule_2, column Count", err, ee)
		}
		if msg := err.Error(); !strings.Contains(msg, `decision "decision_1"`) || !strings.Contains(msg, "undefined_name") {
			t.Errorf("error %q names neither the decision nor the missing name", msg)
		}
	}
	// After a match, a UNIQUE table never reaches rule 2: the trial stands
	// and the error is reported beside it.
	got, err := d.Try(&script.Env{}, []any{int64(9)})
	if err != nil || len(got.Matched) != 1 || got.Result["out"] != int64(1) || len(got.Unchecked) != 1 || !strings.Contains(got.Unchecked[0].Error(), `rule "rule_2"`) {
		t.Errorf("Try(9) = %+v, %v; want rule 1 used and rule 2's error unchecked", got, err)
	}
	if _, err := d.Try(&script.Env{}, nil); err == nil || !strings.Contains(err.Error(), "has 1 inputs, got 0") {
		t.Errorf("Try with no values: %v, want a count mismatch", err)
	}
}

func TestInputParseValueFollowsTypeRef(t *testing.T) {
	tests := []struct {
		typ, text string
		want      any
		err       string
	}{
		{"integer", " 42 ", int64(42), ""},
		{"long", "4.5", nil, `input "Amount" is of type long: "4.5" is not a whole number`},
		{"double", "4.5", 4.5, ""},
		{"number", "7", int64(7), ""},
		{"double", "abc", nil, `"abc" is not a number`},
		{"boolean", "True", true, ""},
		{"boolean", "yes", nil, `"yes" is neither true nor false`},
		{"string", " gold ", " gold ", ""},
		{"", "5", "5", ""},
		{"integer", "", nil, ""},
	}
	for _, tt := range tests {
		in := Input{Label: "Amount", TypeRef: tt.typ}
		got, err := in.ParseValue(tt.text)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s %q: error %v, want %q", tt.typ, tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %q = %#v, %v; want %#v", tt.typ, tt.text, got, err, tt.want)
		}
	}
}

// bench100x5 is a 100-rule table over five inputs in which only the last
// rule matches, so every evaluation checks every rule.
func bench100x5() table {
	tb := table{
		inputs:  []col{{expr: "age"}, {expr: "income"}, {expr: "region"}, {expr: "score"}, {expr: "member"}},
		outputs: []col{{name: "rate"}, {name: "band"}},
	}
	for i := 0; i < 100; i++ {
		tb.rules = append(tb.rules, []string{
			fmt.Sprintf(">= %d", 18+i%50),
			fmt.Sprintf("%d <= ? < %d", i*1000, (i+1)*1000),
			fmt.Sprintf(`"r%d"`, i%7),
			fmt.Sprintf("> %d", i%10),
			"True",
			fmt.Sprintf("%d.5", i),
			fmt.Sprintf(`"band %d"`, i),
		})
	}
	return tb
}

// BenchmarkEvaluate100Rules5Inputs measures a 100-rule, 5-input table whose
// only matching rule is the last one.
func BenchmarkEvaluate100Rules5Inputs(b *testing.B) {
	ds, err := Parse("bench.dmn", bench100x5().xml())
	if err != nil {
		b.Fatal(err)
	}
	d := ds[0]
	data := map[string]any{"age": int64(70), "income": int64(99_500), "region": "r1", "score": int64(20), "member": true}
	env := &script.Env{}
	out, err := d.Evaluate(env, data)
	if err != nil || out["band"] != "band 99" {
		b.Fatalf("Evaluate = %v, %v; want band 99", out, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := d.Evaluate(env, data); err != nil {
			b.Fatal(err)
		}
	}
}

// priorityTable has outputValues on "level", so PRIORITY and OUTPUT ORDER
// rank matches by them.
func priorityTable(hit string) []byte {
	xml := string(table{
		hit:     hit,
		inputs:  []col{{expr: "x"}},
		outputs: []col{{name: "level"}, {name: "rule"}},
		rules: [][]string{
			{"> 0", `"low"`, "1"},
			{"> 5", `"high"`, "2"},
			{"> 3", `"medium"`, "3"},
			{"> 4", `"urgent"`, "4"},
		},
	}.xml())
	return []byte(strings.Replace(xml, `<output id="output_1" name="level" typeRef="string" />`,
		`<output id="output_1" name="level" typeRef="string"><outputValues id="ov"><text>"high", "medium", "low"</text></outputValues></output>`, 1))
}

func TestDMNHitPoliciesWithPriorities(t *testing.T) {
	env := &script.Env{}
	data := map[string]any{"x": int64(9)}
	d := mustParse(t, priorityTable("PRIORITY"))
	if diff := cmp.Diff([]any{"high", "medium", "low"}, d.Outputs[0].Values); diff != "" {
		t.Fatalf("outputValues (-want +got):\n%s", diff)
	}
	got, err := d.Evaluate(env, data)
	if err != nil || !cmp.Equal(got, map[string]any{"level": "high", "rule": int64(2)}) {
		t.Errorf("PRIORITY = %v, %v; want the high rule", got, err)
	}
	trial, err := d.Try(env, []any{int64(9)})
	if err != nil || !cmp.Equal(trial.Used, []int{1}) || !cmp.Equal(trial.Matched, []int{0, 1, 2, 3}) {
		t.Errorf("PRIORITY trial used %v of %v (%v)", trial.Used, trial.Matched, err)
	}
	// OUTPUT ORDER lists every match by priority; a value outside the
	// list ("urgent") ranks last; ties keep rule order.
	got, err = mustParse(t, priorityTable("OUTPUT ORDER")).Evaluate(env, data)
	want := map[string]any{"level": []any{"high", "medium", "low", "urgent"}, "rule": []any{int64(2), int64(3), int64(1), int64(4)}}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("OUTPUT ORDER = %v, %v; want %v", got, err, want)
	}
	// Without outputValues both return the first match, as SpiffWorkflow.
	plain := mustParse(t, table{hit: "PRIORITY", inputs: []col{{expr: "x"}}, outputs: []col{{name: "n"}}, rules: [][]string{{"> 0", "1"}, {"> 5", "2"}}}.xml())
	if got, err := plain.Evaluate(env, data); err != nil || got["n"] != int64(1) {
		t.Errorf("PRIORITY without outputValues = %v, %v", got, err)
	}
	// A value that is not a constant is refused where it is written.
	bad := strings.Replace(string(priorityTable("PRIORITY")), `"high", "medium"`, `high_var, "medium"`, 1)
	if _, err := Parse("t.dmn", []byte(bad)); err == nil || !strings.Contains(err.Error(), `output value "high_var" of output "output_1" is not a constant`) {
		t.Errorf("non-constant output value: %v", err)
	}
}

func TestDMNHitPolicyAny(t *testing.T) {
	tb := table{hit: "ANY", inputs: []col{{expr: "x"}}, outputs: []col{{name: "ok"}},
		rules: [][]string{{"> 0", "True"}, {"> 5", "True"}, {"> 8", "False"}}}
	d := mustParse(t, tb.xml())
	if got, err := d.Evaluate(&script.Env{}, map[string]any{"x": int64(6)}); err != nil || got["ok"] != true {
		t.Errorf("agreeing matches: %v, %v", got, err)
	}
	_, err := d.Evaluate(&script.Env{}, map[string]any{"x": int64(9)})
	var ee *EvalError
	if !errors.As(err, &ee) || ee.RuleID != "rule_3" || ee.Column != "ok" || !strings.Contains(err.Error(), `hit policy ANY: rules "rule_1" and "rule_3" both match but give different outputs (True and False)`) {
		t.Errorf("disagreeing matches: %v", err)
	}
}
