package dmn

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// Trial is the explained result of evaluating a decision with input values
// given column by column, as the "test this table" panel shows it.
type Trial struct {
	// Matched lists the 0-based indexes of every rule whose input entries
	// all match, in rule order, whatever the hit policy.
	Matched []int
	// Used lists the rules whose outputs make up Result: the first match
	// for UNIQUE, FIRST, PRIORITY, ANY and OUTPUT ORDER, every match for
	// COLLECT and RULE ORDER.
	Used []int
	// Result is what a business rule task would merge into the task data.
	Result map[string]any
	// Unchecked holds the errors of rules after the first match that a
	// UNIQUE or FIRST table never evaluates: they do not change Result,
	// but Matched may lack them.
	Unchecked []error
}

// Try evaluates the decision with inputs[i] as the value of input column i
// (its input expression is not evaluated). Every rule is checked, so Matched
// shows all the rules that hit even when the hit policy stops at the first.
// Values are also placed in the data under an input expression that is a
// plain name, so output entries that name an input see its value. Errors
// are *EvalError naming the decision, rule and column.
func (d *Decision) Try(env *script.Env, inputs []any) (*Trial, error) {
	if d.Literal != nil {
		res, err := d.evaluateTable(env, map[string]any{})
		if err != nil {
			return nil, err
		}
		return &Trial{Result: res}, nil
	}
	if len(inputs) != len(d.Inputs) {
		return nil, fmt.Errorf("decision %q has %d inputs, got %d values", d.ID, len(d.Inputs), len(inputs))
	}
	data := map[string]any{}
	for i, in := range d.Inputs {
		name := in.Expression
		if name == "" {
			name = in.Label
		}
		if isName(name) {
			data[name] = inputs[i]
		}
	}
	done := make([]bool, len(inputs))
	for i := range done {
		done[i] = true
	}
	ev := &evaluation{d: d, env: env, data: data, values: append([]any(nil), inputs...), done: done}
	t := &Trial{}
	stopsAtFirst := d.HitPolicy == Unique || d.HitPolicy == First || d.HitPolicy == ""
	for i := range d.Rules {
		ok, err := ev.matches(&d.Rules[i])
		if err != nil && stopsAtFirst && len(t.Matched) > 0 {
			// Evaluate never reaches this rule: the trial still stands.
			t.Unchecked = append(t.Unchecked, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if ok {
			t.Matched = append(t.Matched, i)
		}
	}
	matched := make([]*Rule, len(t.Matched))
	for k, i := range t.Matched {
		matched[k] = &d.Rules[i]
	}
	result, used, err := ev.result(matched)
	if err != nil {
		return nil, err
	}
	t.Result = result
	for _, r := range used {
		t.Used = append(t.Used, r.Row-1)
	}
	return t, nil
}

// isName reports whether s is a plain identifier (no dots, calls or
// operators), the only input expressions Try can bind a value to.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// ParseValue reads the text an analyst typed for an input column into a
// value of the column's typeRef: integer and long as integers, double and
// number as numbers, boolean as true or false, anything else (string, date,
// no type) as the text itself. An empty text is None. The error names the
// column and the type.
func (in Input) ParseValue(text string) (any, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(in.TypeRef)) {
	case "integer", "long", "int":
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("input %q is of type %s: %q is not a whole number", in.Column(), in.TypeRef, t)
		}
		return n, nil
	case "double", "number", "float", "decimal":
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("input %q is of type %s: %q is not a number", in.Column(), in.TypeRef, t)
		}
		return f, nil
	case "boolean", "bool":
		switch strings.ToLower(t) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("input %q is of type %s: %q is neither true nor false", in.Column(), in.TypeRef, t)
	}
	return text, nil
}
