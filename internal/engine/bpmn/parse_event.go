package bpmn

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

var eventDefTags = map[string]spec.EventType{
	"messageEventDefinition":     spec.EventMessage,
	"signalEventDefinition":      spec.EventSignal,
	"timerEventDefinition":       spec.EventTimer,
	"errorEventDefinition":       spec.EventError,
	"escalationEventDefinition":  spec.EventEscalation,
	"terminateEventDefinition":   spec.EventTerminate,
	"cancelEventDefinition":      spec.EventCancel,
	"conditionalEventDefinition": spec.EventConditional,
	"linkEventDefinition":        spec.EventLink,
	"compensateEventDefinition":  spec.EventCompensate,
}

// readEventDefinitions reads the event definitions of an event, or the
// message of a send or receive task.
func (p *Parser) readEventDefinitions(f *fileCtx, el *etree.Element, n *spec.Node) {
	n.ParallelMultiple = attr(el, "parallelMultiple") == "true"
	for _, c := range el.ChildElements() {
		if !isModel(c) {
			continue
		}
		t, ok := eventDefTags[c.Tag]
		if !ok {
			continue
		}
		def := &spec.EventDef{Type: t}
		switch t {
		case spec.EventMessage:
			p.readMessageDef(f, n, c, attr(c, "messageRef"), def)
		case spec.EventSignal:
			def.RefID = attr(c, "signalRef")
			def.Name = def.RefID
			if s := f.signals[def.RefID]; s != nil {
				if name := attr(s, "name"); name != "" {
					def.Name = name
				}
				p.readItemAware(f, n, s, def)
			} else if def.RefID == "" {
				def.Name = n.Name
			}
		case spec.EventError:
			def.RefID = attr(c, "errorRef")
			if e := f.errors[def.RefID]; e != nil {
				def.Code = attr(e, "errorCode")
				def.Name = attr(e, "name")
				p.readItemAware(f, n, e, def)
			} else if def.RefID != "" {
				p.problemAt(f, n.ID, "error event refers to error %q, which is not defined", def.RefID)
			}
		case spec.EventEscalation:
			def.RefID = attr(c, "escalationRef")
			if e := f.escalations[def.RefID]; e != nil {
				def.Code = attr(e, "escalationCode")
				def.Name = attr(e, "name")
				p.readItemAware(f, n, e, def)
			} else if def.RefID != "" {
				p.problemAt(f, n.ID, "escalation event refers to escalation %q, which is not defined", def.RefID)
			}
		case spec.EventTimer:
			p.readTimer(f, n, c, def)
		case spec.EventConditional:
			src := strings.TrimSpace(text(child(c, "condition")))
			if src == "" {
				p.problemAt(f, n.ID, "conditional event has no condition")
				break
			}
			expr, err := p.compileExpr(n.ID+" condition", src)
			if err != nil {
				p.problemAt(f, n.ID, "condition does not parse: %v", err)
			}
			def.Condition = expr
		case spec.EventLink:
			def.Name = attr(c, "name")
			if def.Name == "" {
				def.Name = n.Name
			}
		case spec.EventCompensate:
			p.readCompensateDef(f, n, c, def)
		}
		n.Events = append(n.Events, def)
	}
	if n.Kind == spec.KindSendTask || n.Kind == spec.KindReceiveTask {
		if len(n.Events) == 0 {
			def := &spec.EventDef{Type: spec.EventMessage}
			p.readMessageDef(f, n, el, attr(el, "messageRef"), def)
			n.Events = append(n.Events, def)
		}
	}
}

// readCompensateDef reads a compensation event definition: on a throw, the
// activity it compensates and whether it waits for the handlers; catching
// compensation is only done by boundary events and by the start event of a
// compensation event subprocess (checked with the scope).
func (p *Parser) readCompensateDef(f *fileCtx, n *spec.Node, el *etree.Element, def *spec.EventDef) {
	switch n.Kind {
	case spec.KindIntermediateThrowEvent, spec.KindEndEvent:
		def.ActivityRef = strings.TrimSpace(attr(el, "activityRef"))
		def.NoWait = attr(el, "waitForCompletion") == "false"
		if def.ActivityRef != "" {
			f.pendingComp = append(f.pendingComp, n)
		}
	case spec.KindBoundaryEvent, spec.KindStartEvent:
	default:
		p.problemAt(f, n.ID, "%s %q cannot have a compensation event definition: compensation is caught by a boundary event or by the start event of an event subprocess, and thrown by an intermediate throw or end event", n.Kind, displayName(n))
	}
}

// readMessageDef fills a message definition: its name, and the Spiff payload,
// variable and correlation extensions from the definition, the task, or (the
// deprecated place) the bpmn:message element.
func (p *Parser) readMessageDef(f *fileCtx, n *spec.Node, el *etree.Element, ref string, def *spec.EventDef) {
	def.RefID = ref
	def.Name = f.messages[ref]
	if def.Name == "" {
		def.Name = ref
	}
	if ref == "" {
		def.Name = n.Name
	}
	def.CorrelationProperties = f.corrByMessage[def.Name]
	places := []*etree.Element{child(el, "extensionElements")}
	if el.Tag != n.Kind.String() { // a messageEventDefinition inside the event or task
		if parent := el.Parent(); parent != nil {
			places = append(places, child(parent, "extensionElements"))
		}
	}
	if m := f.messageEls[ref]; m != nil {
		places = append(places, child(m, "extensionElements"))
	}
	for _, ext := range places {
		if ext == nil {
			continue
		}
		for _, e := range ext.ChildElements() {
			if !isSpiff(e) {
				continue
			}
			switch e.Tag {
			case "messagePayload":
				if def.Payload == nil {
					def.Payload = p.expr(f, n, "message payload", text(e))
				}
			case "messageVariable":
				if def.Variable == "" {
					def.Variable = strings.TrimSpace(text(e))
				}
			case "processVariableCorrelation":
				pc := spec.ProcessCorrelation{PropertyID: strings.TrimSpace(text(firstSpiff(e, "propertyId")))}
				pc.Expr = p.expr(f, n, "correlation expression", text(firstSpiff(e, "expression")))
				if pc.PropertyID != "" && pc.Expr != nil {
					def.ProcessCorrelations = append(def.ProcessCorrelations, pc)
				}
			}
		}
	}
}

// readItemAware reads payloadExpression and variableName from a signal,
// error or escalation element.
func (p *Parser) readItemAware(f *fileCtx, n *spec.Node, el *etree.Element, def *spec.EventDef) {
	ext := child(el, "extensionElements")
	if ext == nil {
		return
	}
	for _, e := range ext.ChildElements() {
		if !isSpiff(e) {
			continue
		}
		switch e.Tag {
		case "payloadExpression":
			def.Payload = p.expr(f, n, "payload expression", text(e))
		case "variableName":
			def.Variable = strings.TrimSpace(text(e))
		}
	}
}

func (p *Parser) readTimer(f *fileCtx, n *spec.Node, el *etree.Element, def *spec.EventDef) {
	for _, c := range el.ChildElements() {
		if !isModel(c) {
			continue
		}
		switch c.Tag {
		case "timeDate":
			def.TimerType = spec.TimerDate
		case "timeDuration":
			def.TimerType = spec.TimerDuration
		case "timeCycle":
			def.TimerType = spec.TimerCycle
		default:
			continue
		}
		def.TimerExpr = p.expr(f, n, "timer expression", text(c))
		return
	}
	p.problemAt(f, n.ID, "timer event has no timeDate, timeDuration or timeCycle")
}

// expr compiles an expression attached to a node, reporting a problem when it
// does not parse. Empty text gives nil.
func (p *Parser) expr(f *fileCtx, n *spec.Node, what, src string) *script.Expr {
	src = strings.TrimSpace(src)
	if src == "" {
		return nil
	}
	e, err := p.compileExpr(n.ID+" "+what, src)
	if err != nil {
		p.problemAt(f, n.ID, "%s does not parse: %v", what, err)
		return nil
	}
	return e
}

func firstSpiff(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && isSpiff(c) {
			return c
		}
	}
	return nil
}
