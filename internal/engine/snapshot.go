package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// SnapshotVersion is the version of the snapshot format written by Snapshot.
// Restore reads this version and migrates older ones (one migrateVN per bump).
const SnapshotVersion = 1

// ErrSnapshot marks a snapshot that cannot be restored.
var ErrSnapshot = errors.New("cannot restore snapshot")

// snapshot is the JSON form of an instance. Elements are referenced by
// process id and element id, so a snapshot restores against a newer version
// of the model as long as the elements it is at still exist. Data maps are
// stored once each in Values and referenced by index (-1 = nil), because
// tasks share maps.
type snapshot struct {
	Version   int               `json:"version"`
	Process   string            `json:"process"`
	Status    string            `json:"status"`
	Started   string            `json:"started,omitempty"`
	Seq       int               `json:"seq"`
	Processes []string          `json:"processes"`
	Values    []json.RawMessage `json:"values"`
	Tasks     []snapTask        `json:"tasks"`
	Scopes    []snapScope       `json:"scopes"`
	Queue     []int             `json:"queue,omitempty"`
	Roots     []int             `json:"roots"`
	Data      int               `json:"data"`
	Effects   []snapEffect      `json:"effects,omitempty"`
}

type snapTask struct {
	ID       int             `json:"id"`
	Proc     int             `json:"p"`
	Node     string          `json:"node"`
	State    string          `json:"state"`
	Scope    int             `json:"scope"`
	Data     int             `json:"data"`
	From     int             `json:"from,omitempty"`
	Seq      int             `json:"seq,omitempty"`
	Created  int64           `json:"created,omitempty"` // Unix microseconds
	Updated  int64           `json:"updated,omitempty"`
	Err      *TaskError      `json:"err,omitempty"`
	Role     Role            `json:"role,omitempty"`
	Wrapper  int             `json:"wrapper,omitempty"`
	Index    int             `json:"index,omitempty"`
	Key      json.RawMessage `json:"key,omitempty"`
	Attached int             `json:"attached,omitempty"`
	Gate     int             `json:"gate,omitempty"`
	Trigger  bool            `json:"trigger,omitempty"`
	Pool     bool            `json:"pool,omitempty"`
	Due      int64           `json:"due,omitempty"`
	Cycles   int             `json:"cycles,omitempty"`
	Period   int64           `json:"period,omitempty"`
	Arrivals []int           `json:"arrivals,omitempty"`
	Loop     *snapLoop       `json:"loop,omitempty"`
}

type snapLoop struct {
	Total    int             `json:"total"`
	Next     int             `json:"next"`
	Done     int             `json:"done"`
	Keys     json.RawMessage `json:"keys,omitempty"`
	Items    json.RawMessage `json:"items,omitempty"`
	OutKeys  json.RawMessage `json:"out_keys,omitempty"`
	OutItems json.RawMessage `json:"out_items,omitempty"`
}

type snapScope struct {
	Key     int    `json:"key"`
	Proc    int    `json:"p"`
	Scope   string `json:"scope"` // process id, or the id of the subprocess node
	Objects int    `json:"objects"`
	EndData int    `json:"end_data"`
	Ended   bool   `json:"ended,omitempty"`
	Last    int    `json:"last"`
	Done    bool   `json:"done,omitempty"`
	Parent  int    `json:"parent,omitempty"`
	Corr    int    `json:"corr"`
	DoneAt  int    `json:"done_at,omitempty"`
}

type snapEffect struct {
	Kind         string          `json:"kind"`
	Name         string          `json:"name,omitempty"`
	Code         string          `json:"code,omitempty"`
	Payload      json.RawMessage `json:"payload,omitempty"`
	Correlations json.RawMessage `json:"correlations,omitempty"`
	TaskID       int             `json:"task_id"`
	NodeID       string          `json:"node_id"`
}

// Snapshot serialises the instance to versioned JSON.
func (in *Instance) Snapshot() ([]byte, error) {
	w := &snapWriter{maps: map[uintptr]int{}, procs: map[string]int{}}
	s := snapshot{Version: SnapshotVersion, Process: in.processID, Status: in.status.String(), Seq: in.seq, Roots: in.roots}
	if !in.started.IsZero() {
		s.Started = in.started.Format(time.RFC3339Nano)
	}
	s.Tasks = make([]snapTask, len(in.tasks))
	for i, t := range in.tasks {
		st := snapTask{
			ID: t.ID, Proc: w.proc(t.Node.Scope.Process.ID), Node: t.Node.ID, State: t.State.String(), Scope: t.Scope,
			Data: w.value(t.Data), From: t.From, Seq: t.Seq, Created: micros(t.Created), Updated: micros(t.Updated),
			Err: t.Err, Role: t.Role, Wrapper: t.Wrapper, Index: t.Index, Attached: t.Attached, Gate: t.Gate,
			Trigger: t.Trigger, Pool: t.Pool, Due: micros(t.Due), Cycles: t.Cycles, Period: int64(t.Period), Arrivals: t.Arrivals,
		}
		if t.Key != nil {
			st.Key = encodeJSON(t.Key)
		}
		if t.Loop != nil {
			st.Loop = &snapLoop{Total: t.Loop.Total, Next: t.Loop.Next, Done: t.Loop.Done}
			if t.Loop.Keys != nil {
				st.Loop.Keys = encodeJSON(t.Loop.Keys)
				st.Loop.Items = encodeJSON(t.Loop.Items)
			}
			if t.Loop.OutItems != nil {
				st.Loop.OutKeys = encodeJSON(t.Loop.OutKeys)
				st.Loop.OutItems = encodeJSON(t.Loop.OutItems)
			}
		}
		s.Tasks[i] = st
	}
	keys := make([]int, 0, len(in.scopes))
	for k := range in.scopes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		sc := in.scopes[k]
		ss := snapScope{Key: k, Proc: w.proc(sc.process.ID), Scope: sc.scope.ID, Objects: w.value(sc.objects),
			EndData: w.value(sc.endData), Ended: sc.ended, Last: w.value(sc.last), Done: sc.done, Parent: sc.parent,
			Corr: w.value(sc.corr), DoneAt: sc.doneAt}
		s.Scopes = append(s.Scopes, ss)
	}
	for _, t := range in.queue {
		s.Queue = append(s.Queue, t.ID)
	}
	s.Data = w.value(in.data)
	for _, e := range in.effects {
		se := snapEffect{Kind: e.Kind, Name: e.Name, Code: e.Code, TaskID: e.TaskID, NodeID: e.NodeID}
		if e.Payload != nil {
			se.Payload = encodeJSON(e.Payload)
		}
		if e.Correlations != nil {
			se.Correlations = encodeJSON(e.Correlations)
		}
		s.Effects = append(s.Effects, se)
	}
	s.Processes = w.procList
	s.Values = w.cutValues()
	return s.encode()
}

type snapWriter struct {
	maps     map[uintptr]int
	vbuf     bytes.Buffer
	ends     [][2]int
	procs    map[string]int
	procList []string
}

// value numbers a data map, writing it the first time it is seen. All maps
// go into one buffer; Values are cut from it at the end.
func (w *snapWriter) value(m map[string]any) int {
	if m == nil {
		return -1
	}
	p := reflect.ValueOf(m).Pointer()
	if i, ok := w.maps[p]; ok {
		return i
	}
	start := w.vbuf.Len()
	writeValue(&w.vbuf, m)
	w.ends = append(w.ends, [2]int{start, w.vbuf.Len()})
	w.maps[p] = len(w.ends) - 1
	return len(w.ends) - 1
}

func (w *snapWriter) cutValues() []json.RawMessage {
	buf := w.vbuf.Bytes()
	out := make([]json.RawMessage, len(w.ends))
	for i, e := range w.ends {
		out[i] = buf[e[0]:e[1]]
	}
	return out
}

func (w *snapWriter) proc(id string) int {
	if i, ok := w.procs[id]; ok {
		return i
	}
	w.procList = append(w.procList, id)
	w.procs[id] = len(w.procList) - 1
	return len(w.procList) - 1
}

// micros gives a time as Unix microseconds (0 for the zero time): task
// times are numbers in a snapshot, cheap to write and read.
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

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTimeText(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// encodeJSON writes an engine value as JSON, keeping floats distinct from
// integers (1.0 stays 1.0) so a restored instance sees the same types.
func encodeJSON(v any) json.RawMessage {
	var b bytes.Buffer
	writeValue(&b, v)
	return b.Bytes()
}

func writeValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			b.WriteString("null")
		case x == math.Trunc(x) && math.Abs(x) < 1e15:
			b.WriteString(strconv.FormatFloat(x, 'f', 1, 64))
		default:
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case string:
		writeString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeValue(b, x[k])
		}
		b.WriteByte('}')
	default:
		s, err := json.Marshal(x)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(s)
	}
}

// writeString writes s as a JSON string.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

func decodeJSON(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	return parseValue(raw)
}

// Restore rebuilds an instance from a snapshot against a library (the same
// model, or a fixed version of it) and an environment.
func Restore(lib *spec.Library, data []byte, env Env) (*Instance, error) {
	s, err := decodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnapshot, err)
	}
	if s.Version != SnapshotVersion {
		return nil, fmt.Errorf("%w: version %d is not supported (this engine writes version %d)", ErrSnapshot, s.Version, SnapshotVersion)
	}
	in := newInstance(lib, env)
	in.processID, in.seq, in.roots = s.Process, s.Seq, s.Roots
	if in.started, err = parseTimeText(s.Started); err != nil {
		return nil, fmt.Errorf("%w: started: %v", ErrSnapshot, err)
	}
	for st := Running; st <= Terminated; st++ {
		if st.String() == s.Status {
			in.status = st
		}
	}
	procs := make([]*spec.Process, len(s.Processes))
	for i, id := range s.Processes {
		p := lib.Process(id)
		if p == nil {
			if p, err = in.resolveProcess(id); err != nil {
				return nil, fmt.Errorf("%w: process %q: %v", ErrSnapshot, id, err)
			}
		}
		procs[i] = p
	}
	values := make([]map[string]any, len(s.Values))
	for i, raw := range s.Values {
		v, err := decodeJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: value %d: %v", ErrSnapshot, i, err)
		}
		m, _ := v.(map[string]any)
		values[i] = m
	}
	val := func(i int) (map[string]any, error) {
		if i == -1 {
			return nil, nil
		}
		if i < 0 || i >= len(values) {
			return nil, fmt.Errorf("%w: value index %d out of range", ErrSnapshot, i)
		}
		return values[i], nil
	}
	proc := func(i int) (*spec.Process, error) {
		if i < 0 || i >= len(procs) {
			return nil, fmt.Errorf("%w: process index %d out of range", ErrSnapshot, i)
		}
		return procs[i], nil
	}
	for _, ss := range s.Scopes {
		p, err := proc(ss.Proc)
		if err != nil {
			return nil, err
		}
		sc := &scopeInst{key: ss.Key, process: p, ended: ss.Ended, done: ss.Done, parent: ss.Parent, doneAt: ss.DoneAt}
		if ss.Scope == p.ID {
			sc.scope = &p.Scope
		} else if n := p.AllNodes[ss.Scope]; n != nil && n.Sub != nil {
			sc.scope = n.Sub
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
	in.tasks = make([]*Task, len(s.Tasks))
	for i, st := range s.Tasks {
		if st.ID != i+1 {
			return nil, fmt.Errorf("%w: task %d is out of order", ErrSnapshot, st.ID)
		}
		p, err := proc(st.Proc)
		if err != nil {
			return nil, err
		}
		n := p.AllNodes[st.Node]
		if n == nil {
			return nil, fmt.Errorf("%w: element %q of process %q is no longer in the model", ErrSnapshot, st.Node, p.ID)
		}
		state, err := ParseState(st.State)
		if err != nil {
			return nil, fmt.Errorf("%w: task %d: %v", ErrSnapshot, st.ID, err)
		}
		t := &Task{ID: st.ID, Node: n, State: state, Scope: st.Scope, From: st.From, Seq: st.Seq, Err: st.Err,
			Role: st.Role, Wrapper: st.Wrapper, Index: st.Index, Attached: st.Attached, Gate: st.Gate, Trigger: st.Trigger, Pool: st.Pool,
			Cycles: st.Cycles, Period: time.Duration(st.Period), Arrivals: st.Arrivals}
		if t.Data, err = val(st.Data); err != nil {
			return nil, err
		}
		t.Created, t.Updated, t.Due = fromMicros(st.Created), fromMicros(st.Updated), fromMicros(st.Due)
		if t.Key, err = decodeJSON(st.Key); err != nil {
			return nil, fmt.Errorf("%w: task %d key: %v", ErrSnapshot, st.ID, err)
		}
		if st.Loop != nil {
			t.Loop = &loopState{Total: st.Loop.Total, Next: st.Loop.Next, Done: st.Loop.Done}
			keys, err1 := decodeJSON(st.Loop.Keys)
			items, err2 := decodeJSON(st.Loop.Items)
			outKeys, err3 := decodeJSON(st.Loop.OutKeys)
			outItems, err4 := decodeJSON(st.Loop.OutItems)
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				return nil, fmt.Errorf("%w: task %d loop: %v", ErrSnapshot, st.ID, err)
			}
			t.Loop.Keys, _ = keys.([]any)
			t.Loop.Items, _ = items.([]any)
			t.Loop.OutKeys, _ = outKeys.([]any)
			t.Loop.OutItems, _ = outItems.([]any)
		}
		in.tasks[i] = t
		if state.holds() && !t.Trigger {
			if sc := in.scopes[t.Scope]; sc != nil {
				sc.live++
			}
		}
	}
	for _, id := range s.Queue {
		t := in.Task(id)
		if t == nil {
			return nil, fmt.Errorf("%w: queued task %d does not exist", ErrSnapshot, id)
		}
		in.queue = append(in.queue, t)
	}
	if in.data, err = val(s.Data); err != nil {
		return nil, err
	}
	for _, se := range s.Effects {
		e := Effect{Kind: se.Kind, Name: se.Name, Code: se.Code, TaskID: se.TaskID, NodeID: se.NodeID}
		e.Payload, _ = decodeJSON(se.Payload)
		if c, _ := decodeJSON(se.Correlations); c != nil {
			e.Correlations, _ = c.(map[string]any)
		}
		in.effects = append(in.effects, e)
	}
	return in, nil
}
