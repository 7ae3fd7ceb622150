package dmn

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// drd is a decision requirements graph: "price" needs "risk" and
// "segment"; "segment" needs "risk" too (a diamond). The file lists "price"
// first, so the order comes from the requirements, not the document.
const drd = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
  <decision id="price" name="Price">
    <informationRequirement id="ir1"><requiredDecision href="#risk"/></informationRequirement>
    <informationRequirement id="ir2"><requiredDecision href="#segment"/></informationRequirement>
    <informationRequirement id="ir3"><requiredInput href="#age_input"/></informationRequirement>
    <decisionTable id="t_price" hitPolicy="FIRST">
      <input id="p1"><inputExpression id="p1e"><text>risk</text></inputExpression></input>
      <input id="p2"><inputExpression id="p2e"><text>customer["segment"]</text></inputExpression></input>
      <output id="po" name="price" />
      <rule id="pr1"><inputEntry id="pr1a"><text>"high"</text></inputEntry><inputEntry id="pr1b"><text>-</text></inputEntry><outputEntry id="pr1c"><text>base * 2</text></outputEntry></rule>
      <rule id="pr2"><inputEntry id="pr2a"><text>-</text></inputEntry><inputEntry id="pr2b"><text>"young"</text></inputEntry><outputEntry id="pr2c"><text>base - 10</text></outputEntry></rule>
      <rule id="pr3"><inputEntry id="pr3a"><text>-</text></inputEntry><inputEntry id="pr3b"><text>-</text></inputEntry><outputEntry id="pr3c"><text>base</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="segment" name="Segment">
    <informationRequirement id="ir4"><requiredDecision href="#risk"/></informationRequirement>
    <decisionTable id="t_segment" hitPolicy="FIRST">
      <input id="s1"><inputExpression id="s1e"><text>age</text></inputExpression></input>
      <output id="so" name="customer.segment" />
      <rule id="sr1"><inputEntry id="sr1a"><text>&lt; 25</text></inputEntry><outputEntry id="sr1b"><text>"young"</text></outputEntry></rule>
      <rule id="sr2"><inputEntry id="sr2a"><text>-</text></inputEntry><outputEntry id="sr2b"><text>"adult " + risk</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="risk" name="Risk">
    <decisionTable id="t_risk">
      <input id="r1"><inputExpression id="r1e"><text>claims</text></inputExpression></input>
      <output id="ro" name="risk" />
      <rule id="rr1"><inputEntry id="rr1a"><text>&gt; 2</text></inputEntry><outputEntry id="rr1b"><text>"high"</text></outputEntry></rule>
      <rule id="rr2"><inputEntry id="rr2a"><text>-</text></inputEntry><outputEntry id="rr2b"><text>"low"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <inputData id="age_input" name="age" />
</definitions>
`

func TestDecisionRequirementsGraph(t *testing.T) {
	ds, err := Parse("drd.dmn", []byte(drd))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*Decision{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	if diff := cmp.Diff([]string{"risk", "segment"}, byID["price"].Requires); diff != "" {
		t.Errorf("price requires (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		data map[string]any
		want map[string]any
	}{
		{"high risk", map[string]any{"claims": int64(3), "age": int64(40), "base": int64(100)}, map[string]any{"price": int64(200)}},
		{"young, low risk", map[string]any{"claims": int64(0), "age": int64(20), "base": int64(100)}, map[string]any{"price": int64(90)}},
		{"adult, low risk", map[string]any{"claims": int64(0), "age": int64(40), "base": int64(100), "customer": map[string]any{"name": "Ann"}}, map[string]any{"price": int64(100)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := jsonRoundTrip(t, tt.data)
			got, err := byID["price"].Evaluate(&script.Env{}, tt.data)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			// Only the top decision's outputs come back.
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			// The required decisions' outputs do not leak into the
			// caller's data, nested maps included.
			if diff := cmp.Diff(before, jsonRoundTrip(t, tt.data)); diff != "" {
				t.Errorf("data changed (-before +after):\n%s", diff)
			}
		})
	}
	// A required decision sees the outputs of the ones it requires.
	got, err := byID["segment"].Evaluate(&script.Env{}, map[string]any{"claims": int64(5), "age": int64(30)})
	if err != nil || !cmp.Equal(got, map[string]any{"customer": map[string]any{"segment": "adult high"}}) {
		t.Errorf("segment = %v, %v", got, err)
	}
	// An error in a required decision names it and the decision that
	// required it.
	_, err = byID["price"].Evaluate(&script.Env{}, map[string]any{"age": int64(30), "base": int64(1)})
	var ee *EvalError
	if !errors.As(err, &ee) || ee.DecisionID != "risk" || !strings.Contains(err.Error(), `required by decision "price"`) {
		t.Errorf("error %v, want one in decision risk, required by price", err)
	}
}

func TestDecisionRequirementCycle(t *testing.T) {
	cyc := strings.NewReplacer(
		`<decisionTable id="t_risk">`, `<informationRequirement id="ir9"><requiredDecision href="#price"/></informationRequirement>
    <decisionTable id="t_risk">`,
	).Replace(drd)
	_, err := Parse("drd.dmn", []byte(cyc))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].Msg, "decisions require each other in a cycle: price -> risk -> price") || ps[0].ElementID != "price" {
		t.Fatalf("Parse of a cycle: %v", err)
	}
}
