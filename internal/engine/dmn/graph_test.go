package dmn

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// drdXML reads testdata/drd.dmn, a decision requirements graph: "price"
// needs "risk" and "segment"; "segment" needs "risk" too (a diamond). The
// file lists "price" first, so the order comes from the requirements, not
// the document.
func drdXML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/drd.dmn")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecisionRequirementsGraph(t *testing.T) {
	ds, err := Parse("drd.dmn", []byte(drdXML(t)))
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
	).Replace(drdXML(t))
	_, err := Parse("drd.dmn", []byte(cyc))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].Msg, "decisions require each other in a cycle: price -> risk -> price") || ps[0].ElementID != "price" {
		t.Fatalf("Parse of a cycle: %v", err)
	}
}

// A literal expression decision gives one value under its variable name and
// takes part in a graph like a table.
func TestLiteralExpressionDecision(t *testing.T) {
	src := strings.Replace(drdXML(t), `  <inputData id="age_input" name="age" />`, `  <decision id="label" name="Label">
    <variable id="v" name="price_label" />
    <informationRequirement id="ir8"><requiredDecision href="#price"/></informationRequirement>
    <literalExpression id="le"><text>"Price: " + str(price)</text></literalExpression>
  </decision>
  <decision id="plain" name="plain">
    <literalExpression id="le2"><text>base * 3</text></literalExpression>
  </decision>
  <inputData id="age_input" name="age" />`, 1)
	ds, err := Parse("drd.dmn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*Decision{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	got, err := byID["label"].Evaluate(&script.Env{}, map[string]any{"claims": int64(0), "age": int64(20), "base": int64(100)})
	if err != nil || !cmp.Equal(got, map[string]any{"price_label": "Price: 90"}) {
		t.Errorf("label = %v, %v", got, err)
	}
	got, err = byID["plain"].Evaluate(&script.Env{}, map[string]any{"base": int64(2)})
	if err != nil || !cmp.Equal(got, map[string]any{"plain": int64(6)}) {
		t.Errorf("plain = %v, %v (no variable: the decision's name is the key)", got, err)
	}
	_, err = byID["plain"].Evaluate(&script.Env{}, map[string]any{})
	if err == nil || !strings.Contains(err.Error(), `decision "plain": literal expression "plain": name 'base' is not defined`) {
		t.Errorf("error = %v", err)
	}
}
