package engine

import "reflect"

// A step changes the tasks it touches and adds a few; the instance's
// finished history stays as it was. Snapshot therefore keeps the encoded
// form of the instance's leading finished tasks (their data in the values
// list and their task records) and copies it into the next snapshot
// instead of encoding those tasks again: after a 10,000-item
// multi-instance activity a snapshot re-encodes a handful of tasks, not
// ten thousand. The bytes are those a full encoding writes, so the
// snapshot format does not change and the store's chunker sees the same
// bytes for the unchanged history.
//
// The prefix covers tasks 1..n, all finished (COMPLETED or CANCELLED, with
// no error and no compensation pending) when they were encoded. Each
// snapshot first checks that they still read as they were encoded (state,
// data map, times, sequence number and the few fields a finished task's
// record holds beyond them); if one changed (a repair that reopens a task)
// the prefix is dropped and the snapshot encoded in full.
type encPrefix struct {
	n      int
	values []byte    // the values list's members for the prefix, comma-separated
	ptrs   []mapSlot // the data maps those members number
	tasks  []byte    // the prefix's task records, comma-separated
	marks  []taskMark
}

// taskMark is what a finished task's encoded record and data depend on
// that a later change could touch.
type taskMark struct {
	data             uintptr
	state            State
	cond             bool
	seq              int
	created, updated int64
	due              int64
	cycles, arrivals int
}

func markOf(t *Task) taskMark {
	return taskMark{data: mapPtr(t.Data), state: t.State, cond: t.condHeld, seq: t.Seq,
		created: micros(t.Created), updated: micros(t.Updated), due: micros(t.Due), cycles: t.Cycles, arrivals: len(t.Arrivals)}
}

func mapPtr(m map[string]any) uintptr {
	if m == nil {
		return 0
	}
	return reflect.ValueOf(m).Pointer()
}

// frozen reports whether a task's encoding can no longer change.
func frozen(t *Task) bool {
	return (t.State == Completed || t.State == Cancelled) && t.Err == nil && t.comp == nil
}

// validPrefix returns the number of leading tasks whose encoding the
// prefix holds, dropping the prefix when one of them changed.
func (in *Instance) validPrefix() int {
	p := &in.enc
	if p.n > len(in.tasks) {
		*p = encPrefix{}
		return 0
	}
	for i := range p.n {
		t := in.tasks[i]
		if !frozen(t) || markOf(t) != p.marks[i] {
			*p = encPrefix{}
			return 0
		}
	}
	return p.n
}

// frozenUpTo is how many leading tasks are finished, counting on from
// the n known to be.
func (in *Instance) frozenUpTo(n int) int {
	for n < len(in.tasks) && frozen(in.tasks[n]) {
		n++
	}
	return n
}

// grow extends the prefix to the first upto tasks with what this snapshot
// wrote for tasks n..upto-1: values and tasks are the bytes written for
// them in the two lists and ptrs the data maps numbered there.
func (p *encPrefix) grow(in *Instance, upto int, values, tasks []byte, ptrs []mapSlot) {
	for i := p.n; i < upto; i++ {
		p.marks = append(p.marks, markOf(in.tasks[i]))
	}
	p.n = upto
	p.values = append(p.values, values...)
	p.tasks = append(p.tasks, tasks...)
	p.ptrs = append(p.ptrs, ptrs...)
}
