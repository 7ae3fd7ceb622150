package bpmn

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// readSpiffExtensions reads the spiffworkflow:* children of a node's
// extensionElements. Elements with run-time meaning become typed fields;
// every other Spiff element is kept as text in Extensions, so nothing a
// modeler wrote is lost.
func (p *Parser) readSpiffExtensions(f *fileCtx, ext *etree.Element, n *spec.Node) {
	for _, e := range ext.ChildElements() {
		if !isSpiff(e) {
			continue
		}
		switch e.Tag {
		case "preScript", "postScript":
			src := text(e)
			if strings.TrimSpace(src) == "" {
				continue
			}
			what := "pre-script"
			if e.Tag == "postScript" {
				what = "post-script"
			}
			prog, err := p.compile(n.ID+" "+what, src)
			if err != nil {
				p.problemAt(f, n.ID, "%s does not parse: %v", what, err)
				continue
			}
			if e.Tag == "preScript" {
				n.PreScript = prog
			} else {
				n.PostScript = prog
			}
		case "instructionsForEndUser":
			n.Instructions = text(e)
		case "properties":
			if n.Properties == nil {
				n.Properties = map[string]string{}
			}
			for _, pr := range e.ChildElements() {
				if isSpiff(pr) && pr.Tag == "property" {
					n.Properties[attr(pr, "name")] = attr(pr, "value")
				}
			}
		case "taskMetadataValues":
			n.TaskMetadata = map[string]string{}
			for _, v := range e.ChildElements() {
				if isSpiff(v) && v.Tag == "taskMetadataValue" {
					n.TaskMetadata[attr(v, "name")] = attr(v, "value")
				}
			}
		case "unitTests":
			for _, u := range e.ChildElements() {
				if isSpiff(u) && u.Tag == "unitTest" {
					n.UnitTests = append(n.UnitTests, spec.UnitTest{
						ID:                 attr(u, "id"),
						InputJSON:          text(firstSpiff(u, "inputJson")),
						ExpectedOutputJSON: text(firstSpiff(u, "expectedOutputJson")),
					})
				}
			}
		case "serviceTaskOperator":
			n.Service = p.readServiceOperator(f, n, e)
		case "calledDecisionId":
			n.CalledDecision = strings.TrimSpace(text(e))
		case "variableName":
			n.VariableName = strings.TrimSpace(text(e))
		case "allowGuest":
			n.AllowGuest = strings.TrimSpace(text(e)) == "true"
		case "messagePayload", "messageVariable", "processVariableCorrelation":
			// read with the node's message definition
		default:
			if n.Extensions == nil {
				n.Extensions = map[string]string{}
			}
			n.Extensions[e.Tag] = text(e)
		}
	}
}

func (p *Parser) readServiceOperator(f *fileCtx, n *spec.Node, e *etree.Element) *spec.ServiceOperator {
	op := &spec.ServiceOperator{ID: attr(e, "id"), ResultVariable: attr(e, "resultVariable")}
	if op.ID == "" {
		p.problemAt(f, n.ID, "service task operator has no id")
	}
	for _, c := range e.ChildElements() {
		if !isSpiff(c) {
			continue
		}
		switch c.Tag {
		case "parameters":
			for _, pe := range c.ChildElements() {
				if !isSpiff(pe) || pe.Tag != "parameter" {
					continue
				}
				v := pe.SelectAttr("value")
				if v == nil {
					continue // SpiffWorkflow drops parameters without a value
				}
				param := spec.ServiceParam{ID: attr(pe, "id"), Type: attr(pe, "type")}
				// SpiffWorkflow evaluates parameters only when the task
				// runs, so a value that does not parse fails the task
				// then; the model loads, with a warning.
				if src := strings.TrimSpace(v.Value); src != "" {
					e, err := p.compileExpr(n.ID+" parameter "+param.ID, src)
					if err != nil {
						param.ParseError = err.Error()
						p.softProblemAt(f, n.ID, "parameter %s does not parse (the task fails when it runs): %v", param.ID, err)
					}
					param.Value = e
				}
				op.Params = append(op.Params, param)
			}
		case "retry":
			op.Retries, _ = strconv.Atoi(attr(c, "retries"))
			op.BackoffBase, _ = strconv.Atoi(attr(c, "backoff_base"))
		}
	}
	return op
}
