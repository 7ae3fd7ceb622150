package forms

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Submitted data is limited to the form: a key the schema does not define
// (for the current values, so conditional fields count when switched on)
// is refused by the caller, never merged into the task data. Without this,
// a user could set any process variable, lane_owners included, and so
// choose who approves the next task. Objects whose schema lists no
// properties at all are free-form and not looked into.

// UndefinedKeys returns the paths (joined with '.') of the keys in data
// that the form's schema does not define, sorted.
func (f *Form) UndefinedKeys(data map[string]any) []string {
	var out []string
	f.undefinedIn(f.schema, data, "", &out, 0)
	slices.Sort(out)
	return out
}

func (f *Form) undefinedIn(s obj, value any, path string, out *[]string, depth int) {
	if depth > 32 {
		return
	}
	s = f.res.resolve(s)
	switch v := value.(type) {
	case map[string]any:
		view := f.objectView(s, v)
		if len(view.props) == 0 {
			return
		}
		for k, child := range v {
			ps, ok := view.props[k].(obj)
			if !ok {
				*out = append(*out, joinPath(path, k))
				continue
			}
			f.undefinedIn(ps, child, joinPath(path, k), out, depth+1)
		}
	case []any:
		items, _ := s["items"].(obj)
		if items == nil {
			return
		}
		for i, e := range v {
			f.undefinedIn(items, e, joinPath(path, strconv.Itoa(i)), out, depth+1)
		}
	}
}

// UndefinedFields returns the posted field names that are not fields of
// the form, given the decoded data (for conditional fields). Names in
// ignore (the CSRF token) and the form's own hidden inputs are allowed.
func (f *Form) UndefinedFields(values url.Values, data map[string]any, ignore ...string) []string {
	var out []string
	for name := range values {
		if name == ActionField || strings.HasPrefix(name, "__") || slices.Contains(ignore, name) {
			continue
		}
		if !f.definesPath(splitPath(name), data) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// definesPath walks a field path through the schema.
func (f *Form) definesPath(segs []string, data any) bool {
	s := f.schema
	for _, seg := range segs {
		s = f.res.resolve(s)
		switch typeOf(s) {
		case "array":
			items, _ := s["items"].(obj)
			if _, err := strconv.Atoi(seg); err != nil || items == nil {
				return false
			}
			s = items
			if a, ok := data.([]any); ok {
				if i, _ := strconv.Atoi(seg); i < len(a) {
					data = a[i]
					continue
				}
			}
			data = nil
		default:
			value, _ := data.(map[string]any)
			view := f.objectView(s, value)
			if len(view.props) == 0 {
				return true
			}
			ps, ok := view.props[seg].(obj)
			if !ok {
				return false
			}
			s = ps
			data = value[seg]
		}
	}
	return true
}
