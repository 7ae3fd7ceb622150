package engine

import (
	"errors"
	"fmt"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// resolveProcess finds a called process through the host's resolver, or in
// the instance's library.
func (in *Instance) resolveProcess(id string) (*spec.Process, error) {
	if in.env.Processes != nil {
		p, err := in.env.Processes.ResolveProcess(id)
		if err == nil && p != nil {
			return p, nil
		}
		if err != nil && !errors.Is(err, ErrProcessNotFound) {
			return nil, err
		}
	}
	if p := in.lib.Process(id); p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("the called process %q was not found: %w", id, ErrProcessNotFound)
}

// startCallActivity runs the called process as a scope owned by the task.
// With declared data inputs only those are copied in (SpiffWorkflow's rule);
// otherwise all task data.
func (in *Instance) startCallActivity(t *Task) (bool, *TaskError) {
	n := t.Node
	p, err := in.resolveProcess(n.CalledElement)
	if err != nil {
		return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: err.Error()}
	}
	data := t.Data
	if p.IOSpec != nil && len(p.IOSpec.Inputs) > 0 {
		var missing string
		if data, missing = pick(t.Data, p.IOSpec.Inputs, p.IOSpec.Optional); missing != "" {
			return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("you are missing a required data input %q for a call activity", missing)}
		}
	}
	in.setState(t, Started)
	sc := in.openScope(t.ID, &p.Scope, p, t.Scope)
	in.startScope(sc, data, t)
	return false, nil
}
