package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// wait puts a catching task in WAITING and arms what it waits for: a
// timer's due time, correlation values, or an immediate check of a
// conditional event.
func (in *Instance) wait(t *Task) {
	in.setState(t, Waiting)
	for _, d := range t.Node.Events {
		switch d.Type {
		case spec.EventTimer:
			if te := in.armTimer(t, d); te != nil {
				in.fail(t, te)
				return
			}
		case spec.EventMessage:
			for _, pc := range d.ProcessCorrelations {
				v, err := pc.Expr.Eval(in.scriptEnv(t), t.Data)
				if err != nil {
					in.fail(t, in.taskErr(t, "ready", "correlation expression", err))
					return
				}
				in.recordCorrelation(t.Scope, pc.PropertyID, v, true)
			}
		case spec.EventConditional:
			if t.Gate == 0 {
				in.checkConditional(t)
			}
		}
	}
}

func (in *Instance) armTimer(t *Task, d *spec.EventDef) *TaskError {
	if d.TimerExpr == nil {
		return &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "ready", Msg: "timer has no expression"}
	}
	v, err := d.TimerExpr.Eval(in.scriptEnv(t), t.Data)
	if err != nil {
		// SpiffArena files may hold the ISO-8601 text itself (R/P1H)
		// rather than an expression giving it ("R/P1H").
		raw := strings.TrimSpace(d.TimerExpr.Source())
		if !isoTimerText(d.TimerType, raw, in.now()) {
			return in.taskErr(t, "ready", "timer expression", err)
		}
		v = raw
	}
	s, ok := v.(string)
	if !ok {
		return &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "ready", Msg: fmt.Sprintf("timer expression must give ISO-8601 text, not %s", script.ToPython(v))}
	}
	now := in.now()
	switch d.TimerType {
	case spec.TimerDate:
		due, err := parseISODate(s)
		if err != nil {
			return &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "ready", Msg: err.Error()}
		}
		t.Due = due
	case spec.TimerDuration:
		due, err := addISODuration(now, s)
		if err != nil {
			return &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "ready", Msg: err.Error()}
		}
		t.Due = due
	case spec.TimerCycle:
		due, period, reps, err := parseCycle(now, s)
		if err != nil {
			return &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "ready", Msg: err.Error()}
		}
		t.Due, t.Period, t.Cycles = due, period, reps
	}
	return nil
}

// isoTimerText reports whether s is valid ISO-8601 text for a timer of
// the type.
func isoTimerText(typ spec.TimerType, s string, now time.Time) bool {
	if s == "" {
		return false
	}
	var err error
	switch typ {
	case spec.TimerDate:
		_, err = parseISODate(s)
	case spec.TimerDuration:
		_, err = addISODuration(now, s)
	case spec.TimerCycle:
		_, _, _, err = parseCycle(now, s)
	default:
		return false
	}
	return err == nil
}

// pendingThrow is an event a throwing task throws once it has completed.
type pendingThrow struct {
	def     *spec.EventDef
	payload any
}

// preparePayloads evaluates the payloads of a throwing task's event
// definitions. The events are thrown by throwAll after the task completed:
// the throw event is reached first, then its event may interrupt the scope
// it is in.
func (in *Instance) preparePayloads(t *Task) ([]pendingThrow, *TaskError) {
	var out []pendingThrow
	for _, d := range t.Node.Events {
		var payload any
		if d.Payload != nil {
			v, err := d.Payload.Eval(in.scriptEnv(t), t.Data)
			if err != nil {
				return nil, in.taskErr(t, "run", "payload", err)
			}
			payload = v
		}
		out = append(out, pendingThrow{def: d, payload: payload})
	}
	return out, nil
}

// throwAll throws the prepared events of a completed throwing task.
func (in *Instance) throwAll(t *Task, throws []pendingThrow) {
	for _, pt := range throws {
		d, payload := pt.def, pt.payload
		switch d.Type {
		case spec.EventMessage:
			if payload == nil {
				payload = map[string]any{}
			}
			corr := in.messageCorrelations(d, payload)
			for k, v := range corr {
				in.recordCorrelation(t.Scope, k, v, false)
			}
			if !in.deliver(spec.EventMessage, d.Name, "", payload, t) {
				in.effects = append(in.effects, Effect{Kind: "message", Name: d.Name, Payload: payload, Correlations: corr, TaskID: t.ID, NodeID: t.Node.ID})
			}
		case spec.EventSignal:
			if !in.deliver(spec.EventSignal, d.Name, "", payload, t) {
				in.effects = append(in.effects, Effect{Kind: "signal", Name: d.Name, Payload: payload, TaskID: t.ID, NodeID: t.Node.ID})
			}
		case spec.EventError:
			if !in.propagate(t, d, payload) {
				// BPMN: an error nobody catches fails the instance where it
				// was thrown (SpiffWorkflow lets the end event complete).
				// Retry throws it again, once the model catches it.
				in.effects = append(in.effects, Effect{Kind: "error", Name: d.Name, Code: d.Code, Payload: payload, TaskID: t.ID, NodeID: t.Node.ID})
				in.seq--
				t.Seq = 0
				in.fail(t, &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: "run", Msg: uncaughtError(d)})
				return
			}
		case spec.EventEscalation:
			if !in.propagate(t, d, payload) {
				in.effects = append(in.effects, Effect{Kind: "escalation", Name: d.Name, Code: d.Code, Payload: payload, TaskID: t.ID, NodeID: t.Node.ID})
			}
		case spec.EventCancel:
			in.cancelTransaction(t)
		}
	}
}

// uncaughtError says which error was thrown and not caught.
func uncaughtError(d *spec.EventDef) string {
	switch {
	case d.Name != "" && d.Code != "":
		return fmt.Sprintf("error %q (code %q) was thrown and no boundary event or event subprocess caught it", d.Name, d.Code)
	case d.Code != "":
		return fmt.Sprintf("error code %q was thrown and no boundary event or event subprocess caught it", d.Code)
	case d.Name != "":
		return fmt.Sprintf("error %q was thrown and no boundary event or event subprocess caught it", d.Name)
	}
	return "an error was thrown and no boundary event or event subprocess caught it"
}

// messageCorrelations computes a message's correlation values from its payload.
func (in *Instance) messageCorrelations(d *spec.EventDef, payload any) map[string]any {
	if len(d.CorrelationProperties) == 0 {
		return nil
	}
	ns, ok := payload.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	// A message's payload belongs to no task: the expressions see none.
	in.scriptTask = nil
	for _, cp := range d.CorrelationProperties {
		if e := cp.Retrieval[d.Name]; e != nil {
			if v, err := e.Eval(&in.senv, ns); err == nil {
				out[cp.ID] = v
			}
		}
	}
	return out
}

// recordCorrelation records a correlation value in a scope; a send does not
// overwrite a value already recorded (replies correlate to the first).
func (in *Instance) recordCorrelation(scope int, prop string, v any, overwrite bool) {
	sc := in.scopes[scope]
	if sc == nil {
		return
	}
	if _, set := sc.corr[prop]; set && !overwrite {
		return
	}
	sc.corr = with(sc.corr, prop, v)
}

// correlation finds the value recorded for a property in a scope or the
// scopes around it.
func (in *Instance) correlation(scope int, prop string) (any, bool) {
	for sc := in.scopes[scope]; sc != nil; {
		if v, ok := sc.corr[prop]; ok {
			return v, true
		}
		if sc.key <= 0 {
			break
		}
		sc = in.scopes[sc.parent]
	}
	return nil, false
}

// correlates reports whether an incoming message matches the correlation
// values recorded around the catching task.
func (in *Instance) correlates(w *Task, d *spec.EventDef, payload any) bool {
	for k, v := range in.messageCorrelations(d, payload) {
		if have, ok := in.correlation(w.Scope, k); ok && !equalValue(have, v) {
			return false
		}
	}
	return true
}

// Deliver hands a message or signal from outside to the instance and runs
// it. It reports whether anything caught it.
func (in *Instance) Deliver(kind, name string, payload any) (bool, error) {
	var t spec.EventType
	switch kind {
	case "message":
		t = spec.EventMessage
	case "signal":
		t = spec.EventSignal
	default:
		return false, fmt.Errorf("cannot deliver a %q event (message or signal)", kind)
	}
	in.tick()
	caught := in.deliver(t, name, "", Normalize(payload), nil)
	in.run()
	return caught, nil
}

// deliver offers an event to every waiting catcher; a message goes to the
// first catcher only, a signal to all. It reports whether one caught it.
func (in *Instance) deliver(typ spec.EventType, name, code string, payload any, from *Task) bool {
	caught := false
	for _, w := range in.activeTasks() {
		if w.State != Waiting || w == from {
			continue
		}
		for _, d := range w.Node.Events {
			if d.Type != typ || d.Name != name {
				continue
			}
			if !w.Awaits(d) {
				continue
			}
			if typ == spec.EventMessage && !w.Pool && !in.correlates(w, d, payload) {
				continue
			}
			if w.Trigger || in.scopeActive(w) {
				in.fire(w, d, payload)
				caught = true
			}
			break
		}
		if caught && typ == spec.EventMessage {
			return true
		}
	}
	return caught
}

// scopeActive reports whether a waiting task's scope is still running. A
// compensation handler (a receive task) waits in the scope of the activity
// it undoes, which may have finished long before.
func (in *Instance) scopeActive(t *Task) bool {
	sc := in.scopes[t.Scope]
	return sc != nil && (!sc.done || t.compFor() != 0)
}

// fire makes a waiting catcher react to its event.
func (in *Instance) fire(w *Task, d *spec.EventDef, payload any) {
	if d.Variable != "" && !w.Pool {
		w.Data = with(w.Data, d.Variable, deepCopy(payload))
	}
	if !in.allOccurred(w, d) {
		return
	}
	if d.Type == spec.EventMessage && w.Node.Kind == spec.KindStartEvent && !w.Pool && !w.Trigger {
		// A message that starts a process sets the correlation values its
		// later messages are matched by, as for a pool it starts.
		for k, v := range in.messageCorrelations(d, payload) {
			in.recordCorrelation(w.Scope, k, v, true)
		}
	}
	switch {
	case w.Pool:
		in.startPool(w, d, payload)
		return
	case w.Trigger:
		in.startEventSubProcess(w, payload)
		return
	case w.Attached != 0:
		act := in.Task(w.Attached)
		if w.Node.CancelActivity {
			in.cancelTask(act)
			in.queue = pruneQueue(in.queue)
		} else {
			// A non-interrupting boundary event starts a path of its own and
			// keeps waiting for the next occurrence.
			nt := in.newTask(w.Node, w.Scope, w.Data, act.ID)
			nt.Attached = act.ID
			in.setState(nt, Ready)
			in.completeCatch(nt)
			if d.Type == spec.EventTimer {
				in.rearmCycle(w)
			}
			return
		}
	case d.Type == spec.EventTimer && w.Node.Kind == spec.KindIntermediateCatchEvent && w.Gate == 0 && w.Period > 0 && w.Cycles != 1:
		// A cycle on an intermediate timer sends a token on at every
		// occurrence, as SpiffWorkflow does; the event keeps waiting until
		// its last occurrence, which completes it.
		nt := in.newTask(w.Node, w.Scope, w.Data, w.ID)
		in.setState(nt, Ready)
		in.completeCatch(nt)
		if w.Cycles > 0 {
			w.Cycles--
		}
		w.Due = w.Due.Add(w.Period)
		return
	case w.Gate != 0:
		g := in.Task(w.Gate)
		for _, o := range in.activeTasks() {
			if o.Gate == g.ID && o != w && o.State.Live() {
				in.setState(o, Cancelled)
			}
		}
		in.setState(g, Ready)
		in.setState(g, Completed)
		in.seq++
		g.Seq = in.seq
		in.lastDone = g
	}
	in.setState(w, Ready)
	in.completeCatch(w)
}

// allOccurred records that event d happened for catcher w and reports
// whether w may react now: at once for an event with one definition or
// without parallelMultiple, and for a parallelMultiple one only once every
// one of its definitions has happened (BPMN; a timer among them stops
// counting down once it has).
func (in *Instance) allOccurred(w *Task, d *spec.EventDef) bool {
	n := w.Node
	if !n.ParallelMultiple || len(n.Events) < 2 {
		return true
	}
	if w.Arrivals == nil {
		w.Arrivals = make([]int, len(n.Events))
	}
	missing := false
	for i, e := range n.Events {
		if e == d {
			w.Arrivals[i]++
			if e.Type == spec.EventTimer {
				w.Due = time.Time{}
			}
		}
		if w.Arrivals[i] == 0 {
			missing = true
		}
	}
	if missing {
		return false
	}
	w.Arrivals = nil
	return true
}

// Awaits reports whether the waiting task t still waits for its event
// definition d: a parallelMultiple catcher no longer waits for a
// definition that already occurred, so a second such message is left for
// other receivers instead of being swallowed.
func (t *Task) Awaits(d *spec.EventDef) bool {
	if !t.Node.ParallelMultiple || t.Arrivals == nil {
		return true
	}
	for i, e := range t.Node.Events {
		if e == d {
			return i >= len(t.Arrivals) || t.Arrivals[i] == 0
		}
	}
	return true
}

// completeCatch completes a catching task whose event happened.
func (in *Instance) completeCatch(t *Task) {
	if t.Node.Kind == spec.KindStartEvent || t.Node.Kind == spec.KindBoundaryEvent || t.Node.Kind == spec.KindIntermediateCatchEvent {
		in.completeTask(t)
		return
	}
	in.completeTask(t) // receive task
}

// rearmCycle schedules the next occurrence of a cycle timer, or ends it.
func (in *Instance) rearmCycle(w *Task) {
	if w.Cycles == 0 || w.Period <= 0 {
		in.setState(w, Cancelled)
		return
	}
	if w.Cycles > 0 {
		w.Cycles--
		if w.Cycles == 0 {
			in.setState(w, Cancelled)
			return
		}
	}
	w.Due = w.Due.Add(w.Period)
}

// AdvanceTo fires every waiting timer whose due time is strictly before now
// (SpiffWorkflow compares with <) and runs the instance.
func (in *Instance) AdvanceTo(now time.Time) {
	in.tick()
	for {
		fired := false
		for _, w := range in.activeTasks() {
			if w.State != Waiting || w.Due.IsZero() || !w.Due.Before(now) {
				continue
			}
			if !w.Trigger && !in.scopeActive(w) {
				continue
			}
			for _, d := range w.Node.Events {
				if d.Type == spec.EventTimer {
					in.fire(w, d, nil)
					fired = true
					break
				}
			}
		}
		in.run()
		if !fired {
			return
		}
	}
}

// NextTimer returns the earliest due time of a waiting timer, if any.
func (in *Instance) NextTimer() (time.Time, bool) {
	var next time.Time
	for _, t := range in.activeTasks() {
		if t.State == Waiting && !t.Due.IsZero() && (next.IsZero() || t.Due.Before(next)) {
			next = t.Due
		}
	}
	return next, !next.IsZero()
}

// checkConditionals re-evaluates the waiting conditional events of a scope.
func (in *Instance) checkConditionals(sc *scopeInst) {
	for _, t := range in.activeTasks() {
		if t.State == Waiting && t.Scope == sc.key && t.Node.HasEvent(spec.EventConditional) {
			in.checkConditional(t)
		}
	}
}

func (in *Instance) checkConditional(t *Task) {
	for _, d := range t.Node.Events {
		if d.Type != spec.EventConditional || d.Condition == nil {
			continue
		}
		ok, err := d.Condition.EvalBool(in.scriptEnv(t), t.Data)
		if err != nil {
			in.fail(t, in.taskErr(t, "ready", "condition", err))
			return
		}
		held := t.condHeld
		t.condHeld = ok
		if ok && !held {
			// BPMN: the event happens when the condition becomes true.
			in.fire(t, d, nil)
			return
		}
	}
}

// propagate offers an error or escalation thrown by t to the boundary events
// of the activities around it and to the event subprocesses of the scopes
// around it, innermost first. It reports whether one caught it.
func (in *Instance) propagate(t *Task, d *spec.EventDef, payload any) bool {
	scope := t.Scope
	for {
		sc := in.scopes[scope]
		if sc == nil {
			return false
		}
		// Event subprocesses of this scope.
		for _, w := range in.activeTasks() {
			if w.Trigger && w.Scope == scope && w.State == Waiting {
				if ed := matchCode(w.Node, d); ed != nil {
					in.fire(w, ed, payload)
					return true
				}
			}
		}
		if scope <= 0 {
			return false
		}
		owner := in.Task(scope)
		if owner == nil {
			return false
		}
		act := owner
		if owner.Role == RoleInstance {
			act = in.Task(owner.Wrapper)
		}
		for _, b := range in.activeTasks() {
			if b.Attached == act.ID && b.State == Waiting {
				if ed := matchCode(b.Node, d); ed != nil {
					in.fire(b, ed, payload)
					return true
				}
			}
		}
		scope = act.Scope
	}
}

// matchCode finds a catching definition of the same type whose code matches
// (a catcher without a code catches any).
func matchCode(n *spec.Node, d *spec.EventDef) *spec.EventDef {
	for _, c := range n.Events {
		if c.Type == d.Type && (c.Code == "" || c.Code == d.Code) {
			return c
		}
	}
	return nil
}

// cancelTransaction handles a cancel end event: the enclosing transaction is
// cancelled and its cancel boundary event fires.
func (in *Instance) cancelTransaction(t *Task) {
	scope := t.Scope
	for scope > 0 {
		owner := in.Task(scope)
		if owner.Node.Kind == spec.KindTransaction {
			for _, b := range in.activeTasks() {
				if b.Attached == owner.ID && b.State == Waiting && b.Node.HasEvent(spec.EventCancel) {
					// What still runs in the transaction stops, and what
					// completed in it is compensated, before the cancel
					// boundary event moves on (BPMN 10.3.7).
					sc := in.scopes[owner.ID]
					if ids := in.takeCancelRecords(sc); len(ids) > 0 {
						in.cancelScope(sc)
						in.queue = pruneQueue(in.queue)
						b.comp = &compState{todo: ids}
						b.Data = t.Data
						in.nextCompensation(b)
						return
					}
					in.fire(b, b.Node.Event(), nil)
					return
				}
			}
			return
		}
		scope = owner.Scope
	}
}

// followLink jumps from a link throw event to the link catch event of the
// same name in the same scope (paired by the parser).
func (in *Instance) followLink(t *Task) {
	if to := t.Node.LinkTarget; to != nil {
		in.arrive(to, t.Scope, t.Data, nil, t)
	}
}

// armEventSubProcess makes an event subprocess of a running scope wait for
// its trigger; one with a none start runs at once.
func (in *Instance) armEventSubProcess(sc *scopeInst, es *spec.Node, data map[string]any, from int) {
	st := es.Sub.Starts[0]
	if len(st.Events) == 0 {
		t := in.newTask(es, sc.key, data, from)
		in.setState(t, Started)
		inner := in.openScope(t.ID, es.Sub, sc.process, sc.key)
		in.startScope(inner, data, t)
		return
	}
	w := in.newTask(st, sc.key, data, from)
	w.Trigger = true
	in.wait(w)
}

// startPool starts a new instance of a pool whose start event caught a
// message or signal; the pool's trigger keeps waiting for the next one.
func (in *Instance) startPool(w *Task, d *spec.EventDef, payload any) {
	p := w.Node.Scope.Process
	key := in.nextRootKey()
	sc := in.openScope(key, &p.Scope, p, 0)
	sc.byMessage = true
	in.roots = append(in.roots, key)
	for k, v := range in.messageCorrelations(d, payload) {
		in.recordCorrelation(key, k, v, true)
	}
	data := in.Task(w.ID).Data
	start := in.newTask(w.Node, key, data, w.ID)
	if d.Variable != "" {
		start.Data = with(start.Data, d.Variable, deepCopy(payload))
	}
	in.setState(start, Ready)
	in.completeTask(start)
	for _, es := range p.EventSubProcesses {
		in.armEventSubProcess(sc, es, data, start.ID)
	}
	in.checkScope(sc)
}

// startEventSubProcess runs an event subprocess whose trigger fired. An
// interrupting one cancels everything else in the scope; a non-interrupting
// one leaves its trigger waiting for the next event.
func (in *Instance) startEventSubProcess(w *Task, payload any) {
	st := w.Node
	es := st.Scope.Owner
	sc := in.scopes[w.Scope]
	if st.Interrupting {
		sc.interruptedAt = in.seq
		in.setState(w, Cancelled)
		for _, o := range in.activeTasks() {
			if in.runsIn(o, sc.key) && o.State.Live() {
				in.cancelTask(o)
			}
		}
		in.cancelTriggers(sc)
		in.queue = pruneQueue(in.queue)
	} else if st.HasEvent(spec.EventTimer) {
		in.rearmCycle(w)
	}
	t := in.newTask(es, sc.key, w.Data, w.ID)
	in.setState(t, Started)
	inner := in.openScope(t.ID, es.Sub, sc.process, sc.key)
	start := in.newTask(st, inner.key, w.Data, t.ID)
	in.setState(start, Ready)
	in.completeTask(start)
	for _, sub := range es.Sub.EventSubProcesses {
		in.armEventSubProcess(inner, sub, w.Data, t.ID)
	}
	in.checkScope(inner)
}
