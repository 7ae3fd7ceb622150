package dmn

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// EvalError is a failure while evaluating a decision, located at the rule
// and column whose expression failed. It unwraps to the underlying error,
// usually a *script.Error (errors.As finds its Kind, e.g. a step limit).
type EvalError struct {
	DecisionID string
	RuleID     string // empty when no single rule is at fault
	Part       string // "input" or "output"
	Column     string // the input's Column() or the output's Key
	Err        error
}

// Error reads like
// `decision "discount": rule "DecisionRule_1" input "amount": name 'amount' is not defined`.
func (e *EvalError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "decision %q", e.DecisionID)
	if e.RuleID != "" {
		fmt.Fprintf(&b, ": rule %q", e.RuleID)
	}
	if e.Column != "" {
		if e.RuleID != "" {
			fmt.Fprintf(&b, " %s %q", e.Part, e.Column)
		} else {
			fmt.Fprintf(&b, ": %s %q", e.Part, e.Column)
		}
	}
	msg := e.Err.Error()
	var se *script.Error
	if errors.As(e.Err, &se) {
		msg = se.Msg
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *EvalError) Unwrap() error { return e.Err }

// Evaluate runs the decision table against data and returns the outputs, to
// be deep-merged into the task data by the caller. When no rule matches, the
// result is an empty map. data is not modified. Errors are *EvalError.
//
// Semantics follow SpiffWorkflow, with these departures. All but the
// fourth are where SpiffWorkflow contradicts DMN for tables SpiffArena's
// modeler can produce; the fourth keeps one input value per column:
//   - FIRST stops at the first match; SpiffWorkflow evaluates every rule
//     (so a later rule's error fails the task) before taking the first.
//   - RULE ORDER returns the lists of all matches in rule order, as COLLECT
//     does; SpiffWorkflow returns the first match only.
//   - COLLECT with an aggregation returns the SUM, COUNT, MIN or MAX of each
//     output's values; SpiffWorkflow ignores the aggregation and returns the
//     lists.
//   - Every entry sees the input value, evaluated once per column and bound
//     to dmninputexpr (SpiffWorkflow does this for "?" entries only), and
//     "> 5"-like entries compare that value rather than the input text glued
//     to the entry. The two agree except where operator precedence would
//     have split the input expression ("a or b" with "== 1").
//   - ANY fails when its matches give different outputs; PRIORITY and
//     OUTPUT ORDER rank matches by the outputs' outputValues when the
//     table lists them. SpiffWorkflow returns the first match for all
//     three, as Waymark does for PRIORITY and OUTPUT ORDER without
//     outputValues.
//
// A decision that requires others (a decision requirements graph) first
// evaluates each of them, in dependency order and once each, merging their
// outputs into a copy of data; its own table then sees those outputs as
// task data. Only its own outputs are returned.
func (d *Decision) Evaluate(env *script.Env, data map[string]any) (map[string]any, error) {
	if len(d.required) > 0 {
		scope := make(map[string]any, len(data))
		for k, v := range data {
			scope[k] = v
		}
		for _, r := range d.required {
			out, err := r.evaluateTable(env, scope)
			if err != nil {
				return nil, fmt.Errorf("required by decision %q: %w", d.ID, err)
			}
			mergeCopy(scope, out)
		}
		data = scope
	}
	return d.evaluateTable(env, data)
}

// mergeCopy merges src into dst as a business rule task merges outputs into
// task data (maps key by key, anything else replaces), copying every map of
// dst it changes so that maps shared with the caller's data stay unchanged.
func mergeCopy(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				c := make(map[string]any, len(dm)+len(sm))
				for kk, vv := range dm {
					c[kk] = vv
				}
				mergeCopy(c, sm)
				dst[k] = c
				continue
			}
		}
		dst[k] = v
	}
}

// evaluateTable evaluates the decision's own table against data.
func (d *Decision) evaluateTable(env *script.Env, data map[string]any) (map[string]any, error) {
	if d.Literal != nil {
		v, err := d.Literal.expr.Eval(env, data)
		if err != nil {
			return nil, &EvalError{DecisionID: d.ID, Part: "literal expression", Column: d.Literal.Key, Err: err}
		}
		result := map[string]any{}
		setPath(result, d.Literal.Path, v)
		return result, nil
	}
	ev := &evaluation{d: d, env: env, data: data, values: make([]any, len(d.Inputs)), done: make([]bool, len(d.Inputs))}
	stopAtFirst := d.HitPolicy == Unique || d.HitPolicy == First || d.HitPolicy == ""
	var matched []*Rule
	for i := range d.Rules {
		r := &d.Rules[i]
		ok, err := ev.matches(r)
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, r)
			if stopAtFirst {
				break
			}
		}
	}
	result, _, err := ev.result(matched)
	return result, err
}

// result applies the hit policy to the matched rules, in rule order, and
// returns the outputs with the rules they come from.
func (ev *evaluation) result(matched []*Rule) (map[string]any, []*Rule, error) {
	d := ev.d
	if len(matched) == 0 {
		return map[string]any{}, nil, nil
	}
	lists := func(rules []*Rule) (map[string]any, []*Rule, error) {
		// As SpiffWorkflow does, lists are built per top-level key: a
		// rule's dotted outputs "a.b" and "a.c" become one map per rule in
		// the list under "a".
		result := map[string]any{}
		for _, r := range rules {
			values, err := ev.outputs(r)
			if err != nil {
				return nil, nil, err
			}
			for k, v := range d.nest(values) {
				list, _ := result[k].([]any)
				result[k] = append(list, v)
			}
		}
		return result, rules, nil
	}
	single := func(r *Rule) (map[string]any, []*Rule, error) {
		values, err := ev.outputs(r)
		if err != nil {
			return nil, nil, err
		}
		return d.nest(values), []*Rule{r}, nil
	}
	switch {
	case d.HitPolicy == Collect && d.Aggregation != "":
		res, err := ev.aggregate(matched)
		return res, matched, err
	case d.HitPolicy == Collect || d.HitPolicy == RuleOrder:
		return lists(matched)
	case (d.HitPolicy == Priority || d.HitPolicy == OutputOrder) && d.hasPriorities():
		ranked, err := ev.byPriority(matched)
		if err != nil {
			return nil, nil, err
		}
		if d.HitPolicy == OutputOrder {
			return lists(ranked)
		}
		return single(ranked[0])
	case d.HitPolicy == Any && len(matched) > 1:
		first, err := ev.outputs(matched[0])
		if err != nil {
			return nil, nil, err
		}
		for _, r := range matched[1:] {
			values, err := ev.outputs(r)
			if err != nil {
				return nil, nil, err
			}
			for i := range values {
				if !sameValue(first[i], values[i]) {
					return nil, nil, &EvalError{DecisionID: d.ID, RuleID: r.ID, Part: "output", Column: d.Outputs[i].Key,
						Err: fmt.Errorf("hit policy ANY: rules %q and %q both match but give different outputs (%s and %s)",
							matched[0].ID, r.ID, script.ToPython(first[i]), script.ToPython(values[i]))}
				}
			}
		}
		return single(matched[0])
	default:
		return single(matched[0])
	}
}

// hasPriorities reports whether any output lists its values, which rank
// PRIORITY and OUTPUT ORDER matches.
func (d *Decision) hasPriorities() bool {
	for _, o := range d.Outputs {
		if len(o.Values) > 0 {
			return true
		}
	}
	return false
}

// byPriority orders matched rules by their outputs' priorities, output by
// output in column order: a value earlier in the output's outputValues
// ranks higher; a value not listed ranks below every listed one. Ties keep
// rule order.
func (ev *evaluation) byPriority(matched []*Rule) ([]*Rule, error) {
	d := ev.d
	ranks := make(map[*Rule][]int, len(matched))
	for _, r := range matched {
		values, err := ev.outputs(r)
		if err != nil {
			return nil, err
		}
		rank := make([]int, len(d.Outputs))
		for i, o := range d.Outputs {
			rank[i] = len(o.Values)
			for j, allowed := range o.Values {
				if sameValue(values[i], allowed) {
					rank[i] = j
					break
				}
			}
		}
		ranks[r] = rank
	}
	out := append([]*Rule(nil), matched...)
	sort.SliceStable(out, func(a, b int) bool {
		ra, rb := ranks[out[a]], ranks[out[b]]
		for i := range ra {
			if ra[i] != rb[i] {
				return ra[i] < rb[i]
			}
		}
		return false
	})
	return out, nil
}

// sameValue compares two output values: numbers by value, lists and maps
// element by element.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case int64, float64:
		switch b.(type) {
		case int64, float64:
			return toFloat(a) == toFloat(b)
		}
		return false
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

type evaluation struct {
	d      *Decision
	env    *script.Env
	data   map[string]any
	scope  map[string]any // data plus the input variable, built on first use
	values []any          // input column values, evaluated on first use
	done   []bool
}

func (ev *evaluation) fail(r *Rule, part, column string, err error) error {
	return &EvalError{DecisionID: ev.d.ID, RuleID: r.ID, Part: part, Column: column, Err: err}
}

// input returns the value of input column i, evaluating it at most once.
func (ev *evaluation) input(i int) (any, error) {
	if ev.done[i] {
		return ev.values[i], nil
	}
	in := ev.d.Inputs[i]
	var v any
	if in.expr != nil {
		var err error
		if v, err = in.expr.Eval(ev.env, ev.data); err != nil {
			return nil, err
		}
	} else {
		var ok bool
		if v, ok = ev.data[in.Label]; !ok {
			return nil, fmt.Errorf("the input has no expression and the task data has no %q (the input's label)", in.Label)
		}
	}
	ev.values[i], ev.done[i] = v, true
	return v, nil
}

func (ev *evaluation) matches(r *Rule) (bool, error) {
	for i, ent := range r.Inputs {
		if ent.Kind == EntryAny {
			continue
		}
		column := ev.d.Inputs[i].Column()
		v, err := ev.input(i)
		if err != nil {
			return false, ev.fail(r, "input", column, err)
		}
		if ev.scope == nil {
			ev.scope = make(map[string]any, len(ev.data)+1)
			for k, x := range ev.data {
				ev.scope[k] = x
			}
		}
		if ent.durations {
			if v, err = durationInput(v); err != nil {
				return false, ev.fail(r, "input", column, err)
			}
		}
		ev.scope[inputVar] = v
		ok, err := ent.expr.EvalBool(ev.env, ev.scope)
		if err != nil {
			return false, ev.fail(r, "input", column, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// outputs evaluates a matched rule's output entries, by output index.
func (ev *evaluation) outputs(r *Rule) ([]any, error) {
	values := make([]any, len(r.Outputs))
	for i, ent := range r.Outputs {
		if ent.expr == nil {
			values[i] = ""
			continue
		}
		v, err := ent.expr.Eval(ev.env, ev.data)
		if err != nil {
			return nil, ev.fail(r, "output", ev.d.Outputs[i].Key, err)
		}
		values[i] = v
	}
	return values, nil
}

// nest places output values under their keys, dotted keys as nested maps.
// A later output with the same key wins, as in SpiffWorkflow.
func (d *Decision) nest(values []any) map[string]any {
	m := map[string]any{}
	for i, v := range values {
		setPath(m, d.Outputs[i].Path, v)
	}
	return m
}

func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// aggregate applies the COLLECT aggregation to each output's values over
// the matched rules.
func (ev *evaluation) aggregate(matched []*Rule) (map[string]any, error) {
	d := ev.d
	columns := make([][]any, len(d.Outputs))
	for _, r := range matched {
		values, err := ev.outputs(r)
		if err != nil {
			return nil, err
		}
		for i, v := range values {
			columns[i] = append(columns[i], v)
		}
	}
	result := map[string]any{}
	for i, out := range d.Outputs {
		v, bad, err := aggregate(d.Aggregation, columns[i])
		if err != nil {
			return nil, ev.fail(matched[bad], "output", out.Key, err)
		}
		setPath(result, out.Path, v)
	}
	return result, nil
}

// aggregate reduces values: SUM and COUNT as numbers, MIN and MAX over
// numbers or over strings. On error it returns the index of the offending
// value.
func aggregate(kind string, values []any) (any, int, error) {
	if kind == Count {
		return int64(len(values)), 0, nil
	}
	_, strs := values[0].(string)
	allInts := true
	for i, v := range values {
		switch v.(type) {
		case int64, float64:
			if strs {
				return nil, i, fmt.Errorf("aggregation %s cannot compare the number %s with strings", kind, script.ToPython(v))
			}
			_, isInt := v.(int64)
			allInts = allInts && isInt
		case string:
			if kind == Sum {
				return nil, i, fmt.Errorf("aggregation SUM needs numbers, got the string %q", v)
			}
			if !strs {
				return nil, i, fmt.Errorf("aggregation %s cannot compare the string %q with numbers", kind, v)
			}
		default:
			return nil, i, fmt.Errorf("aggregation %s needs numbers, got %s", kind, script.ToPython(v))
		}
	}
	switch kind {
	case Sum:
		if allInts {
			var s int64
			for _, v := range values {
				s += v.(int64)
			}
			return s, 0, nil
		}
		var s float64
		for _, v := range values {
			s += toFloat(v)
		}
		return s, 0, nil
	case Min, Max:
		best := values[0]
		for _, v := range values[1:] {
			if (kind == Min && less(v, best)) || (kind == Max && less(best, v)) {
				best = v
			}
		}
		return best, 0, nil
	}
	return nil, 0, fmt.Errorf("unknown aggregation %q", kind)
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// less orders two values already known to be both strings or both numbers.
func less(a, b any) bool {
	if as, ok := a.(string); ok {
		return as < b.(string)
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		return ai < bi
	}
	return toFloat(a) < toFloat(b)
}
