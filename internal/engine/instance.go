package engine

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// Clock tells the engine what time it is. The engine never reads the wall
// clock itself.
type Clock interface {
	Now() time.Time
}

// ServiceCall is a service task's request to the host.
type ServiceCall struct {
	TaskID   int
	NodeID   string
	Operator string
	// Params holds each parameter's evaluated value by parameter id.
	Params map[string]any
	// Types holds each parameter's declared type by parameter id.
	Types map[string]string
	// Data is the task's data (read-only).
	Data map[string]any
}

// ServiceResult is what the host answers: a value now, or Pending when the
// result will come later through CompleteStarted or FailStarted.
type ServiceResult struct {
	Value   any
	Pending bool
}

// ServiceRunner runs service-task operators for the engine.
type ServiceRunner interface {
	CallService(call ServiceCall) (ServiceResult, error)
}

// DecisionEvaluator evaluates a business rule task's decision on task data
// and returns the outputs to merge into it.
type DecisionEvaluator interface {
	EvaluateDecision(decisionID string, data map[string]any) (map[string]any, error)
}

// ProcessResolver finds the process a call activity calls.
type ProcessResolver interface {
	ResolveProcess(id string) (*spec.Process, error)
}

// DataStore reads and writes the data stores that tasks reach through data
// associations with a bpmn:dataStoreReference, as SpiffArena's data store
// classes do. id is the bpmn:dataStore's id (also the task data variable),
// class its name (JSONDataStore, KKVDataStore, TypeaheadDataStore; empty
// for a reference that names no bpmn:dataStore).
//
// When a task becomes READY each store it reads is read into its data
// under id; when it completes, the value under id is written to each store
// it writes and taken out of its data (a task without the variable writes
// nothing). The host keeps what is written with the step, so the engine
// stays free of storage.
type DataStore interface {
	ReadStore(id, class string, data map[string]any) (any, error)
	WriteStore(id, class string, value any, data map[string]any) error
}

// DataStoreFuncs is a DataStore some of whose stores are read as a
// function rather than a value: SpiffArena's key-key-value store gives the
// task's scripts a getter under the store's id (store("top", "second")).
// StoreFunc returns nil for a store read as a value. A function is never
// task data: it is offered to the task's scripts and expressions each time
// they run.
type DataStoreFuncs interface {
	StoreFunc(id, class string) func(args []any, kwargs map[string]any) (any, error)
}

// ErrProcessNotFound is returned by resolvers for an unknown process id.
var ErrProcessNotFound = errors.New("process not found")

// Env is what the host gives an instance: clock, service runner, decision
// evaluator, process resolver and script helpers. It is not part of a
// snapshot; Restore takes it again.
type Env struct {
	Clock     Clock
	Services  ServiceRunner
	Decisions DecisionEvaluator
	// Stores serves data store references; nil makes a task that uses one fail.
	Stores DataStore
	// Processes resolves call activities; nil uses the library the instance
	// was started from.
	Processes ProcessResolver
	// Funcs are helper functions offered to every script (get_current_user, ...).
	Funcs map[string]script.Func
	// Helpers are helper functions that learn where the script calling
	// them runs (see ScriptCall); Funcs of the same name win. Host is
	// handed to them as it is (the host's context for the call).
	Helpers map[string]Helper
	Host    any
	// RandomSeed, when set, lets scripts import random; each task draws from
	// its own sequence derived from the seed and the task id, so runs stay
	// deterministic. Nil refuses import random.
	RandomSeed *uint64
	// Script limits; zero values take the script package's defaults.
	MaxSteps      uint64
	ScriptTimeout time.Duration
	// ScriptMaxBytes bounds what one script run may allocate in total.
	ScriptMaxBytes uint64
}

// Effect is something that left the instance for the host to route: a
// message to another instance, a signal or escalation nobody inside caught,
// an uncaught error.
type Effect struct {
	Kind    string // "message", "signal", "error", "escalation"
	Name    string // message or signal name
	Code    string // error or escalation code
	Payload any
	// Correlations are the message's correlation values by property id.
	Correlations map[string]any
	TaskID       int
	NodeID       string
}

// Instance is one running (or finished) process instance.
type Instance struct {
	lib    *spec.Library
	env    Env
	senv   script.Env
	tasks  []*Task // tasks[i].ID == i+1
	scopes map[int]*scopeInst
	queue  []*Task // READY engine tasks, FIFO
	status Status
	data   map[string]any // workflow data once Done
	// seq counts completions; Task.Seq orders the trace.
	seq     int
	effects []Effect
	// roots lists the root scope keys (0 for a process; -1, -2... for the
	// participants of a collaboration).
	roots     []int
	processID string
	started   time.Time
	stamp     time.Time // the clock reading of the current call
	slab      []Task    // tasks are allocated in blocks
	// active holds, in id order, every task whose state holds its scope
	// (WAITING, READY, STARTED or ERROR), and some that no longer do, which
	// are dropped in batches (activeStale counts them). A step looks through
	// it, never through the whole history, so its cost does not grow with the
	// tasks the instance has had.
	active      []*Task
	activeStale int
	// enc is the encoded form of the finished history, reused by Snapshot
	// (snapshot_prefix.go).
	enc encPrefix
	// visits counts the tasks steps have looked at (tests bound it).
	visits int
	// joins indexes the waiting activations of each join (fired ones are
	// dropped when next looked at).
	joins map[joinKey][]*Task
	// lastDone is the task completed last (nil: look it up).
	lastDone *Task
	// touched lists the tasks whose state changed since the host's last
	// call began; call numbers the calls, and Task.touched the call a task
	// was last listed in.
	touched []*Task
	call    int
	// scriptTask is the task whose script runs now (see scriptEnv).
	scriptTask *Task
}

// scopeInst is a running scope: the process, or the inside of a subprocess,
// call activity or event subprocess. Its key is the owning task's id
// (0 and below for root scopes).
type scopeInst struct {
	key     int
	scope   *spec.Scope
	process *spec.Process // the process whose nodes run here
	live    int           // tasks in WAITING, READY or STARTED
	// objects holds the values of the data objects declared in this scope.
	objects map[string]any
	endData map[string]any // merged data of the end events reached
	// endOwned says endData is a copy only this scope holds (mergeInto).
	endOwned bool
	// interruptedAt is the completion count when an interrupting event
	// subprocess last cancelled the scope's tasks: a task that completed
	// before (the one whose throw set it off) does not move on. Only read
	// within the step that sets it, so it is not stored.
	interruptedAt int
	// byMessage marks a pool instance a message started: like
	// SpiffWorkflow, its data stays its own and does not flow into the
	// instance's final data.
	byMessage bool
	ended     bool           // an end event was reached
	last      map[string]any // data of the last completed task
	done      bool
	parent    int // key of the enclosing scope instance (for data objects); meaningless for roots
	// corr holds the message correlation values recorded in this scope
	// (property id -> value): by its sends and its catching events.
	corr map[string]any
	// doneAt is the completion count when the scope finished: the data of
	// root scopes merges in the order they finished.
	doneAt int
	// comp records, in the order they completed, the activities of the
	// scope that compensation can undo: those with a compensation handler,
	// and subprocesses with such activities or a compensation event
	// subprocess inside. A record leaves when compensation takes it.
	comp []*Task
	// gone marks a finished subprocess whose element a migration found
	// removed: scope is a stand-in.
	gone bool
}

// StartOptions select what to start.
type StartOptions struct {
	// Process is the id of the process to start. Collaboration may name a
	// collaboration instead: every executable participant starts at once.
	Process       string
	Collaboration string
	Data          map[string]any
	// FireTimerStart is the id of a timer start event of Process whose
	// timer the host's scheduler found due: the instance starts from it at
	// once.
	FireTimerStart string
}

// Start creates an instance and runs it until it waits on the outside world.
// A failing task does not make Start fail: the instance's status is Failed
// and the task is in ERROR (see Instance.Err).
func Start(lib *spec.Library, opts StartOptions, env Env) (*Instance, error) {
	in := newInstance(lib, env)
	data := NormalizeMap(opts.Data)
	in.tick()
	in.started = in.now()
	switch {
	case opts.Collaboration != "":
		c := lib.Collaborations[opts.Collaboration]
		if c == nil {
			return nil, fmt.Errorf("collaboration %q is not defined", opts.Collaboration)
		}
		in.processID = c.ID
		for _, part := range c.Participants {
			p := lib.Process(part.ProcessID)
			if p == nil || !p.Executable {
				continue
			}
			key := in.nextRootKey()
			sc := in.openScope(key, &p.Scope, p, 0)
			if !hasNoneStart(p) {
				// A pool that only starts on a message or signal waits for
				// it; every matching event starts a new instance of the pool.
				sc.done = true
				for _, st := range p.Starts {
					w := in.newTask(st, key, data, 0)
					w.Trigger, w.Pool = true, true
					in.wait(w)
				}
				continue
			}
			in.roots = append(in.roots, key)
			in.startScope(sc, data, nil)
		}
		if len(in.roots) == 0 {
			return nil, fmt.Errorf("collaboration %q has no executable participant", c.ID)
		}
	default:
		p := lib.Process(opts.Process)
		if p == nil {
			return nil, fmt.Errorf("process %q is not defined", opts.Process)
		}
		if !p.Executable {
			return nil, fmt.Errorf("process %q is not executable", p.ID)
		}
		in.processID = p.ID
		in.roots = []int{0}
		sc := in.openScope(0, &p.Scope, p, 0)
		in.startScope(sc, data, nil)
		if opts.FireTimerStart != "" && !in.fireTimerStart(opts.FireTimerStart) {
			return nil, fmt.Errorf("process %q has no timer start event %q", p.ID, opts.FireTimerStart)
		}
	}
	in.run()
	return in, nil
}

func newInstance(lib *spec.Library, env Env) *Instance {
	in := &Instance{lib: lib, scopes: map[int]*scopeInst{}, status: Running}
	in.SetEnv(env)
	return in
}

// scriptEnv is the script environment for a task's scripts.
func (in *Instance) scriptEnv(t *Task) *script.Env {
	// Scripts run one at a time, each right after its environment is
	// asked for: the task object and Helpers read the task from here.
	in.scriptTask = t
	objects := in.objectsFor(t)
	funcs := in.storeFuncs(t)
	if in.env.RandomSeed == nil && objects == nil && funcs == nil {
		return &in.senv
	}
	env := in.senv
	if funcs != nil {
		env.Funcs = funcs
	}
	// Data objects are visible to every script and expression of the task
	// (below its own data, which wins on a shared name), as in SpiffWorkflow.
	env.Globals = objects
	if in.env.RandomSeed != nil {
		seed := *in.env.RandomSeed + uint64(t.ID)*0x9E3779B97F4A7C15
		env.RandomSeed = &seed
	}
	return &env
}

// now is the time of the current call: the clock is read once when the
// host calls in (tick), so every task a step touches carries the same time
// and a step costs one clock reading.
func (in *Instance) now() time.Time { return in.stamp }

// tick reads the clock at the start of a call from the host.
func (in *Instance) tick() {
	in.call++
	in.touched = in.touched[:0]
	if in.env.Clock != nil {
		in.stamp = in.env.Clock.Now().UTC()
	}
}

// Status returns the instance's status.
func (in *Instance) Status() Status { return in.status }

// ProcessID is the id of the process (or collaboration) the instance runs.
func (in *Instance) ProcessID() string { return in.processID }

// Data returns the workflow data of a completed instance (nil before).
func (in *Instance) Data() map[string]any { return in.data }

// Library returns the library the instance runs.
func (in *Instance) Library() *spec.Library { return in.lib }

// TakeEffects returns the effects emitted since the last call and forgets them.
func (in *Instance) TakeEffects() []Effect {
	e := in.effects
	in.effects = nil
	return e
}

// Err returns the error of the first task in ERROR, or nil.
func (in *Instance) Err() *TaskError {
	for _, t := range in.activeTasks() {
		if t.State == Error && t.Err != nil {
			return t.Err
		}
	}
	return nil
}

// nextRootKey returns an unused key for a root scope (pools are 0, -1, -2...).
func (in *Instance) nextRootKey() int {
	key := 0
	for k := range in.scopes {
		if k <= key {
			key = k - 1
		}
	}
	return key
}

func hasNoneStart(p *spec.Process) bool {
	for _, st := range p.Starts {
		if len(st.Events) == 0 {
			return true
		}
	}
	return false
}

// openScope registers a scope instance.
func (in *Instance) openScope(key int, sc *spec.Scope, p *spec.Process, parent int) *scopeInst {
	s := &scopeInst{key: key, scope: sc, process: p, parent: parent}
	if len(sc.DataObjects) > 0 {
		s.objects = make(map[string]any, len(sc.DataObjects))
		for _, do := range sc.DataObjects {
			s.objects[do.ID] = nil
		}
	}
	in.scopes[key] = s
	return s
}

// startScope puts a token on each none start event of the scope; start
// events with a trigger (message, signal, timer, conditional) wait for it.
// Event subprocesses of the scope are armed. from is the task that entered
// the scope, or nil.
func (in *Instance) startScope(s *scopeInst, data map[string]any, from *Task) {
	fromID := 0
	if from != nil {
		fromID = from.ID
	}
	for _, st := range s.scope.Starts {
		t := in.newTask(st, s.key, data, fromID)
		if len(st.Events) > 0 {
			in.wait(t)
			continue
		}
		in.makeReady(t)
	}
	for _, es := range s.scope.EventSubProcesses {
		in.armEventSubProcess(s, es, data, fromID)
	}
	in.checkScope(s)
}

// newTask creates a task bound to node in the scope instance key.
func (in *Instance) newTask(n *spec.Node, scope int, data map[string]any, from int) *Task {
	if len(in.slab) == 0 {
		// Blocks grow with the instance: small instances stay small.
		in.slab = make([]Task, min(max(8, len(in.tasks)), 256))
	}
	t := &in.slab[0]
	in.slab = in.slab[1:]
	*t = Task{ID: len(in.tasks) + 1, Node: n, Scope: scope, Data: data, From: from}
	t.Created = in.now()
	in.tasks = append(in.tasks, t)
	return t
}

// setState moves a task to a state, keeping the scope's live count and the
// index of active tasks.
func (in *Instance) setState(t *Task, s State) {
	if t.itemPending && s != Ready {
		name, item := in.inputItem(t)
		t.Data, t.itemPending = with(t.Data, name, item), false
	}
	was := t.State.holds()
	t.State = s
	in.setTouched(t)
	now := s.holds()
	if now != was {
		if now {
			in.addActive(t)
		} else {
			in.activeStale++
		}
	}
	if t.Trigger {
		return // event subprocess triggers do not keep their scope alive
	}
	if now != was {
		if sc := in.scopes[t.Scope]; sc != nil {
			if now {
				sc.live++
			} else {
				sc.live--
			}
		}
	}
}

// addActive puts a task that now holds its scope into the active index.
// New tasks have the highest id and are appended; a task coming back (a
// retried one) is found or inserted in order. The slice is never changed
// below its length in place, so a loop over an earlier activeTasks() result
// is never disturbed.
func (in *Instance) addActive(t *Task) {
	n := len(in.active)
	if n == 0 || in.active[n-1].ID < t.ID {
		in.active = append(in.active, t)
		return
	}
	i := sort.Search(n, func(i int) bool { return in.active[i].ID >= t.ID })
	if i < n && in.active[i] == t {
		in.activeStale-- // still listed: active again
		return
	}
	next := make([]*Task, 0, n+1)
	next = append(next, in.active[:i]...)
	next = append(next, t)
	in.active = append(next, in.active[i:]...)
}

// activeTasks returns the active index (callers still check each task's
// state): every task that holds its scope, in id order. Once more than half
// of it is stale it is rebuilt, into a new slice.
func (in *Instance) activeTasks() []*Task {
	if in.activeStale > 16 && in.activeStale*2 > len(in.active) {
		next := make([]*Task, 0, len(in.active)-in.activeStale+8)
		for _, t := range in.active {
			if t.State.holds() {
				next = append(next, t)
			}
		}
		in.active, in.activeStale = next, 0
	}
	in.visits += len(in.active)
	return in.active
}

// Task returns the task with the given id, or nil.
func (in *Instance) Task(id int) *Task {
	if id < 1 || id > len(in.tasks) {
		return nil
	}
	return in.tasks[id-1]
}

// run executes READY engine tasks until none is left.
func (in *Instance) run() {
	for len(in.queue) > 0 {
		// Pop by shifting: the queue is short, and keeping its start lets
		// appends reuse the array instead of growing a new one each time.
		t := in.queue[0]
		last := len(in.queue) - 1
		copy(in.queue, in.queue[1:])
		in.queue[last] = nil
		in.queue = in.queue[:last]
		if t.State != Ready {
			continue
		}
		in.execute(t)
	}
	in.updateStatus()
}

func (in *Instance) updateStatus() {
	if in.status == Terminated {
		return
	}
	for _, t := range in.activeTasks() {
		if t.State == Error {
			in.status = Failed
			return
		}
	}
	if in.status == Failed {
		in.status = Running
	}
	for _, k := range in.roots {
		if !in.scopes[k].done {
			return
		}
	}
	if in.status != Done {
		in.status = Done
		for _, t := range in.activeTasks() {
			if t.Pool && t.State == Waiting {
				in.setState(t, Cancelled)
			}
		}
		in.finishData()
	}
}

// finishData builds the workflow data of a completed instance: the merged
// data of the end events reached, plus the root data objects.
func (in *Instance) finishData() {
	var data map[string]any
	objects := map[string]any{}
	roots := append([]int(nil), in.roots...)
	sort.SliceStable(roots, func(i, j int) bool { return in.scopes[roots[i]].doneAt < in.scopes[roots[j]].doneAt })
	for _, k := range roots {
		s := in.scopes[k]
		if s.byMessage {
			continue
		}
		data = deepMerge(data, s.endData)
		s.endOwned = false
		for id, v := range s.objects {
			objects[id] = v
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	if len(objects) > 0 {
		data = with(data, "data_objects", objects)
	}
	in.data = data
}

// enqueue marks a task to be run by the engine.
func (in *Instance) enqueue(t *Task) {
	in.queue = append(in.queue, t)
}

// fireTimerStart fires the waiting timer start event with the given id.
func (in *Instance) fireTimerStart(id string) bool {
	for _, w := range in.activeTasks() {
		if w.State != Waiting || w.Node.ID != id || w.Node.Kind != spec.KindStartEvent {
			continue
		}
		for _, d := range w.Node.Events {
			if d.Type == spec.EventTimer {
				in.fire(w, d, nil)
				return true
			}
		}
	}
	return false
}
