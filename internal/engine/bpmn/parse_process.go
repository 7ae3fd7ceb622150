package bpmn

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// unsupported lists BPMN elements the engine cannot run. They are reported,
// never skipped, whether or not a flow reaches them.
var unsupported = map[string]string{
	"complexGateway":  "complex gateways are not supported",
	"adHocSubProcess": "ad-hoc subprocesses are not supported",
}

// ignoredInScope are BPMN children of a process or subprocess that carry no
// run-time meaning (documentation, artifacts, diagram-only elements) or are
// read elsewhere.
var ignoredInScope = map[string]bool{
	"documentation": true, "extensionElements": true, "laneSet": true, "sequenceFlow": true,
	"dataObject": true, "dataObjectReference": true, "dataStoreReference": true,
	"textAnnotation": true, "association": true, "group": true, "category": true,
	"ioSpecification": true, "property": true, "incoming": true, "outgoing": true,
	"multiInstanceLoopCharacteristics": true, "standardLoopCharacteristics": true,
	"dataInputAssociation": true, "dataOutputAssociation": true, "correlationSubscription": true,
	"auditing": true, "monitoring": true,
}

func (p *Parser) readProcess(f *fileCtx, el *etree.Element) {
	id := attr(el, "id")
	if id == "" {
		p.problem(f.name, "", 0, "a process has no id")
		return
	}
	if prev := p.lib.Process(id); prev != nil {
		p.hardProblemAt(f, id, "duplicate process id %q: also defined in %s", id, prev.File)
		return
	}
	proc := &spec.Process{
		Name:                  attr(el, "name"),
		File:                  f.name,
		Executable:            attr(el, "isExecutable") != "false",
		CorrelationProperties: f.corrProps,
		AllNodes:              map[string]*spec.Node{},
		Line:                  f.lines[id],
	}
	proc.Scope.ID = id
	proc.Scope.Process = proc
	f.reach.walkReach(el)
	lanes := p.readLanes(f, el)
	proc.Lanes = lanes
	laneOf := map[string]string{}
	for _, l := range lanes {
		for _, nid := range l.NodeIDs {
			laneOf[nid] = l.Name // nested lanes come later and win
		}
	}
	if io := child(el, "ioSpecification"); io != nil {
		proc.IOSpec = readIOSpec(io)
	}
	f.pendingComp, f.compBoundaries, f.associations = f.pendingComp[:0], f.compBoundaries[:0], map[string][]string{}
	p.readScope(f, el, &proc.Scope, proc, laneOf, "", nil)
	for _, b := range f.compBoundaries {
		p.linkHandler(f, b, f.associations[b.ID])
	}
	p.checkActivityRefs(f, proc)
	if len(proc.Starts) == 0 && proc.Executable {
		p.problemAt(f, id, "process %q has no start event", id)
	}
	p.lib.Processes[id] = proc
	p.lib.Order = append(p.lib.Order, id)
}

func (p *Parser) readLanes(f *fileCtx, el *etree.Element) []*spec.Lane {
	var out []*spec.Lane
	var walk func(set *etree.Element, parent *spec.Lane)
	walk = func(set *etree.Element, parent *spec.Lane) {
		for _, le := range children(set, "lane") {
			l := &spec.Lane{ID: attr(le, "id"), Name: attr(le, "name"), Parent: parent}
			if l.Name == "" {
				l.Name = l.ID
			}
			for _, r := range children(le, "flowNodeRef") {
				l.NodeIDs = append(l.NodeIDs, strings.TrimSpace(text(r)))
			}
			out = append(out, l)
			if cs := child(le, "childLaneSet"); cs != nil {
				walk(cs, l)
			}
		}
	}
	for _, set := range children(el, "laneSet") {
		walk(set, nil)
	}
	return out
}

func readIOSpec(el *etree.Element) *spec.IOSpec {
	io := &spec.IOSpec{}
	io.Inputs = readIOSet(io, children(el, "dataInput"), children(el, "inputSet"), "dataInputRefs", "optionalInputRefs")
	io.Outputs = readIOSet(io, children(el, "dataOutput"), children(el, "outputSet"), "dataOutputRefs", "optionalOutputRefs")
	return io
}

// readIOSet returns the names of the data inputs (outputs) and marks in
// io.Optional those the sets do not require.
func readIOSet(io *spec.IOSpec, items, sets []*etree.Element, refsTag, optionalTag string) []string {
	required := map[string]bool{}
	for _, set := range sets {
		for _, r := range children(set, refsTag) {
			required[strings.TrimSpace(text(r))] = true
		}
	}
	for _, set := range sets {
		for _, r := range children(set, optionalTag) {
			delete(required, strings.TrimSpace(text(r)))
		}
	}
	var names []string
	for _, d := range items {
		name := dataName(d)
		names = append(names, name)
		if len(sets) > 0 && !required[attr(d, "id")] {
			if io.Optional == nil {
				io.Optional = map[string]bool{}
			}
			io.Optional[name] = true
		}
	}
	return names
}

// dataName is the task-data variable of a data input/output: SpiffWorkflow
// uses the id.
func dataName(el *etree.Element) string {
	if id := attr(el, "id"); id != "" {
		return id
	}
	return attr(el, "name")
}

// readScope reads the flow nodes and flows of a process or subprocess.
func (p *Parser) readScope(f *fileCtx, el *etree.Element, sc *spec.Scope, proc *spec.Process, laneOf map[string]string, inheritedLane string, outer map[string]spec.DataAssociation) {
	sc.ByID = map[string]*spec.Node{}
	// Data objects and references: a reference's id maps to the object's id.
	// References of enclosing scopes are visible inside subprocesses.
	refs := map[string]spec.DataAssociation{}
	for k, v := range outer {
		refs[k] = v
	}
	for _, c := range el.ChildElements() {
		if !isModel(c) {
			continue
		}
		switch c.Tag {
		case "dataObject":
			do := &spec.DataObject{ID: attr(c, "id"), Name: attr(c, "name")}
			if ext := child(c, "extensionElements"); ext != nil {
				for _, e := range ext.ChildElements() {
					if isSpiff(e) && e.Tag == "category" {
						do.Category = strings.TrimSpace(text(e))
					}
				}
			}
			sc.DataObjects = append(sc.DataObjects, do)
		case "dataObjectReference":
			obj := attr(c, "dataObjectRef")
			refs[attr(c, "id")] = spec.DataAssociation{ObjectID: obj, Name: obj}
		case "dataStoreReference":
			// SpiffArena's modeler writes <bpmn:dataStore id="stock"
			// name="KKVDataStore"/> and a reference with dataStoreRef="stock":
			// the id names the store and its variable, the name its class.
			store := attr(c, "dataStoreRef")
			if class, ok := f.dataStores[store]; ok && store != "" {
				refs[attr(c, "id")] = spec.DataAssociation{Store: store, StoreClass: class, Name: store}
				continue
			}
			// A reference that names no data store is drawn only; a task
			// that reads or writes it fails saying so when it runs.
			name := attr(c, "name")
			if name == "" {
				name = attr(c, "id")
			}
			refs[attr(c, "id")] = spec.DataAssociation{Store: name, Name: name}
		}
	}
	var boundaries []*etree.Element
	var flows []*etree.Element
	for _, c := range el.ChildElements() {
		if !isModel(c) {
			continue
		}
		id := attr(c, "id")
		if msg, bad := unsupported[c.Tag]; bad {
			p.problemAt(f, id, "%s", msg)
			continue
		}
		switch {
		case c.Tag == "sequenceFlow":
			flows = append(flows, c)
			continue
		case c.Tag == "association":
			src, tgt := attr(c, "sourceRef"), attr(c, "targetRef")
			f.associations[src] = append(f.associations[src], tgt)
			f.associations[tgt] = append(f.associations[tgt], src)
			continue
		case c.Tag == "boundaryEvent":
			boundaries = append(boundaries, c)
			continue
		case ignoredInScope[c.Tag]:
			continue
		}
		kind, ok := spec.KindByTag(c.Tag)
		if c.Tag == "subProcess" && attr(c, "triggeredByEvent") == "true" {
			kind, ok = spec.KindEventSubProcess, true
		}
		if !ok {
			p.problemAt(f, id, "element bpmn:%s is not supported", c.Tag)
			continue
		}
		n := p.newNode(f, c, kind, sc, proc, laneOf, inheritedLane)
		if n == nil {
			continue
		}
		p.readNode(f, c, n, refs, laneOf)
	}
	for _, b := range boundaries {
		n := p.newNode(f, b, spec.KindBoundaryEvent, sc, proc, laneOf, inheritedLane)
		if n == nil {
			continue
		}
		p.readNode(f, b, n, refs, laneOf)
		target := sc.ByID[attr(b, "attachedToRef")]
		if target == nil || !target.Kind.IsActivity() {
			p.problemAt(f, n.ID, "boundary event is attached to %q, which is not an activity of this process", attr(b, "attachedToRef"))
			continue
		}
		n.AttachedTo = target
		n.CancelActivity = attr(b, "cancelActivity") != "false"
		n.Lane = target.Lane
		target.Boundaries = append(target.Boundaries, n)
		if n.HasEvent(spec.EventCancel) && target.Kind != spec.KindTransaction {
			p.problemAt(f, n.ID, "cancel boundary events may only be attached to a transaction")
		}
	}
	for _, fe := range flows {
		p.readFlow(f, fe, sc)
	}
	for _, n := range sc.Nodes {
		if n.Kind == spec.KindBoundaryEvent && n.AttachedTo != nil && n.HasEvent(spec.EventCompensate) {
			f.compBoundaries = append(f.compBoundaries, n)
		}
	}
	sortOutgoing(f, sc.Nodes)
	p.pairLinks(f, sc)
	for _, n := range sc.Nodes {
		p.validateNode(f, n)
		if n.JoinReach != nil {
			sc.InclusiveJoins = true
		}
		if n.HasEvent(spec.EventConditional) {
			sc.Conditionals = true
		}
	}
	sc.NodeCount = len(sc.Nodes)
}

// linkHandler finds the handler of a compensation boundary event: the
// activity with isForCompensation="true" of the same scope an association
// connects it to.
func (p *Parser) linkHandler(f *fileCtx, b *spec.Node, ends []string) {
	for _, id := range ends {
		h := b.Scope.ByID[id]
		if h == nil || !h.Kind.IsActivity() {
			continue
		}
		if !h.ForCompensation {
			p.problemAt(f, b.ID, "compensation boundary event %q is associated with %q, which is not marked isForCompensation=\"true\"", displayName(b), h.ID)
			return
		}
		if b.Handler != nil {
			p.problemAt(f, b.ID, "compensation boundary event %q is associated with two handlers, %q and %q", displayName(b), b.Handler.ID, h.ID)
			return
		}
		b.Handler = h
		if len(h.Incoming) > 0 || len(h.Outgoing) > 0 {
			p.problemAt(f, h.ID, "compensation handler %q has sequence flows: a handler is reached only by its compensation boundary event's association", displayName(h))
		}
		for _, hb := range h.Boundaries {
			p.problemAt(f, hb.ID, "boundary event %q is attached to compensation handler %q: boundary events on a handler are not supported, as the compensation waits for the handler itself to complete", displayName(hb), displayName(h))
		}
	}
	if b.Handler == nil {
		p.problemAt(f, b.ID, "compensation boundary event %q has no handler: connect it by an association to an activity marked isForCompensation=\"true\"", displayName(b))
	}
	if len(b.Outgoing) > 0 {
		p.problemAt(f, b.ID, "compensation boundary event %q has an outgoing sequence flow: its handler is reached by an association", displayName(b))
	}
}

// checkActivityRefs checks the activityRef of the process's compensation
// throws: an activity of the throw's own scope or, for a throw inside an
// event subprocess, of the scope around the event subprocess.
func (p *Parser) checkActivityRefs(f *fileCtx, proc *spec.Process) {
	for _, n := range f.pendingComp {
		for _, d := range n.Events {
			if d.Type != spec.EventCompensate || d.ActivityRef == "" {
				continue
			}
			target := n.Scope.ByID[d.ActivityRef]
			if target == nil {
				if es := n.Scope.Owner; es != nil && es.Kind == spec.KindEventSubProcess {
					target = es.Scope.ByID[d.ActivityRef]
				}
			}
			switch {
			case target == nil && proc.AllNodes[d.ActivityRef] != nil:
				p.problemAt(f, n.ID, "compensation throw %q names activity %q, which is not in the same process or subprocess", displayName(n), d.ActivityRef)
			case target == nil:
				p.problemAt(f, n.ID, "compensation throw %q names activity %q, which is not defined", displayName(n), d.ActivityRef)
			case !target.Kind.IsActivity():
				p.problemAt(f, n.ID, "compensation throw %q names %q, which is a %s, not an activity", displayName(n), d.ActivityRef, target.Kind)
			}
		}
	}
	f.pendingComp = f.pendingComp[:0]
}

// pairLinks points every link throw event of a scope at the link catch
// event of the same name in that scope, where the flow continues.
func (p *Parser) pairLinks(f *fileCtx, sc *spec.Scope) {
	var catches map[string]*spec.Node
	for _, n := range sc.Nodes {
		if n.Kind == spec.KindIntermediateCatchEvent && n.HasEvent(spec.EventLink) {
			if catches == nil {
				catches = map[string]*spec.Node{}
			}
			name := n.Event().Name
			if prev := catches[name]; prev != nil {
				p.problemAt(f, n.ID, "link catch event %q has the same link name %q as %q: a link throw event could not tell them apart", n.ID, name, prev.ID)
				continue
			}
			catches[name] = n
		}
	}
	thrown := map[*spec.Node]bool{}
	for _, n := range sc.Nodes {
		if n.Kind != spec.KindIntermediateThrowEvent || !n.HasEvent(spec.EventLink) {
			continue
		}
		name := n.Event().Name
		n.LinkTarget = catches[name]
		if n.LinkTarget == nil {
			p.problemAt(f, n.ID, "link throw event %q names link %q, but no link catch event of that name is in the same process or subprocess", displayName(n), name)
		}
		thrown[n.LinkTarget] = true
	}
	for _, n := range catches {
		if !thrown[n] && len(n.Incoming) == 0 {
			p.problemAt(f, n.ID, "link catch event %q is not connected: no link throw event names link %q and no sequence flow leads to it, so it can never run", displayName(n), n.Event().Name)
		}
	}
}

func (p *Parser) newNode(f *fileCtx, el *etree.Element, kind spec.Kind, sc *spec.Scope, proc *spec.Process, laneOf map[string]string, inheritedLane string) *spec.Node {
	id := attr(el, "id")
	if id == "" {
		p.problem(f.name, "", 0, "a bpmn:%s in process %q has no id", el.Tag, proc.ID)
		return nil
	}
	if _, dup := proc.AllNodes[id]; dup {
		p.hardProblemAt(f, id, "duplicate element id %q in process %q", id, proc.ID)
		return nil
	}
	n := &spec.Node{ID: id, Name: attr(el, "name"), Kind: kind, Scope: sc, Line: f.lines[id], Index: len(sc.Nodes)}
	n.Lane = inheritedLane
	if l, ok := laneOf[id]; ok {
		n.Lane = l
	}
	sc.Nodes = append(sc.Nodes, n)
	sc.ByID[id] = n
	proc.AllNodes[id] = n
	return n
}

func (p *Parser) readFlow(f *fileCtx, el *etree.Element, sc *spec.Scope) {
	id := attr(el, "id")
	src, tgt := sc.ByID[attr(el, "sourceRef")], sc.ByID[attr(el, "targetRef")]
	if src == nil {
		p.problemAt(f, id, "sequence flow source %q is not an element of this process or subprocess", attr(el, "sourceRef"))
		return
	}
	if tgt == nil {
		p.problemAt(f, id, "sequence flow target %q is not an element of this process or subprocess", attr(el, "targetRef"))
		return
	}
	fl := &spec.Flow{ID: id, Name: attr(el, "name"), Source: src, Target: tgt, Line: f.lines[id]}
	if ce := child(el, "conditionExpression"); ce != nil {
		if src := strings.TrimSpace(text(ce)); src != "" {
			fl.ConditionText = src
			expr, err := p.compileExpr(id+" condition", src)
			if err != nil {
				p.problemAt(f, id, "condition does not parse: %v", err)
			} else {
				fl.Condition = expr
			}
		}
	}
	fl.Index = len(src.Outgoing)
	fl.InIndex = len(tgt.Incoming)
	src.Outgoing = append(src.Outgoing, fl)
	tgt.Incoming = append(tgt.Incoming, fl)
	sc.Flows = append(sc.Flows, fl)
}

// readNode fills the node from its element: events, loops, data, nested
// scopes and the Spiff extensions.
func (p *Parser) readNode(f *fileCtx, el *etree.Element, n *spec.Node, refs map[string]spec.DataAssociation, laneOf map[string]string) {
	sc := n.Scope
	proc := sc.Process
	if d := attr(el, "default"); d != "" {
		f.defaults[n] = d // resolved once the flows are read, in validateNode
	}
	n.ForCompensation = attr(el, "isForCompensation") == "true"
	switch n.Kind {
	case spec.KindStartEvent:
		n.Interrupting = attr(el, "isInterrupting") != "false"
		sc.Starts = append(sc.Starts, n)
	case spec.KindSubProcess, spec.KindTransaction, spec.KindEventSubProcess:
		n.Sub = &spec.Scope{ID: n.ID, Owner: n, Process: proc}
		p.readScope(f, el, n.Sub, proc, laneOf, n.Lane, refs)
		switch {
		case n.Kind != spec.KindEventSubProcess:
			if len(n.Sub.Starts) == 0 {
				p.problemAt(f, n.ID, "subprocess %q has no start event", n.ID)
			}
			for _, st := range n.Sub.Starts {
				if st.HasEvent(spec.EventCompensate) {
					p.problemAt(f, st.ID, "a compensation start event may only start an event subprocess")
				}
			}
		case len(n.Sub.Starts) != 1:
			sc.EventSubProcesses = append(sc.EventSubProcesses, n)
			p.problemAt(f, n.ID, "an event subprocess needs exactly one start event, found %d", len(n.Sub.Starts))
		case n.Sub.Starts[0].HasEvent(spec.EventCompensate):
			switch {
			case sc.Owner == nil:
				p.problemAt(f, n.ID, "a compensation event subprocess must be inside a subprocess: it compensates the subprocess it is in")
			case sc.Compensation != nil:
				p.problemAt(f, n.ID, "subprocess %q has two compensation event subprocesses, %q and %q", sc.Owner.ID, sc.Compensation.ID, n.ID)
			default:
				sc.Compensation = n
			}
		default:
			sc.EventSubProcesses = append(sc.EventSubProcesses, n)
		}
	case spec.KindCallActivity:
		n.CalledElement = strings.TrimSpace(attr(el, "calledElement"))
		if n.CalledElement == "" {
			p.problemAt(f, n.ID, "call activity has no calledElement (the id of the process to call)")
		} else {
			f.pending = append(f.pending, pendingCheck{node: n})
		}
	case spec.KindBusinessRuleTask:
		f.pending = append(f.pending, pendingCheck{node: n})
	case spec.KindScriptTask:
		src := text(child(el, "script"))
		if strings.TrimSpace(src) == "" {
			p.problemAt(f, n.ID, "script task has no script")
		} else if prog, err := p.compile(n.ID+" script", src); err != nil {
			p.problemAt(f, n.ID, "script does not parse: %v", err)
		} else {
			n.Script = prog
		}
	}
	if n.Kind.IsEvent() || n.Kind == spec.KindSendTask || n.Kind == spec.KindReceiveTask {
		p.readEventDefinitions(f, el, n)
	}
	if n.Kind.IsActivity() {
		if lc := child(el, "standardLoopCharacteristics"); lc != nil {
			p.readStandardLoop(f, lc, n)
		}
		if mi := child(el, "multiInstanceLoopCharacteristics"); mi != nil {
			p.readMultiInstance(f, mi, n)
		}
		if io := child(el, "ioSpecification"); io != nil {
			n.IOSpec = readIOSpec(io)
		}
	}
	for _, a := range children(el, "dataInputAssociation") {
		for _, s := range children(a, "sourceRef") {
			if r, ok := refs[strings.TrimSpace(text(s))]; ok {
				n.DataInputs = append(n.DataInputs, r)
			} else if !isIOSpecRef(el, strings.TrimSpace(text(s))) {
				p.problemAt(f, n.ID, "data input association refers to %q, which is not a data object or data store reference", strings.TrimSpace(text(s)))
			}
		}
	}
	for _, a := range children(el, "dataOutputAssociation") {
		for _, t := range children(a, "targetRef") {
			if r, ok := refs[strings.TrimSpace(text(t))]; ok {
				n.DataOutputs = append(n.DataOutputs, r)
			} else if !isIOSpecRef(el, strings.TrimSpace(text(t))) {
				p.problemAt(f, n.ID, "data output association refers to %q, which is not a data object or data store reference", strings.TrimSpace(text(t)))
			}
		}
	}
	if ext := child(el, "extensionElements"); ext != nil {
		p.readSpiffExtensions(f, ext, n)
	}
}

func isIOSpecRef(el *etree.Element, id string) bool {
	io := child(el, "ioSpecification")
	if io == nil {
		return false
	}
	for _, c := range io.ChildElements() {
		if attr(c, "id") == id {
			return true
		}
	}
	return false
}

func (p *Parser) readStandardLoop(f *fileCtx, el *etree.Element, n *spec.Node) {
	l := &spec.StandardLoop{TestBefore: attr(el, "testBefore") == "true"}
	if m := attr(el, "loopMaximum"); m != "" {
		v, err := strconv.Atoi(strings.TrimSpace(m))
		if err != nil || v < 0 {
			p.problemAt(f, n.ID, "loopMaximum %q is not a non-negative whole number", m)
		}
		l.Maximum, l.HasMaximum = v, true
	}
	if c := child(el, "loopCondition"); c != nil && strings.TrimSpace(text(c)) != "" {
		expr, err := p.compileExpr(n.ID+" loop condition", strings.TrimSpace(text(c)))
		if err != nil {
			p.problemAt(f, n.ID, "loop condition does not parse: %v", err)
		}
		l.Condition = expr
	}
	if !l.HasMaximum && l.Condition == nil {
		p.problemAt(f, n.ID, "a standard loop needs a loopMaximum or a loopCondition")
	}
	if v, ok := attrNS(el, NSSpiff, "scriptsOnInstances"); ok && v == "true" {
		n.ScriptsOnInstances = true
	}
	n.Loop = l
}

func (p *Parser) readMultiInstance(f *fileCtx, el *etree.Element, n *spec.Node) {
	mi := &spec.MultiInstance{Sequential: attr(el, "isSequential") == "true"}
	if c := child(el, "loopCardinality"); c != nil && strings.TrimSpace(text(c)) != "" {
		expr, err := p.compileExpr(n.ID+" loop cardinality", strings.TrimSpace(text(c)))
		if err != nil {
			p.problemAt(f, n.ID, "loop cardinality does not parse: %v", err)
		}
		mi.Cardinality = expr
	}
	mi.InputRef = strings.TrimSpace(text(child(el, "loopDataInputRef")))
	mi.OutputRef = strings.TrimSpace(text(child(el, "loopDataOutputRef")))
	if it := child(el, "inputDataItem"); it != nil {
		mi.InputItem = dataName(it)
	}
	if it := child(el, "outputDataItem"); it != nil {
		mi.OutputItem = dataName(it)
	}
	if c := child(el, "completionCondition"); c != nil && strings.TrimSpace(text(c)) != "" {
		expr, err := p.compileExpr(n.ID+" completion condition", strings.TrimSpace(text(c)))
		if err != nil {
			p.problemAt(f, n.ID, "completion condition does not parse: %v", err)
		}
		mi.Completion = expr
	}
	switch {
	case mi.Cardinality == nil && mi.InputRef == "" && child(el, "loopCardinality") == nil:
		p.problemAt(f, n.ID, "a multi-instance activity needs a loopCardinality or a loopDataInputRef")
	case mi.Cardinality != nil && mi.InputRef != "":
		p.problemAt(f, n.ID, "a multi-instance activity takes exactly one of loopCardinality and loopDataInputRef, not both")
	}
	if v, ok := attrNS(el, NSSpiff, "scriptsOnInstances"); ok && v == "true" {
		n.ScriptsOnInstances = true
	}
	n.MI = mi
}

// validateNode checks what can only be checked once the flows are linked.
func (p *Parser) validateNode(f *fileCtx, n *spec.Node) {
	if d, ok := f.defaults[n]; ok {
		for _, fl := range n.Outgoing {
			if fl.ID == d {
				n.Default = fl
			}
		}
		if n.Default == nil {
			p.problemAt(f, n.ID, "default flow %q is not an outgoing flow of this element", d)
		}
	}
	inEventSub := n.Scope.Owner != nil && n.Scope.Owner.Kind == spec.KindEventSubProcess
	switch n.Kind {
	case spec.KindExclusiveGateway, spec.KindInclusiveGateway:
		if len(n.Outgoing) == 0 {
			p.problemAt(f, n.ID, "%s has no outgoing sequence flow", gatewayWord(n.Kind))
		}
		if n.Kind == spec.KindExclusiveGateway && len(n.Outgoing) > 1 {
			for _, fl := range n.Outgoing {
				if fl.ConditionText == "" && fl != n.Default {
					p.problemAt(f, fl.ID, "flow %q leaves exclusive gateway %q without a condition and is not its default flow (non-default exclusive outgoing sequence flow without condition)", fl.ID, n.ID)
				}
			}
		}
	case spec.KindParallelGateway, spec.KindEventBasedGateway:
		if len(n.Outgoing) == 0 {
			p.problemAt(f, n.ID, "%s has no outgoing sequence flow", gatewayWord(n.Kind))
		}
	case spec.KindStartEvent:
		if len(n.Incoming) > 0 {
			p.problemAt(f, n.ID, "a start event cannot have incoming sequence flows")
		}
	case spec.KindEndEvent:
		if len(n.Outgoing) > 0 {
			p.problemAt(f, n.ID, "an end event cannot have outgoing sequence flows")
		}
	case spec.KindBoundaryEvent, spec.KindEventSubProcess:
	case spec.KindIntermediateCatchEvent:
		if len(n.Incoming) == 0 && !n.HasEvent(spec.EventLink) && !inEventSub {
			p.problemAt(f, n.ID, "%s %q is not connected: no sequence flow leads to it, so it can never run", n.Kind, displayName(n))
		}
	default:
		if len(n.Incoming) == 0 && !inEventSub && !n.ForCompensation {
			p.problemAt(f, n.ID, "%s %q is not connected: no sequence flow leads to it, so it can never run", n.Kind, displayName(n))
		}
	}
	if n.Kind == spec.KindEventBasedGateway {
		for _, fl := range n.Outgoing {
			t := fl.Target
			if t.Kind != spec.KindReceiveTask && (t.Kind != spec.KindIntermediateCatchEvent || len(t.Events) == 0) {
				p.problemAt(f, n.ID, "an event-based gateway may only lead to catch events and receive tasks; %q is a %s", t.ID, t.Kind)
			}
		}
	}
	if n.Kind == spec.KindInclusiveGateway && len(n.Incoming) > 1 || n.Kind == spec.KindParallelGateway && loopsBack(n) {
		n.JoinReach = computeJoinReach(n)
	}
}

func gatewayWord(k spec.Kind) string {
	switch k {
	case spec.KindExclusiveGateway:
		return "exclusive gateway"
	case spec.KindInclusiveGateway:
		return "inclusive gateway"
	case spec.KindParallelGateway:
		return "parallel gateway"
	}
	return "event-based gateway"
}

func displayName(n *spec.Node) string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// loopsBack reports whether a join has an input that no start event of
// its scope reaches without passing through the join: a flow looping back
// from after it. SpiffWorkflow does not wait for such an input on the way
// in, nor for the way-in inputs when a token comes round the loop.
func loopsBack(g *spec.Node) bool {
	if len(g.Incoming) < 2 {
		return false
	}
	seen := map[*spec.Node]bool{g: true}
	var stack []*spec.Node
	push := func(n *spec.Node) {
		if n != nil && !seen[n] {
			seen[n] = true
			stack = append(stack, n)
		}
	}
	for _, s := range g.Scope.Starts {
		push(s)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, fl := range n.Outgoing {
			push(fl.Target)
		}
		for _, b := range n.Boundaries {
			push(b)
		}
		push(n.LinkTarget)
	}
	for _, fl := range g.Incoming {
		if !seen[fl.Source] {
			return true
		}
	}
	return false
}

// computeJoinReach computes, for every node in the gateway's scope, which of
// the gateway's incoming flows a token at that node can still reach without
// passing through the gateway. The runtime uses it for BPMN's inclusive join
// rule. Boundary events are followed from the activity they are attached to.
func computeJoinReach(g *spec.Node) map[*spec.Node]spec.Bitset {
	reach := map[*spec.Node]spec.Bitset{}
	for _, start := range g.Scope.Nodes {
		var mask spec.Bitset
		seen := map[*spec.Node]bool{start: true}
		stack := []*spec.Node{start}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			next := n.Outgoing
			for _, b := range n.Boundaries {
				if !seen[b] {
					seen[b] = true
					stack = append(stack, b)
				}
			}
			if l := n.LinkTarget; l != nil && !seen[l] {
				seen[l] = true
				stack = append(stack, l)
			}
			for _, fl := range next {
				if fl.Target == g {
					mask.Add(fl.InIndex)
					continue
				}
				if !seen[fl.Target] {
					seen[fl.Target] = true
					stack = append(stack, fl.Target)
				}
			}
		}
		if mask != nil {
			reach[start] = mask
		}
	}
	return reach
}
