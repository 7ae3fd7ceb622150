package dmn

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// defs wraps decisions in a DMN 1.3 definitions element; the decisions start
// on line 3.
func defs(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" namespace="x">
` + body + `</definitions>
`
}

// simpleDecision is a valid decision with one input and one output, taking
// 16 lines.
func simpleDecision(id string) string {
	return `  <decision id="` + id + `" name="` + id + `">
    <decisionTable id="` + id + `_table">
      <input id="` + id + `_in" label="x">
        <inputExpression id="` + id + `_expr"><text>x</text></inputExpression>
      </input>
      <output id="` + id + `_out" name="y" />
      <rule id="` + id + `_rule">
        <inputEntry id="` + id + `_ie">
          <text>1</text>
        </inputEntry>
        <outputEntry id="` + id + `_oe">
          <text>2</text>
        </outputEntry>
      </rule>
    </decisionTable>
  </decision>
`
}

// checkProblems compares problems, taking each wanted Msg as a prefix of the
// message found: the tail of compile errors is the script package's wording.
func checkProblems(t *testing.T, err error, want Problems) {
	t.Helper()
	var got Problems
	if !errors.As(err, &got) {
		t.Fatalf("Parse error = %v (%T), want Problems", err, err)
	}
	trimmed := make(Problems, len(got))
	copy(trimmed, got)
	for i := range trimmed {
		if i < len(want) && strings.HasPrefix(trimmed[i].Msg, want[i].Msg) {
			trimmed[i].Msg = want[i].Msg
		}
	}
	if diff := cmp.Diff(want, trimmed); diff != "" {
		t.Errorf("problems (-want +got):\n%s\nfull messages:\n%v", diff, err)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Problems
	}{
		{"DTD with an external entity is refused",
			`<?xml version="1.0"?>
<!DOCTYPE definitions [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">&xxe;</definitions>`,
			Problems{{File: "t.dmn", Line: 2, Msg: "DOCTYPE is not allowed in a DMN file (document type and entity declarations are refused)"}}},
		{"DTD without entities is refused too",
			`<!DOCTYPE definitions SYSTEM "dmn.dtd">
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"/>`,
			Problems{{File: "t.dmn", Line: 1, Msg: "DOCTYPE is not allowed in a DMN file (document type and entity declarations are refused)"}}},
		{"undeclared entity",
			defs(`  <decision id="d">&lol;</decision>
`),
			Problems{{File: "t.dmn", Line: 3, Msg: "malformed XML: invalid character entity &lol;"}}},
		{"malformed XML gives the line",
			defs(`  <decision id="d">
    <decisionTable id="t">
  </decision>
`),
			Problems{{File: "t.dmn", Line: 5, Msg: "malformed XML: element <decisionTable> closed by </decision>"}}},
		{"empty file",
			``,
			Problems{{File: "t.dmn", Line: 1, Msg: "empty document: no root element"}}},
		{"not a DMN file",
			`<svg xmlns="http://www.w3.org/2000/svg" width="300"><image href="x"/></svg>`,
			Problems{{File: "t.dmn", Line: 1, Msg: "not a DMN file: the root element is <svg> (http://www.w3.org/2000/svg); want <definitions> in the DMN 1.1, 1.2 or 1.3 namespace"}}},
		{"definitions in an unknown namespace",
			`<definitions xmlns="http://www.omg.org/spec/DMN/2099/MODEL/" id="defs"/>`,
			Problems{{File: "t.dmn", ElementID: "defs", Line: 1, Msg: "not a DMN file: the root element is <definitions> (http://www.omg.org/spec/DMN/2099/MODEL/); want <definitions> in the DMN 1.1, 1.2 or 1.3 namespace"}}},
		{"no decision",
			defs(`  <inputData id="in" name="x"/>
`),
			Problems{{File: "t.dmn", ElementID: "defs", Line: 2, Msg: "the file declares no decision"}}},
		{"decision without a decisionTable",
			defs(`  <decision id="d" name="D"/>
`),
			Problems{{File: "t.dmn", ElementID: "d", Line: 3, Msg: "decision has no decisionTable or literalExpression"}}},
		{"boxed context decision",
			defs(`  <decision id="d">
    <context id="ctx"/>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "d", Line: 4, Msg: "decision logic <context> is not supported; only decision tables and literal expressions are"}}},
		{"literal expression that does not compile",
			defs(`  <decision id="d">
    <literalExpression id="le"><text>1 +</text></literalExpression>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "d", Line: 4, Msg: `literal expression "1 +" does not compile: invalid syntax`}}},
		{"required decision",
			defs(`  <decision id="d">
    <informationRequirement id="ir"><requiredDecision href="#other"/></informationRequirement>
    <decisionTable id="t"><output id="o" name="y"/></decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "d", Line: 3, Msg: `decision "d" requires decision "other", which is not a decision table in this file`}}},
		{"decision required from another file",
			defs(`  <decision id="d">
    <informationRequirement id="ir"><requiredDecision href="other.dmn#x"/></informationRequirement>
    <decisionTable id="t"><output id="o" name="y"/></decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "d", Line: 4, Msg: `decision "d" requires "other.dmn#x": only decisions of the same file (href="#id") can be required`}}},
		{"duplicate decision id",
			defs(simpleDecision("a") + simpleDecision("b") + simpleDecision("a")),
			Problems{{File: "t.dmn", ElementID: "a", Line: 35, Msg: `duplicate decision id "a" (first declared on line 3)`}}},
		{"unknown hit policy",
			defs(`  <decision id="d">
    <decisionTable id="t" hitPolicy="SOMETIMES"><output id="o" name="y"/></decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "t", Line: 4, Msg: `unknown hit policy "SOMETIMES" (want UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER or OUTPUT ORDER)`}}},
		{"unknown aggregation",
			defs(`  <decision id="d">
    <decisionTable id="t" hitPolicy="COLLECT" aggregation="AVG"><output id="o" name="y"/></decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "t", Line: 4, Msg: `unknown aggregation "AVG" (want SUM, COUNT, MIN or MAX)`}}},
		{"aggregation without COLLECT",
			defs(`  <decision id="d">
    <decisionTable id="t" hitPolicy="FIRST" aggregation="SUM"><output id="o" name="y"/></decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "t", Line: 4, Msg: "aggregation SUM needs hit policy COLLECT, not FIRST"}}},
		{"table without outputs",
			defs(`  <decision id="d">
    <decisionTable id="t"/>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "t", Line: 4, Msg: "decision table has no output"}}},
		{"output with neither name nor label",
			defs(`  <decision id="d">
    <decisionTable id="t">
      <output id="o" typeRef="string"/>
    </decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "o", Line: 5, Msg: "output has neither a name nor a label, so its value has no key"}}},
		{"output key with an empty part",
			defs(`  <decision id="d">
    <decisionTable id="t">
      <output id="o" name="a..b"/>
    </decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "o", Line: 5, Msg: `output key "a..b" has an empty part between dots`}}},
		{"input with neither expression nor label",
			defs(`  <decision id="d">
    <decisionTable id="t">
      <input id="i"><inputExpression id="ie"><text> </text></inputExpression></input>
      <output id="o" name="y"/>
    </decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "i", Line: 5, Msg: "input has neither an inputExpression text nor a label to name its value"}}},
		{"input expression does not compile",
			defs(`  <decision id="d">
    <decisionTable id="t">
      <input id="i" label="x">
        <inputExpression id="ie">
          <text>x +</text>
        </inputExpression>
      </input>
      <output id="o" name="y"/>
    </decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "ie", Line: 7, Msg: `input expression "x +" does not compile: `}}},
		{"input entry does not compile",
			string(table{inputs: []col{{expr: "x"}}, outputs: []col{{name: "y"}}, rules: [][]string{{"1", "1"}, {"> > 5", "2"}}}.xml()),
			Problems{{File: "t.dmn", ElementID: "r2_inputEntry_1", Line: 21, Msg: `input entry "> > 5" does not compile: `}}},
		{"input entry with ? does not compile",
			string(table{inputs: []col{{expr: "x"}}, outputs: []col{{name: "y"}}, rules: [][]string{{"? <", "2"}}}.xml()),
			Problems{{File: "t.dmn", ElementID: "r1_inputEntry_1", Line: 13, Msg: `input entry "? <" does not compile: `}}},
		{"output entry does not compile",
			string(table{inputs: []col{{expr: "x"}}, outputs: []col{{name: "y"}}, rules: [][]string{{"1", `"unterminated`}}}.xml()),
			Problems{{File: "t.dmn", ElementID: "r1_outputEntry_1", Line: 16, Msg: `output entry "\"unterminated" does not compile: `}}},
		{"rule with missing entries",
			defs(`  <decision id="d">
    <decisionTable id="t">
      <input id="i" label="x"/>
      <output id="o" name="y"/>
      <rule id="r">
        <outputEntry id="oe"><text>1</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "r", Line: 7, Msg: "rule has 0 input entries for 1 inputs"}}},
		{"unexpected element in the table",
			defs(`  <decision id="d">
    <decisionTable id="t">
      <output id="o" name="y"/>
      <row id="x"/>
    </decisionTable>
  </decision>
`),
			Problems{{File: "t.dmn", ElementID: "x", Line: 6, Msg: "unexpected <row> in decisionTable"}}},
		{"every problem of the file, in document order",
			defs(`  <decision id="d" name="D">
    <decisionTable id="t" hitPolicy="MOST">
      <output id="o1"/>
      <output id="o2" name="ok"/>
    </decisionTable>
  </decision>
  <decision id="e"/>
`),
			Problems{
				{File: "t.dmn", ElementID: "t", Line: 4, Msg: `unknown hit policy "MOST" (want UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER or OUTPUT ORDER)`},
				{File: "t.dmn", ElementID: "o1", Line: 5, Msg: "output has neither a name nor a label, so its value has no key"},
				{File: "t.dmn", ElementID: "e", Line: 9, Msg: "decision has no decisionTable or literalExpression"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Parse("t.dmn", []byte(tc.data))
			if ds != nil {
				t.Errorf("Parse returned %d decisions with its problems, want none", len(ds))
			}
			checkProblems(t, err, tc.want)
		})
	}
}

// A compile error on a later line of a multi-line entry points at that line.
func TestParseMultiLineEntryLine(t *testing.T) {
	data := defs(`  <decision id="d">
    <decisionTable id="t">
      <input id="i" label="x"><inputExpression id="ie"><text>x</text></inputExpression></input>
      <output id="o" name="y"/>
      <rule id="r">
        <inputEntry id="r_in"><text>-</text></inputEntry>
        <outputEntry id="r_out">
          <text>
            [1,
             2 +]
          </text>
        </outputEntry>
      </rule>
    </decisionTable>
  </decision>
`)
	_, err := Parse("t.dmn", []byte(data))
	var p Problem
	if !errors.As(err, &p) {
		t.Fatalf("Parse error = %v, want a Problem", err)
	}
	if p.ElementID != "r_out" || p.Line != 12 {
		t.Errorf("problem at %s line %d, want r_out line 12: %v", p.ElementID, p.Line, p)
	}
}

func TestParseNamespaces(t *testing.T) {
	for _, tc := range []struct{ version, ns string }{
		{"1.1", "http://www.omg.org/spec/DMN/20151101/dmn.xsd"},
		{"1.2", "http://www.omg.org/spec/DMN/20180521/MODEL/"},
		{"1.3", "https://www.omg.org/spec/DMN/20191111/MODEL/"},
		{"1.3 with a prefix", "https://www.omg.org/spec/DMN/20191111/MODEL/"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			data := `<definitions xmlns=%q id="defs"><decision id="d"><decisionTable id="t">` +
				`<input id="i"><inputExpression id="ie"><text>x</text></inputExpression></input><output id="o" name="y"/>` +
				`<rule id="r"><inputEntry id="r_i"><text>1</text></inputEntry><outputEntry id="r_o"><text>"one"</text></outputEntry></rule>` +
				`</decisionTable></decision></definitions>`
			data = strings.Replace(data, `xmlns=%q`, `xmlns="`+tc.ns+`"`, 1)
			if strings.Contains(tc.version, "prefix") {
				data = strings.NewReplacer(`xmlns="`, `xmlns:dmn="`, "</", "</dmn:", "<", "<dmn:").Replace(data)
			}
			d := mustParse(t, []byte(data))
			got, err := d.Evaluate(nil, map[string]any{"x": int64(1)})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(map[string]any{"y": "one"}, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEncodings(t *testing.T) {
	t.Run("ISO-8859-1", func(t *testing.T) {
		data := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<definitions xmlns=\"" + ns13 + "\"><decision id=\"d\"><decisionTable id=\"t\">" +
			"<input id=\"i\" label=\"x\"/><output id=\"o\" name=\"y\"/>" +
			"<rule id=\"r\"><inputEntry id=\"ri\"><text>-</text></inputEntry><outputEntry id=\"ro\"><text>\"caf\xe9\"</text></outputEntry></rule>" +
			"</decisionTable></decision></definitions>")
		d := mustParse(t, data)
		got, err := d.Evaluate(nil, nil)
		if err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
		if diff := cmp.Diff(map[string]any{"y": "café"}, got); diff != "" {
			t.Errorf("Evaluate (-want +got):\n%s", diff)
		}
	})
	t.Run("unsupported", func(t *testing.T) {
		_, err := Parse("t.dmn", []byte(`<?xml version="1.0" encoding="EBCDIC"?><definitions/>`))
		if err == nil || !strings.Contains(err.Error(), `"EBCDIC", which is not supported; save the file as UTF-8`) {
			t.Errorf("Parse error = %v, want an unsupported encoding problem", err)
		}
	})
}

func TestParseDecision(t *testing.T) {
	data := defs(`  <decision id="discount" name="Discount">
    <decisionTable id="t" hitPolicy="Rule Order">
      <input id="in_amount" label="Amount">
        <inputExpression id="ie" typeRef="integer"><text> amount </text></inputExpression>
      </input>
      <input id="in_kind" label="kind"/>
      <output id="o_rate" name="discount.rate" typeRef="double"/>
      <output id="o_note" label="Note"/>
      <annotation name="why"/>
      <rule id="r1">
        <description>big orders</description>
        <inputEntry id="r1_a"><text>&gt;= 100</text></inputEntry>
        <inputEntry id="r1_k"><text>-</text></inputEntry>
        <outputEntry id="r1_r"><text>0.1</text></outputEntry>
        <outputEntry id="r1_n"><text></text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2_a"><text>? &lt; 100</text></inputEntry>
        <inputEntry id="r2_k"><text>"gold"</text></inputEntry>
        <outputEntry id="r2_r"><text>0.05</text></outputEntry>
        <outputEntry id="r2_n"><text>"gold"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
`)
	ds, err := Parse("models/d.dmn", []byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []*Decision{{
		ID: "discount", Name: "Discount", File: "models/d.dmn", Line: 3, TableID: "t", HitPolicy: RuleOrder,
		Inputs: []Input{
			{ID: "in_amount", Label: "Amount", Expression: "amount", TypeRef: "integer", Line: 5},
			{ID: "in_kind", Label: "kind", Line: 8},
		},
		Outputs: []Output{
			{ID: "o_rate", Name: "discount.rate", TypeRef: "double", Line: 9, Key: "discount.rate", Path: []string{"discount", "rate"}},
			{ID: "o_note", Label: "Note", Line: 10, Key: "Note", Path: []string{"Note"}},
		},
		Rules: []Rule{
			{ID: "r1", Line: 12, Row: 1, Description: "big orders",
				Inputs: []InputEntry{
					{ID: "r1_a", Line: 14, Text: ">= 100", Kind: EntryCompare, Source: "dmninputexpr >= 100"},
					{ID: "r1_k", Line: 15, Text: "-", Kind: EntryAny},
				},
				Outputs: []OutputEntry{{ID: "r1_r", Line: 16, Text: "0.1"}, {ID: "r1_n", Line: 17}},
			},
			{ID: "r2", Line: 19, Row: 2,
				Inputs: []InputEntry{
					{ID: "r2_a", Line: 20, Text: "? < 100", Kind: EntryTest, Source: "dmninputexpr < 100"},
					{ID: "r2_k", Line: 21, Text: `"gold"`, Kind: EntryEqual, Source: `dmninputexpr == ("gold")`},
				},
				Outputs: []OutputEntry{{ID: "r2_r", Line: 22, Text: "0.05"}, {ID: "r2_n", Line: 23, Text: `"gold"`}},
			},
		},
	}}
	if diff := cmp.Diff(want, ds, cmpopts.IgnoreUnexported(Decision{}, Input{}, InputEntry{}, OutputEntry{})); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Inputs: 2, Outputs: 2, Rules: 2, Expressions: 7, AnyEntries: 1, EmptyOutputs: 1}, ds[0].Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
	if got := ds[0].ExpressionCount(); got != 7 {
		t.Errorf("ExpressionCount = %d, want 7", got)
	}
}

// Several decisions in one file all load, each looked up by its id.
func TestParseSeveralDecisions(t *testing.T) {
	ds, err := Parse("t.dmn", []byte(defs(simpleDecision("a")+`  <inputData id="in"/>
`+simpleDecision("b"))))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	if diff := cmp.Diff([]string{"a", "b"}, ids); diff != "" {
		t.Errorf("decision ids (-want +got):\n%s", diff)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"all parts", Problem{File: "a.dmn", ElementID: "rule_1", Line: 12, Msg: "bad"}, "a.dmn:12: rule_1: bad"},
		{"no line", Problem{File: "a.dmn", ElementID: "rule_1", Msg: "bad"}, "a.dmn: rule_1: bad"},
		{"no element", Problem{File: "a.dmn", Line: 3, Msg: "bad"}, "a.dmn:3: bad"},
		{"message only", Problem{Msg: "bad"}, "bad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
	ps := Problems{{File: "a.dmn", Line: 1, Msg: "one"}, {File: "a.dmn", Line: 2, Msg: "two"}}
	if got, want := ps.Error(), "a.dmn:1: one\na.dmn:2: two"; got != want {
		t.Errorf("Problems.Error() = %q, want %q", got, want)
	}
	var first Problem
	if !errors.As(error(ps), &first) || first.Msg != "one" {
		t.Errorf("errors.As(Problems, *Problem) = %v, want the first problem", first)
	}
}
