package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Role says how a task relates to loop and multi-instance activities.
type Role uint8

// Task roles.
const (
	// RolePlain is an ordinary task.
	RolePlain Role = iota
	// RoleWrapper is the loop or multi-instance activity as a whole.
	RoleWrapper
	// RoleInstance is one instance (or loop iteration) inside a wrapper.
	RoleInstance
)

// Task is one task instance: a token at a flow node.
type Task struct {
	ID    int
	Node  *spec.Node
	State State
	// Scope is the key of the scope instance the task runs in: 0 (or below
	// for collaboration pools) for the process, else the id of the task that
	// owns the subprocess, call activity or event subprocess.
	Scope int
	// Data is the task's data. It is never changed in place.
	Data map[string]any
	// From is the task this one came from (0 for the first).
	From int
	// Seq orders completions (0 until completed).
	Seq              int
	Created, Updated time.Time
	Err              *TaskError

	Role    Role
	Wrapper int // RoleInstance: the wrapper task
	Index   int // RoleInstance: instance index or loop iteration
	Key     any // RoleInstance: key or index of the item in the input collection

	Attached int  // boundary events: the activity task they are attached to
	Gate     int  // catch events after an event-based gateway: the gateway task
	Trigger  bool // the waiting start event of an event subprocess or of a pool
	Pool     bool // Trigger of a pool that starts a new participant instance per event
	// itemPending marks a READY multi-instance script instance whose Data
	// does not hold its input item yet: the script adds it when it runs
	// (see spawnInstance). Leaving READY any other way adds it to Data.
	itemPending bool
	// condHeld says a waiting conditional event's condition held when last
	// evaluated: a catcher that keeps waiting after it fired (a
	// non-interrupting boundary event or event subprocess) fires again only
	// once its condition has been false in between.
	condHeld bool
	// missing counts a join's inputs without a token yet; ownData says a
	// waiting join's Data is a copy only it holds, merged into in place.
	// Neither is stored: Restore recomputes missing, and a restored join
	// copies its data once more before merging.
	missing int
	ownData bool
	// outList is the output list a sequential multi-instance activity last
	// built: while its Data still holds that very list, the next output is
	// appended in place (every holder of an earlier, shorter view is
	// unaffected), so the list is not copied once per instance.
	outList []any
	// touched is the host call in which the task was last listed as
	// changed (see Instance.Touched).
	touched int
	// Due is when a waiting timer fires.
	Due time.Time
	// Cycles left for a timer cycle (-1 = unbounded); Period its interval.
	Cycles int
	Period time.Duration
	// Arrivals counts the tokens that reached a join, per incoming flow; on
	// a parallelMultiple catch event, the occurrences of each of its event
	// definitions (by index in Node.Events).
	Arrivals []int
	// Loop holds a wrapper's bookkeeping.
	Loop *loopState
	// throws are the events a throwing task throws when it completes; they
	// live only between running the task and completing it.
	throws []pendingThrow
	// comp is the compensation a task takes part in (nil for nearly all).
	comp *compState
	// gone marks a finished task whose element a migration found removed
	// from the model: Node is a stand-in that only carries the id.
	gone bool
}

// compState is a task's part in compensation: what a compensation throw
// (or a transaction's cancel boundary event) still has to compensate, or
// which task a handler runs for.
type compState struct {
	// todo lists the ids of the completed activities still to compensate,
	// in the order they are compensated.
	todo []int
	// handlerOf is, on a compensation handler (or a compensation event
	// subprocess), the id of the task whose compensation waits for it.
	handlerOf int
}

// compFor returns the task a compensation handler runs for (0: t is none).
func (t *Task) compFor() int {
	if t.comp == nil {
		return 0
	}
	return t.comp.handlerOf
}

// compTodo returns what a compensation throw still has to compensate.
func (t *Task) compTodo() []int {
	if t.comp == nil {
		return nil
	}
	return t.comp.todo
}

// loopState is the bookkeeping of a loop or multi-instance wrapper.
type loopState struct {
	Total int   // instances to run (MI)
	Next  int   // next instance index to create
	Done  int   // finished instances or iterations
	Keys  []any // key or index per instance (MI over a collection)
	Items []any // item per instance
	// OutKeys and OutItems collect the output items of finished instances in
	// the order they finished; they are placed into the output collection
	// once, when the activity completes.
	OutKeys  []any
	OutItems []any
}

// TaskError says what went wrong in a task: where (script, pre-script,
// post-script, condition, service...), the script line when there is one,
// and the message.
type TaskError struct {
	TaskID int    `json:"task_id"`
	NodeID string `json:"element"`
	Where  string `json:"where,omitempty"`
	Line   int    `json:"line,omitempty"`
	Msg    string `json:"message"`
	// Phase records where the task stopped, so Retry resumes there:
	// "ready" (inputs, pre-script), "run" or "complete" (post-script, outputs).
	Phase string `json:"phase"`
}

func (e *TaskError) Error() string {
	s := e.NodeID
	if e.Where != "" {
		s += " " + e.Where
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" line %d", e.Line)
	}
	return s + ": " + e.Msg
}

// Lane returns the name of the lane the task's element is in.
func (t *Task) Lane() string { return t.Node.Lane }

func (in *Instance) taskErr(t *Task, phase, where string, err error) *TaskError {
	te := &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Where: where, Msg: err.Error(), Phase: phase}
	var se *script.Error
	if errors.As(err, &se) {
		te.Line = se.Line
		te.Msg = se.Msg
	}
	var prev *TaskError
	if errors.As(err, &prev) {
		return prev
	}
	return te
}

// fail puts a task in ERROR. The run loop stops at the next step so the host
// sees the error; Retry moves the task on again.
func (in *Instance) fail(t *Task, te *TaskError) {
	t.Err = te
	in.setState(t, Error)
	in.status = Failed
}

// waitsForPerson reports whether a READY task waits for Complete.
func waitsForPerson(t *Task) bool {
	return t.Node.Kind.IsHuman() && t.Role != RoleWrapper
}

// makeReady moves a task to READY and runs its ready hooks (data inputs,
// pre-script, boundary events). Engine tasks are queued to run.
func (in *Instance) makeReady(t *Task) {
	in.setState(t, Ready)
	if te := in.onReady(t); te != nil {
		in.fail(t, te)
		return
	}
	if waitsForPerson(t) {
		return
	}
	in.enqueue(t)
}

// runsScripts reports whether pre/post scripts run on this task: once around
// a loop or multi-instance activity, or on each instance with
// scriptsOnInstances.
func runsScripts(t *Task) bool {
	n := t.Node
	if n.Loop == nil && n.MI == nil {
		return true
	}
	if t.Role == RoleInstance {
		return n.ScriptsOnInstances
	}
	return !n.ScriptsOnInstances
}

func (in *Instance) onReady(t *Task) *TaskError {
	n := t.Node
	if t.Role != RoleInstance {
		data := t.Data
		for _, a := range n.DataInputs {
			if a.Store != "" {
				if in.env.Stores == nil {
					return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "ready", Msg: fmt.Sprintf("data store %q has no implementation", a.Store)}
				}
				if a.StoreClass == "" {
					return unnamedStore(t, "ready", a)
				}
				if in.readsAsFunc(a) {
					continue // offered to the task's scripts (storeFuncs)
				}
				v, err := in.env.Stores.ReadStore(a.Store, a.StoreClass, data)
				if err != nil {
					return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "ready", Where: "data store " + a.Store, Msg: err.Error()}
				}
				data = with(data, a.Name, Normalize(v))
				continue
			}
			v, ok := in.readObject(t.Scope, a.ObjectID)
			if !ok {
				return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "ready", Msg: fmt.Sprintf("the data object could not be read; %q does not exist in the process", a.ObjectID)}
			}
			data = with(data, a.Name, deepCopy(v))
		}
		if n.IOSpec != nil && len(n.IOSpec.Inputs) > 0 {
			picked, missing := pick(data, n.IOSpec.Inputs, n.IOSpec.Optional)
			if missing != "" {
				return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "ready", Msg: fmt.Sprintf("missing data input %q", missing)}
			}
			data = picked
		}
		t.Data = data
	}
	if n.PreScript != nil && runsScripts(t) {
		out, err := n.PreScript.Exec(in.scriptEnv(t), t.Data)
		if err != nil {
			keepPartial(t, out)
			return in.taskErr(t, "ready", "pre-script", err)
		}
		t.Data = out
	}
	if t.Role != RoleInstance {
		for _, b := range n.Boundaries {
			if b.HasEvent(spec.EventCompensate) {
				continue // runs only when the completed activity is compensated
			}
			bt := in.newTask(b, t.Scope, t.Data, t.ID)
			bt.Attached = t.ID
			in.wait(bt)
		}
	}
	return nil
}

// execute runs a READY engine task.
func (in *Instance) execute(t *Task) {
	if t.Role == RoleWrapper {
		in.startWrapper(t)
		return
	}
	done, te := in.behave(t)
	if te != nil {
		in.fail(t, te)
		return
	}
	// A throw can interrupt its own scope (an interrupting event subprocess):
	// then the task is already cancelled and must not complete.
	if done && t.State == Ready {
		in.completeTask(t)
	}
}

// behave runs the element's behaviour. It reports whether the task is
// finished (false: it is STARTED or waits).
func (in *Instance) behave(t *Task) (bool, *TaskError) {
	n := t.Node
	switch n.Kind {
	case spec.KindScriptTask:
		var out map[string]any
		var err error
		if t.itemPending {
			name, item := in.inputItem(t)
			out, err = n.Script.ExecWith(in.scriptEnv(t), t.Data, name, item)
		} else {
			out, err = n.Script.Exec(in.scriptEnv(t), t.Data)
		}
		if err != nil {
			keepPartial(t, out)
			return false, in.taskErr(t, "run", "script", err)
		}
		t.Data, t.itemPending = out, false
		return true, nil
	case spec.KindServiceTask:
		return in.callService(t)
	case spec.KindBusinessRuleTask:
		return in.evaluateDecision(t)
	case spec.KindSubProcess, spec.KindTransaction:
		in.setState(t, Started)
		sc := in.openScope(t.ID, n.Sub, in.scopes[t.Scope].process, t.Scope)
		in.startScope(sc, t.Data, t)
		return false, nil
	case spec.KindCallActivity:
		return in.startCallActivity(t)
	case spec.KindSendTask, spec.KindIntermediateThrowEvent, spec.KindEndEvent:
		throws, te := in.preparePayloads(t)
		if te != nil {
			return false, te
		}
		t.throws = throws
		if d := compensationDef(n); d != nil {
			return in.throwCompensation(t, d), nil
		}
		return true, nil
	}
	return true, nil
}

// completeTask runs the completion hooks (post-script, outputs), marks the
// task COMPLETED and moves its token on.
func (in *Instance) completeTask(t *Task) {
	if te := in.onComplete(t); te != nil {
		in.fail(t, te)
		return
	}
	in.finishTask(t)
}

// finishTask marks a task COMPLETED and moves its token on, without its
// completion hooks (completeTask runs them first; a skipped task has none).
func (in *Instance) finishTask(t *Task) {
	in.setState(t, Completed)
	in.seq++
	t.Seq = in.seq
	in.lastDone = t
	in.cancelBoundaries(t)
	in.recordCompletion(t)
	if t.throws != nil {
		throws := t.throws
		t.throws = nil
		in.throwAll(t, throws)
		if t.State == Error {
			return // an error nobody caught
		}
	}
	if sc := in.scopes[t.Scope]; sc != nil {
		sc.last = t.Data
	}
	if t.compFor() != 0 {
		in.handlerDone(t)
	}
	in.leave(t)
	in.afterChange(t.Scope)
}

func (in *Instance) onComplete(t *Task) *TaskError {
	n := t.Node
	data := t.Data
	if n.PostScript != nil && runsScripts(t) {
		out, err := n.PostScript.Exec(in.scriptEnv(t), data)
		if err != nil {
			return in.taskErr(t, "complete", "post-script", err)
		}
		data = out
	}
	if t.Role != RoleInstance {
		if n.IOSpec != nil && len(n.IOSpec.Outputs) > 0 {
			picked, missing := pick(data, n.IOSpec.Outputs, n.IOSpec.Optional)
			if missing != "" {
				return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "complete", Msg: fmt.Sprintf("missing data output %q", missing)}
			}
			data = picked
		}
		for _, a := range n.DataOutputs {
			if a.Store != "" {
				if in.env.Stores == nil {
					return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "complete", Msg: fmt.Sprintf("data store %q has no implementation", a.Store)}
				}
				if a.StoreClass == "" {
					return unnamedStore(t, "complete", a)
				}
				v, ok := data[a.Name]
				if !ok {
					continue // nothing to write, as in SpiffArena
				}
				if err := in.env.Stores.WriteStore(a.Store, a.StoreClass, v, data); err != nil {
					return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "complete", Where: "data store " + a.Store, Msg: err.Error()}
				}
				data = without(data, a.Name)
				continue
			}
			v, ok := data[a.Name]
			if !ok {
				return &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "complete", Msg: fmt.Sprintf("a data object could not be set; %q does not exist in the task data", a.Name)}
			}
			in.writeObject(t.Scope, a.ObjectID, deepCopy(v))
			data = without(data, a.Name)
		}
		for _, a := range n.DataInputs {
			data = without(data, a.Name)
		}
	}
	t.Data = data
	return nil
}

// leave moves a completed task's token on: to the wrapper of an instance, or
// along the outgoing flows.
func (in *Instance) leave(t *Task) {
	if t.Role == RoleInstance {
		in.instanceDone(t)
		return
	}
	n := t.Node
	sc := in.scopes[t.Scope]
	if sc != nil && sc.done && sc.key > 0 {
		// The task's own throw ended its scope (an interrupting event).
		return
	}
	if sc != nil && sc.interruptedAt > 0 && t.Seq <= sc.interruptedAt {
		// Its throw started an interrupting event subprocess, which
		// cancelled the rest of the scope, this token included.
		return
	}
	if n.Kind == spec.KindEndEvent && sc != nil {
		sc.endData = mergeInto(sc.endData, &sc.endOwned, t.Data)
		sc.ended = true
		if n.HasEvent(spec.EventTerminate) {
			in.terminateScope(sc, t)
		}
		return
	}
	if n.Kind == spec.KindIntermediateThrowEvent && n.HasEvent(spec.EventLink) {
		in.followLink(t)
		return
	}
	flows, te := in.selectFlows(t)
	if te != nil {
		// The gateway decided nothing: it is in error, not completed.
		in.seq--
		t.Seq = 0
		in.fail(t, te)
		return
	}
	for _, fl := range flows {
		in.arrive(fl.Target, t.Scope, t.Data, fl, t)
	}
}

// selectFlows decides which outgoing flows a completed task takes.
// anyConditioned reports whether a flow of flows has a condition.
func anyConditioned(flows []*spec.Flow) bool {
	for _, fl := range flows {
		if fl.Condition != nil {
			return true
		}
	}
	return false
}

// defaultFlow is n's default flow as a one-element slice of its outgoing
// flows (no allocation).
func defaultFlow(n *spec.Node) []*spec.Flow {
	for i, fl := range n.Outgoing {
		if fl == n.Default {
			return n.Outgoing[i : i+1 : i+1]
		}
	}
	return []*spec.Flow{n.Default}
}

func (in *Instance) selectFlows(t *Task) ([]*spec.Flow, *TaskError) {
	n := t.Node
	out := n.Outgoing
	if len(out) == 0 {
		return nil, nil
	}
	switch n.Kind {
	case spec.KindParallelGateway, spec.KindEventBasedGateway:
		return out, nil
	case spec.KindExclusiveGateway:
		if len(out) == 1 && out[0].Condition == nil {
			return out, nil
		}
		env := in.scriptEnv(t)
		for i, fl := range out {
			if fl == n.Default || fl.Condition == nil {
				continue
			}
			ok, err := fl.Condition.EvalBool(env, t.Data)
			if err != nil {
				return nil, in.taskErr(t, "run", "condition of "+fl.ID, err)
			}
			if ok {
				return out[i : i+1 : i+1], nil
			}
		}
		if n.Default != nil {
			return defaultFlow(n), nil
		}
		return nil, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("no conditions satisfied for %s and there is no default flow", n.ID)}
	}
	// Inclusive gateways, and implicit splits out of any other element:
	// every unconditioned flow and every flow whose condition holds; the
	// default flow when no conditioned flow holds.
	if n.Default == nil && !anyConditioned(out) {
		return out, nil
	}
	var taken []*spec.Flow
	conditioned := false
	env := in.scriptEnv(t)
	for _, fl := range out {
		if fl == n.Default {
			continue
		}
		if fl.Condition == nil {
			taken = append(taken, fl)
			continue
		}
		conditioned = true
		ok, err := fl.Condition.EvalBool(env, t.Data)
		if err != nil {
			return nil, in.taskErr(t, "run", "condition of "+fl.ID, err)
		}
		if ok {
			taken = append(taken, fl)
		}
	}
	if len(taken) == 0 {
		if n.Default != nil {
			return defaultFlow(n), nil
		}
		if conditioned || n.Kind == spec.KindInclusiveGateway {
			return nil, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("no conditions satisfied on %s and there is no default flow", n.ID)}
		}
	}
	return taken, nil
}

// arrive puts a token that came along flow (nil for none) on node n.
func (in *Instance) arrive(n *spec.Node, scope int, data map[string]any, flow *spec.Flow, from *Task) {
	fromID := 0
	if from != nil {
		fromID = from.ID
	}
	if len(n.Incoming) > 1 && (n.Kind == spec.KindParallelGateway || n.Kind == spec.KindInclusiveGateway) && flow != nil {
		in.arriveAtJoin(n, scope, data, flow, fromID)
		return
	}
	t := in.newTask(n, scope, data, fromID)
	in.activate(t)
}

// activate starts a freshly created task.
func (in *Instance) activate(t *Task) {
	n := t.Node
	if (n.Loop != nil || n.MI != nil) && t.Role == RolePlain {
		t.Role = RoleWrapper
	}
	switch {
	case n.Kind == spec.KindIntermediateCatchEvent && len(n.Events) > 0 && !n.HasEvent(spec.EventLink):
		in.wait(t)
	case n.Kind == spec.KindReceiveTask && t.Role != RoleWrapper:
		in.setState(t, Ready)
		if te := in.onReady(t); te != nil {
			in.fail(t, te)
			return
		}
		in.wait(t)
	case n.Kind == spec.KindEventBasedGateway:
		in.setState(t, Waiting)
		for _, fl := range n.Outgoing {
			ct := in.newTask(fl.Target, t.Scope, t.Data, t.ID)
			ct.Gate = t.ID
			in.wait(ct)
		}
	default:
		in.makeReady(t)
	}
}

// cancelBoundaries cancels the boundary events still waiting on an activity.
func (in *Instance) cancelBoundaries(t *Task) {
	if len(t.Node.Boundaries) == 0 {
		return
	}
	for _, b := range in.activeTasks() {
		if b.Attached == t.ID && b.State.Live() {
			in.setState(b, Cancelled)
		}
	}
}

// afterChange re-checks what depends on the tasks of a scope: inclusive
// joins waiting there, conditional events, and whether the scope is done.
func (in *Instance) afterChange(scope int) {
	sc := in.scopes[scope]
	if sc == nil {
		return
	}
	if sc.scope.InclusiveJoins {
		in.recheckJoins(sc)
	}
	if sc.scope.Conditionals {
		in.checkConditionals(sc)
	}
	in.checkScope(sc)
}

// checkScope finishes a scope instance with no live task left.
func (in *Instance) checkScope(sc *scopeInst) {
	if sc.done || sc.live > 0 {
		return
	}
	in.finishScope(sc)
}

// finishScope closes a scope instance whose work is done and completes the
// task that owns it.
func (in *Instance) finishScope(sc *scopeInst) {
	sc.done = true
	sc.doneAt = in.seq
	in.cancelTriggers(sc)
	if sc.key <= 0 {
		return
	}
	owner := in.Task(sc.key)
	if owner == nil || owner.State != Started {
		return
	}
	result := sc.endData
	sc.endOwned = false // handed out
	if !sc.ended {
		result = sc.last
	}
	if result == nil {
		result = owner.Data
	}
	switch owner.Node.Kind {
	case spec.KindCallActivity:
		io := sc.process.IOSpec
		if io == nil || len(io.Outputs) == 0 {
			owner.Data = result
		} else {
			data := owner.Data
			for _, name := range io.Outputs {
				v, ok := result[name]
				if !ok && io.Optional[name] {
					continue
				}
				if !ok {
					in.fail(owner, &TaskError{TaskID: owner.ID, NodeID: owner.Node.ID, Phase: "run", Msg: fmt.Sprintf("the data output %q was not available in the called process's output", name)})
					return
				}
				data = with(data, name, v)
			}
			owner.Data = data
		}
	case spec.KindEventSubProcess:
		// The event subprocess's data stays inside it.
	default:
		owner.Data = result
	}
	in.completeTask(owner)
}

// cancelTask cancels a live (or failed) task and everything running inside it.
func (in *Instance) cancelTask(t *Task) {
	if !t.State.holds() {
		return
	}
	if sc := in.scopes[t.ID]; sc != nil && !sc.done {
		in.cancelScope(sc)
	}
	if t.Role == RoleWrapper {
		for _, c := range in.activeTasks() {
			if c.Wrapper == t.ID && c.State.Live() {
				in.cancelTask(c)
			}
		}
	}
	in.setState(t, Cancelled)
	in.cancelBoundaries(t)
}

// cancelScope cancels every live task of a scope instance and marks it done
// without completing its owner.
func (in *Instance) cancelScope(sc *scopeInst) {
	sc.done = true
	for _, t := range in.activeTasks() {
		if in.runsIn(t, sc.key) && t.State.holds() {
			in.cancelTask(t)
		}
	}
}

// terminateScope ends a scope at a terminate end event: every other live
// task in it is cancelled.
func (in *Instance) terminateScope(sc *scopeInst, except *Task) {
	for _, t := range in.activeTasks() {
		if t != except && in.runsIn(t, sc.key) && t.State.holds() {
			in.cancelTask(t)
		}
	}
	in.cancelTriggers(sc)
	in.queue = pruneQueue(in.queue)
}

func pruneQueue(q []*Task) []*Task {
	out := q[:0]
	for _, t := range q {
		if t.State == Ready {
			out = append(out, t)
		}
	}
	return out
}

// cancelTriggers cancels the event subprocess triggers of a finished scope.
func (in *Instance) cancelTriggers(sc *scopeInst) {
	if len(sc.scope.EventSubProcesses) == 0 {
		return
	}
	for _, t := range in.activeTasks() {
		if t.Trigger && t.Scope == sc.key && t.State == Waiting {
			in.setState(t, Cancelled)
		}
	}
}

// keepPartial keeps in a failed task's data what its script assigned
// before the failing line, as SpiffWorkflow does (users read it to find
// what went wrong). A multi-instance item not yet taken in stays pending.
func keepPartial(t *Task, out map[string]any) {
	if out != nil && !t.itemPending {
		t.Data = out
	}
}

// objectsFor returns the data objects visible to task t: those of its scope
// and the enclosing ones, the nearest scope's winning; nil when there are
// none. With one scope holding objects its map is returned as is (scripts
// only read Globals).
func (in *Instance) objectsFor(t *Task) map[string]any {
	var chain []*scopeInst
	for sc := in.scopes[t.Scope]; sc != nil; {
		if len(sc.objects) > 0 {
			chain = append(chain, sc)
		}
		if sc.key <= 0 {
			break
		}
		sc = in.scopes[sc.parent]
	}
	switch len(chain) {
	case 0:
		return nil
	case 1:
		return chain[0].objects
	}
	merged := map[string]any{}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].objects {
			merged[k] = v
		}
	}
	return merged
}

// readObject finds a data object's value in the scope or an enclosing one.
func (in *Instance) readObject(scope int, id string) (any, bool) {
	for sc := in.scopes[scope]; sc != nil; {
		if v, ok := sc.objects[id]; ok {
			return v, true
		}
		if sc.key <= 0 {
			break
		}
		sc = in.scopes[sc.parent]
	}
	return nil, false
}

// writeObject sets a data object in the scope that declares it (the nearest
// enclosing one), or in the task's own scope when none declares it.
func (in *Instance) writeObject(scope int, id string, v any) {
	for sc := in.scopes[scope]; sc != nil; {
		if _, ok := sc.objects[id]; ok {
			sc.objects = with(sc.objects, id, v)
			return
		}
		if sc.key <= 0 {
			break
		}
		sc = in.scopes[sc.parent]
	}
	sc := in.scopes[scope]
	sc.objects = with(sc.objects, id, v)
}

// pick returns a map of just the named values of data (an ioSpecification's
// inputs or outputs), or the first required name that is missing. An
// optional name that is missing is left out.
func pick(data map[string]any, names []string, optional map[string]bool) (map[string]any, string) {
	picked := make(map[string]any, len(names))
	for _, name := range names {
		v, ok := data[name]
		if !ok && optional[name] {
			continue
		}
		if !ok {
			return nil, name
		}
		picked[name] = v
	}
	return picked, ""
}
