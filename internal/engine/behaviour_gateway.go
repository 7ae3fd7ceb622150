package engine

import "github.com/waymark-bpm/waymark/internal/engine/spec"

// arriveAtJoin records a token reaching a parallel or inclusive gateway with
// several incoming flows. One join task per activation collects arrivals;
// a token on a flow that already has one in the current activation waits
// for the next activation (BPMN's rule; SpiffWorkflow drops it).
func (in *Instance) arriveAtJoin(n *spec.Node, scope int, data map[string]any, flow *spec.Flow, from int) {
	key := joinKey{n, scope}
	var j *Task
	open := in.joins[key][:0]
	for _, t := range in.joins[key] {
		if t.State != Waiting {
			continue // fired or cancelled: dropped from the index
		}
		open = append(open, t)
		if j == nil && t.Arrivals[flow.InIndex] == 0 {
			j = t
		}
	}
	if j == nil {
		j = in.newTask(n, scope, nil, from)
		j.Arrivals = make([]int, len(n.Incoming))
		j.missing = len(n.Incoming)
		in.setState(j, Waiting)
		open = append(open, j)
	}
	if in.joins == nil {
		in.joins = map[joinKey][]*Task{}
	}
	in.joins[key] = open
	if j.Arrivals[flow.InIndex] == 0 {
		j.missing--
	}
	j.Arrivals[flow.InIndex]++
	j.Data = in.mergeOwned(j, data)
	j.From = from
	if in.joinSatisfied(j) {
		in.makeReady(j)
	}
}

// joinKey names the open activations of a join: the gateway in a scope.
type joinKey struct {
	node  *spec.Node
	scope int
}

// mergeOwned merges data into the join's data (see mergeInto): no other
// task sees a waiting join's map.
func (in *Instance) mergeOwned(j *Task, data map[string]any) map[string]any {
	return mergeInto(j.Data, &j.ownData, data)
}

// isJoin reports whether t is a gateway collecting the tokens of a join.
func isJoin(t *Task) bool {
	return t.Arrivals != nil && t.Node.Kind.IsGateway()
}

// joinSatisfied reports whether a waiting join may fire: when every input
// has a token, or, for a join with JoinReach (inclusive, or parallel with a
// loop-back input), when no live token upstream can still reach an input
// without a token unless it can also reach one that has one. The cost is
// linear in the inputs and in the live tokens' reachable inputs, with no
// limit on the number of inputs.
func (in *Instance) joinSatisfied(j *Task) bool {
	if j.missing == 0 {
		return true
	}
	if j.Node.JoinReach == nil {
		return false
	}
	for _, t := range in.activeTasks() {
		if t == j || t.Scope != j.Scope || !t.State.Live() || t.Trigger || t.Attached != 0 {
			continue
		}
		if t.Node == j.Node {
			continue
		}
		reachesEmpty, reachesArrived := false, false
		j.Node.JoinReach[t.Node].Each(func(i int) bool {
			if j.Arrivals[i] > 0 {
				reachesArrived = true
			} else {
				reachesEmpty = true
			}
			return !reachesArrived
		})
		if reachesEmpty && !reachesArrived {
			return false
		}
	}
	return true
}

// recheckJoins fires joins with JoinReach of a scope that no longer wait for
// anything after a token moved or ended.
func (in *Instance) recheckJoins(sc *scopeInst) {
	for _, t := range in.activeTasks() {
		if t.Scope == sc.key && t.State == Waiting && t.Arrivals != nil && t.Node.JoinReach != nil {
			if in.joinSatisfied(t) {
				in.makeReady(t)
			}
		}
	}
}
