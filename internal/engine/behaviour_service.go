package engine

import (
	"fmt"
	"strings"
)

// callService evaluates a service task's parameters and hands the call to
// the host. The result is stored under the operator's resultVariable, or
// spiff__<task id>_result as SpiffWorkflow names it. A pending result leaves
// the task STARTED until CompleteStarted or FailStarted.
func (in *Instance) callService(t *Task) (bool, *TaskError) {
	n := t.Node
	op := n.Service
	if op == nil {
		return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: "service task has no operator (spiffworkflow:serviceTaskOperator)"}
	}
	call := ServiceCall{TaskID: t.ID, NodeID: n.ID, Operator: op.ID, Params: map[string]any{}, Types: map[string]string{}, Data: t.Data}
	for _, p := range op.Params {
		if p.ParseError != "" {
			return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Where: "parameter " + p.ID, Phase: "run",
				Msg: "the value does not parse: " + p.ParseError}
		}
		var v any
		if p.Value != nil {
			var err error
			v, err = p.Value.Eval(in.scriptEnv(t), t.Data)
			if err != nil {
				return false, in.taskErr(t, "run", "parameter "+p.ID, err)
			}
		}
		call.Params[p.ID] = v
		call.Types[p.ID] = p.Type
	}
	if in.env.Services == nil {
		return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("no connector can run operator %q", op.ID)}
	}
	res, err := in.env.Services.CallService(call)
	if err != nil {
		return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Where: "operator " + op.ID, Phase: "run", Msg: err.Error()}
	}
	if res.Pending {
		in.setState(t, Started)
		return false, nil
	}
	t.Data = with(t.Data, resultVariable(t), Normalize(res.Value))
	return true, nil
}

func resultVariable(t *Task) string {
	if op := t.Node.Service; op != nil && op.ResultVariable != "" {
		return op.ResultVariable
	}
	return "spiff__" + strings.ReplaceAll(t.Node.ID, "-", "_") + "_result"
}

// evaluateDecision runs a business rule task's decision (through the host's
// evaluator when there is one, else from the library) and deep-merges the
// outputs into the task data.
func (in *Instance) evaluateDecision(t *Task) (bool, *TaskError) {
	n := t.Node
	if n.CalledDecision == "" {
		return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: "business rule task names no decision (spiffworkflow:calledDecisionId)"}
	}
	var out map[string]any
	var err error
	switch d := in.lib.Decision(n.CalledDecision); {
	case in.env.Decisions != nil:
		out, err = in.env.Decisions.EvaluateDecision(n.CalledDecision, t.Data)
	case d != nil:
		// The table's expressions see this task as `task`, as scripts do.
		in.scriptTask = t
		out, err = d.Evaluate(&in.senv, t.Data)
	default:
		return false, &TaskError{TaskID: t.ID, NodeID: n.ID, Phase: "run", Msg: fmt.Sprintf("no decision table with id %q is loaded", n.CalledDecision)}
	}
	if err != nil {
		return false, in.taskErr(t, "run", "decision "+n.CalledDecision, err)
	}
	t.Data = deepMerge(t.Data, NormalizeMap(out))
	return true, nil
}
