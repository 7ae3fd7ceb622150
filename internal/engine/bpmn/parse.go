// Package bpmn reads BPMN 2.0 XML (with SpiffWorkflow's spiffworkflow:*
// extensions) into the immutable spec graph of package spec, and reports every
// problem it finds as a Problem naming the file, the element id and the line.
//
// It is the only place in the engine that sees XML. Parsing is XXE-safe: a
// document type declaration is refused before the tree is built, and no entity
// other than XML's five predefined ones is ever expanded. Standard BPMN lives in
// parse*.go; the Spiff dialect in spiff.go, so another dialect could be added
// beside it without touching the runtime.
//
// Imports: engine/spec and engine/script only.
package bpmn

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/waymark-bpm/waymark/internal/engine/dmn"
	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Namespaces the parser understands.
const (
	NSModel = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	NSDI    = "http://www.omg.org/spec/BPMN/20100524/DI"
	NSDC    = "http://www.omg.org/spec/DD/20100524/DC"
	NSSpiff = "http://spiffworkflow.org/bpmn/schema/1.0/core"
	NSXSI   = "http://www.w3.org/2001/XMLSchema-instance"
)

// MaxFileSize is the largest BPMN file the parser accepts.
const MaxFileSize = 16 << 20

// Options tune how strictly a set of files is checked.
type Options struct {
	// RequireCalledProcesses makes a call activity whose calledElement is not
	// among the parsed files a problem. Leave it off when called processes are
	// resolved later (from a model repository).
	RequireCalledProcesses bool
	// Primary names the process about to be run: it and the processes it
	// calls are checked in full even when not marked executable.
	Primary string
}

// Parser collects files and builds one Library from them. Files may refer to
// each other (call activities, messages by name).
type Parser struct {
	opts     Options
	lib      *spec.Library
	problems Problems
	warnings Problems
	hard     map[int]bool // indexes of problems that are errors wherever they lie
	soft     map[int]bool // indexes of problems that are warnings wherever they lie
	files    []*fileCtx
	collabs  []*spec.Collaboration // every collaboration read, duplicates included
	stats    Stats
}

// NewParser returns an empty parser.
func NewParser(opts Options) *Parser {
	return &Parser{opts: opts, lib: spec.NewLibrary()}
}

// Parse is a shortcut: parse the named files (name -> content, in the given
// order) into a library, or return Problems.
func Parse(opts Options, files ...File) (*spec.Library, error) {
	p := NewParser(opts)
	for _, f := range files {
		p.Add(f.Name, f.Data)
	}
	return p.Finish()
}

// File is a named file content.
type File struct {
	Name string
	Data []byte
}

// fileCtx is the per-file state: definitions-level elements every process of
// the file can refer to.
type fileCtx struct {
	name          string
	lines         map[string]int
	ys            map[string]float64 // DI shape y by element id
	messages      map[string]string  // message id -> name
	messageEls    map[string]*etree.Element
	signals       map[string]*etree.Element
	errors        map[string]*etree.Element
	escalations   map[string]*etree.Element
	corrProps     map[string]*spec.CorrelationProperty
	corrByMessage map[string][]*spec.CorrelationProperty // message name -> properties
	dataStores    map[string]string                      // dataStore id -> name (its class)
	pending       []pendingCheck
	// pendingComp are the compensation throws with an activityRef of the
	// process being read, checked once all its elements are known.
	pendingComp []*spec.Node
	// associations maps each end of an association of the process being
	// read to its other ends (the direction drawn is not always BPMN's,
	// and tools put an association in the subprocess or the process).
	associations map[string][]string
	// compBoundaries are its compensation boundary events.
	compBoundaries []*spec.Node
	defaults       map[*spec.Node]string // node -> id of its default flow
	reach          *fileReach
}

type pendingCheck struct {
	node *spec.Node
}

// Add parses one file into the library being built. Problems are collected
// and returned by Finish.
func (p *Parser) Add(name string, data []byte) {
	if len(data) > MaxFileSize {
		p.problem(name, "", 0, "file is larger than %d MiB", MaxFileSize>>20)
		return
	}
	data, err := dmn.DecodeXML(data)
	if err != nil {
		p.problem(name, "", 1, "%v", err)
		return
	}
	if isDMN(name, data) {
		p.addDMN(name, data)
		return
	}
	lines, err := prescan(data)
	if err != nil {
		le, _ := err.(lineError)
		p.problem(name, "", le.line, "%s", le.msg)
		return
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{}
	if err := doc.ReadFromBytes(data); err != nil {
		p.problem(name, "", 0, "malformed XML: %v", err)
		return
	}
	root := doc.Root()
	if root == nil || root.Tag != "definitions" || root.NamespaceURI() != NSModel {
		p.problem(name, "", 1, "not a BPMN 2.0 file: the root element must be bpmn:definitions in namespace %s", NSModel)
		return
	}
	f := &fileCtx{
		name: name, lines: lines, ys: map[string]float64{},
		messages: map[string]string{}, messageEls: map[string]*etree.Element{},
		signals: map[string]*etree.Element{}, errors: map[string]*etree.Element{}, escalations: map[string]*etree.Element{},
		corrProps: map[string]*spec.CorrelationProperty{}, corrByMessage: map[string][]*spec.CorrelationProperty{},
		dataStores: map[string]string{}, defaults: map[*spec.Node]string{},
		reach: newFileReach(),
	}
	p.files = append(p.files, f)
	p.readDI(f, root)
	p.readDefinitions(f, root)
	for _, el := range root.ChildElements() {
		if !isModel(el) {
			continue
		}
		switch el.Tag {
		case "process":
			p.readProcess(f, el)
		case "collaboration":
			p.readCollaboration(f, el)
		}
	}
}

// Finish checks what needs every file (call activity targets, collaboration
// participants) and returns the library, or the problems found.
func (p *Parser) Finish() (*spec.Library, error) {
	for _, f := range p.files {
		for _, c := range f.pending {
			n := c.node
			if n.Kind == spec.KindCallActivity && p.opts.RequireCalledProcesses && p.lib.Process(n.CalledElement) == nil {
				p.problem(f.name, n.ID, n.Line, "%s", missingProcessMsg(p.lib, n.CalledElement))
			}
			if n.Kind == spec.KindBusinessRuleTask && p.opts.RequireCalledProcesses && p.lib.Decision(n.CalledDecision) == nil {
				p.problem(f.name, n.ID, n.Line, "no decision table with id %q is loaded", n.CalledDecision)
			}
		}
	}
	for _, c := range p.collabs {
		for _, part := range c.Participants {
			if part.ProcessID != "" && p.lib.Process(part.ProcessID) == nil {
				p.problem(c.File, part.ID, part.Line, "participant %q refers to process %q, which is not defined", part.ID, part.ProcessID)
			}
		}
		p.checkMessageFlows(c)
	}
	p.classify()
	p.warnings.sort()
	if len(p.problems) > 0 {
		p.problems.sort()
		return p.lib, p.problems
	}
	return p.lib, nil
}

// missingProcessMsg names the missing process and suggests ids that exist.
func missingProcessMsg(lib *spec.Library, id string) string {
	var known []string
	for _, pid := range lib.Order {
		known = append(known, pid)
	}
	msg := fmt.Sprintf("the called process %q was not found", id)
	if len(known) > 0 {
		if len(known) > 5 {
			known = known[:5]
		}
		msg += "; known processes: " + strings.Join(known, ", ")
	}
	return msg
}

func (p *Parser) problem(file, id string, line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: file, ElementID: id, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *Parser) problemAt(f *fileCtx, id string, format string, args ...any) {
	p.problem(f.name, id, f.lines[id], format, args...)
}

// hardProblemAt records a problem that blocks the files wherever it lies
// (duplicate ids make every reference ambiguous).
func (p *Parser) hardProblemAt(f *fileCtx, id string, format string, args ...any) {
	if p.hard == nil {
		p.hard = map[int]bool{}
	}
	p.hard[len(p.problems)] = true
	p.problemAt(f, id, format, args...)
}

// softProblemAt records a problem that is always a warning: a defect
// SpiffWorkflow meets only when a run reaches the element, and which fails
// the task there (a service task parameter that does not parse).
func (p *Parser) softProblemAt(f *fileCtx, id string, format string, args ...any) {
	if p.soft == nil {
		p.soft = map[int]bool{}
	}
	p.soft[len(p.problems)] = true
	p.problemAt(f, id, format, args...)
}

// Warnings returns the problems that do not block the files: those on
// elements no start event leads to and in processes that are neither
// executable nor called (see reach.go). Valid after Finish.
func (p *Parser) Warnings() Problems { return p.warnings }

func isModel(el *etree.Element) bool { return el.NamespaceURI() == NSModel }

func isSpiff(el *etree.Element) bool { return el.NamespaceURI() == NSSpiff }

// children returns the BPMN-namespace child elements with the given tag.
func children(el *etree.Element, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && isModel(c) {
			out = append(out, c)
		}
	}
	return out
}

func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && isModel(c) {
			return c
		}
	}
	return nil
}

func attr(el *etree.Element, key string) string {
	for _, a := range el.Attr {
		if a.Key == key && a.Space == "" {
			return a.Value
		}
	}
	return ""
}

// attrNS returns the value of a namespaced attribute, whatever its prefix.
func attrNS(el *etree.Element, ns, key string) (string, bool) {
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Key == key && a.Space != "" && a.NamespaceURI() == ns {
			return a.Value, true
		}
	}
	return "", false
}

// text returns the element's character data, trimmed of surrounding blank
// lines only when asked.
func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}

// readDI records the y coordinate of every shape: SpiffWorkflow orders a
// node's outgoing flows by the y of their targets, which decides the
// first-true exclusive gateway branch and the order of parallel branches.
func (p *Parser) readDI(f *fileCtx, root *etree.Element) {
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, c := range el.ChildElements() {
			if c.Tag == "BPMNShape" && c.NamespaceURI() == NSDI {
				id := attr(c, "bpmnElement")
				for _, b := range c.ChildElements() {
					if b.Tag == "Bounds" {
						if y, err := strconv.ParseFloat(attr(b, "y"), 64); err == nil {
							f.ys[id] = y
						}
					}
				}
				continue
			}
			walk(c)
		}
	}
	for _, c := range root.ChildElements() {
		if c.Tag == "BPMNDiagram" && c.NamespaceURI() == NSDI {
			walk(c)
		}
	}
}

// readDefinitions reads the definitions-level elements that events and
// tasks refer to: messages, signals, errors, escalations, correlation
// properties and data stores.
func (p *Parser) readDefinitions(f *fileCtx, root *etree.Element) {
	for _, el := range root.ChildElements() {
		if !isModel(el) {
			continue
		}
		id := attr(el, "id")
		switch el.Tag {
		case "message":
			name := attr(el, "name")
			if name == "" {
				name = id
			}
			f.messages[id] = name
			f.messageEls[id] = el
		case "signal":
			f.signals[id] = el
		case "error":
			f.errors[id] = el
		case "escalation":
			f.escalations[id] = el
		case "dataStore":
			f.dataStores[id] = attr(el, "name")
		}
	}
	for _, el := range children(root, "correlationProperty") {
		cp := &spec.CorrelationProperty{ID: attr(el, "id"), Name: attr(el, "name"), Retrieval: map[string]*script.Expr{}}
		for _, r := range children(el, "correlationPropertyRetrievalExpression") {
			msgName := f.messages[attr(r, "messageRef")]
			if msgName == "" {
				msgName = attr(r, "messageRef")
			}
			src := strings.TrimSpace(text(child(r, "messagePath")))
			if fe := child(r, "formalExpression"); fe != nil {
				src = strings.TrimSpace(text(fe))
			}
			if src == "" {
				p.problemAt(f, cp.ID, "correlation property retrieval expression for message %q is empty", msgName)
				continue
			}
			expr, err := p.compileExpr(cp.ID+" retrieval expression", src)
			if err != nil {
				p.problemAt(f, cp.ID, "retrieval expression for message %q: %v", msgName, err)
				continue
			}
			cp.Retrieval[msgName] = expr
			f.corrByMessage[msgName] = append(f.corrByMessage[msgName], cp)
		}
		f.corrProps[cp.ID] = cp
	}
}

func (p *Parser) readCollaboration(f *fileCtx, el *etree.Element) {
	c := &spec.Collaboration{ID: attr(el, "id"), Name: attr(el, "name"), File: f.name, CorrelationKeys: map[string][]string{}}
	for _, part := range children(el, "participant") {
		id := attr(part, "id")
		c.Participants = append(c.Participants, spec.Participant{ID: id, Name: attr(part, "name"), ProcessID: attr(part, "processRef"), Line: f.lines[id]})
	}
	for _, mf := range children(el, "messageFlow") {
		id := attr(mf, "id")
		flow := spec.MessageFlow{ID: id, Name: attr(mf, "name"), Source: attr(mf, "sourceRef"), Target: attr(mf, "targetRef"), Line: f.lines[id]}
		if ref := attr(mf, "messageRef"); ref != "" {
			name, ok := f.messages[ref]
			if !ok {
				p.problemAt(f, id, "message flow %q refers to message %q, which is not defined in this file", id, ref)
			}
			flow.Message = name
		}
		c.MessageFlows = append(c.MessageFlows, flow)
	}
	for _, ck := range children(el, "correlationKey") {
		var props []string
		for _, r := range children(ck, "correlationPropertyRef") {
			props = append(props, strings.TrimSpace(text(r)))
		}
		name := attr(ck, "name")
		if name == "" {
			name = attr(ck, "id")
		}
		c.CorrelationKeys[name] = props
	}
	// Message flows are checked in Finish, when the pools' processes are
	// known whatever their order in the file.
	p.collabs = append(p.collabs, c)
	if _, dup := p.lib.Collaborations[c.ID]; dup {
		// Collaboration ids need not be unique across a repository (only
		// process ids must be); the first one read is kept.
		return
	}
	p.lib.Collaborations[c.ID] = c
}

// checkMessageFlows reports message flows whose ends are missing, are
// neither a pool of the collaboration nor a flow node in a pool's process,
// or lie in the same pool (BPMN: message flows run between pools).
func (p *Parser) checkMessageFlows(c *spec.Collaboration) {
	// pool returns the participant an element belongs to: the participant
	// itself, or the one whose process holds the flow node.
	pool := func(id string) (string, bool) {
		for _, part := range c.Participants {
			if part.ID == id {
				return part.ID, true
			}
		}
		for _, part := range c.Participants {
			if proc := p.lib.Process(part.ProcessID); proc != nil && proc.AllNodes[id] != nil {
				return part.ID, true
			}
		}
		return "", false
	}
	for _, mf := range c.MessageFlows {
		var pools [2]string
		ok := true
		for i, end := range [2]struct{ attr, ref string }{{"sourceRef", mf.Source}, {"targetRef", mf.Target}} {
			if end.ref == "" {
				p.problem(c.File, mf.ID, mf.Line, "message flow %q has no %s", mf.ID, end.attr)
				ok = false
				continue
			}
			var found bool
			if pools[i], found = pool(end.ref); !found {
				p.problem(c.File, mf.ID, mf.Line, "message flow %q: %s %q is neither a pool of collaboration %q nor a flow node in one of its pools",
					mf.ID, end.attr, end.ref, c.ID)
				ok = false
			}
		}
		if ok && pools[0] == pools[1] {
			p.problem(c.File, mf.ID, mf.Line, "message flow %q connects %q and %q, which are both in pool %q; a message flow must run between two pools",
				mf.ID, mf.Source, mf.Target, pools[0])
		}
	}
}

// sortOutgoing orders each node's outgoing flows by the y coordinate of the
// target shape (stable, so document order breaks ties), as SpiffWorkflow does.
func sortOutgoing(f *fileCtx, nodes []*spec.Node) {
	for _, n := range nodes {
		if len(n.Outgoing) < 2 {
			continue
		}
		sort.SliceStable(n.Outgoing, func(i, j int) bool {
			return f.ys[n.Outgoing[i].Target.ID] < f.ys[n.Outgoing[j].Target.ID]
		})
		for i, fl := range n.Outgoing {
			fl.Index = i
		}
	}
}
