package engine

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// The snapshot is written by hand rather than through reflection: instances
// are snapshotted after every step, so this is on the hot path of the
// runner. The field names and omitempty rules match the struct tags of
// snapshot, snapTask, snapScope and snapEffect, which Restore decodes.

type jw struct {
	b       bytes.Buffer
	first   bool
	scratch [24]byte
}

func (w *jw) writeInt(v int64) { w.b.Write(strconv.AppendInt(w.scratch[:0], v, 10)) }

func (w *jw) open(c byte)  { w.b.WriteByte(c); w.first = true }
func (w *jw) close(c byte) { w.b.WriteByte(c); w.first = false }

func (w *jw) key(k string) {
	if !w.first {
		w.b.WriteByte(',')
	}
	w.first = false
	w.b.WriteByte('"')
	w.b.WriteString(k)
	w.b.WriteString(`":`)
}

func (w *jw) int(k string, v int, omitZero bool) {
	if omitZero && v == 0 {
		return
	}
	w.key(k)
	w.writeInt(int64(v))
}

func (w *jw) int64(k string, v int64) {
	if v == 0 {
		return
	}
	w.key(k)
	w.writeInt(v)
}

func (w *jw) str(k, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	w.key(k)
	writeString(&w.b, v)
}

func (w *jw) boolean(k string, v bool) {
	if !v {
		return
	}
	w.key(k)
	w.b.WriteString("true")
}

func (w *jw) raw(k string, v json.RawMessage) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.b.Write(v)
}

func (w *jw) ints(k string, v []int, omitEmpty bool) {
	if omitEmpty && len(v) == 0 {
		return
	}
	w.key(k)
	if v == nil {
		w.b.WriteString("null")
		return
	}
	w.b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.writeInt(int64(x))
	}
	w.b.WriteByte(']')
}

func (s *snapshot) encode() ([]byte, error) {
	w := &jw{}
	w.b.Grow(256 + 160*len(s.Tasks))
	w.open('{')
	w.int("version", s.Version, false)
	w.str("process", s.Process, false)
	w.str("status", s.Status, false)
	w.str("started", s.Started, true)
	w.int("seq", s.Seq, false)
	w.key("processes")
	w.b.WriteByte('[')
	for i, p := range s.Processes {
		if i > 0 {
			w.b.WriteByte(',')
		}
		writeString(&w.b, p)
	}
	w.b.WriteByte(']')
	w.key("values")
	w.b.WriteByte('[')
	for i, v := range s.Values {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.b.Write(v)
	}
	w.b.WriteByte(']')
	w.key("tasks")
	w.b.WriteByte('[')
	for i := range s.Tasks {
		if i > 0 {
			w.b.WriteByte(',')
		}
		if err := s.Tasks[i].encode(w); err != nil {
			return nil, err
		}
	}
	w.b.WriteByte(']')
	w.key("scopes")
	w.b.WriteByte('[')
	for i, sc := range s.Scopes {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.open('{')
		w.int("key", sc.Key, false)
		w.int("p", sc.Proc, false)
		w.str("scope", sc.Scope, false)
		w.int("objects", sc.Objects, false)
		w.int("end_data", sc.EndData, false)
		w.boolean("ended", sc.Ended)
		w.int("last", sc.Last, false)
		w.boolean("done", sc.Done)
		w.int("parent", sc.Parent, true)
		w.int("corr", sc.Corr, false)
		w.int("done_at", sc.DoneAt, true)
		w.close('}')
	}
	w.b.WriteByte(']')
	w.first = false
	w.ints("queue", s.Queue, true)
	w.ints("roots", s.Roots, false)
	w.int("data", s.Data, false)
	if len(s.Effects) > 0 {
		w.key("effects")
		w.b.WriteByte('[')
		for i, e := range s.Effects {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.open('{')
			w.str("kind", e.Kind, false)
			w.str("name", e.Name, true)
			w.str("code", e.Code, true)
			w.raw("payload", e.Payload)
			w.raw("correlations", e.Correlations)
			w.int("task_id", e.TaskID, false)
			w.str("node_id", e.NodeID, false)
			w.close('}')
		}
		w.b.WriteByte(']')
	}
	w.close('}')
	return w.b.Bytes(), nil
}

func (t *snapTask) encode(w *jw) error {
	w.open('{')
	w.int("id", t.ID, false)
	w.int("p", t.Proc, false)
	w.str("node", t.Node, false)
	w.str("state", t.State, false)
	w.int("scope", t.Scope, false)
	w.int("data", t.Data, false)
	w.int("from", t.From, true)
	w.int("seq", t.Seq, true)
	w.int64("created", t.Created)
	w.int64("updated", t.Updated)
	if t.Err != nil {
		b, err := json.Marshal(t.Err)
		if err != nil {
			return err
		}
		w.raw("err", b)
	}
	w.int("role", int(t.Role), true)
	w.int("wrapper", t.Wrapper, true)
	w.int("index", t.Index, true)
	w.raw("key", t.Key)
	w.int("attached", t.Attached, true)
	w.int("gate", t.Gate, true)
	w.boolean("trigger", t.Trigger)
	w.boolean("pool", t.Pool)
	w.int64("due", t.Due)
	w.int("cycles", t.Cycles, true)
	w.int64("period", t.Period)
	w.ints("arrivals", t.Arrivals, true)
	if t.Loop != nil {
		w.key("loop")
		w.open('{')
		w.int("total", t.Loop.Total, false)
		w.int("next", t.Loop.Next, false)
		w.int("done", t.Loop.Done, false)
		w.raw("keys", t.Loop.Keys)
		w.raw("items", t.Loop.Items)
		w.raw("out_keys", t.Loop.OutKeys)
		w.raw("out_items", t.Loop.OutItems)
		w.close('}')
	}
	w.close('}')
	return nil
}
