package bpmn

import (
	"github.com/beevik/etree"
)

// Which problems block a model.
//
// SpiffWorkflow builds a process by walking from its start events, and only
// for the processes it is asked to run and those they call. A problem on an
// element no start event leads to, or in a pool that is not executable, never
// stops a model there; here such a problem becomes a warning: still
// reported, against its file and element, but the library loads. A problem
// is an error when it lies on the reachable part of a checked process:
//   - a process with isExecutable="true",
//   - a process without the attribute that is not a collaboration's pool
//     (a single-process file written by hand),
//   - the process named in Options.Primary,
//   - and every process a call activity of a checked process calls.
// Problems that name no element of a process (malformed XML, duplicate
// ids, collaboration and message problems) are always errors.

// fileReach is what the reachability walk learnt about one file.
type fileReach struct {
	procOf     map[string]string   // element id -> id of the process holding it
	unreached  map[string]bool     // flow nodes and flows no start event leads to
	calls      map[string][]string // process id -> calledElement of its reachable call activities
	executable map[string]string   // process id -> its isExecutable attribute ("" when absent)
}

func newFileReach() *fileReach {
	return &fileReach{procOf: map[string]string{}, unreached: map[string]bool{}, calls: map[string][]string{}, executable: map[string]string{}}
}

// scopeTags are the elements whose children form a nested flow.
var scopeTags = map[string]bool{"subProcess": true, "transaction": true, "adHocSubProcess": true}

// walkReach marks which elements of process el can ever run: the start
// events of the process; what a sequence flow leads to from a reached
// element; the boundary events of a reached activity; the link catch events
// named by a reached link throw event of the same scope; the inside of a
// reached subprocess, from its start events; event subprocesses and
// compensation handlers of a reached scope. The walk is linear in the size
// of the process.
func (r *fileReach) walkReach(el *etree.Element) {
	pid := attr(el, "id")
	r.executable[pid] = attr(el, "isExecutable")
	var (
		byID      = map[string]*etree.Element{}
		out       = map[string][]string{} // source id -> outgoing flow ids
		target    = map[string]string{}   // flow id -> target id
		attached  = map[string][]string{} // activity id -> boundary event ids
		catches   = map[*etree.Element]map[string][]string{}
		scopeOf   = map[string]*etree.Element{}
		entries   = map[*etree.Element][]string{} // scope -> elements reached on entry
		reached   = map[string]bool{}
		candidate []string
	)
	var index func(sc *etree.Element)
	index = func(sc *etree.Element) {
		catches[sc] = map[string][]string{}
		for _, c := range sc.ChildElements() {
			if !isModel(c) {
				continue
			}
			id := attr(c, "id")
			if id == "" {
				continue
			}
			r.markProc(c, pid)
			switch {
			case c.Tag == "sequenceFlow":
				out[attr(c, "sourceRef")] = append(out[attr(c, "sourceRef")], id)
				target[id] = attr(c, "targetRef")
			case ignoredInScope[c.Tag]:
				continue
			case c.Tag == "boundaryEvent":
				attached[attr(c, "attachedToRef")] = append(attached[attr(c, "attachedToRef")], id)
			case c.Tag == "startEvent",
				scopeTags[c.Tag] && attr(c, "triggeredByEvent") == "true",
				attr(c, "isForCompensation") == "true":
				entries[sc] = append(entries[sc], id)
			case c.Tag == "intermediateCatchEvent":
				if l := child(c, "linkEventDefinition"); l != nil {
					name := linkName(c, l)
					catches[sc][name] = append(catches[sc][name], id)
				}
			}
			byID[id] = c
			scopeOf[id] = sc
			candidate = append(candidate, id)
			if scopeTags[c.Tag] {
				index(c)
			}
		}
	}
	r.procOf[pid] = pid
	index(el)

	var work []string
	reach := func(id string) {
		if id != "" && !reached[id] {
			reached[id] = true
			work = append(work, id)
		}
	}
	for _, id := range entries[el] {
		reach(id)
	}
	for len(work) > 0 {
		id := work[len(work)-1]
		work = work[:len(work)-1]
		if t, isFlow := target[id]; isFlow {
			reach(t)
			continue
		}
		c := byID[id]
		for _, fl := range out[id] {
			reach(fl)
		}
		for _, b := range attached[id] {
			reach(b)
		}
		if c == nil {
			continue
		}
		if scopeTags[c.Tag] {
			for _, e := range entries[c] {
				reach(e)
			}
		}
		if c.Tag == "intermediateThrowEvent" {
			if l := child(c, "linkEventDefinition"); l != nil {
				for _, to := range catches[scopeOf[id]][linkName(c, l)] {
					reach(to)
				}
			}
		}
		if c.Tag == "callActivity" {
			if called := attr(c, "calledElement"); called != "" {
				r.calls[pid] = append(r.calls[pid], called)
			}
		}
	}
	for _, id := range candidate {
		if !reached[id] {
			r.unreached[id] = true
		}
	}
	for id := range target {
		if !reached[id] {
			r.unreached[id] = true
		}
	}
}

// markProc records the process of an element and of every element inside it.
func (r *fileReach) markProc(el *etree.Element, pid string) {
	if id := attr(el, "id"); id != "" {
		if _, seen := r.procOf[id]; !seen {
			r.procOf[id] = pid
		}
	}
	for _, c := range el.ChildElements() {
		if scopeTags[c.Tag] && isModel(c) {
			continue // indexed as a scope of its own, which marks it
		}
		r.markProc(c, pid)
	}
}

// linkName is the name a link event definition pairs by: its name, else the
// event's name (as SpiffWorkflow reads it).
func linkName(ev, def *etree.Element) string {
	if n := attr(def, "name"); n != "" {
		return n
	}
	return attr(ev, "name")
}

// classify splits the problems found into errors and warnings (see the
// comment at the top of this file).
func (p *Parser) classify() {
	byName := map[string]*fileCtx{}
	participant := map[string]bool{}
	for _, f := range p.files {
		byName[f.name] = f
	}
	for _, c := range p.collabs {
		for _, part := range c.Participants {
			participant[part.ProcessID] = true
		}
	}
	calls := map[string][]string{}
	var queue []string
	checked := map[string]bool{}
	check := func(pid string) {
		if pid != "" && !checked[pid] {
			checked[pid] = true
			queue = append(queue, pid)
		}
	}
	for _, f := range p.files {
		for pid, ex := range f.reach.executable {
			calls[pid] = append(calls[pid], f.reach.calls[pid]...)
			if ex == "true" || ex == "" && !participant[pid] {
				check(pid)
			}
		}
	}
	check(p.opts.Primary)
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, called := range calls[pid] {
			check(called)
		}
	}
	kept := p.problems[:0]
	for i, pr := range p.problems {
		f := byName[pr.File]
		if f == nil || pr.ElementID == "" || p.hard[i] {
			kept = append(kept, pr)
			continue
		}
		pid, inProc := f.reach.procOf[pr.ElementID]
		if !p.soft[i] && (!inProc || checked[pid] && !f.reach.unreached[pr.ElementID]) {
			kept = append(kept, pr)
			continue
		}
		pr.Warning = true
		p.warnings = append(p.warnings, pr)
	}
	p.problems = kept
}
