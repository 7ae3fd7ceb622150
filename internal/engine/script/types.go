package script

import (
	"sync"

	"go.starlark.net/starlark"
)

// pyType is a Python class object: int, str, dict, datetime, ValueError...
// Calling it constructs a value; isinstance and type() compare with it.
type pyType struct {
	name  string
	base  *pyType
	call  func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)
	attrs starlark.StringDict // class attributes (datetime.now, dict.fromkeys, ...)
	isExc bool
	// methodsOf, when set, makes str.lower(s) style calls work: an unknown
	// class attribute is looked up on the first argument.
	methodsOf bool
}

var (
	_ starlark.Callable = (*pyType)(nil)
	_ starlark.HasAttrs = (*pyType)(nil)
)

func (t *pyType) String() string        { return "<class '" + t.name + "'>" }
func (t *pyType) Type() string          { return "type" }
func (t *pyType) Freeze()               {}
func (t *pyType) Truth() starlark.Bool  { return true }
func (t *pyType) Hash() (uint32, error) { return starlark.String(t.name).Hash() }
func (t *pyType) Name() string          { return t.name }

func (t *pyType) CallInternal(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if t.call == nil {
		return nil, pyErr(excTypeError, "cannot create '%s' instances", t.name)
	}
	v, err := t.call(th, args, kwargs)
	if v != nil {
		th.Steps += resultCost(v)
		if n := allocSize(v); n > 0 && err == nil && !handedBack(v, nil, args) {
			if err := charge(th, n); err != nil {
				return nil, err
			}
		}
	}
	return v, err
}

func (t *pyType) Attr(name string) (starlark.Value, error) {
	switch name {
	case "__name__", "__qualname__":
		return starlark.String(t.name), nil
	}
	if v, ok := t.attrs[name]; ok {
		return v, nil
	}
	if t.methodsOf {
		return starlark.NewBuiltin(t.name+"."+name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) == 0 {
				return nil, pyErr(excTypeError, "unbound method %s.%s() needs an argument", t.name, name)
			}
			m, err := getAttr(args[0], name)
			if err != nil {
				return nil, err
			}
			return starlark.Call(th, m, args[1:], kwargs)
		}), nil
	}
	return nil, nil
}

func (t *pyType) AttrNames() []string {
	names := []string{"__name__"}
	for k := range t.attrs {
		names = append(names, k)
	}
	return names
}

func (t *pyType) isSubclass(of *pyType) bool {
	for c := t; c != nil; c = c.base {
		if c == of {
			return true
		}
	}
	return false
}

// Class objects of the built-in types. Their constructors are set in
// builtins.go.
var (
	typeType     = &pyType{name: "type"}
	objectType   = &pyType{name: "object"}
	noneType     = &pyType{name: "NoneType"}
	intType      = &pyType{name: "int", methodsOf: true}
	boolType     = &pyType{name: "bool", base: intType}
	floatType    = &pyType{name: "float", methodsOf: true}
	strType      = &pyType{name: "str", methodsOf: true}
	bytesType    = &pyType{name: "bytes", methodsOf: true}
	listType     = &pyType{name: "list", methodsOf: true}
	tupleType    = &pyType{name: "tuple", methodsOf: true}
	dictType     = &pyType{name: "dict", methodsOf: true}
	setType      = &pyType{name: "set", methodsOf: true}
	functionType = &pyType{name: "function"}
	builtinType  = &pyType{name: "builtin_function_or_method"}
	moduleType   = &pyType{name: "module"}
	rangeType    = &pyType{name: "range"}
)

// pyTyped is implemented by the package's own value types.
type pyTyped interface{ pyType() *pyType }

var otherTypes sync.Map // Starlark type name -> *pyType

// typeOf is Python's type(v).
func typeOf(v starlark.Value) *pyType {
	switch v := v.(type) {
	case starlark.NoneType:
		return noneType
	case starlark.Bool:
		return boolType
	case starlark.Int:
		return intType
	case starlark.Float:
		return floatType
	case starlark.String:
		return strType
	case starlark.Bytes:
		return bytesType
	case *starlark.List:
		return listType
	case starlark.Tuple:
		return tupleType
	case *starlark.Dict:
		return dictType
	case *starlark.Set:
		return setType
	case *starlark.Function:
		return functionType
	case *starlark.Builtin:
		return builtinType
	case *pyType:
		return typeType
	case *pyExc:
		return v.cls
	case pyTyped:
		return v.pyType()
	}
	if v.Type() == "range" {
		return rangeType
	}
	name := v.Type()
	if t, ok := otherTypes.Load(name); ok {
		return t.(*pyType)
	}
	t, _ := otherTypes.LoadOrStore(name, &pyType{name: name})
	return t.(*pyType)
}

func isInstance(v starlark.Value, t *pyType) bool {
	if t == objectType {
		return true
	}
	return typeOf(v).isSubclass(t)
}
