package forms

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// objView is an object schema as it applies to one value: its own
// properties plus those switched on by dependencies (and 2019-09's
// dependentRequired and dependentSchemas), if/then/else and allOf,
// with the required set and the properties whose value decides which
// conditional fields appear (triggers).
type objView struct {
	props    obj
	order    []string
	required map[string]bool
	triggers map[string]bool
	// alwaysTrue lists required boolean properties; used for the
	// "required checkbox" check.

	// byValue is set when the view depends on the value (dependencies,
	// dependentRequired, dependentSchemas, if).
	byValue bool
}

// objectView returns the view of object schema s for value. Callers only
// read it: a view that does not depend on the value is kept (viewCache)
// and shared by every later call for s.
func (f *Form) objectView(s obj, value obj) objView {
	if f.views != nil {
		if v, ok := f.views.get(s); ok {
			return v
		}
	}
	v := objView{props: obj{}, required: map[string]bool{}, triggers: map[string]bool{}}
	f.mergeObject(&v, s, value, 0)
	if !v.byValue && f.views != nil {
		f.views.put(s, v)
	}
	return v
}

// viewCache keeps a form's object views that do not depend on the value,
// by schema object: validating, checking and rendering a form built them
// again for every object on every request. A Form and its copies share
// one cache, as they share the schema.
type viewCache struct {
	mu sync.Mutex
	m  map[uintptr]cachedView
}

// cachedView holds its schema object too, so the address it is found by
// cannot be reused by another map while the entry exists.
type cachedView struct {
	s    obj
	view objView
}

// maxCachedViews bounds a form's cache; a schema has one entry per object
// it describes (array items share theirs), so this is far above real forms.
const maxCachedViews = 512

func (c *viewCache) get(s obj) (objView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[keyOf(s)]
	return e.view, ok
}

func (c *viewCache) put(s obj, v objView) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[uintptr]cachedView{}
	}
	if len(c.m) < maxCachedViews {
		c.m[keyOf(s)] = cachedView{s: s, view: v}
	}
}

func (f *Form) mergeObject(v *objView, s obj, value obj, depth int) {
	if depth > 8 {
		return
	}
	s = f.res.resolve(s)
	if props := sub(s, "properties"); props != nil {
		for _, k := range f.propertyOrder(props) {
			if _, seen := v.props[k]; !seen {
				v.order = append(v.order, k)
			}
			ps, _ := props[k].(obj)
			if ps == nil {
				ps = obj{}
			}
			if prev, ok := v.props[k].(obj); ok {
				// A conditional branch may restate a property (rjsf's
				// dependencies oneOf pattern); keep the fuller schema.
				if len(ps) <= len(prev) {
					continue
				}
			}
			v.props[k] = ps
		}
	}
	for _, r := range required(s) {
		v.required[r] = true
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, e := range all {
			if eo, ok := e.(obj); ok {
				f.mergeObject(v, eo, value, depth+1)
			}
		}
	}
	if deps := sub(s, "dependencies"); deps != nil {
		v.byValue = true
		for _, k := range sortedKeys(deps) {
			v.triggers[k] = true
			present := value != nil && value[k] != nil
			switch d := deps[k].(type) {
			case []any:
				if present {
					for _, e := range d {
						if e, ok := e.(string); ok {
							v.required[e] = true
						}
					}
				}
			case obj:
				if !present {
					continue
				}
				f.mergeDependency(v, k, d, value, depth)
			}
		}
	}
	if f.draft2019 {
		// The 2019-09 split of "dependencies": dependentRequired lists the
		// properties a present property requires, dependentSchemas the
		// schema it switches on. The validator applies them only in those
		// drafts, so the form does too.
		if deps := sub(s, "dependentRequired"); deps != nil {
			v.byValue = true
			for _, k := range sortedKeys(deps) {
				v.triggers[k] = true
				if value == nil || value[k] == nil {
					continue
				}
				list, _ := deps[k].([]any)
				for _, e := range list {
					if e, ok := e.(string); ok {
						v.required[e] = true
					}
				}
			}
		}
		if deps := sub(s, "dependentSchemas"); deps != nil {
			v.byValue = true
			for _, k := range sortedKeys(deps) {
				v.triggers[k] = true
				if d, ok := deps[k].(obj); ok && value != nil && value[k] != nil {
					f.mergeDependency(v, k, d, value, depth)
				}
			}
		}
	}
	if cond, ok := s["if"].(obj); ok {
		v.byValue = true
		for k := range sub(cond, "properties") {
			v.triggers[k] = true
		}
		branch := "else"
		if f.matches(cond, value) {
			branch = "then"
		}
		if b, ok := s[branch].(obj); ok {
			f.mergeObject(v, b, value, depth+1)
		}
	}
}

// mergeDependency applies a schema dependency of property k. A oneOf inside
// it picks the branch whose own schema for k accepts the current value, as
// react-jsonschema-form does.
func (f *Form) mergeDependency(v *objView, k string, d obj, value obj, depth int) {
	d = f.res.resolve(d)
	base := obj{}
	for key, val := range d {
		if key != "oneOf" && key != "anyOf" {
			base[key] = val
		}
	}
	f.mergeObject(v, base, value, depth+1)
	for _, key := range []string{"oneOf", "anyOf"} {
		branches, _ := d[key].([]any)
		for _, b := range branches {
			bo, ok := b.(obj)
			if !ok {
				continue
			}
			bo = f.res.resolve(bo)
			ks, ok := sub(bo, "properties")[k].(obj)
			if !ok {
				continue
			}
			if f.matches(ks, value[k]) {
				f.mergeObject(v, bo, value, depth+1)
				break
			}
		}
	}
}

// fieldOrder applies ui:order ("*" stands for every property not listed;
// names the schema lacks are skipped; properties neither listed nor covered
// by "*" follow at the end).
func fieldOrder(order []string, ui obj) []string {
	list, ok := ui["ui:order"].([]any)
	if !ok {
		return order
	}
	var head, tail []string
	star := false
	listed := map[string]bool{}
	for _, e := range list {
		if s, ok := e.(string); ok {
			listed[s] = true
		}
	}
	for _, e := range list {
		s, _ := e.(string)
		if s == "*" {
			star = true
			continue
		}
		if !slices.Contains(order, s) {
			continue
		}
		if star {
			tail = append(tail, s)
		} else {
			head = append(head, s)
		}
	}
	var rest []string
	for _, k := range order {
		if !listed[k] {
			rest = append(rest, k)
		}
	}
	out := append(head, rest...)
	return append(out, tail...)
}

// Path helpers. A field's path joins its keys and array indexes with ".";
// a "." or "~" inside a key is written "~1" or "~0" (as in JSON pointers),
// so SpiffArena's keys with dots ("invoice.dueDate") stay one segment.

var escaper = strings.NewReplacer("~", "~0", ".", "~1")
var unescaper = strings.NewReplacer("~1", ".", "~0", "~")

func escapeKey(k string) string {
	if !strings.ContainsAny(k, "~.") {
		return k // most keys: no copy
	}
	return escaper.Replace(k)
}

func joinPath(base, key string) string {
	if base == "" {
		return escapeKey(key)
	}
	return base + "." + escapeKey(key)
}

// splitPath is the inverse of joinPath.
func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	segs := strings.Split(p, ".")
	for i, s := range segs {
		if strings.Contains(s, "~") {
			segs[i] = unescaper.Replace(s)
		}
	}
	return segs
}

// pathOf joins raw segments (such as a validator's instance location).
func pathOf(segs []string) string {
	p := ""
	for _, s := range segs {
		p = joinPath(p, s)
	}
	return p
}

// htmlID turns a path into an element id.
func htmlID(p string) string {
	var b strings.Builder
	b.WriteString("f")
	for _, r := range p {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '.':
			b.WriteString("-")
		default:
			b.WriteString("_")
		}
	}
	if p == "" {
		return "f-root"
	}
	return "f-" + b.String()[1:]
}

func sortStrings(s []string) { sort.Strings(s) }
