package script

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"time"

	"go.starlark.net/starlark"
)

// toValue converts a Go JSON-like value into a fresh Starlark value.
// Containers are copied, so a script can never reach the caller's maps.
// Besides the JSON-like types it accepts the Go integer and float kinds,
// time.Time (a datetime) and time.Duration (a timedelta), which host
// helpers may return.
func toValue(v any) (starlark.Value, error) {
	switch v := v.(type) {
	case nil:
		return starlark.None, nil
	case bool:
		return starlark.Bool(v), nil
	case int64:
		return starlark.MakeInt64(v), nil
	case int:
		return starlark.MakeInt(v), nil
	case int32:
		return starlark.MakeInt64(int64(v)), nil
	case uint64:
		return starlark.MakeUint64(v), nil
	case float64:
		return starlark.Float(v), nil
	case float32:
		return starlark.Float(v), nil
	case string:
		return starlark.String(v), nil
	case []any:
		elems := make([]starlark.Value, len(v))
		for i, e := range v {
			x, err := toValue(e)
			if err != nil {
				return nil, err
			}
			elems[i] = x
		}
		return starlark.NewList(elems), nil
	case []string:
		elems := make([]starlark.Value, len(v))
		for i, e := range v {
			elems[i] = starlark.String(e)
		}
		return starlark.NewList(elems), nil
	case map[string]any:
		d := starlark.NewDict(len(v))
		// Go maps have no order; Python dicts keep insertion order. Sorted
		// keys make iteration deterministic from run to run.
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x, err := toValue(v[k])
			if err != nil {
				return nil, err
			}
			if err := d.SetKey(starlark.String(k), x); err != nil {
				return nil, err
			}
		}
		return d, nil
	case time.Time:
		return newDatetime(v), nil
	case time.Duration:
		return &tdValue{us: int64(v / time.Microsecond)}, nil
	case Object:
		return objectValue(v)
	case *Object:
		return objectValue(*v)
	case starlark.Value:
		return v, nil
	}
	return reflectValue(reflect.ValueOf(v), 0)
}

// reflectValue converts other Go slices, string-keyed maps and numbers
// (typed host results such as []map[string]string).
func reflectValue(rv reflect.Value, depth int) (starlark.Value, error) {
	if depth > maxConvertDepth {
		return nil, fmt.Errorf("value nested too deeply")
	}
	switch rv.Kind() {
	case reflect.Invalid:
		return starlark.None, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return starlark.None, nil
		}
		return reflectValue(rv.Elem(), depth+1)
	case reflect.Bool:
		return starlark.Bool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return starlark.MakeInt64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return starlark.MakeUint64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return starlark.Float(rv.Float()), nil
	case reflect.String:
		return starlark.String(rv.String()), nil
	case reflect.Slice, reflect.Array:
		elems := make([]starlark.Value, rv.Len())
		for i := range elems {
			x, err := toValueDepth(rv.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			elems[i] = x
		}
		return starlark.NewList(elems), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		d := starlark.NewDict(len(keys))
		for _, k := range keys {
			x, err := toValueDepth(rv.MapIndex(k), depth+1)
			if err != nil {
				return nil, err
			}
			if err := d.SetKey(starlark.String(k.String()), x); err != nil {
				return nil, err
			}
		}
		return d, nil
	}
	return nil, fmt.Errorf("unsupported value of Go type %s", rv.Type())
}

func toValueDepth(rv reflect.Value, depth int) (starlark.Value, error) {
	if rv.Kind() == reflect.Interface && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.IsValid() && rv.CanInterface() {
		switch rv.Interface().(type) {
		case time.Time, time.Duration, []any, map[string]any:
			return toValue(rv.Interface())
		}
	}
	return reflectValue(rv, depth)
}

// dropped marks a script value that does not survive into task data
// (functions, modules, classes), as SpiffWorkflow's serializer drops them.
type droppedT struct{}

var dropped any = droppedT{}

// fromValue converts a Starlark value back to a Go JSON-like value.
// Values JSON cannot hold become their Python str(); tuples become lists;
// functions, modules and types become dropped.
func fromValue(v starlark.Value) any {
	return fromValueDepth(v, 0)
}

const maxConvertDepth = 200

func fromValueDepth(v starlark.Value, depth int) any {
	if depth > maxConvertDepth {
		return "..."
	}
	switch v := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.Bool:
		return bool(v)
	case starlark.Int:
		if i, ok := v.Int64(); ok {
			return i
		}
		f, _ := starlark.AsFloat(v)
		return f
	case starlark.Float:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return pyStr(v)
		}
		return f
	case starlark.String:
		return string(v)
	case *starlark.List:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = elemValue(v.Index(i), depth)
		}
		return out
	case starlark.Tuple:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = elemValue(e, depth)
		}
		return out
	case *starlark.Dict:
		out := make(map[string]any, v.Len())
		for k, e := range v.Entries() {
			ks, ok := k.(starlark.String)
			key := string(ks)
			if !ok {
				// json.dumps turns int, float, bool and None keys into strings.
				key = jsonKey(k)
			}
			out[key] = elemValue(e, depth)
		}
		return out
	case *starlark.Function, *starlark.Builtin, *module, *pyType, *pyExc, *nsView, *objValue:
		return dropped
	}
	return pyStr(v)
}

// elemValue converts a container element; a dropped element (a function in
// a list) becomes its str() so the container keeps its shape.
func elemValue(v starlark.Value, depth int) any {
	x := fromValueDepth(v, depth+1)
	if x == dropped {
		return pyStr(v)
	}
	return x
}

func jsonKey(k starlark.Value) string {
	switch k := k.(type) {
	case starlark.Bool:
		if k {
			return "true"
		}
		return "false"
	case starlark.NoneType:
		return "null"
	}
	return pyStr(k)
}
