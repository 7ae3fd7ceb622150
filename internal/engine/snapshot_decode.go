package engine

import (
	"encoding/json"
	"fmt"
)

// The snapshot envelope is read by hand, like it is written (see
// snapshot_encode.go): restoring is on the runner's hot path. The reader
// walks the bytes once; data values stay slices of the input until
// parseValue turns them into maps. Unknown keys are skipped, so a newer
// writer's additions do not break an older reader within one version.

type jr struct {
	b []byte
	i int
}

func (r *jr) errorf(format string, args ...any) error {
	return fmt.Errorf("snapshot offset %d: %s", r.i, fmt.Sprintf(format, args...))
}

func (r *jr) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
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
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
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

// array calls fn for each element; fn must read it.
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
	for j := r.i + 1; j < len(r.b); j++ {
		switch r.b[j] {
		case '"':
			k := r.b[r.i+1 : j]
			r.i = j + 1
			return k, nil
		case '\\':
			return nil, r.errorf("unexpected escape in a key")
		}
	}
	return nil, r.errorf("unterminated key")
}

func (r *jr) str() (string, error) {
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return "", r.errorf("expected a string")
	}
	start := r.i
	for j := r.i + 1; j < len(r.b); j++ {
		switch r.b[j] {
		case '"':
			r.i = j + 1
			return string(r.b[start+1 : j]), nil
		case '\\':
			// Escapes are rare in a snapshot's own strings: take the general path.
			p := valueParser{b: r.b, i: start}
			s, err := p.str()
			r.i = p.i
			return s, err
		}
	}
	return "", r.errorf("unterminated string")
}

func (r *jr) int64() (int64, error) {
	r.ws()
	neg := false
	if r.i < len(r.b) && r.b[r.i] == '-' {
		neg = true
		r.i++
	}
	start := r.i
	var n uint64
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		if r.i-start >= 18 {
			return 0, r.errorf("integer too large")
		}
		n = n*10 + uint64(r.b[r.i]-'0')
		r.i++
	}
	if r.i == start {
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

func (r *jr) ints() ([]int, error) {
	var out []int
	err := r.array(func() error {
		n, err := r.int()
		out = append(out, n)
		return err
	})
	return out, err
}

// raw returns the bytes of the next value, whatever it is.
func (r *jr) raw() (json.RawMessage, error) {
	r.ws()
	start := r.i
	if err := r.skip(0); err != nil {
		return nil, err
	}
	return r.b[start:r.i], nil
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
		_, err := r.str()
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

// decodeSnapshot reads the snapshot envelope.
func decodeSnapshot(data []byte) (*snapshot, error) {
	r := &jr{b: data}
	s := &snapshot{}
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "version":
			s.Version, err = r.int()
		case "process":
			s.Process, err = r.str()
		case "status":
			s.Status, err = r.str()
		case "started":
			s.Started, err = r.str()
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
				v, err := r.raw()
				s.Values = append(s.Values, v)
				return err
			})
		case "tasks":
			err = r.array(func() error {
				var t snapTask
				err := t.decode(r)
				s.Tasks = append(s.Tasks, t)
				return err
			})
		case "scopes":
			err = r.array(func() error {
				var sc snapScope
				err := sc.decode(r)
				s.Scopes = append(s.Scopes, sc)
				return err
			})
		case "queue":
			s.Queue, err = r.ints()
		case "roots":
			s.Roots, err = r.ints()
		case "data":
			s.Data, err = r.int()
		case "effects":
			err = r.array(func() error {
				var e snapEffect
				err := e.decode(r)
				s.Effects = append(s.Effects, e)
				return err
			})
		default:
			err = r.skip(0)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if r.peek() != 0 {
		return nil, r.errorf("unexpected data after the snapshot")
	}
	return s, nil
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
			t.Node, err = r.str()
		case "state":
			t.State, err = r.str()
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
		case "err":
			var raw json.RawMessage
			if raw, err = r.raw(); err == nil {
				t.Err = &TaskError{}
				err = json.Unmarshal(raw, t.Err)
			}
		case "role":
			var n int
			n, err = r.int()
			t.Role = Role(n)
		case "wrapper":
			t.Wrapper, err = r.int()
		case "index":
			t.Index, err = r.int()
		case "key":
			t.Key, err = r.raw()
		case "attached":
			t.Attached, err = r.int()
		case "gate":
			t.Gate, err = r.int()
		case "trigger":
			t.Trigger, err = r.bool()
		case "pool":
			t.Pool, err = r.bool()
		case "due":
			t.Due, err = r.int64()
		case "cycles":
			t.Cycles, err = r.int()
		case "period":
			t.Period, err = r.int64()
		case "arrivals":
			t.Arrivals, err = r.ints()
		case "loop":
			t.Loop = &snapLoop{}
			err = r.object(func(key []byte) error {
				var err error
				switch string(key) {
				case "total":
					t.Loop.Total, err = r.int()
				case "next":
					t.Loop.Next, err = r.int()
				case "done":
					t.Loop.Done, err = r.int()
				case "keys":
					t.Loop.Keys, err = r.raw()
				case "items":
					t.Loop.Items, err = r.raw()
				case "out_keys":
					t.Loop.OutKeys, err = r.raw()
				case "out_items":
					t.Loop.OutItems, err = r.raw()
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

func (sc *snapScope) decode(r *jr) error {
	return r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "key":
			sc.Key, err = r.int()
		case "p":
			sc.Proc, err = r.int()
		case "scope":
			sc.Scope, err = r.str()
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
		default:
			err = r.skip(0)
		}
		return err
	})
}

func (e *snapEffect) decode(r *jr) error {
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
			e.Payload, err = r.raw()
		case "correlations":
			e.Correlations, err = r.raw()
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
