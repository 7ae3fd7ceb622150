package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// SnapshotVersion is the version of the snapshot format written by Snapshot.
// Restore reads it and every older version: decodeSnapshot reads the keys
// of all versions, and one migrateVN function per version bump
// (snapshot_migrate.go) brings an older snapshot's meaning up to date.
const SnapshotVersion = 3

// ErrSnapshot marks a snapshot that cannot be restored.
var ErrSnapshot = errors.New("cannot restore snapshot")

// A snapshot is one JSON object, written by Snapshot (snapshot_encode.go)
// and read by decodeSnapshot (snapshot_decode.go):
//
//	{"version":3, "process":"p", "status":"running",
//	 "started":"2026-01-05T09:00:00Z", "seq":3,
//	 "processes":["p"],
//	 "values":[{"x":1,"big":[1,2,3]}, [0,{"y":2},["x"]]],
//	 "tasks":[{"id":1,"node":"start","state":"COMPLETED","data":0,"seq":1}, ...],
//	 "scopes":[{"key":0,"p":0,"scope":"p","objects":-1,"end_data":-1,"last":1,"corr":-1}],
//	 "queue":[4], "roots":[0], "data":-1, "effects":[...]}
//
// Elements are referenced by process id and element id, so a snapshot
// restores against a newer version of the model as long as the elements it
// is at still exist. "p" fields index "processes". Data maps are shared
// between tasks, so each distinct map is stored once in "values" and
// referred to by index (-1 = none). Since version 3 a map that shares values
// with an earlier one (the instances of a multi-instance activity all hold
// its input collection) may be stored as its difference from it: [index of
// the earlier map, {keys changed or added}, [keys removed]]. Task times are whole microseconds:
// "created" and "updated" count from "started" ("created" is left out when
// 0, "updated" when it equals "created"); "due" is Unix time. Most members
// that are zero, empty or false are left out; unknown keys are skipped.
// Compensation state is kept in optional members that older snapshots do
// not have (no model ran compensation before): a scope's "comp" lists its
// completed activities that can still be compensated, a task's
// "compensate" the activities a compensation throw still has to
// compensate, and a handler's "comp_for" the task that waits for it. A
// waiting conditional event's "cond_held" says its condition held when
// last evaluated (it fires again only after turning false).
// A task or scope marked "gone" is history whose element a migration found
// removed from the model (see Migrate): it is restored with a stand-in
// element instead of being refused.
//
// The types below are a decoded snapshot, before the elements and values it
// names are looked up. The struct tags give the JSON keys.
type snapshot struct {
	Version   int              `json:"version"`
	Process   string           `json:"process"`
	Status    Status           `json:"status"`
	Started   time.Time        `json:"started,omitempty"`
	Seq       int              `json:"seq"`
	Processes []string         `json:"processes"`
	Values    []map[string]any `json:"values"`
	Tasks     []snapTask       `json:"tasks"`
	Scopes    []snapScope      `json:"scopes"`
	Queue     []int            `json:"queue,omitempty"`
	Roots     []int            `json:"roots"`
	Data      int              `json:"data"`
	Effects   []Effect         `json:"effects,omitempty"`
}

type snapTask struct {
	ID    int    `json:"id"`
	Proc  int    `json:"p,omitempty"`
	Node  []byte `json:"node"` // the element id, a slice of the snapshot: only looked up
	State State  `json:"state"`
	Scope int    `json:"scope,omitempty"`
	Data  int    `json:"data"`
	From  int    `json:"from,omitempty"`
	Seq   int    `json:"seq,omitempty"`
	// Created and Updated are microseconds after Started; without
	// HasUpdated, Updated is Created.
	Created    int64      `json:"created,omitempty"`
	Updated    int64      `json:"updated,omitempty"`
	HasUpdated bool       `json:"-"`
	Err        *TaskError `json:"err,omitempty"`
	Role       Role       `json:"role,omitempty"`
	Wrapper    int        `json:"wrapper,omitempty"`
	Index      int        `json:"index,omitempty"`
	Key        any        `json:"key,omitempty"`
	Attached   int        `json:"attached,omitempty"`
	Gate       int        `json:"gate,omitempty"`
	Trigger    bool       `json:"trigger,omitempty"`
	Pool       bool       `json:"pool,omitempty"`
	Due        int64      `json:"due,omitempty"` // Unix microseconds
	Cycles     int        `json:"cycles,omitempty"`
	Period     int64      `json:"period,omitempty"` // nanoseconds
	Arrivals   []int      `json:"arrivals,omitempty"`
	Loop       *loopState `json:"loop,omitempty"` // keys total, next, done, keys, items, out_keys, out_items
	// Compensate (version 3, written since compensation runs): the
	// completed activities a compensation throw (or a transaction's cancel
	// boundary event) still has to compensate, in order.
	Compensate []int `json:"compensate,omitempty"`
	// CompFor: on a compensation handler, the task waiting for it.
	CompFor int `json:"comp_for,omitempty"`
	// CondHeld (version 3, written since non-interrupting conditional
	// events wait for their condition to turn false and true again): the
	// condition held when last evaluated.
	CondHeld bool `json:"cond_held,omitempty"`
	// Gone: a finished task whose element a migration removed (see Migrate).
	Gone bool `json:"gone,omitempty"`
}

type snapScope struct {
	Key     int    `json:"key"`
	Proc    int    `json:"p"`
	Scope   []byte `json:"scope"` // process id, or the id of the subprocess node
	Objects int    `json:"objects"`
	EndData int    `json:"end_data"`
	Ended   bool   `json:"ended,omitempty"`
	Last    int    `json:"last"`
	Done    bool   `json:"done,omitempty"`
	Parent  int    `json:"parent,omitempty"`
	Corr    int    `json:"corr"`
	DoneAt  int    `json:"done_at,omitempty"`
	// ByMessage (version 3): a pool instance a message started.
	ByMessage bool `json:"by_message,omitempty"`
	// Comp (version 3, written since compensation runs): the completed
	// activities of the scope that can still be compensated, in the order
	// they completed.
	Comp []int `json:"comp,omitempty"`
	// Gone: a finished subprocess whose element a migration removed.
	Gone bool `json:"gone,omitempty"`
}

// Effects are stored with the keys kind, name, code, payload,
// correlations, task_id and node_id.

// micros gives a time as Unix microseconds (0 for the zero time).
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// Restore rebuilds an instance from a snapshot against a library (the same
// model, or a fixed version of it) and an environment. Snapshots of older
// versions are migrated as they are read.
func Restore(lib *spec.Library, data []byte, env Env) (*Instance, error) {
	return restore(lib, data, env, nil)
}

// restore is Restore; with mig set it maps the snapshot onto a changed
// model instead of refusing what is gone (see Migrate).
func restore(lib *spec.Library, data []byte, env Env, mig *MigrationPlan) (*Instance, error) {
	d, err := decodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnapshot, err)
	}
	defer d.release()
	s := &d.s
	if err := migrate(s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnapshot, err)
	}
	in := newInstance(lib, env)
	in.processID, in.started, in.seq, in.roots = s.Process, s.Started, s.Seq, s.Roots
	if s.Status != 0 {
		in.status = s.Status
	}
	procs := make([]*spec.Process, len(s.Processes))
	for i, id := range s.Processes {
		p := lib.Process(id)
		if p == nil {
			if p, err = in.resolveProcess(id); err != nil {
				if mig != nil {
					mig.Unmappable = append(mig.Unmappable, MigrationIssue{Process: id, Message: fmt.Sprintf("process %q is no longer in the model", id)})
				}
				return nil, fmt.Errorf("%w: process %q: %v", ErrSnapshot, id, err)
			}
		}
		procs[i] = p
	}
	val := func(i int) (map[string]any, error) {
		if i == -1 {
			return nil, nil
		}
		if i < 0 || i >= len(s.Values) {
			return nil, fmt.Errorf("%w: value index %d out of range", ErrSnapshot, i)
		}
		return s.Values[i], nil
	}
	proc := func(i int) (*spec.Process, error) {
		if i < 0 || i >= len(procs) {
			return nil, fmt.Errorf("%w: process index %d out of range", ErrSnapshot, i)
		}
		return procs[i], nil
	}
	scopes := make([]scopeInst, len(s.Scopes))
	for i := range s.Scopes {
		ss := &s.Scopes[i]
		p, err := proc(ss.Proc)
		if err != nil {
			return nil, err
		}
		sc := &scopes[i]
		*sc = scopeInst{key: ss.Key, process: p, ended: ss.Ended, done: ss.Done, parent: ss.Parent, doneAt: ss.DoneAt, byMessage: ss.ByMessage}
		if string(ss.Scope) == p.ID {
			sc.scope = &p.Scope
		} else if n := p.AllNodes[string(ss.Scope)]; n != nil && n.Sub != nil {
			sc.scope = n.Sub
		} else if stub, ok := mig.goneScope(ss, p); ok && (ss.Gone || mig != nil) {
			sc.scope, sc.gone = stub, true
		} else {
			return nil, fmt.Errorf("%w: subprocess %q of process %q is no longer in the model", ErrSnapshot, ss.Scope, p.ID)
		}
		if sc.objects, err = val(ss.Objects); err != nil {
			return nil, err
		}
		if sc.endData, err = val(ss.EndData); err != nil {
			return nil, err
		}
		if sc.last, err = val(ss.Last); err != nil {
			return nil, err
		}
		if sc.corr, err = val(ss.Corr); err != nil {
			return nil, err
		}
		in.scopes[ss.Key] = sc
	}
	// The tasks are made in one block, as newTask makes them.
	block := make([]Task, len(s.Tasks))
	in.tasks = make([]*Task, len(s.Tasks))
	base := micros(s.Started)
	for i := range s.Tasks {
		st := &s.Tasks[i]
		if st.ID != i+1 {
			return nil, fmt.Errorf("%w: task %d is out of order", ErrSnapshot, st.ID)
		}
		p, err := proc(st.Proc)
		if err != nil {
			return nil, err
		}
		n := p.AllNodes[string(st.Node)]
		gone := false
		if n == nil && (st.Gone || mig != nil) {
			n, gone = mig.goneTask(st, p), true
		}
		if n == nil {
			return nil, fmt.Errorf("%w: element %q of process %q is no longer in the model", ErrSnapshot, st.Node, p.ID)
		}
		t := &block[i]
		*t = Task{ID: st.ID, Node: n, State: st.State, Scope: st.Scope, From: st.From, Seq: st.Seq, Err: st.Err,
			Role: st.Role, Wrapper: st.Wrapper, Index: st.Index, Key: st.Key, Attached: st.Attached, Gate: st.Gate,
			Trigger: st.Trigger, Pool: st.Pool, Cycles: st.Cycles, Period: time.Duration(st.Period), Arrivals: st.Arrivals, Loop: st.Loop, condHeld: st.CondHeld, gone: gone}
		if len(st.Compensate) > 0 || st.CompFor != 0 {
			t.comp = &compState{todo: st.Compensate, handlerOf: st.CompFor}
		}
		if t.Data, err = val(st.Data); err != nil {
			return nil, err
		}
		t.Created, t.Updated, t.Due = fromMicros(base+st.Created), fromMicros(base+st.Updated), fromMicros(st.Due)
		if !st.HasUpdated {
			t.Updated = t.Created
		}
		in.tasks[i] = t
		if t.State.holds() {
			in.active = append(in.active, t)
		}
		if t.State == Waiting && isJoin(t) {
			for _, c := range t.Arrivals {
				if c == 0 {
					t.missing++
				}
			}
			if in.joins == nil {
				in.joins = map[joinKey][]*Task{}
			}
			k := joinKey{t.Node, t.Scope}
			in.joins[k] = append(in.joins[k], t)
		}
		if t.State.holds() && !t.Trigger {
			if sc := in.scopes[t.Scope]; sc != nil {
				sc.live++
			}
		}
	}
	for i := range s.Scopes {
		ss := &s.Scopes[i]
		for _, id := range ss.Comp {
			t := in.Task(id)
			if t == nil || t.State != Completed {
				return nil, fmt.Errorf("%w: compensation record %d of scope %d is not a completed task", ErrSnapshot, id, ss.Key)
			}
			sc := in.scopes[ss.Key]
			sc.comp = append(sc.comp, t)
		}
	}
	for i := range s.Tasks {
		st := &s.Tasks[i]
		for _, id := range st.Compensate {
			if t := in.Task(id); t == nil || t.State != Completed {
				return nil, fmt.Errorf("%w: task %d would compensate task %d, which is not a completed task", ErrSnapshot, st.ID, id)
			}
		}
		if st.CompFor != 0 && in.Task(st.CompFor) == nil {
			return nil, fmt.Errorf("%w: compensation handler %d waits on task %d, which does not exist", ErrSnapshot, st.ID, st.CompFor)
		}
	}
	if len(s.Queue) > 0 {
		in.queue = make([]*Task, len(s.Queue))
		for i, id := range s.Queue {
			if in.queue[i] = in.Task(id); in.queue[i] == nil {
				return nil, fmt.Errorf("%w: queued task %d does not exist", ErrSnapshot, id)
			}
		}
	}
	if in.data, err = val(s.Data); err != nil {
		return nil, err
	}
	in.effects = s.Effects
	return in, nil
}
