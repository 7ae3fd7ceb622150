// Package spec holds the immutable graph of parsed BPMN processes: what the
// runtime executes. A Library is built once by the parser (package bpmn) and
// shared, read-only, by every instance that runs it; nothing in this package
// knows about XML or about running instances.
//
// Spiff extension values are plain fields here, and every script, condition
// and expression is compiled once, at parse time, into a script program.
//
// Imports: engine/dmn and engine/script only.
package spec

import (
	"github.com/waymark-bpm/waymark/internal/engine/dmn"
	"github.com/waymark-bpm/waymark/internal/engine/script"
	"math/bits"
)

// Kind is the BPMN element type of a flow node.
type Kind uint8

// The flow node kinds the engine knows.
const (
	KindStartEvent Kind = iota + 1
	KindEndEvent
	KindIntermediateCatchEvent
	KindIntermediateThrowEvent
	KindBoundaryEvent
	KindTask // untyped bpmn:task: waits for a person like a manual task, as in SpiffWorkflow
	KindUserTask
	KindManualTask
	KindScriptTask
	KindServiceTask
	KindSendTask
	KindReceiveTask
	KindBusinessRuleTask
	KindCallActivity
	KindSubProcess
	KindTransaction
	KindEventSubProcess
	KindExclusiveGateway
	KindParallelGateway
	KindInclusiveGateway
	KindEventBasedGateway
)

var kindNames = map[Kind]string{
	KindStartEvent:             "startEvent",
	KindEndEvent:               "endEvent",
	KindIntermediateCatchEvent: "intermediateCatchEvent",
	KindIntermediateThrowEvent: "intermediateThrowEvent",
	KindBoundaryEvent:          "boundaryEvent",
	KindTask:                   "task",
	KindUserTask:               "userTask",
	KindManualTask:             "manualTask",
	KindScriptTask:             "scriptTask",
	KindServiceTask:            "serviceTask",
	KindSendTask:               "sendTask",
	KindReceiveTask:            "receiveTask",
	KindBusinessRuleTask:       "businessRuleTask",
	KindCallActivity:           "callActivity",
	KindSubProcess:             "subProcess",
	KindTransaction:            "transaction",
	KindEventSubProcess:        "eventSubProcess",
	KindExclusiveGateway:       "exclusiveGateway",
	KindParallelGateway:        "parallelGateway",
	KindInclusiveGateway:       "inclusiveGateway",
	KindEventBasedGateway:      "eventBasedGateway",
}

// String returns the BPMN tag name of the kind (without namespace).
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// KindByTag returns the kind for a BPMN tag name, and false for tags that are
// not flow nodes the engine knows.
func KindByTag(tag string) (Kind, bool) {
	for k, s := range kindNames {
		if s == tag && k != KindEventSubProcess {
			return k, true
		}
	}
	return 0, false
}

// IsHuman reports whether tasks of this kind wait in READY for a person.
func (k Kind) IsHuman() bool {
	return k == KindUserTask || k == KindManualTask || k == KindTask
}

// IsActivity reports whether the kind is a BPMN activity (it can carry loop
// characteristics, boundary events, data associations and pre/post scripts).
func (k Kind) IsActivity() bool {
	switch k {
	case KindTask, KindUserTask, KindManualTask, KindScriptTask, KindServiceTask,
		KindSendTask, KindReceiveTask, KindBusinessRuleTask, KindCallActivity,
		KindSubProcess, KindTransaction:
		return true
	}
	return false
}

// IsGateway reports whether the kind is a gateway.
func (k Kind) IsGateway() bool {
	return k >= KindExclusiveGateway && k <= KindEventBasedGateway
}

// IsEvent reports whether the kind is an event.
func (k Kind) IsEvent() bool {
	return k >= KindStartEvent && k <= KindBoundaryEvent
}

// Library is a set of parsed processes (and, later, decisions) that can call
// each other. Process ids are unique within a library.
type Library struct {
	Processes      map[string]*Process
	Decisions      map[string]*dmn.Decision
	Collaborations map[string]*Collaboration
	// Order lists process ids in the order they were parsed (files in order,
	// processes in document order), for stable listings.
	Order []string
}

// NewLibrary returns an empty library.
func NewLibrary() *Library {
	return &Library{Processes: map[string]*Process{}, Decisions: map[string]*dmn.Decision{}, Collaborations: map[string]*Collaboration{}}
}

// Process returns the process with the given id, or nil.
func (l *Library) Process(id string) *Process {
	if l == nil {
		return nil
	}
	return l.Processes[id]
}

// Decision returns the decision with the given id, or nil.
func (l *Library) Decision(id string) *dmn.Decision {
	if l == nil {
		return nil
	}
	return l.Decisions[id]
}

// Collaboration is a bpmn:collaboration: pools (participants) whose processes
// run together in one instance.
type Collaboration struct {
	ID           string
	Name         string
	File         string
	Participants []Participant
	// MessageFlows are the collaboration's message flows, in document order.
	MessageFlows []MessageFlow
	// Correlation keys declared on the collaboration: key name -> property ids.
	CorrelationKeys map[string][]string
}

// Participant is a pool of a collaboration.
type Participant struct {
	ID, Name  string
	ProcessID string // empty for a black-box pool
	Line      int
}

// MessageFlow is a bpmn:messageFlow: a message passing from one pool, or an
// element in it, to another. The runtime does not route along message flows
// (messages find their catchers by name and correlation, as in
// SpiffWorkflow); they are kept so that tools can show who talks to whom.
type MessageFlow struct {
	ID, Name string
	// Source and Target are the ids of a participant of the collaboration
	// or of a flow node in a participant's process.
	Source, Target string
	// Message is the name of the message the flow carries (from messageRef);
	// empty when the flow names none.
	Message string
	Line    int
}

// Scope is a container of flow nodes: a process, or the inside of an embedded
// subprocess, transaction or event subprocess.
type Scope struct {
	ID    string // the process id, or the id of the subprocess node
	Nodes []*Node
	ByID  map[string]*Node // every node of this scope (not of nested scopes)
	Flows []*Flow
	// Starts are the start events that begin the scope when it is entered
	// (none starts; for a process also message/signal/timer starts).
	Starts []*Node
	// EventSubProcesses are the event subprocesses declared directly in this scope.
	EventSubProcesses []*Node
	DataObjects       []*DataObject
	Owner             *Node    // the subprocess node owning this scope; nil for a process
	Process           *Process // the process this scope belongs to
	NodeCount         int
	// InclusiveJoins and Conditionals say whether the scope has inclusive
	// gateways with several incoming flows, or conditional catch events: the
	// runtime re-checks those after every step, and skips the check when
	// there are none.
	InclusiveJoins bool
	Conditionals   bool
	// Compensation is the event subprocess of this scope whose start event
	// is a compensation event: it undoes the scope's work when the
	// subprocess owning the scope is compensated. It is not among
	// EventSubProcesses, as nothing but compensation starts it.
	Compensation *Node
}

// Process is an executable (or not) bpmn:process.
type Process struct {
	Scope
	Name       string
	File       string
	Executable bool
	Lanes      []*Lane
	IOSpec     *IOSpec
	// Messages and correlation properties visible to the process (from its file).
	CorrelationProperties map[string]*CorrelationProperty
	// AllNodes indexes every node in the process, nested scopes included.
	AllNodes map[string]*Node
	Line     int
}

// Lane is a bpmn:lane; nested lanes are flattened with Parent set.
type Lane struct {
	ID, Name string
	Parent   *Lane
	NodeIDs  []string
}

// Flow is a sequence flow.
type Flow struct {
	ID, Name       string
	Source, Target *Node
	Condition      *script.Expr // nil when unconditioned (or when the condition did not compile)
	ConditionText  string       // the condition's source text, "" when unconditioned
	// Index is the flow's position among its source's outgoing flows.
	Index int
	// InIndex is the flow's position among its target's incoming flows.
	InIndex int
	Line    int
}

// DataObject is a bpmn:dataObject declared in a scope.
type DataObject struct {
	ID, Name string
	Category string // spiffworkflow:category
}

// DataAssociation copies a data object (or data store) into or out of a task.
type DataAssociation struct {
	// ObjectID is the id of the data object the reference points at.
	ObjectID string
	// Name is the variable name in task data (the data object id, as SpiffWorkflow uses).
	Name string
	// Store is set when the reference is to a data store instead of a data
	// object: the id of the bpmn:dataStore it names (SpiffArena's bpmn_id,
	// also the variable name), or the reference's own name or id when it
	// names none.
	Store string
	// StoreClass is the bpmn:dataStore's name, SpiffArena's class of the
	// store (JSONDataStore, KKVDataStore, TypeaheadDataStore); empty when
	// the reference names no bpmn:dataStore.
	StoreClass string
}

// IOSpec is a bpmn:ioSpecification: the names of the data inputs and outputs.
type IOSpec struct {
	Inputs  []string
	Outputs []string
	// Optional names the inputs and outputs that may be missing: with input
	// (output) sets, those no set requires (dataInputRefs less
	// optionalInputRefs). Without sets every one is required, as in
	// SpiffWorkflow.
	Optional map[string]bool
}

// CorrelationProperty is a bpmn:correlationProperty with its retrieval
// expression per message name.
type CorrelationProperty struct {
	ID, Name string
	// Retrieval maps a message name to the expression evaluated against the payload.
	Retrieval map[string]*script.Expr
}

// ServiceOperator is spiffworkflow:serviceTaskOperator.
type ServiceOperator struct {
	ID             string
	ResultVariable string
	Params         []ServiceParam
	Retries        int
	BackoffBase    int
}

// ServiceParam is one operator parameter; Value is an expression.
type ServiceParam struct {
	ID, Type string
	Value    *script.Expr
	// ParseError is why the value does not parse ("" when it does). As in
	// SpiffWorkflow, such a model loads and the task fails when it runs.
	ParseError string
}

// UnitTest is a spiffworkflow:unitTest of a script task.
type UnitTest struct {
	ID, InputJSON, ExpectedOutputJSON string
}

// StandardLoop is bpmn:standardLoopCharacteristics.
type StandardLoop struct {
	Condition  *script.Expr // loop continues while true
	Maximum    int          // 0 = none
	HasMaximum bool
	TestBefore bool
}

// MultiInstance is bpmn:multiInstanceLoopCharacteristics.
type MultiInstance struct {
	Sequential  bool
	Cardinality *script.Expr
	InputRef    string // loopDataInputRef: task-data variable
	OutputRef   string // loopDataOutputRef
	InputItem   string // inputDataItem id
	OutputItem  string // outputDataItem id
	Completion  *script.Expr
}

// EventType is the kind of an event definition.
type EventType uint8

// Event definition types.
const (
	EventNone EventType = iota
	EventMessage
	EventSignal
	EventTimer
	EventError
	EventEscalation
	EventTerminate
	EventCancel
	EventConditional
	EventLink
	EventCompensate
)

var eventTypeNames = [...]string{"none", "message", "signal", "timer", "error", "escalation", "terminate", "cancel", "conditional", "link", "compensate"}

func (t EventType) String() string {
	if int(t) < len(eventTypeNames) {
		return eventTypeNames[t]
	}
	return "unknown"
}

// TimerType says which timer expression an event uses.
type TimerType uint8

// Timer expression types.
const (
	TimerDate TimerType = iota + 1
	TimerDuration
	TimerCycle
)

// EventDef is one event definition of an event.
type EventDef struct {
	Type EventType
	// Name is the message or signal name (messages match by name), or the link name.
	Name string
	// Code is the error or escalation code ("" catches any).
	Code string
	// RefID is the id of the referenced message/signal/error/escalation element.
	RefID string
	// Payload is the payload expression of a throw (messagePayload or payloadExpression).
	Payload *script.Expr
	// Variable receives the payload on catch (messageVariable or variableName).
	Variable string
	// Timer settings.
	TimerType TimerType
	TimerExpr *script.Expr
	// Condition of a conditional event.
	Condition *script.Expr
	// Correlation for message catches: spiffworkflow:processVariableCorrelation.
	ProcessCorrelations []ProcessCorrelation
	// CorrelationProperties of the message (ids), resolved from the definitions.
	CorrelationProperties []*CorrelationProperty
	// ActivityRef is the id of the activity a compensation throw compensates
	// ("" compensates every completed activity of its scope).
	ActivityRef string
	// NoWait is waitForCompletion="false" on a compensation throw: the
	// throw moves on at once instead of waiting for the handlers.
	NoWait bool
}

// ProcessCorrelation records an instance's correlation value for a property
// when a catching event is reached.
type ProcessCorrelation struct {
	PropertyID string
	Expr       *script.Expr
}

// Node is a flow node.
type Node struct {
	ID, Name string
	Kind     Kind
	Scope    *Scope
	Line     int
	// Index is the node's position in its scope's Nodes.
	Index int

	Incoming []*Flow
	Outgoing []*Flow // sorted by the y coordinate of the target shape, as SpiffWorkflow does
	Default  *Flow

	Lane string // name of the lane the node is in ("" when none)

	// Scripts.
	Script     *script.Program // script task body
	PreScript  *script.Program
	PostScript *script.Program
	UnitTests  []UnitTest

	// Spiff extensions kept as values.
	Instructions   string
	Properties     map[string]string
	TaskMetadata   map[string]string // name -> expression source
	VariableName   string            // user task: where form data goes
	Extensions     map[string]string // other spiffworkflow:* children as text
	AllowGuest     bool
	CalledElement  string // call activity
	CalledDecision string // business rule task
	Service        *ServiceOperator

	// Sub is the inside of a subprocess, transaction or event subprocess.
	Sub *Scope

	Loop               *StandardLoop
	MI                 *MultiInstance
	ScriptsOnInstances bool

	// Events.
	Events           []*EventDef
	ParallelMultiple bool
	LinkTarget       *Node   // link throw events: the catch event of the same link name in the scope
	AttachedTo       *Node   // boundary events
	CancelActivity   bool    // boundary events: interrupting (default true)
	Boundaries       []*Node // boundary events attached to this activity
	Interrupting     bool    // start events of event subprocesses
	ForCompensation  bool    // isForCompensation: a compensation handler, reached only by compensation
	// Handler is, on a compensation boundary event, the activity its
	// association leads to (isForCompensation="true"): what runs when the
	// activity it is attached to is compensated.
	Handler *Node

	DataInputs  []DataAssociation
	DataOutputs []DataAssociation
	IOSpec      *IOSpec

	// JoinReach is set on inclusive gateways with several incoming flows,
	// and on parallel gateways with an incoming flow that loops back from
	// after them: for every node of the scope, the set of incoming flows
	// (by InIndex) it can still reach without passing through this gateway.
	// Such a join waits only for inputs a live token can still reach.
	JoinReach map[*Node]Bitset
}

// Bitset is a set of non-negative integers (flow indexes), of any size.
type Bitset []uint64

// Add puts i in the set.
func (b *Bitset) Add(i int) {
	for len(*b) <= i/64 {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << uint(i%64)
}

// Has reports whether i is in the set.
func (b Bitset) Has(i int) bool {
	return i/64 < len(b) && b[i/64]&(1<<uint(i%64)) != 0
}

// Each calls f with every member in increasing order until f returns false.
func (b Bitset) Each(f func(i int) bool) {
	for w, word := range b {
		for word != 0 {
			bit := bits.TrailingZeros64(word)
			if !f(w*64 + bit) {
				return
			}
			word &= word - 1
		}
	}
}

// Event returns the node's first event definition, or nil for a none event.
func (n *Node) Event() *EventDef {
	if len(n.Events) == 0 {
		return nil
	}
	return n.Events[0]
}

// HasEvent reports whether the node has an event definition of type t.
func (n *Node) HasEvent(t EventType) bool {
	for _, e := range n.Events {
		if e.Type == t {
			return true
		}
	}
	return false
}

// Path returns "process/node" for messages.
func (n *Node) Path() string {
	if n.Scope != nil && n.Scope.Process != nil {
		return n.Scope.Process.ID + "/" + n.ID
	}
	return n.ID
}

// CompensationHandler returns the handler of an activity's compensation
// boundary event, or nil when the activity has none.
func (n *Node) CompensationHandler() *Node {
	for _, b := range n.Boundaries {
		if b.Handler != nil && b.HasEvent(EventCompensate) {
			return b.Handler
		}
	}
	return nil
}

// CompensationBoundary returns an activity's compensation boundary event,
// or nil.
func (n *Node) CompensationBoundary() *Node {
	for _, b := range n.Boundaries {
		if b.HasEvent(EventCompensate) {
			return b
		}
	}
	return nil
}

// HasEventWait reports whether tasks of this node wait for an event when
// reached (catch events with a definition, receive tasks).
func (n *Node) HasEventWait() bool {
	switch n.Kind {
	case KindReceiveTask:
		return true
	case KindIntermediateCatchEvent, KindStartEvent, KindBoundaryEvent:
		return len(n.Events) > 0 && !n.HasEvent(EventLink)
	}
	return false
}
