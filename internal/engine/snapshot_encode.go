package engine

import (
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// The snapshot is written by hand, straight from the instance, into one
// byte slice: instances are snapshotted after every step, so this is on the
// hot path of the runner. The keys and omission rules are those of the
// types in snapshot.go, which decodeSnapshot reads.

// jw appends JSON to b. first says that the object just opened has no
// member yet (no comma before the next key).
type jw struct {
	b     []byte
	first bool
	// values numbers the distinct data maps in the order they are written.
	values mapIndex
	procs  []*spec.Process
	// taskData is the number of each task's data map.
	taskData []int32
	// logging makes the writer note in log each data map it numbers.
	logging bool
	log     []mapSlot
}

// Writers are pooled: the map table and the scratch lists are reused from
// one snapshot to the next; only the snapshot itself is made anew.
var writers = sync.Pool{New: func() any { return &jw{} }}

func (w *jw) release() {
	if len(w.values.slots) > 1<<14 || cap(w.taskData) > 1<<14 {
		return
	}
	clear(w.procs)
	w.b, w.first, w.procs, w.taskData = nil, false, w.procs[:0], w.taskData[:0]
	w.logging, w.log = false, w.log[:0]
	writers.Put(w)
}

// mapIndex numbers data maps by identity (tasks share maps, which are never
// changed in place). It is an open-addressing hash table of map pointers,
// made once per snapshot with room for every map it can meet, so it never
// fills up: one allocation, where a Go map would grow several times.
type mapIndex struct {
	slots []mapSlot
	n     int
}

type mapSlot struct {
	p uintptr // 0: empty
	i int
}

// reset empties the table and makes room for max maps, reusing the slots
// it has unless they are too few or far too many.
func (x *mapIndex) reset(max int) {
	size := 8
	for size < max+max/2 {
		size *= 2
	}
	if len(x.slots) < size || len(x.slots) > 4*size {
		x.slots = make([]mapSlot, size)
	} else {
		clear(x.slots)
	}
	x.n = 0
}

// lookup returns the number of the map at p, or the slot to put it in.
func (x *mapIndex) lookup(p uintptr) (i int, slot *mapSlot) {
	mask := uint64(len(x.slots) - 1)
	// Fibonacci hashing of the pointer; its low bits are alignment.
	for h := uint64(p>>3) * 0x9E3779B97F4A7C15 >> 32; ; h++ {
		s := &x.slots[h&mask]
		switch s.p {
		case p:
			return s.i, nil
		case 0:
			return -1, s
		}
	}
}

func (w *jw) open()  { w.b = append(w.b, '{'); w.first = true }
func (w *jw) close() { w.b = append(w.b, '}'); w.first = false }

func (w *jw) key(k string) {
	b := w.b
	if !w.first {
		b = append(b, ',')
	}
	w.first = false
	b = append(b, '"')
	b = append(b, k...)
	w.b = append(b, '"', ':')
}

// int writes a member; intOmit leaves it out when it is zero.
func (w *jw) int(k string, v int) {
	w.key(k)
	w.b = appendInt(w.b, int64(v))
}

// appendInt is strconv.AppendInt in base 10, with the one- and two-digit
// numbers most members hold written directly.
func appendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0 && v < 10:
		return append(b, byte('0'+v))
	case v >= 10 && v < 100:
		return append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return strconv.AppendInt(b, v, 10)
}

func (w *jw) intOmit(k string, v int) {
	if v != 0 {
		w.int(k, v)
	}
}

func (w *jw) int64Omit(k string, v int64) {
	if v != 0 {
		w.key(k)
		w.b = strconv.AppendInt(w.b, v, 10)
	}
}

func (w *jw) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

func (w *jw) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jw) boolOmit(k string, v bool) {
	if v {
		w.key(k)
		w.b = append(w.b, "true"...)
	}
}

func (w *jw) value(k string, v any) {
	w.key(k)
	w.b = appendValue(w.b, v)
}

func (w *jw) ints(k string, v []int) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, x := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendInt(w.b, int64(x))
	}
	w.b = append(w.b, ']')
}

// dataMap numbers a data map, writing it into the values list the first
// time it is seen (-1 for nil). Maps are told apart by identity: tasks
// share maps, which are never changed in place.
func (w *jw) dataMap(m map[string]any) int {
	if m == nil {
		return -1
	}
	p := reflect.ValueOf(m).Pointer()
	i, slot := w.values.lookup(p)
	if slot == nil {
		return i
	}
	if w.values.n > 0 {
		w.b = append(w.b, ',')
	}
	w.b = appendValue(w.b, m)
	*slot = mapSlot{p, w.values.n}
	w.noted(*slot)
	w.values.n++
	return w.values.n - 1
}

// dataMapFrom numbers a data map as dataMap does, but writes it as its
// difference from base when base is given and the two share values (by
// identity, as data is never changed in place):
//
//	[baseIndex, {"changed or added key": value, ...}, ["removed key", ...]]
//
// with, when some lists are the first elements of the base's list of the
// same key, a fourth part: {"key": number of elements, ...}.
//
// A multi-instance activity's instances all share its input collection,
// which is then stored once, not once per instance.
func (w *jw) dataMapFrom(m, base map[string]any) int {
	if m == nil || len(base) == 0 {
		return w.dataMap(m)
	}
	p := reflect.ValueOf(m).Pointer()
	i, slot := w.values.lookup(p)
	if slot == nil {
		return i
	}
	if reflect.ValueOf(base).Pointer() == p {
		return w.dataMap(m)
	}
	shared := 0
	for k, v := range m {
		if bv, ok := base[k]; ok && (sameValue(v, bv) && !isScalar(v) || isPrefix(v, bv)) {
			shared++
		}
	}
	if shared == 0 {
		return w.dataMap(m)
	}
	bi := w.dataMap(base)
	// Writing base may have grown the table: look the slot up again.
	if _, slot = w.values.lookup(p); slot == nil {
		panic("snapshot: data map written twice")
	}
	if w.values.n > 0 {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '[')
	w.b = appendInt(w.b, int64(bi))
	w.b = append(w.b, ',')
	var small, smallPrefix [16]entry
	changed, prefixes := small[:0], smallPrefix[:0]
	for k, v := range m {
		bv, ok := base[k]
		switch {
		case ok && sameValue(v, bv):
		case ok && isPrefix(v, bv):
			prefixes = append(prefixes, entry{k, int64(len(v.([]any)))})
		default:
			changed = append(changed, entry{k, v})
		}
	}
	w.b = appendEntries(w.b, changed)
	w.b = append(w.b, ',', '[')
	var gone []string
	for k := range base {
		if _, ok := m[k]; !ok {
			gone = append(gone, k)
		}
	}
	slices.Sort(gone)
	for j, k := range gone {
		if j > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, k)
	}
	w.b = append(w.b, ']')
	if len(prefixes) > 0 {
		w.b = append(w.b, ',')
		w.b = appendEntries(w.b, prefixes)
	}
	w.b = append(w.b, ']')
	*slot = mapSlot{p, w.values.n}
	w.noted(*slot)
	w.values.n++
	return w.values.n - 1
}

// noted logs a newly numbered data map when the writer is logging.
func (w *jw) noted(s mapSlot) {
	if w.logging {
		w.log = append(w.log, s)
	}
}

// isPrefix reports whether v is a shorter view of the list bv (the same
// elements in memory): a sequential multi-instance activity's instances
// each hold the output list as it stood when they ran.
func isPrefix(v, bv any) bool {
	a, ok1 := v.([]any)
	b, ok2 := bv.([]any)
	return ok1 && ok2 && len(a) > 0 && len(a) < len(b) && &a[0] == &b[0]
}

// isScalar reports whether a data value is a number, text, bool or null:
// sharing those saves nothing worth a difference.
func isScalar(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

// proc numbers a process by id.
func (w *jw) proc(p *spec.Process) int {
	for i, q := range w.procs {
		if q == p || q.ID == p.ID {
			return i
		}
	}
	w.procs = append(w.procs, p)
	return len(w.procs) - 1
}

// Snapshot serialises the instance to versioned JSON (see snapshot.go for
// the format).
func (in *Instance) Snapshot() ([]byte, error) {
	w := writers.Get().(*jw)
	defer w.release()
	w.b = make([]byte, 0, 256+128*len(in.tasks))
	w.values.reset(len(in.tasks) + 4*len(in.scopes) + 1)
	var small [8]*scopeInst
	scopes := small[:0]
	for _, sc := range in.scopes {
		scopes = append(scopes, sc)
	}
	slices.SortFunc(scopes, func(a, b *scopeInst) int { return a.key - b.key })
	base := micros(in.started)

	w.open()
	w.int("version", SnapshotVersion)
	w.str("process", in.processID)
	w.str("status", in.status.String())
	if !in.started.IsZero() {
		w.key("started")
		w.b = append(w.b, '"')
		w.b = in.started.AppendFormat(w.b, time.RFC3339Nano)
		w.b = append(w.b, '"')
	}
	w.int("seq", in.seq)

	for _, t := range in.tasks {
		w.proc(t.Node.Scope.Process)
	}
	for _, sc := range scopes {
		w.proc(sc.process)
	}
	w.key("processes")
	w.b = append(w.b, '[')
	for i, p := range w.procs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, p.ID)
	}
	w.b = append(w.b, ']')

	// Every distinct data map is written once, here; tasks, scopes and the
	// instance refer to them by index.
	// The finished history encoded by an earlier snapshot is copied; the
	// tasks after it are encoded (snapshot_prefix.go).
	pre := in.validPrefix()
	upto := in.frozenUpTo(pre)
	for _, s := range in.enc.ptrs {
		_, slot := w.values.lookup(s.p)
		*slot = s
	}
	w.values.n = len(in.enc.ptrs)
	w.key("values")
	w.b = append(w.b, '[')
	w.b = append(w.b, in.enc.values...)
	valuesFrom, valuesTo := len(w.b), len(w.b)
	taskData := slices.Grow(w.taskData[:0], len(in.tasks))[:pre]
	w.logging = upto > pre
	for i := pre; i < len(in.tasks); i++ {
		t := in.tasks[i]
		// The map a task's data most likely came from: its multi-instance
		// activity's, else its predecessor's. Data that shares most of its
		// values with it is stored as the difference.
		var from map[string]any
		if t.Role == RoleInstance {
			from = in.Task(t.Wrapper).Data
		} else if f := in.Task(t.From); f != nil {
			from = f.Data
		}
		taskData = append(taskData, int32(w.dataMapFrom(t.Data, from)))
		if i == upto-1 {
			valuesTo, w.logging = len(w.b), false
		}
	}
	w.taskData = taskData
	for _, sc := range scopes {
		w.dataMap(sc.objects)
		w.dataMap(sc.endData)
		w.dataMap(sc.last)
		w.dataMap(sc.corr)
	}
	data := w.dataMap(in.data)
	w.b = append(w.b, ']')

	w.key("tasks")
	w.b = append(w.b, '[')
	w.b = append(w.b, in.enc.tasks...)
	tasksFrom, tasksTo := len(w.b), len(w.b)
	for i := pre; i < len(in.tasks); i++ {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.task(in.tasks[i], int(taskData[i]), base)
		if i == upto-1 {
			tasksTo = len(w.b)
		}
	}
	w.b = append(w.b, ']')
	if upto > pre {
		in.enc.grow(in, upto, w.b[valuesFrom:valuesTo], w.b[tasksFrom:tasksTo], w.log)
	}

	w.key("scopes")
	w.b = append(w.b, '[')
	for i, sc := range scopes {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.open()
		w.int("key", sc.key)
		w.int("p", w.proc(sc.process))
		w.str("scope", sc.scope.ID)
		w.int("objects", w.dataMap(sc.objects))
		w.int("end_data", w.dataMap(sc.endData))
		w.boolOmit("ended", sc.ended)
		w.int("last", w.dataMap(sc.last))
		w.boolOmit("done", sc.done)
		w.intOmit("parent", sc.parent)
		w.int("corr", w.dataMap(sc.corr))
		w.intOmit("done_at", sc.doneAt)
		w.boolOmit("by_message", sc.byMessage)
		if len(sc.comp) > 0 {
			w.key("comp")
			w.b = append(w.b, '[')
			for i, t := range sc.comp {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.b = appendInt(w.b, int64(t.ID))
			}
			w.b = append(w.b, ']')
		}
		w.boolOmit("gone", sc.gone)
		w.close()
	}
	w.b = append(w.b, ']')

	if len(in.queue) > 0 {
		w.key("queue")
		w.b = append(w.b, '[')
		for i, t := range in.queue {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = strconv.AppendInt(w.b, int64(t.ID), 10)
		}
		w.b = append(w.b, ']')
	}
	w.ints("roots", in.roots)
	w.int("data", data)
	if len(in.effects) > 0 {
		w.key("effects")
		w.b = append(w.b, '[')
		for i, e := range in.effects {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.open()
			w.str("kind", e.Kind)
			w.strOmit("name", e.Name)
			w.strOmit("code", e.Code)
			if e.Payload != nil {
				w.value("payload", e.Payload)
			}
			if e.Correlations != nil {
				w.value("correlations", e.Correlations)
			}
			w.int("task_id", e.TaskID)
			w.str("node_id", e.NodeID)
			w.close()
		}
		w.b = append(w.b, ']')
	}
	w.close()
	return w.b, nil
}

// task writes one task. Its times are microseconds after the instance
// started (base); updated is left out when it equals created.
func (w *jw) task(t *Task, data int, base int64) {
	w.open()
	w.int("id", t.ID)
	w.intOmit("p", w.proc(t.Node.Scope.Process))
	w.str("node", t.Node.ID)
	w.str("state", t.State.String())
	w.intOmit("scope", t.Scope)
	w.int("data", data)
	w.intOmit("from", t.From)
	w.intOmit("seq", t.Seq)
	created, updated := micros(t.Created)-base, micros(t.Updated)-base
	w.int64Omit("created", created)
	if updated != created {
		w.key("updated")
		w.b = strconv.AppendInt(w.b, updated, 10)
	}
	if e := t.Err; e != nil {
		w.key("err")
		w.open()
		w.int("task_id", e.TaskID)
		w.str("element", e.NodeID)
		w.strOmit("where", e.Where)
		w.intOmit("line", e.Line)
		w.str("message", e.Msg)
		w.str("phase", e.Phase)
		w.close()
	}
	w.intOmit("role", int(t.Role))
	w.intOmit("wrapper", t.Wrapper)
	w.intOmit("index", t.Index)
	if t.Key != nil {
		w.value("key", t.Key)
	}
	w.intOmit("attached", t.Attached)
	w.intOmit("gate", t.Gate)
	w.boolOmit("trigger", t.Trigger)
	w.boolOmit("pool", t.Pool)
	w.boolOmit("gone", t.gone)
	w.int64Omit("due", micros(t.Due))
	w.intOmit("cycles", t.Cycles)
	w.int64Omit("period", int64(t.Period))
	if len(t.Arrivals) > 0 {
		w.ints("arrivals", t.Arrivals)
	}
	w.boolOmit("cond_held", t.condHeld)
	if c := t.comp; c != nil {
		if len(c.todo) > 0 {
			w.ints("compensate", c.todo)
		}
		w.intOmit("comp_for", c.handlerOf)
	}
	if l := t.Loop; l != nil {
		w.key("loop")
		w.open()
		w.int("total", l.Total)
		w.int("next", l.Next)
		w.int("done", l.Done)
		if l.Keys != nil {
			w.value("keys", l.Keys)
			w.value("items", l.Items)
		}
		if l.OutItems != nil {
			w.value("out_keys", l.OutKeys)
			w.value("out_items", l.OutItems)
		}
		w.close()
	}
	w.close()
}
