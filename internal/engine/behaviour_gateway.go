package engine

import "github.com/waymark-bpm/waymark/internal/engine/spec"

// arriveAtJoin records a token reaching a parallel or inclusive gateway with
// several incoming flows. One join task per activation collects arrivals;
// a token on a flow that already has one in the current activation waits
// for the next activation (BPMN's rule; SpiffWorkflow drops it).
func (in *Instance) arriveAtJoin(n *spec.Node, scope int, data map[string]any, flow *spec.Flow, from int) {
	var j *Task
	for _, t := range in.tasks {
		if t.Node == n && t.Scope == scope && t.State == Waiting && t.Arrivals != nil && t.Arrivals[flow.InIndex] == 0 {
			j = t
			break
		}
	}
	if j == nil {
		j = in.newTask(n, scope, nil, from)
		j.Arrivals = make([]int, len(n.Incoming))
		in.setState(j, Waiting)
	}
	j.Arrivals[flow.InIndex]++
	j.Data = deepMerge(j.Data, data)
	j.From = from
	if in.joinSatisfied(j) {
		in.makeReady(j)
	}
}

// joinSatisfied reports whether a waiting join may fire.
func (in *Instance) joinSatisfied(j *Task) bool {
	var arrived, empty uint64
	for i, c := range j.Arrivals {
		if c > 0 {
			arrived |= 1 << uint(i)
		} else {
			empty |= 1 << uint(i)
		}
	}
	if empty == 0 {
		return true
	}
	if j.Node.Kind == spec.KindParallelGateway {
		return false
	}
	// Inclusive join: wait while a live token upstream can reach an input
	// that has no token and cannot reach one that has.
	for _, t := range in.tasks {
		if t == j || t.Scope != j.Scope || !t.State.Live() || t.Trigger || t.Attached != 0 {
			continue
		}
		if t.Node == j.Node {
			continue
		}
		reach := j.Node.JoinReach[t.Node]
		if reach&empty != 0 && reach&arrived == 0 {
			return false
		}
	}
	return true
}

// recheckJoins fires inclusive joins of a scope that no longer wait for
// anything after a token moved or ended.
func (in *Instance) recheckJoins(sc *scopeInst) {
	for _, t := range in.tasks {
		if t.Scope == sc.key && t.State == Waiting && t.Arrivals != nil && t.Node.Kind == spec.KindInclusiveGateway {
			if in.joinSatisfied(t) {
				in.makeReady(t)
			}
		}
	}
}
