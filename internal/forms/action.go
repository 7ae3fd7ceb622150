package forms

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ActionField is the name of the submit buttons that edit the form instead
// of submitting it: add, remove and reorder array items, and refresh the
// conditional fields. They work without JavaScript: the button posts the
// whole form, the handler decodes it, applies the action and renders the
// form again without validating.
const ActionField = "__action"

// Action returns the form-editing action a POST asks for ("" when it is a
// real submission).
func Action(values url.Values) string {
	return values.Get(ActionField)
}

// Button values, built by the templates.
func AddAction(arrayPath string) string   { return "add:" + arrayPath }
func RemoveAction(itemPath string) string { return "remove:" + itemPath }
func UpAction(itemPath string) string     { return "up:" + itemPath }
func DownAction(itemPath string) string   { return "down:" + itemPath }

// RefreshAction re-renders the form with the conditional fields the
// current values switch on.
const RefreshAction = "refresh"

// Apply performs a form-editing action on data (usually from Decode) and
// returns the new data: "add:PATH" appends an item (the item schema's
// default, else empty) to the array at PATH, "remove:PATH.N" removes item N,
// "up:PATH.N" and "down:PATH.N" swap it with its neighbour, "refresh"
// changes nothing. Paths name arrays the schema has; anything else is an
// error.
func (f *Form) Apply(data map[string]any, action string) (map[string]any, error) {
	out, _ := deepCopy(map[string]any(data)).(obj)
	if out == nil {
		out = obj{}
	}
	if action == RefreshAction {
		return out, nil
	}
	verb, path, ok := strings.Cut(action, ":")
	if !ok {
		return nil, fmt.Errorf("form action %q is not one of add, remove, up, down or refresh", action)
	}
	segs := splitPath(path)
	arrayPath := path
	index := -1
	if verb != "add" {
		if len(segs) < 2 {
			return nil, fmt.Errorf("form action %q: %q is not an array item", action, path)
		}
		i, err := strconv.Atoi(segs[len(segs)-1])
		if err != nil {
			return nil, fmt.Errorf("form action %q: %q is not an array item", action, path)
		}
		index = i
		segs = segs[:len(segs)-1]
		arrayPath = pathOf(segs)
	}
	schema, err := f.schemaAt(segs, out)
	if err != nil || typeOf(schema) != "array" {
		return nil, fmt.Errorf("form action %q: %q is not a list in this form", action, arrayPath)
	}
	list, _ := getPath(out, segs).([]any)
	switch verb {
	case "add":
		items, _ := schema["items"].(obj)
		items = f.res.resolve(items)
		var item any
		if d, ok := items["default"]; ok {
			item = deepCopy(d)
		} else {
			switch typeOf(items) {
			case "object":
				item = obj{}
			case "string":
				item = ""
			}
		}
		if max, ok := schema["maxItems"]; ok && len(list) >= intOf(max) {
			return nil, fmt.Errorf("form action %q: the list already has its maximum of %d items", action, intOf(max))
		}
		list = append(list, item)
	case "remove", "up", "down":
		if index < 0 || index >= len(list) {
			return nil, fmt.Errorf("form action %q: there is no item %d", action, index)
		}
		switch verb {
		case "remove":
			list = append(list[:index:index], list[index+1:]...)
		case "up":
			if index > 0 {
				list[index-1], list[index] = list[index], list[index-1]
			}
		case "down":
			if index < len(list)-1 {
				list[index+1], list[index] = list[index], list[index+1]
			}
		}
	default:
		return nil, fmt.Errorf("form action %q is not one of add, remove, up, down or refresh", action)
	}
	if err := setPath(out, segs, list); err != nil {
		return nil, fmt.Errorf("form action %q: %w", action, err)
	}
	return out, nil
}

// schemaAt finds the schema of the value at segs, following conditional
// fields as the data switches them on.
func (f *Form) schemaAt(segs []string, data obj) (obj, error) {
	s := f.res.resolve(f.schema)
	var cur any = data
	for _, seg := range segs {
		switch typeOf(s) {
		case "object":
			co, _ := cur.(obj)
			view := f.objectView(s, co)
			ps, ok := view.props[seg].(obj)
			if !ok {
				return nil, fmt.Errorf("no field %q", seg)
			}
			s = f.res.resolve(ps)
			cur = co[seg]
		case "array":
			items, _ := s["items"].(obj)
			s = f.res.resolve(items)
			cl, _ := cur.([]any)
			i, err := strconv.Atoi(seg)
			if err != nil {
				return nil, fmt.Errorf("%q is not an index", seg)
			}
			cur = nil
			if i >= 0 && i < len(cl) {
				cur = cl[i]
			}
		default:
			return nil, fmt.Errorf("%q is inside a %s", seg, typeOf(s))
		}
	}
	return s, nil
}

func getPath(v any, segs []string) any {
	for _, s := range segs {
		switch c := v.(type) {
		case obj:
			v = c[s]
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// setPath stores v at segs, creating the objects on the way.
func setPath(root obj, segs []string, v any) error {
	if len(segs) == 0 {
		return fmt.Errorf("empty path")
	}
	var cur any = root
	for i, s := range segs {
		last := i == len(segs)-1
		switch c := cur.(type) {
		case obj:
			if last {
				c[s] = v
				return nil
			}
			next := c[s]
			if next == nil {
				next = obj{}
				c[s] = next
			}
			cur = next
		case []any:
			idx, err := strconv.Atoi(s)
			if err != nil || idx < 0 || idx >= len(c) {
				return fmt.Errorf("no item %q", s)
			}
			if last {
				c[idx] = v
				return nil
			}
			if c[idx] == nil {
				c[idx] = obj{}
			}
			cur = c[idx]
		default:
			return fmt.Errorf("%q is not inside an object or list", s)
		}
	}
	return nil
}
