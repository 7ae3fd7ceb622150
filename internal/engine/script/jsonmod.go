package script

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strings"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// The json module: dumps and loads with Python's output format (", " and
// ": " separators, ensure_ascii escapes, insertion-ordered objects).

type jsonOpts struct {
	th          *starlark.Thread
	indent      string
	hasIndent   bool
	sortKeys    bool
	itemSep     string
	keySep      string
	ensureASCII bool
	def         starlark.Value
}

func jsonDumps(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var obj, indent, separators, def, skipkeys, allowNaN, cls starlark.Value
	sortKeys, ensureASCII := false, true
	if err := unpack("dumps", args, kwargs, "obj", &obj, "skipkeys?", &skipkeys, "ensure_ascii?", &ensureASCII,
		"check_circular?", new(starlark.Value), "allow_nan?", &allowNaN, "cls?", &cls, "indent?", &indent,
		"separators?", &separators, "default?", &def, "sort_keys?", &sortKeys); err != nil {
		return nil, err
	}
	o := &jsonOpts{th: th, sortKeys: sortKeys, ensureASCII: ensureASCII, itemSep: ", ", keySep: ": ", def: def}
	switch v := indent.(type) {
	case nil, starlark.NoneType:
	case starlark.Int:
		n, _ := v.Int64()
		if n > 100 {
			return nil, limitErr("json indent too large")
		}
		o.hasIndent, o.indent, o.itemSep = true, strings.Repeat(" ", int(max(n, 0))), ","
	case starlark.String:
		o.hasIndent, o.indent, o.itemSep = true, string(v), ","
	}
	if t, ok := separators.(starlark.Tuple); ok && len(t) == 2 {
		a, ok1 := t[0].(starlark.String)
		c, ok2 := t[1].(starlark.String)
		if ok1 && ok2 {
			o.itemSep, o.keySep = string(a), string(c)
		}
	}
	var sb strings.Builder
	if err := o.write(&sb, obj, "", 0); err != nil {
		return nil, err
	}
	return starlark.String(sb.String()), nil
}

func (o *jsonOpts) str(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(sb, `\u%04x`, r)
			case r >= utf8.RuneSelf && o.ensureASCII:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(sb, `\u%04x`, r)
				}
			default:
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
}

func (o *jsonOpts) newline(sb *strings.Builder, prefix string) {
	if o.hasIndent {
		sb.WriteByte('\n')
		sb.WriteString(prefix)
	}
}

func (o *jsonOpts) write(sb *strings.Builder, v starlark.Value, prefix string, depth int) error {
	if depth > 500 {
		return pyErr(excValueError, "Circular reference detected")
	}
	if sb.Len() > maxValueLen {
		return limitErr("json output exceeds the size limit")
	}
	inner := prefix + o.indent
	switch x := v.(type) {
	case starlark.NoneType:
		sb.WriteString("null")
	case starlark.Bool:
		if x {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case starlark.Int:
		sb.WriteString(x.String())
	case starlark.Float:
		f := float64(x)
		switch {
		case math.IsNaN(f):
			sb.WriteString("NaN")
		case math.IsInf(f, 1):
			sb.WriteString("Infinity")
		case math.IsInf(f, -1):
			sb.WriteString("-Infinity")
		default:
			sb.WriteString(floatRepr(f))
		}
	case starlark.String:
		o.str(sb, string(x))
	case *starlark.List, starlark.Tuple:
		elems, _ := iterValues(x)
		if len(elems) == 0 {
			sb.WriteString("[]")
			return nil
		}
		sb.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				sb.WriteString(o.itemSep)
			}
			o.newline(sb, inner)
			if err := o.write(sb, e, inner, depth+1); err != nil {
				return err
			}
		}
		o.newline(sb, prefix)
		sb.WriteByte(']')
	case *starlark.Dict:
		items := x.Items()
		if len(items) == 0 {
			sb.WriteString("{}")
			return nil
		}
		type kv struct {
			k string
			v starlark.Value
		}
		pairs := make([]kv, 0, len(items))
		for _, it := range items {
			var k string
			switch key := it[0].(type) {
			case starlark.String:
				k = string(key)
			case starlark.Int, starlark.Float, starlark.Bool, starlark.NoneType:
				k = jsonKey(key)
				if f, ok := key.(starlark.Float); ok {
					k = floatRepr(float64(f))
				}
			default:
				return pyErr(excTypeError, "keys must be str, int, float, bool or None, not %s", typeOf(key).name)
			}
			pairs = append(pairs, kv{k, it[1]})
		}
		if o.sortKeys {
			sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].k < pairs[j].k })
		}
		sb.WriteByte('{')
		for i, p := range pairs {
			if i > 0 {
				sb.WriteString(o.itemSep)
			}
			o.newline(sb, inner)
			o.str(sb, p.k)
			sb.WriteString(o.keySep)
			if err := o.write(sb, p.v, inner, depth+1); err != nil {
				return err
			}
		}
		o.newline(sb, prefix)
		sb.WriteByte('}')
	default:
		if o.def != nil && o.def != starlark.None {
			r, err := starlark.Call(o.th, o.def, starlark.Tuple{v}, nil)
			if err != nil {
				return err
			}
			return o.write(sb, r, prefix, depth+1)
		}
		return pyErr(excTypeError, "Object of type %s is not JSON serializable", typeOf(v).name)
	}
	return nil
}

func jsonLoads(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s starlark.Value
	if err := unpack("loads", args, kwargs, "s", &s, "cls?", new(starlark.Value), "object_hook?", new(starlark.Value),
		"parse_float?", new(starlark.Value), "parse_int?", new(starlark.Value)); err != nil {
		return nil, err
	}
	var text string
	switch v := s.(type) {
	case starlark.String:
		text = string(v)
	case starlark.Bytes:
		text = string(v)
	default:
		return nil, pyErr(excTypeError, "the JSON object must be str, bytes or bytearray, not %s", typeOf(s).name)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	v, err := jsonValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, jsonErr("Extra data")
	}
	// The nested values are new too (the top one is charged by metered).
	if err := chargeNested(th, v, true); err != nil {
		return nil, err
	}
	return v, nil
}

func jsonErr(msg string) error {
	return &raised{exc: newExcMsg(excJSONDecodeError, msg)}
}

// jsonValue decodes one value keeping object key order.
func jsonValue(dec *json.Decoder, depth int) (starlark.Value, error) {
	if depth > 500 {
		return nil, jsonErr("maximum nesting depth exceeded")
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, jsonErr("Expecting value: line 1 column 1 (char 0)")
		}
		return nil, jsonErr(err.Error())
	}
	switch t := tok.(type) {
	case nil:
		return starlark.None, nil
	case bool:
		return starlark.Bool(t), nil
	case string:
		return starlark.String(t), nil
	case json.Number:
		if len(t) > maxIntDigits {
			return nil, jsonErr("number too long")
		}
		if n, ok := new(big.Int).SetString(string(t), 10); ok {
			return starlark.MakeBigInt(n), nil
		}
		f, err := t.Float64()
		if err != nil {
			return nil, jsonErr(err.Error())
		}
		return starlark.Float(f), nil
	case json.Delim:
		switch t {
		case '[':
			var elems []starlark.Value
			for dec.More() {
				e, err := jsonValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				elems = append(elems, e)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(err.Error())
			}
			return starlark.NewList(elems), nil
		case '{':
			d := starlark.NewDict(0)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonErr(err.Error())
				}
				k, _ := kt.(string)
				v, err := jsonValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if err := d.SetKey(starlark.String(k), v); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(err.Error())
			}
			return d, nil
		}
	}
	return nil, jsonErr("Expecting value")
}

func initJSON() {
	excJSONDecodeError.attrs = nil
	refuse := func(name string) *starlark.Builtin {
		return fn(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return nil, pyErr(excRuntimeError, "json.%s needs a file, and scripts have no file access; use json.%ss", name, name)
		})
	}
	register(&module{name: "json", members: starlark.StringDict{
		"dumps":           fn("dumps", jsonDumps),
		"loads":           fn("loads", jsonLoads),
		"dump":            refuse("dump"),
		"load":            refuse("load"),
		"JSONDecodeError": excJSONDecodeError,
	}})
}
