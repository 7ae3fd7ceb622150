package dmn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

// The DMN model namespaces accepted, by version.
var namespaces = map[string]string{
	"http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
	"http://www.omg.org/spec/DMN/20180521/MODEL/":  "1.2",
	"https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
}

var hitPolicies = map[string]bool{
	Unique: true, First: true, Priority: true, Any: true,
	Collect: true, RuleOrder: true, OutputOrder: true,
}

var aggregations = map[string]bool{Sum: true, Count: true, Min: true, Max: true}

// Parse reads one DMN file and returns every decision with a decision table,
// in document order, each with all its expressions compiled. name is the
// file name used in problems. Any problem makes the whole file fail: the
// error is Problems and no decision is returned.
func Parse(name string, data []byte) ([]*Decision, error) {
	data, err := DecodeXML(data)
	if err != nil {
		return nil, Problems{{File: name, Line: 1, Msg: err.Error()}}
	}
	lines, prob := scanXML(name, data)
	if prob != nil {
		return nil, Problems{*prob}
	}
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = charsetReader
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, Problems{{File: name, Msg: "malformed XML: " + err.Error()}}
	}
	root := doc.Root()
	if root == nil {
		return nil, Problems{{File: name, Line: 1, Msg: "empty document: no root element"}}
	}
	p := &parser{file: name, lines: map[*etree.Element]int{}}
	p.index(root, lines)
	decisions := p.definitions(root)
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return decisions, nil
}

type parser struct {
	file     string
	lines    map[*etree.Element]int
	problems Problems
}

// index pairs every element with the line the scanner recorded for it; both
// walks are in document order.
func (p *parser) index(root *etree.Element, lines []int) {
	i := 0
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if i < len(lines) {
			p.lines[e] = lines[i]
		}
		i++
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	if i != len(lines) {
		// The two readers disagree about the elements; lines would be
		// wrong, so report none rather than misleading ones.
		clear(p.lines)
	}
}

func (p *parser) problem(e *etree.Element, id string, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: p.file, ElementID: id, Line: p.lines[e], Msg: fmt.Sprintf(format, args...)})
}

// is reports whether e is the DMN element local.
func is(e *etree.Element, local string) bool {
	if e.Tag != local {
		return false
	}
	_, ok := namespaces[e.NamespaceURI()]
	return ok
}

func isDMN(e *etree.Element) bool {
	_, ok := namespaces[e.NamespaceURI()]
	return ok
}

func id(e *etree.Element) string { return e.SelectAttrValue("id", "") }

// elementName is the element as written, for messages.
func elementName(e *etree.Element) string {
	if e.Space != "" {
		return e.Space + ":" + e.Tag
	}
	return e.Tag
}

func (p *parser) definitions(root *etree.Element) []*Decision {
	if !is(root, "definitions") {
		ns := root.NamespaceURI()
		if ns == "" {
			ns = "no namespace"
		}
		p.problem(root, id(root), "not a DMN file: the root element is <%s> (%s); want <definitions> in the DMN 1.1, 1.2 or 1.3 namespace", elementName(root), ns)
		return nil
	}
	var decisions []*Decision
	firstLine := map[string]int{}
	for _, e := range root.ChildElements() {
		if !is(e, "decision") {
			continue // other DRG elements, diagram interchange, extensions
		}
		d := p.decision(e)
		if d == nil {
			continue
		}
		if line, dup := firstLine[d.ID]; dup {
			p.problem(e, d.ID, "duplicate decision id %q (first declared on line %d)", d.ID, line)
			continue
		}
		firstLine[d.ID] = d.Line
		decisions = append(decisions, d)
	}
	if len(decisions) == 0 && len(p.problems) == 0 {
		p.problem(root, id(root), "the file declares no decision")
	}
	if len(p.problems) == 0 {
		p.link(root, decisions)
	}
	return decisions
}

// link resolves the decisions' requirements within the file and orders,
// for each decision, every decision it needs before its own table.
func (p *parser) link(root *etree.Element, decisions []*Decision) {
	byID := map[string]*Decision{}
	elems := map[string]*etree.Element{}
	for _, e := range root.ChildElements() {
		if is(e, "decision") {
			elems[id(e)] = e
		}
	}
	for _, d := range decisions {
		byID[d.ID] = d
	}
	for _, d := range decisions {
		for _, r := range d.Requires {
			if byID[r] == nil {
				p.problem(elems[d.ID], d.ID, "decision %q requires decision %q, which is not a decision table in this file", d.ID, r)
			}
		}
	}
	if len(p.problems) > 0 {
		return
	}
	for _, d := range decisions {
		const (
			visiting = 1
			done     = 2
		)
		state := map[*Decision]int{}
		var order []*Decision
		var path []string
		var visit func(x *Decision) bool
		visit = func(x *Decision) bool {
			switch state[x] {
			case done:
				return true
			case visiting:
				path = append(path, x.ID)
				return false
			}
			state[x] = visiting
			path = append(path, x.ID)
			for _, r := range x.Requires {
				if !visit(byID[r]) {
					return false
				}
			}
			path = path[:len(path)-1]
			state[x] = done
			if x != d {
				order = append(order, x)
			}
			return true
		}
		if !visit(d) {
			p.problem(elems[d.ID], d.ID, "decisions require each other in a cycle: %s", strings.Join(path, " -> "))
			return
		}
		d.required = order
	}
}

func (p *parser) decision(e *etree.Element) *Decision {
	d := &Decision{ID: id(e), Name: e.SelectAttrValue("name", ""), File: p.file, Line: p.lines[e]}
	if d.ID == "" {
		p.problem(e, "", "decision %q has no id", d.Name)
		return nil
	}
	var table, literal *etree.Element
	variable := ""
	for _, c := range e.ChildElements() {
		switch {
		case is(c, "decisionTable"):
			if literal != nil {
				p.problem(c, d.ID, "decision %q has more than one decision logic", d.ID)
				continue
			}
			if table != nil {
				p.problem(c, id(c), "decision %q has more than one decisionTable", d.ID)
				continue
			}
			table = c
		case is(c, "informationRequirement"):
			// requiredInput names input data, which come from the task
			// data; requiredDecision names a decision evaluated first.
			for _, r := range c.ChildElements() {
				if !is(r, "requiredDecision") {
					continue
				}
				href := strings.TrimSpace(r.SelectAttrValue("href", ""))
				switch {
				case strings.HasPrefix(href, "#") && len(href) > 1:
					d.Requires = append(d.Requires, href[1:])
				case href == "":
					p.problem(c, d.ID, "decision %q has a requiredDecision without href", d.ID)
				default:
					p.problem(c, d.ID, "decision %q requires %q: only decisions of the same file (href=\"#id\") can be required", d.ID, href)
				}
			}
		case is(c, "literalExpression"):
			if table != nil || literal != nil {
				p.problem(c, d.ID, "decision %q has more than one decision logic", d.ID)
				continue
			}
			literal = c
		case is(c, "variable"):
			variable = strings.TrimSpace(c.SelectAttrValue("name", ""))
		case is(c, "context"), is(c, "invocation"),
			is(c, "relation"), is(c, "list"), is(c, "functionDefinition"):
			p.problem(c, d.ID, "decision logic <%s> is not supported; only decision tables and literal expressions are", c.Tag)
			return nil
		}
	}
	if literal != nil && table == nil {
		p.literal(d, literal, variable)
		return d
	}
	if table == nil {
		p.problem(e, d.ID, "decision has no decisionTable or literalExpression")
		return nil
	}
	before := len(p.problems)
	p.table(d, table)
	if len(p.problems) > before {
		return nil
	}
	return d
}

func (p *parser) table(d *Decision, t *etree.Element) {
	d.TableID = id(t)
	d.HitPolicy = Unique
	if hp := t.SelectAttr("hitPolicy"); hp != nil {
		d.HitPolicy = strings.ToUpper(strings.TrimSpace(hp.Value))
		if !hitPolicies[d.HitPolicy] {
			p.problem(t, d.TableID, "unknown hit policy %q (want UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER or OUTPUT ORDER)", hp.Value)
		}
	}
	if ag := t.SelectAttr("aggregation"); ag != nil {
		d.Aggregation = strings.ToUpper(strings.TrimSpace(ag.Value))
		switch {
		case !aggregations[d.Aggregation]:
			p.problem(t, d.TableID, "unknown aggregation %q (want SUM, COUNT, MIN or MAX)", ag.Value)
		case d.HitPolicy != Collect:
			p.problem(t, d.TableID, "aggregation %s needs hit policy COLLECT, not %s", d.Aggregation, d.HitPolicy)
		}
	}
	var rules []*etree.Element
	for _, c := range t.ChildElements() {
		switch {
		case is(c, "input"):
			d.Inputs = append(d.Inputs, p.input(d, c))
		case is(c, "output"):
			d.Outputs = append(d.Outputs, p.output(c))
		case is(c, "rule"):
			rules = append(rules, c)
		case is(c, "description"), is(c, "extensionElements"), is(c, "annotation"), !isDMN(c):
			// Documentation, annotation columns and extensions do not
			// take part in evaluation.
		default:
			p.problem(c, id(c), "unexpected <%s> in decisionTable", c.Tag)
		}
	}
	if len(d.Outputs) == 0 {
		p.problem(t, d.TableID, "decision table has no output")
	}
	for i, r := range rules {
		d.Rules = append(d.Rules, p.rule(d, r, i+1))
	}
}

func (p *parser) input(d *Decision, e *etree.Element) Input {
	// Labels and names are kept as written: SpiffWorkflow uses them
	// untrimmed as task data keys.
	in := Input{ID: id(e), Label: e.SelectAttrValue("label", ""), Line: p.lines[e]}
	var textEl *etree.Element
	exprID := in.ID
	for _, c := range e.ChildElements() {
		if !is(c, "inputExpression") {
			continue
		}
		in.TypeRef = c.SelectAttrValue("typeRef", "")
		if v := id(c); v != "" {
			exprID = v
		}
		for _, t := range c.ChildElements() {
			if is(t, "text") {
				textEl = t
			}
		}
	}
	if textEl != nil {
		in.Expression = strings.TrimSpace(textEl.Text())
	}
	if in.Expression == "" {
		if strings.TrimSpace(in.Label) == "" {
			p.problem(e, in.ID, "input has neither an inputExpression text nor a label to name its value")
		}
		return in
	}
	expr, err := script.CompileExpr(fmt.Sprintf("%s input %q", d.ID, in.Column()), in.Expression)
	if err != nil {
		p.compileProblem(textEl, exprID, textEl.Text(), "input expression", in.Expression, err)
		return in
	}
	in.expr = expr
	return in
}

func (p *parser) output(e *etree.Element) Output {
	out := Output{
		ID:      id(e),
		Name:    e.SelectAttrValue("name", ""),
		Label:   e.SelectAttrValue("label", ""),
		TypeRef: e.SelectAttrValue("typeRef", ""),
		Line:    p.lines[e],
	}
	for _, c := range e.ChildElements() {
		if is(c, "outputValues") {
			out.Values = p.outputValues(c, out.ID)
		}
	}
	out.Key = out.Name
	if strings.TrimSpace(out.Key) == "" {
		out.Key = out.Label
	}
	if strings.TrimSpace(out.Key) == "" {
		p.problem(e, out.ID, "output has neither a name nor a label, so its value has no key")
		return out
	}
	out.Path = strings.Split(out.Key, ".")
	for _, part := range out.Path {
		if part == "" {
			p.problem(e, out.ID, "output key %q has an empty part between dots", out.Key)
			break
		}
	}
	return out
}

func (p *parser) rule(d *Decision, e *etree.Element, row int) Rule {
	r := Rule{ID: id(e), Line: p.lines[e], Row: row}
	ruleName := r.ID
	if ruleName == "" {
		ruleName = fmt.Sprintf("row %d", row)
	}
	var ins, outs []*etree.Element
	for _, c := range e.ChildElements() {
		switch {
		case is(c, "inputEntry"):
			ins = append(ins, c)
		case is(c, "outputEntry"):
			outs = append(outs, c)
		case is(c, "description"):
			r.Description = strings.TrimSpace(c.Text())
		}
	}
	if len(ins) != len(d.Inputs) {
		p.problem(e, r.ID, "rule has %d input entries for %d inputs", len(ins), len(d.Inputs))
	}
	if len(outs) != len(d.Outputs) {
		p.problem(e, r.ID, "rule has %d output entries for %d outputs", len(outs), len(d.Outputs))
	}
	if len(ins) != len(d.Inputs) || len(outs) != len(d.Outputs) {
		return r
	}
	for i, c := range ins {
		r.Inputs = append(r.Inputs, p.inputEntry(d, ruleName, d.Inputs[i], c))
	}
	for i, c := range outs {
		r.Outputs = append(r.Outputs, p.outputEntry(d, ruleName, d.Outputs[i], c))
	}
	return r
}

// entryText returns an entry's <text> child and its content.
func entryText(e *etree.Element) (*etree.Element, string) {
	for _, c := range e.ChildElements() {
		if is(c, "text") {
			return c, c.Text()
		}
	}
	return e, ""
}

func (p *parser) inputEntry(d *Decision, ruleName string, in Input, e *etree.Element) InputEntry {
	textEl, text := entryText(e)
	ent := InputEntry{ID: id(e), Line: p.lines[e], Text: text}
	elemID := ent.ID
	if elemID == "" {
		elemID = ruleName
	}
	src := strings.TrimSpace(text)
	if src == "" || src == "-" {
		ent.Kind = EntryAny
		return ent
	}
	name := fmt.Sprintf("%s rule %s input %q", d.ID, ruleName, in.Column())
	src, kind, err := temporalLiterals(src)
	if err != nil {
		p.problems = append(p.problems, Problem{File: p.file, ElementID: elemID, Line: p.lines[e],
			Msg: fmt.Sprintf("input entry %q of decision %q rule %s, input %q: %v", strings.TrimSpace(text), d.ID, ruleName, in.Column(), err)})
		return ent
	}
	if feel, ok, err := feelUnary(src); ok {
		if err != nil {
			p.problems = append(p.problems, Problem{File: p.file, ElementID: elemID, Line: p.lines[e],
				Msg: fmt.Sprintf("input entry %q of decision %q rule %s, input %q: %v", src, d.ID, ruleName, in.Column(), err)})
			return ent
		}
		ent.Kind, ent.Source = EntryTest, feel
	} else if replaced, ok := replacePlaceholder(src); ok {
		ent.Kind, ent.Source = EntryTest, replaced
	} else if _, err := script.CompileExpr(name, src); err == nil {
		// Parentheses keep "a == 0 == True"-like entries from chaining
		// with the comparison added here.
		ent.Kind, ent.Source = EntryEqual, inputVar+" == ("+src+")"
	} else {
		ent.Kind, ent.Source = EntryCompare, inputVar+" "+src
	}
	if kind != "" {
		ent.Source = strings.ReplaceAll(ent.Source, inputVar, coerceInput(kind, inputVar))
	}
	ent.durations = kind == kindDuration
	expr, err := script.CompileExpr(name, ent.Source)
	if err != nil {
		p.compileProblem(textEl, elemID, text, "input entry", src, err)
		return ent
	}
	ent.expr = expr
	return ent
}

func (p *parser) outputEntry(d *Decision, ruleName string, out Output, e *etree.Element) OutputEntry {
	textEl, text := entryText(e)
	ent := OutputEntry{ID: id(e), Line: p.lines[e], Text: text}
	elemID := ent.ID
	if elemID == "" {
		elemID = ruleName
	}
	src := strings.TrimSpace(text)
	if src == "" {
		return ent
	}
	src, _, err := temporalLiterals(src)
	if err != nil {
		p.problems = append(p.problems, Problem{File: p.file, ElementID: elemID, Line: p.lines[e],
			Msg: fmt.Sprintf("output entry %q of decision %q rule %s, output %q: %v", strings.TrimSpace(text), d.ID, ruleName, out.Key, err)})
		return ent
	}
	expr, err := script.CompileExpr(fmt.Sprintf("%s rule %s output %q", d.ID, ruleName, out.Key), src)
	if err != nil {
		p.compileProblem(textEl, elemID, text, "output entry", src, err)
		return ent
	}
	ent.expr = expr
	return ent
}

// compileProblem reports an expression that does not compile, on the line
// inside the <text> element where the script package found the error.
func (p *parser) compileProblem(textEl *etree.Element, elemID, raw, what, src string, err error) {
	line := p.lines[textEl]
	msg := err.Error()
	var se *script.Error
	if errors.As(err, &se) {
		msg = se.Msg
		if line > 0 && se.Line > 0 {
			lead := raw[:len(raw)-len(strings.TrimLeft(raw, " \t\r\n"))]
			line += strings.Count(lead, "\n") + se.Line - 1
		}
	}
	p.problems = append(p.problems, Problem{File: p.file, ElementID: elemID, Line: line,
		Msg: fmt.Sprintf("%s %q does not compile: %s", what, src, msg)})
}

// replacePlaceholder replaces every "?" outside string quotes with the input
// variable, and reports whether there was one.
func replacePlaceholder(src string) (string, bool) {
	var b strings.Builder
	found := false
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(src) {
				i++
				b.WriteByte(src[i])
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
			b.WriteByte(c)
		case c == '?':
			found = true
			b.WriteString(inputVar)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), found
}

// outputValues reads an output's list of allowed values ("high", "low"),
// each a constant expression, in priority order.
func (p *parser) outputValues(e *etree.Element, outputID string) []any {
	_, text := entryText(e)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var values []any
	for _, part := range splitTopLevel(text, ',') {
		src := strings.TrimSpace(part)
		expr, err := script.CompileExpr("output value", src)
		var v any
		if err == nil {
			v, err = expr.Eval(&script.Env{}, map[string]any{})
		}
		if err != nil {
			p.problem(e, outputID, "output value %q of output %q is not a constant: %v", src, outputID, err)
			return nil
		}
		values = append(values, v)
	}
	return values
}

// literal reads a literal expression decision: its expression (the Python
// dialect, as table entries) gives one output, under the decision's
// variable name, else its name, else its id.
func (p *parser) literal(d *Decision, e *etree.Element, variable string) {
	textEl, text := entryText(e)
	src := strings.TrimSpace(text)
	key := variable
	if key == "" {
		key = strings.TrimSpace(d.Name)
	}
	if key == "" {
		key = d.ID
	}
	d.Literal = &Literal{ID: id(e), Text: text, Key: key, Path: strings.Split(key, "."), Line: p.lines[e]}
	if src == "" {
		p.problem(e, d.ID, "literal expression of decision %q is empty", d.ID)
		return
	}
	expr, err := script.CompileExpr(fmt.Sprintf("%s literal expression", d.ID), src)
	if err != nil {
		p.compileProblem(textEl, d.ID, text, "literal expression", src, err)
		return
	}
	d.Literal.expr = expr
}
