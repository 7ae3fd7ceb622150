package dmn

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ns13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"

// col is an input or output column of a test table. For an input, expr ""
// means no inputExpression text; for an output, name and label may be empty.
type col struct {
	expr, name, label string
}

// table is a compact decision table for tests; each rule lists its input
// entries, then its output entries.
type table struct {
	id, hit, agg string
	inputs       []col
	outputs      []col
	rules        [][]string
}

// xml renders the table as a DMN 1.3 file with one decision.
func (tb table) xml() []byte {
	id := tb.id
	if id == "" {
		id = "decision_1"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<definitions xmlns=%q id=\"defs\" name=\"DRD\" namespace=\"http://camunda.org/schema/1.0/dmn\">\n", ns13)
	fmt.Fprintf(&b, "  <decision id=%q name=\"Test\">\n", id)
	fmt.Fprintf(&b, "    <decisionTable id=\"table_1\"")
	if tb.hit != "" {
		fmt.Fprintf(&b, " hitPolicy=%q", tb.hit)
	}
	if tb.agg != "" {
		fmt.Fprintf(&b, " aggregation=%q", tb.agg)
	}
	b.WriteString(">\n")
	for i, in := range tb.inputs {
		fmt.Fprintf(&b, "      <input id=\"input_%d\"", i+1)
		if in.label != "" {
			fmt.Fprintf(&b, " label=\"%s\"", html.EscapeString(in.label))
		}
		fmt.Fprintf(&b, ">\n        <inputExpression id=\"inputExpression_%d\" typeRef=\"string\">\n          <text>%s</text>\n        </inputExpression>\n      </input>\n", i+1, html.EscapeString(in.expr))
	}
	for i, out := range tb.outputs {
		fmt.Fprintf(&b, "      <output id=\"output_%d\"", i+1)
		if out.label != "" {
			fmt.Fprintf(&b, " label=\"%s\"", html.EscapeString(out.label))
		}
		if out.name != "" {
			fmt.Fprintf(&b, " name=\"%s\"", html.EscapeString(out.name))
		}
		b.WriteString(" typeRef=\"string\" />\n")
	}
	for r, rule := range tb.rules {
		fmt.Fprintf(&b, "      <rule id=\"rule_%d\">\n", r+1)
		for i, text := range rule {
			kind, n := "inputEntry", i+1
			if i >= len(tb.inputs) {
				kind, n = "outputEntry", i-len(tb.inputs)+1
			}
			fmt.Fprintf(&b, "        <%s id=\"r%d_%s_%d\">\n          <text>%s</text>\n        </%s>\n", kind, r+1, kind, n, html.EscapeString(text), kind)
		}
		b.WriteString("      </rule>\n")
	}
	b.WriteString("    </decisionTable>\n  </decision>\n</definitions>\n")
	return []byte(b.String())
}

// mustParse parses a file that must hold exactly one decision.
func mustParse(t *testing.T, data []byte) *Decision {
	t.Helper()
	ds, err := Parse("test.dmn", data)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	if len(ds) != 1 {
		t.Fatalf("Parse returned %d decisions, want 1", len(ds))
	}
	return ds[0]
}

// sharedDir returns the shared test data directory (conformance cases and
// the model corpus), which sits next to the repository.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared"))
	if err != nil {
		t.Fatalf("locate shared test data: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("shared test data not found at %s: the shared directory (conformance cases and model corpus) must sit next to the repository", dir)
	}
	return dir
}

// jsonRoundTrip turns Go values into what encoding/json would read back, so
// results compare with expected JSON (numbers become float64).
func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return out
}

// deepMerge merges src into dst as a business rule task merges decision
// outputs into task data: maps merge key by key, anything else replaces.
func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
