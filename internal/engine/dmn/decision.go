package dmn

import (
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// Hit policies, as written in the decisionTable hitPolicy attribute.
const (
	Unique      = "UNIQUE"
	First       = "FIRST"
	Priority    = "PRIORITY"
	Any         = "ANY"
	Collect     = "COLLECT"
	RuleOrder   = "RULE ORDER"
	OutputOrder = "OUTPUT ORDER"
)

// Aggregations of the COLLECT hit policy (decisionTable aggregation attribute).
const (
	Sum   = "SUM"
	Count = "COUNT"
	Min   = "MIN"
	Max   = "MAX"
)

// inputVar is the name an input entry uses for the input column's value.
// SpiffWorkflow binds the same name when it rewrites "?".
const inputVar = "dmninputexpr"

// Decision is one parsed decision table. It is immutable after Parse and safe
// for concurrent use.
type Decision struct {
	ID, Name    string
	File        string
	Line        int    // line of the decision element
	TableID     string // id of its decisionTable
	HitPolicy   string // one of the hit policy constants; UNIQUE when the file names none
	Aggregation string // "" or one of SUM, COUNT, MIN, MAX (COLLECT only)
	Inputs      []Input
	Outputs     []Output
	Rules       []Rule
	// Literal is set for a literal expression decision, which has no
	// table (no inputs, outputs or rules).
	Literal *Literal
	// Requires are the ids of the decisions this one requires
	// (informationRequirement/requiredDecision), as written.
	Requires []string

	// required are every decision this one needs, directly or not, each
	// once, in an order where a decision comes after those it requires.
	required []*Decision
}

// Input is one input column.
type Input struct {
	ID         string
	Label      string // as written
	Expression string // inputExpression text, trimmed; "" means the task data key named by Label
	TypeRef    string // kept for display; evaluation ignores it, as SpiffWorkflow does
	Line       int

	expr *script.Expr // nil when Expression is ""
}

// Column is how messages and pages name the column: its label, else its
// expression, else its id.
func (in Input) Column() string {
	switch {
	case strings.TrimSpace(in.Label) != "":
		return in.Label
	case in.Expression != "":
		return in.Expression
	}
	return in.ID
}

// Output is one output column.
type Output struct {
	ID      string
	Name    string
	Label   string
	TypeRef string // kept for display; evaluation ignores it
	Line    int
	Key     string   // Name, else Label, as written: where the value goes in the result
	Path    []string // Key split at dots: nested maps in the result
	// Values are the output's outputValues, highest priority first; the
	// PRIORITY and OUTPUT ORDER hit policies rank matches by them.
	Values []any
}

// EntryKind says how an input entry is read.
type EntryKind int

const (
	// EntryAny matches every value (empty text or "-").
	EntryAny EntryKind = iota
	// EntryTest is an expression over "?", the input value.
	EntryTest
	// EntryEqual is a complete expression compared with the input value.
	EntryEqual
	// EntryCompare is the tail of a comparison ("> 5", "in [1, 2]")
	// appended to the input value.
	EntryCompare
)

func (k EntryKind) String() string {
	switch k {
	case EntryAny:
		return "any"
	case EntryTest:
		return "test"
	case EntryEqual:
		return "equal"
	case EntryCompare:
		return "compare"
	}
	return "unknown"
}

// InputEntry is one cell of a rule's input side.
type InputEntry struct {
	ID   string
	Line int
	Text string // the cell as written, untrimmed, for display
	Kind EntryKind
	// Source is the expression actually evaluated, with the input value
	// named dmninputexpr ("" for EntryAny). Useful when explaining a match.
	Source string

	expr *script.Expr
	// durations is set when the entry holds a duration literal: the input
	// value is then read as a timedelta (see temporal.go).
	durations bool
}

// OutputEntry is one cell of a rule's output side.
type OutputEntry struct {
	ID   string
	Line int
	Text string // the cell as written, untrimmed; an empty cell yields ""

	expr *script.Expr // nil for an empty cell
}

// Rule is one row of the table. Inputs and Outputs line up with the
// decision's Inputs and Outputs.
type Rule struct {
	ID          string
	Line        int
	Row         int // 1-based position in the table
	Description string
	Inputs      []InputEntry
	Outputs     []OutputEntry
}

// Stats counts what a decision table holds, for the decision table page and
// `web check`.
type Stats struct {
	Inputs, Outputs, Rules int
	// Expressions is the number of compiled expressions: input
	// expressions, non-empty input entries and non-empty output entries.
	Expressions int
	// AnyEntries is the number of input entries that match anything.
	AnyEntries int
	// EmptyOutputs is the number of output entries that yield "".
	EmptyOutputs int
}

// Stats returns the decision's counts.
func (d *Decision) Stats() Stats {
	s := Stats{Inputs: len(d.Inputs), Outputs: len(d.Outputs), Rules: len(d.Rules)}
	if d.Literal != nil && d.Literal.expr != nil {
		s.Expressions++
	}
	for _, in := range d.Inputs {
		if in.expr != nil {
			s.Expressions++
		}
	}
	for _, r := range d.Rules {
		for _, e := range r.Inputs {
			if e.Kind == EntryAny {
				s.AnyEntries++
			} else {
				s.Expressions++
			}
		}
		for _, e := range r.Outputs {
			if e.expr == nil {
				s.EmptyOutputs++
			} else {
				s.Expressions++
			}
		}
	}
	return s
}

// ExpressionCount returns how many expressions the decision compiled.
func (d *Decision) ExpressionCount() int { return d.Stats().Expressions }

// Literal is the logic of a literal expression decision.
type Literal struct {
	ID   string
	Text string // as written
	Key  string // where the value goes: the variable name, else the decision's name, else its id
	Path []string
	Line int

	expr *script.Expr
}
