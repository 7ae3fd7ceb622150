package engine

import (
	"bytes"
	"fmt"
	"maps"
	"sync"
	"time"
)

// The snapshot is read by hand, like it is written (see snapshot_encode.go):
// restoring is on the runner's hot path. The reader walks the bytes once:
// data values are parsed where they stand, element ids and state names are
// compared and looked up without being copied. Unknown keys are skipped,
// so a newer writer's additions do not break an older reader within one
// version.

type jr struct {
	b []byte
	i int
	// vp parses data values; it shares b with the reader.
	vp valueParser
}

func (r *jr) errorf(format string, args ...any) error {
	return fmt.Errorf("snapshot offset %d: %s", r.i, fmt.Sprintf(format, args...))
}

func (r *jr) ws() {
	b, i := r.b, r.i
	for i < len(b) {
		if c := b[i]; c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break
		}
		i++
	}
	r.i = i
}

func (r *jr) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

func (r *jr) expect(c byte) error {
	if r.peek() != c {
		return r.errorf("expected %q", c)
	}
	r.i++
	return nil
}

// object calls fn for each key; fn must read the value. The key is a
// slice of the input (keys of the snapshot's own objects have no escapes),
// compared without a copy.
func (r *jr) object(fn func(key []byte) error) error {
	if err := r.expect('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		key, err := r.key()
		if err != nil {
			return err
		}
		// The writer puts no space around ':' and ',': test for them
		// before skipping any.
		if r.i < len(r.b) && r.b[r.i] == ':' {
			r.i++
		} else if err := r.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		if r.i < len(r.b) && r.b[r.i] == ',' {
			r.i++
			continue
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return r.errorf("expected ',' or '}'")
		}
	}
}

// array calls fn for each element; fn must read it. null is an empty array.
func (r *jr) array(fn func() error) error {
	if r.peek() == 'n' {
		return r.null()
	}
	if err := r.expect('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return r.errorf("expected ',' or ']'")
		}
	}
}

func (r *jr) null() error {
	r.ws()
	if r.i+4 <= len(r.b) && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return nil
	}
	return r.errorf("expected null")
}

func (r *jr) key() ([]byte, error) {
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, r.errorf("expected a key")
	}
	b := r.b
	for j := r.i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			k := b[r.i+1 : j]
			r.i = j + 1
			return k, nil
		case '\\':
			return nil, r.errorf("unexpected escape in a key")
		}
	}
	return nil, r.errorf("unterminated key")
}

// text reads a string and returns its bytes: a slice of the input unless
// the string has escapes. Callers that keep it convert it to a string.
func (r *jr) text() ([]byte, error) {
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, r.errorf("expected a string")
	}
	r.vp.i = r.i
	b, err := r.vp.strBytes()
	r.i = r.vp.i
	return b, err
}

func (r *jr) str() (string, error) {
	b, err := r.text()
	return string(b), err
}

// value reads a data value (any JSON value).
func (r *jr) value() (any, error) {
	r.ws()
	r.vp.i = r.i
	v, err := r.vp.value(0)
	r.i = r.vp.i
	return v, err
}

// dataMap reads a data map: an object, or null for none.
// deltaMap reads a data map written as its difference from an earlier one
// (version 3): [baseIndex, {changed keys}, [removed keys]] and maybe
// {key: n}, for lists that are the base's list's first n elements. The new
// map shares the base's unchanged values.
func (r *jr) deltaMap(earlier []map[string]any) (map[string]any, error) {
	var out map[string]any
	part := 0
	err := r.array(func() error {
		defer func() { part++ }()
		switch part {
		case 0:
			bi, err := r.int()
			if err != nil {
				return err
			}
			if bi < 0 || bi >= len(earlier) {
				return r.errorf("value %d is not an earlier value", bi)
			}
			out = maps.Clone(earlier[bi])
			if out == nil {
				out = map[string]any{}
			}
		case 1:
			set, err := r.dataMap()
			for k, v := range set {
				out[k] = v
			}
			return err
		case 2:
			return r.array(func() error {
				k, err := r.str()
				delete(out, k)
				return err
			})
		case 3:
			prefixes, err := r.dataMap()
			for k, v := range prefixes {
				n, isInt := v.(int64)
				l, isList := out[k].([]any)
				if !isInt || !isList || n < 0 || int(n) > len(l) {
					return r.errorf("%q is not the first %v elements of a list", k, v)
				}
				out[k] = l[:n:n]
			}
			return err
		default:
			return r.errorf("a data difference has three or four parts")
		}
		return nil
	})
	if err == nil && part != 3 && part != 4 {
		err = r.errorf("a data difference has three or four parts")
	}
	return out, err
}

func (r *jr) dataMap() (map[string]any, error) {
	switch r.peek() {
	case 'n':
		return nil, r.null()
	case '{':
		r.vp.i = r.i
		m, err := r.vp.object(0)
		r.i = r.vp.i
		return m, err
	}
	return nil, r.errorf("expected a data map")
}

// list reads a list value; any other value gives nil.
func (r *jr) list() ([]any, error) {
	v, err := r.value()
	l, _ := v.([]any)
	return l, err
}

func (r *jr) int64() (int64, error) {
	r.ws()
	b, i := r.b, r.i
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i-start >= 18 {
			r.i = i
			return 0, r.errorf("integer too large")
		}
		n = n*10 + uint64(b[i]-'0')
	}
	r.i = i
	if i == start {
		return 0, r.errorf("expected an integer")
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

func (r *jr) int() (int, error) {
	n, err := r.int64()
	return int(n), err
}

func (r *jr) bool() (bool, error) {
	r.ws()
	switch {
	case r.i+4 <= len(r.b) && string(r.b[r.i:r.i+4]) == "true":
		r.i += 4
		return true, nil
	case r.i+5 <= len(r.b) && string(r.b[r.i:r.i+5]) == "false":
		r.i += 5
		return false, nil
	}
	return false, r.errorf("expected true or false")
}

// ints reads a list of integers.
func (r *jr) ints() ([]int, error) {
	var out []int
	if r.peek() == '[' {
		// Integer lists are flat: counting the commas sizes the list.
		if end := bytes.IndexByte(r.b[r.i:], ']'); end > 0 {
			out = make([]int, 0, bytes.Count(r.b[r.i:r.i+end], []byte{','})+1)
		}
	}
	err := r.array(func() error {
		n, err := r.int()
		out = append(out, n)
		return err
	})
	return out, err
}

// name reads a string and returns its index in names, a table of state or
// status names whose entry 0 is unused.
func (r *jr) name(names []string, what string) (int, error) {
	b, err := r.text()
	if err != nil {
		return 0, err
	}
	for i, n := range names {
		if i > 0 && n == string(b) {
			return i, nil
		}
	}
	return 0, r.errorf("unknown %s %q", what, b)
}

func (r *jr) skip(depth int) error {
	if depth > maxValueDepth {
		return r.errorf("nesting too deep")
	}
	switch c := r.peek(); {
	case c == '{':
		return r.object(func([]byte) error { return r.skip(depth + 1) })
	case c == '[':
		return r.array(func() error { return r.skip(depth + 1) })
	case c == '"':
		_, err := r.text()
		return err
	case c == 't' || c == 'f':
		_, err := r.bool()
		return err
	case c == 'n':
		return r.null()
	case c == '-' || (c >= '0' && c <= '9'):
		for r.i < len(r.b) && (r.b[r.i] == '-' || r.b[r.i] == '+' || r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E' || (r.b[r.i] >= '0' && r.b[r.i] <= '9')) {
			r.i++
		}
		return nil
	}
	return r.errorf("unexpected character")
}

// decoding is what reading a snapshot needs only until Restore has built
// the instance from it: the reader and the decoded records. It is pooled,
// so a restore does not make the task records and parser buffers anew.
type decoding struct {
	r jr
	s snapshot
}

var decodings = sync.Pool{New: func() any {
	return &decoding{r: jr{vp: valueParser{entries: make([]entry, 0, 16), items: make([]any, 0, 16)}}}
}}

// release drops every reference the decoding holds and returns it to the
// pool (unless a huge snapshot made it big).
func (d *decoding) release() {
	s := &d.s
	if cap(s.Tasks) > 1024 || cap(s.Values) > 1024 || cap(s.Scopes) > 1024 {
		return
	}
	clear(s.Processes)
	clear(s.Values)
	clear(s.Tasks)
	clear(s.Scopes)
	*s = snapshot{Processes: s.Processes[:0], Values: s.Values[:0], Tasks: s.Tasks[:0], Scopes: s.Scopes[:0]}
	d.r.b, d.r.i, d.r.vp.b, d.r.vp.i = nil, 0, nil, 0
	decodings.Put(d)
}

// decodeSnapshot reads a snapshot of any version. The snapshot lives in the
// returned decoding, which the caller releases when done with it.
func decodeSnapshot(data []byte) (*decoding, error) {
	d := decodings.Get().(*decoding)
	r, s := &d.r, &d.s
	r.b, r.vp.b = data, data
	// A task takes about 100 bytes of a snapshot, and its data usually
	// more: room for the tasks of most snapshots without growing, and never
	// much more than the input.
	if n := len(data)/128 + 8; cap(s.Values) < n {
		s.Values = make([]map[string]any, 0, n)
	}
	if n := len(data)/160 + 4; cap(s.Tasks) < n {
		s.Tasks = make([]snapTask, 0, n)
	}
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "version":
			s.Version, err = r.int()
		case "process":
			s.Process, err = r.str()
		case "status":
			var st int
			st, err = r.name(statusNames[:], "status")
			s.Status = Status(st)
		case "started":
			var b []byte
			if b, err = r.text(); err == nil && len(b) > 0 {
				if s.Started, err = time.Parse(time.RFC3339Nano, string(b)); err != nil {
					err = fmt.Errorf("started: %w", err)
				}
			}
		case "seq":
			s.Seq, err = r.int()
		case "processes":
			err = r.array(func() error {
				p, err := r.str()
				s.Processes = append(s.Processes, p)
				return err
			})
		case "values":
			err = r.array(func() error {
				var m map[string]any
				var err error
				if r.peek() == '[' {
					m, err = r.deltaMap(s.Values)
				} else {
					m, err = r.dataMap()
				}
				s.Values = append(s.Values, m)
				return err
			})
		case "tasks":
			err = r.array(func() error {
				s.Tasks = append(s.Tasks, snapTask{})
				return s.Tasks[len(s.Tasks)-1].decode(r)
			})
		case "scopes":
			err = r.array(func() error {
				s.Scopes = append(s.Scopes, snapScope{})
				return s.Scopes[len(s.Scopes)-1].decode(r)
			})
		case "queue":
			s.Queue, err = r.ints()
		case "roots":
			s.Roots, err = r.ints()
		case "data":
			s.Data, err = r.int()
		case "effects":
			err = r.array(func() error {
				var e Effect
				err := decodeEffect(r, &e)
				s.Effects = append(s.Effects, e)
				return err
			})
		default:
			err = r.skip(0)
		}
		return err
	})
	if err == nil && r.peek() != 0 {
		err = r.errorf("unexpected data after the snapshot")
	}
	if err != nil {
		d.release()
		return nil, err
	}
	return d, nil
}

func (t *snapTask) decode(r *jr) error {
	return r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			t.ID, err = r.int()
		case "p":
			t.Proc, err = r.int()
		case "node":
			t.Node, err = r.text()
		case "state":
			var st int
			st, err = r.name(stateNames[:], "task state")
			t.State = State(st)
		case "scope":
			t.Scope, err = r.int()
		case "data":
			t.Data, err = r.int()
		case "from":
			t.From, err = r.int()
		case "seq":
			t.Seq, err = r.int()
		case "created":
			t.Created, err = r.int64()
		case "updated":
			t.Updated, err = r.int64()
			t.HasUpdated = true
		case "err":
			t.Err = &TaskError{}
			err = decodeTaskError(r, t.Err)
		case "role":
			var n int
			n, err = r.int()
			t.Role = Role(n)
		case "wrapper":
			t.Wrapper, err = r.int()
		case "index":
			t.Index, err = r.int()
		case "key":
			t.Key, err = r.value()
		case "attached":
			t.Attached, err = r.int()
		case "gate":
			t.Gate, err = r.int()
		case "trigger":
			t.Trigger, err = r.bool()
		case "pool":
			t.Pool, err = r.bool()
		case "gone":
			t.Gone, err = r.bool()
		case "due":
			t.Due, err = r.int64()
		case "cycles":
			t.Cycles, err = r.int()
		case "period":
			t.Period, err = r.int64()
		case "arrivals":
			t.Arrivals, err = r.ints()
		case "compensate":
			t.Compensate, err = r.ints()
		case "comp_for":
			t.CompFor, err = r.int()
		case "cond_held":
			t.CondHeld, err = r.bool()
		case "loop":
			l := &loopState{}
			t.Loop = l
			err = r.object(func(key []byte) error {
				var err error
				switch string(key) {
				case "total":
					l.Total, err = r.int()
				case "next":
					l.Next, err = r.int()
				case "done":
					l.Done, err = r.int()
				case "keys":
					l.Keys, err = r.list()
				case "items":
					l.Items, err = r.list()
				case "out_keys":
					l.OutKeys, err = r.list()
				case "out_items":
					l.OutItems, err = r.list()
				default:
					err = r.skip(0)
				}
				return err
			})
		default:
			err = r.skip(0)
		}
		return err
	})
}

func decodeTaskError(r *jr, e *TaskError) error {
	return r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "task_id":
			e.TaskID, err = r.int()
		case "element":
			e.NodeID, err = r.str()
		case "where":
			e.Where, err = r.str()
		case "line":
			e.Line, err = r.int()
		case "message":
			e.Msg, err = r.str()
		case "phase":
			e.Phase, err = r.str()
		default:
			err = r.skip(0)
		}
		return err
	})
}

func (sc *snapScope) decode(r *jr) error {
	return r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "key":
			sc.Key, err = r.int()
		case "p":
			sc.Proc, err = r.int()
		case "scope":
			sc.Scope, err = r.text()
		case "objects":
			sc.Objects, err = r.int()
		case "end_data":
			sc.EndData, err = r.int()
		case "ended":
			sc.Ended, err = r.bool()
		case "last":
			sc.Last, err = r.int()
		case "done":
			sc.Done, err = r.bool()
		case "parent":
			sc.Parent, err = r.int()
		case "corr":
			sc.Corr, err = r.int()
		case "done_at":
			sc.DoneAt, err = r.int()
		case "by_message":
			sc.ByMessage, err = r.bool()
		case "comp":
			sc.Comp, err = r.ints()
		case "gone":
			sc.Gone, err = r.bool()
		default:
			err = r.skip(0)
		}
		return err
	})
}

func decodeEffect(r *jr, e *Effect) error {
	return r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "kind":
			e.Kind, err = r.str()
		case "name":
			e.Name, err = r.str()
		case "code":
			e.Code, err = r.str()
		case "payload":
			e.Payload, err = r.value()
		case "correlations":
			var v any
			v, err = r.value()
			e.Correlations, _ = v.(map[string]any)
		case "task_id":
			e.TaskID, err = r.int()
		case "node_id":
			e.NodeID, err = r.str()
		default:
			err = r.skip(0)
		}
		return err
	})
}
