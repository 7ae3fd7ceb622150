package engine

import "fmt"

// State is a task instance's state, named as SpiffWorkflow names them.
type State uint8

// Task states.
const (
	Waiting State = iota + 1
	Ready
	Started
	Completed
	Error
	Cancelled
)

var stateNames = [...]string{"", "WAITING", "READY", "STARTED", "COMPLETED", "ERROR", "CANCELLED"}

func (s State) String() string {
	if int(s) < len(stateNames) && s > 0 {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}

// Live reports whether a task in this state can still move.
func (s State) Live() bool { return s == Waiting || s == Ready || s == Started }

// holds reports whether a task in this state keeps its scope from
// finishing: live tasks, and tasks in ERROR (they wait for a Retry).
func (s State) holds() bool { return s.Live() || s == Error }

// ParseState parses a state name.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if i > 0 && n == s {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown task state %q", s)
}

// Status is the state of a whole instance.
type Status uint8

// Instance statuses.
const (
	// Running: the instance still has live tasks (it may be waiting on the outside).
	Running Status = iota + 1
	// Done: every scope finished.
	Done
	// Failed: a task is in ERROR; Retry moves it on again.
	Failed
	// Terminated: the host ended the instance with Terminate.
	Terminated
)

var statusNames = [...]string{"", "running", "completed", "error", "terminated"}

func (s Status) String() string {
	if int(s) < len(statusNames) && s > 0 {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", s)
}
