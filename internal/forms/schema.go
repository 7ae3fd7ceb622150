package forms

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// obj is a JSON-schema or UI-schema object as decoded by encoding/json.
type obj = map[string]any

// resolver follows local $refs ("#/definitions/x", "#/$defs/x", any JSON
// pointer into the same document). Remote references are refused at Parse.
type resolver struct {
	root obj
}

// resolve follows s's $ref chain and returns the target with s's other
// keywords laid over it, as react-jsonschema-form does ({"$ref": ...,
// "title": "Other"} keeps the target's type but shows "Other").
func (r *resolver) resolve(s obj) obj {
	for range 32 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		target, err := r.pointer(ref)
		if err != nil {
			return s
		}
		merged := maps.Clone(target)
		for k, v := range s {
			if k != "$ref" {
				merged[k] = v
			}
		}
		s = merged
	}
	return s
}

// pointer returns the schema object at a local reference.
func (r *resolver) pointer(ref string) (obj, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("$ref %q is not a reference inside the schema (remote references are not loaded)", ref)
	}
	var cur any = r.root
	p := strings.TrimPrefix(ref, "#")
	if p == "" {
		return r.root, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("$ref %q: only JSON-pointer references are supported", ref)
	}
	for _, seg := range strings.Split(p[1:], "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		switch c := cur.(type) {
		case obj:
			v, ok := c[seg]
			if !ok {
				return nil, fmt.Errorf("$ref %q: %q not found", ref, seg)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("$ref %q: bad index %q", ref, seg)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("$ref %q: %q is not an object", ref, seg)
		}
	}
	o, ok := cur.(obj)
	if !ok {
		return nil, fmt.Errorf("$ref %q does not point to a schema object", ref)
	}
	return o, nil
}

// checkRefs reports the first $ref in the document that cannot be followed.
func (r *resolver) checkRefs(v any, where string) error {
	switch v := v.(type) {
	case obj:
		if ref, ok := v["$ref"].(string); ok {
			if _, err := r.pointer(ref); err != nil {
				return fmt.Errorf("at %s: %w", where, err)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if k == "enum" || k == "const" || k == "default" || k == "examples" {
				continue
			}
			if err := r.checkRefs(v[k], where+"/"+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := r.checkRefs(e, where+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// typeOf returns the JSON type a schema describes: its "type" (the first
// non-null one when it is a list), else what its keywords imply.
func typeOf(s obj) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, e := range t {
			if e, ok := e.(string); ok && e != "null" {
				return e
			}
		}
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	if _, ok := s["items"]; ok {
		return "array"
	}
	if c := choiceValues(s); len(c) > 0 {
		switch c[0].(type) {
		case float64:
			return "number"
		case bool:
			return "boolean"
		}
	}
	return "string"
}

// choice is one value of an enum, oneOf or anyOf list.
type choice struct {
	value any
	label string
}

// choices lists the values of an enum or a oneOf/anyOf of const/enum
// subschemas, with their titles; nil when the schema is not a choice list.
func choices(s obj, ui obj) []choice {
	if e, ok := s["enum"].([]any); ok {
		names, _ := ui["ui:enumNames"].([]any)
		if names == nil {
			names, _ = s["enumNames"].([]any)
		}
		out := make([]choice, len(e))
		for i, v := range e {
			out[i] = choice{value: v, label: display(v)}
			if i < len(names) {
				if n, ok := names[i].(string); ok {
					out[i].label = n
				}
			}
		}
		return out
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		list, ok := s[key].([]any)
		if !ok || len(list) == 0 {
			continue
		}
		var out []choice
		for _, b := range list {
			bo, ok := b.(obj)
			if !ok {
				return nil
			}
			var v any
			if c, ok := bo["const"]; ok {
				v = c
			} else if e, ok := bo["enum"].([]any); ok && len(e) == 1 {
				v = e[0]
			} else {
				return nil
			}
			label := display(v)
			if t, ok := bo["title"].(string); ok && t != "" {
				label = t
			}
			out = append(out, choice{value: v, label: label})
		}
		return out
	}
	return nil
}

func choiceValues(s obj) []any {
	var out []any
	for _, c := range choices(s, nil) {
		out = append(out, c.value)
	}
	return out
}

// display is how a value appears in an input's value attribute.
func display(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case json.Number:
		return v.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func str(o obj, key string) string {
	s, _ := o[key].(string)
	return s
}

func boolean(o obj, key string) bool {
	b, _ := o[key].(bool)
	return b
}

func sub(o obj, key string) obj {
	s, _ := o[key].(obj)
	return s
}

// uiOptions merges "ui:options" with the "ui:"-prefixed shorthand keys
// rjsf also accepts (ui:rows is ui:options.rows).
func uiOption(ui obj, name string) (any, bool) {
	if o := sub(ui, "ui:options"); o != nil {
		if v, ok := o[name]; ok {
			return v, true
		}
	}
	v, ok := ui["ui:"+name]
	return v, ok
}

func required(s obj) []string {
	var out []string
	list, _ := s["required"].([]any)
	for _, e := range list {
		if e, ok := e.(string); ok {
			out = append(out, e)
		}
	}
	return out
}

// propertyOrder is the schema order of an object's properties. encoding/json
// loses it, so Parse records it from the raw text (see orderedKeys).
func (f *Form) propertyOrder(props obj) []string {
	if order, ok := f.order[keyOf(props)]; ok && len(order) == len(props) {
		return order
	}
	return slices.Sorted(maps.Keys(props))
}

// keyOf identifies a properties map by its address, which is stable for
// the life of the parsed document.
func keyOf(m obj) uintptr {
	return reflect.ValueOf(m).Pointer()
}
