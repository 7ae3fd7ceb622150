package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// ErrUnmappable marks a migration refused because live tasks of the
// instance are at elements the new model no longer has.
var ErrUnmappable = errors.New("the instance cannot be mapped onto the model")

// MigrationIssue is one task (or subprocess, or process) of an instance
// whose element the new model does not have.
type MigrationIssue struct {
	TaskID    int    `json:"task_id,omitempty"`
	ElementID string `json:"element,omitempty"`
	Process   string `json:"process"`
	State     string `json:"state,omitempty"`
	Message   string `json:"message"`
}

// MigrationPlan says how an instance maps onto a new version of its model.
// Elements are matched by process id and element id, as SpiffWorkflow's
// workflow diff matches task specs by name.
type MigrationPlan struct {
	// Unmappable are the live tasks (WAITING, READY, STARTED, in ERROR) and
	// open subprocesses whose element is gone: the instance is at a place
	// the new model does not have, so it cannot move to it (as SpiffArena
	// refuses when a started or waiting task's spec was removed).
	Unmappable []MigrationIssue `json:"unmappable"`
	// Removed are finished tasks and subprocesses whose element is gone:
	// they stay in the instance's history, marked removed.
	Removed []MigrationIssue `json:"removed"`
}

// Needed reports whether the instance differs from the model at all: with
// nothing gone, it already runs on the new model as it is.
func (p MigrationPlan) Needed() bool { return len(p.Unmappable)+len(p.Removed) > 0 }

// Problem describes the unmappable tasks in one sentence, "" when there
// are none.
func (p MigrationPlan) Problem() string {
	if len(p.Unmappable) == 0 {
		return ""
	}
	parts := make([]string, len(p.Unmappable))
	for i, u := range p.Unmappable {
		parts[i] = u.Message
	}
	return strings.Join(parts, "; ")
}

// PlanMigration is the dry run of Migrate: what moving the instance in
// snapshot onto lib would keep, mark removed, and what cannot be mapped.
// It changes nothing.
func PlanMigration(lib *spec.Library, snapshot []byte, env Env) (MigrationPlan, error) {
	var plan MigrationPlan
	in, err := restore(lib, snapshot, env, &plan)
	if err != nil && len(plan.Unmappable) == 0 {
		return plan, err
	}
	if in != nil {
		in.changedElements(&plan)
	}
	return plan, nil
}

// Migrate restores the instance in snapshot onto lib, a newer version of
// its model: every task and scope is bound to the element of the same id in
// lib, and the instance goes on from where it is along the new diagram.
// Finished tasks whose element is gone stay as history (the snapshot marks
// them, and later restores accept them). When a live task's element is
// gone it refuses with ErrUnmappable and the plan lists them.
func Migrate(lib *spec.Library, snapshot []byte, env Env) (*Instance, MigrationPlan, error) {
	var plan MigrationPlan
	in, err := restore(lib, snapshot, env, &plan)
	if in != nil {
		in.changedElements(&plan)
	}
	if len(plan.Unmappable) > 0 {
		return nil, plan, fmt.Errorf("%w: %s", ErrUnmappable, plan.Problem())
	}
	if err != nil {
		return nil, plan, err
	}
	return in, plan, nil
}

// goneTask stands in for the element of a task that the model no longer
// has. A live task is listed unmappable; a finished one keeps its place in
// the history. Without a plan (a plain restore of a migrated snapshot) only
// finished tasks are stood in for.
func (m *MigrationPlan) goneTask(st *snapTask, p *spec.Process) *spec.Node {
	id := string(st.Node)
	live := st.State.holds()
	if m == nil {
		if live {
			return nil
		}
		return &spec.Node{ID: id, Name: id, Scope: &p.Scope}
	}
	issue := MigrationIssue{TaskID: st.ID, ElementID: id, Process: p.ID, State: st.State.String()}
	if live {
		issue.Message = fmt.Sprintf("task %d is %s at %s, which is no longer in process %s", st.ID, st.State, id, p.ID)
		m.Unmappable = append(m.Unmappable, issue)
	} else if !st.Gone {
		issue.Message = fmt.Sprintf("task %d (%s) at %s stays in the history; the element is no longer in process %s", st.ID, st.State, id, p.ID)
		m.Removed = append(m.Removed, issue)
	}
	return &spec.Node{ID: id, Name: id, Scope: &p.Scope}
}

// goneScope stands in for a subprocess the model no longer has.
func (m *MigrationPlan) goneScope(ss *snapScope, p *spec.Process) (*spec.Scope, bool) {
	id := string(ss.Scope)
	stub := &spec.Scope{ID: id, Process: p}
	if m == nil {
		if !ss.Done {
			return nil, false
		}
		return stub, true
	}
	if !ss.Done {
		m.Unmappable = append(m.Unmappable, MigrationIssue{ElementID: id, Process: p.ID,
			Message: fmt.Sprintf("subprocess %s is running, and is no longer in process %s", id, p.ID)})
	}
	return stub, true
}

// changedElements lists the live tasks whose element still exists but can
// no longer hold them as they are (SpiffArena also refuses a migration when
// a started task's spec changed): a task waiting for a person at an element
// that is no longer a user or manual task, one waiting for an event at an
// element that catches none, a loop or multi-instance activity that is no
// longer one, a running subprocess or call activity that is no longer one.
func (in *Instance) changedElements(m *MigrationPlan) {
	queued := make(map[*Task]bool, len(in.queue))
	for _, t := range in.queue {
		queued[t] = true
	}
	for _, t := range in.Active() {
		if t.gone {
			continue
		}
		n := t.Node
		var why string
		switch {
		case t.Role == RoleWrapper && n.Loop == nil && n.MI == nil:
			why = "is no longer a loop or multi-instance activity"
		case t.State == Started && in.scopes[t.ID] != nil && !in.scopes[t.ID].done && n.Sub == nil && n.Kind != spec.KindCallActivity:
			why = "is no longer a subprocess or call activity"
		case t.State == Ready && !queued[t] && t.Role != RoleWrapper && !waitsForPerson(t):
			why = "is no longer a user or manual task"
		case t.State == Waiting && !isJoin(t) && len(n.Events) == 0 && n.Kind != spec.KindReceiveTask && n.Kind != spec.KindEventBasedGateway && !t.Trigger:
			why = "no longer waits for an event"
		}
		if why == "" {
			continue
		}
		p := ""
		if n.Scope != nil && n.Scope.Process != nil {
			p = n.Scope.Process.ID
		}
		m.Unmappable = append(m.Unmappable, MigrationIssue{TaskID: t.ID, ElementID: n.ID, Process: p, State: t.State.String(),
			Message: fmt.Sprintf("task %d is %s at %s, which %s (now %s)", t.ID, t.State, n.ID, why, n.Kind)})
	}
}
