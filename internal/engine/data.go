package engine

import (
	"maps"
	"reflect"
)

// Data maps in the engine are immutable once a task holds them: every change
// makes a new map (copy on write). These helpers never modify their inputs.

// with returns a copy of m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}

// without returns a copy of m without the given keys (m itself when none is present).
func without(m map[string]any, keys ...string) map[string]any {
	found := false
	for _, k := range keys {
		if _, ok := m[k]; ok {
			found = true
			break
		}
	}
	if !found {
		return m
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = x
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// deepMerge returns a merged into b's copy, the way SpiffWorkflow's
// DeepMerge.merge(a, b) merges b into a: dicts merge key by key, lists merge
// element-wise (dicts recursively, unseen scalars appended) and are cut to
// b's length, and any other value of b replaces a's.
func deepMerge(a, b map[string]any) map[string]any {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, bv := range b {
		av, ok := out[k]
		if !ok {
			out[k] = bv
			continue
		}
		out[k] = mergeValue(av, bv)
	}
	return out
}

// DeepMerge is deepMerge for hosts: b merged into a copy of a.
func DeepMerge(a, b map[string]any) map[string]any { return deepMerge(a, b) }

// mergeInto merges src into dst as deepMerge does, but in place once dst is
// a copy only its holder has (*own): a join or an end event reached by n
// branches then costs what the branches' data holds, not n copies of the
// growing result. Values both already share are kept without a look
// inside. The holder clears *own when it hands the map out.
func mergeInto(dst map[string]any, own *bool, src map[string]any) map[string]any {
	if len(src) == 0 {
		return dst
	}
	if !*own {
		if len(dst) == 0 {
			return src // shared until a second map arrives
		}
		dst = maps.Clone(dst)
		*own = true
	}
	for k, bv := range src {
		av, ok := dst[k]
		switch {
		case !ok:
			dst[k] = bv
		case !sameValue(av, bv):
			dst[k] = mergeValue(av, bv)
		}
	}
	return dst
}

// sameValue reports whether a and b are the very same value: equal
// scalars, or the same map or list (data is never changed in place, so the
// same reference means the same content).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case nil, bool, int64, float64, string:
		return a == b
	}
	return false
}

func mergeValue(av, bv any) any {
	switch b := bv.(type) {
	case map[string]any:
		if a, ok := av.(map[string]any); ok {
			return deepMerge(a, b)
		}
	case []any:
		if a, ok := av.([]any); ok {
			return mergeList(a, b)
		}
	}
	return bv
}

func mergeList(a, b []any) []any {
	out := make([]any, len(a), len(a)+len(b))
	copy(out, a)
	for i, v := range b {
		if m, ok := v.(map[string]any); ok {
			if i < len(out) {
				if am, ok := out[i].(map[string]any); ok {
					out[i] = deepMerge(am, m)
				} else {
					out[i] = m
				}
			} else {
				out = append(out, m)
			}
			continue
		}
		seen := false
		for _, x := range out {
			if equalValue(x, v) {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, v)
		}
	}
	if len(out) > len(b) {
		out = out[:len(b)]
	}
	return out
}

// equalValue compares two JSON-like values; numbers compare by value.
func equalValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64, float64, int:
		xf, ok1 := toFloat(a)
		yf, ok2 := toFloat(b)
		return ok1 && ok2 && xf == yf
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValue(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// deepCopy copies a JSON-like value so the copy can be changed freely.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// Normalize turns values decoded from JSON with UseNumber, or built by Go
// callers, into the engine's value set: nil, bool, int64, float64, string,
// []any and map[string]any.
func Normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Normalize(e)
		}
		return out
	case interface{ Int64() (int64, error) }:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, ok := x.(interface{ Float64() (float64, error) }); ok {
			if fv, err := f.Float64(); err == nil {
				return fv
			}
		}
		return nil
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case uint:
		return int64(x)
	}
	return v
}

// NormalizeMap is Normalize for a data map.
func NormalizeMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return Normalize(m).(map[string]any)
}
