package script

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"
)

// globals(), vars() and locals() return a read-only view of the run's
// namespace: the script's names, the task data and the host globals.
// SpiffWorkflow models use it to test whether a variable exists
// ('should_escalate' in vars()). Values are converted only when read.
// locals() is the same view: inside a function it does not list the
// function's own locals.

type nsView struct{ ns *namespace }

var (
	_ starlark.IterableMapping = (*nsView)(nil)
	_ starlark.HasAttrs        = (*nsView)(nil)
)

func (v *nsView) String() string        { return "<globals>" }
func (v *nsView) Type() string          { return "dict" }
func (v *nsView) Freeze()               {}
func (v *nsView) Truth() starlark.Bool  { return len(v.names()) > 0 }
func (v *nsView) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: dict") }
func (v *nsView) pyType() *pyType       { return dictType }

func (v *nsView) names() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for n := range v.ns.data {
		if !v.ns.deleted[n] {
			add(n)
		}
	}
	if n := v.ns.extraName; v.ns.hasExtra && !v.ns.deleted[n] {
		add(n)
	}
	for n := range v.ns.vars {
		add(n)
	}
	if env := v.ns.st.env; env != nil {
		for n := range env.Globals {
			add(n)
		}
	}
	sort.Strings(out)
	return out
}

func (v *nsView) lookup(name string) (starlark.Value, bool, error) {
	if x, ok := v.ns.vars[name]; ok {
		return x, true, nil
	}
	if _, ok := v.ns.dataGet(name); ok && !v.ns.deleted[name] {
		x, _, err := v.ns.Get(starlark.String(name))
		return x, err == nil, err
	}
	if env := v.ns.st.env; env != nil {
		if _, ok := env.Globals[name]; ok {
			return v.ns.st.hostGlobal(name)
		}
	}
	return nil, false, nil
}

func (v *nsView) Get(k starlark.Value) (starlark.Value, bool, error) {
	s, ok := k.(starlark.String)
	if !ok {
		return nil, false, nil
	}
	return v.lookup(string(s))
}

func (v *nsView) Has(k starlark.Value) (bool, error) {
	_, found, err := v.Get(k)
	return found, err
}

func (v *nsView) Len() int { return len(v.names()) }

func (v *nsView) Iterate() starlark.Iterator {
	names := v.names()
	keys := make([]starlark.Value, len(names))
	for i, n := range names {
		keys[i] = starlark.String(n)
	}
	return starlark.Tuple(keys).Iterate()
}

func (v *nsView) Items() []starlark.Tuple {
	var out []starlark.Tuple
	for _, n := range v.names() {
		if x, ok, err := v.lookup(n); ok && err == nil {
			out = append(out, starlark.Tuple{starlark.String(n), x})
		}
	}
	return out
}

func (v *nsView) Attr(name string) (starlark.Value, error) {
	switch name {
	case "get":
		return fn("get", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var k starlark.Value
			var def starlark.Value = starlark.None
			if err := unpack("get", args, kwargs, "key", &k, "default?", &def); err != nil {
				return nil, err
			}
			x, found, err := v.Get(k)
			if err != nil || !found {
				return def, err
			}
			return x, nil
		}), nil
	case "keys":
		return method0("keys", func() starlark.Value {
			names := v.names()
			out := make([]starlark.Value, len(names))
			for i, n := range names {
				out[i] = starlark.String(n)
			}
			return starlark.NewList(out)
		}), nil
	case "items":
		return method0("items", func() starlark.Value {
			items := v.Items()
			out := make([]starlark.Value, len(items))
			for i, it := range items {
				out[i] = it
			}
			return starlark.NewList(out)
		}), nil
	case "values":
		return method0("values", func() starlark.Value {
			items := v.Items()
			out := make([]starlark.Value, len(items))
			for i, it := range items {
				out[i] = it[1]
			}
			return starlark.NewList(out)
		}), nil
	}
	return nil, nil
}

func (v *nsView) AttrNames() []string { return []string{"get", "items", "keys", "values"} }

func bNamespaceView(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 || len(kwargs) > 0 {
		return nil, pyErr(excTypeError, "%s() with an argument is not available in scripts", b.Name())
	}
	st := stateOf(th)
	if st == nil {
		return nil, pyErr(excRuntimeError, "%s() needs a running script", b.Name())
	}
	return &nsView{ns: &st.ns}, nil
}
