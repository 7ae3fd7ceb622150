package script

import (
	"fmt"

	"go.starlark.net/starlark"
)

// Python exceptions. Exception classes are *pyType values with isExc set;
// an exception instance is a *pyExc; a raised exception travels through
// Starlark as a *raised error until __w_try catches it or the run ends.

var (
	excBaseException       = newExcClass("BaseException", nil)
	excException           = newExcClass("Exception", excBaseException)
	excArithmeticError     = newExcClass("ArithmeticError", excException)
	excZeroDivisionError   = newExcClass("ZeroDivisionError", excArithmeticError)
	excOverflowError       = newExcClass("OverflowError", excArithmeticError)
	excLookupError         = newExcClass("LookupError", excException)
	excKeyError            = newExcClass("KeyError", excLookupError)
	excIndexError          = newExcClass("IndexError", excLookupError)
	excValueError          = newExcClass("ValueError", excException)
	excUnicodeError        = newExcClass("UnicodeError", excValueError)
	excTypeError           = newExcClass("TypeError", excException)
	excNameError           = newExcClass("NameError", excException)
	excUnboundLocalError   = newExcClass("UnboundLocalError", excNameError)
	excAttributeError      = newExcClass("AttributeError", excException)
	excRuntimeError        = newExcClass("RuntimeError", excException)
	excRecursionError      = newExcClass("RecursionError", excRuntimeError)
	excNotImplementedError = newExcClass("NotImplementedError", excRuntimeError)
	excAssertionError      = newExcClass("AssertionError", excException)
	excImportError         = newExcClass("ImportError", excException)
	excModuleNotFoundError = newExcClass("ModuleNotFoundError", excImportError)
	excStopIteration       = newExcClass("StopIteration", excException)
	excOSError             = newExcClass("OSError", excException)
	excTimeoutError        = newExcClass("TimeoutError", excOSError)
	excJSONDecodeError     = newExcClass("JSONDecodeError", excValueError)
	excInvalidOperation    = newExcClass("InvalidOperation", excArithmeticError)
)

var exceptionClasses = []*pyType{
	excBaseException, excException, excArithmeticError, excZeroDivisionError,
	excOverflowError, excLookupError, excKeyError, excIndexError, excValueError,
	excUnicodeError, excTypeError, excNameError, excUnboundLocalError,
	excAttributeError, excRuntimeError, excRecursionError, excNotImplementedError,
	excAssertionError, excImportError, excModuleNotFoundError, excStopIteration,
	excOSError, excTimeoutError,
}

func newExcClass(name string, base *pyType) *pyType {
	return &pyType{name: name, base: base, isExc: true}
}

func initExceptions() {
	for _, t := range append(exceptionClasses, excJSONDecodeError, excInvalidOperation) {
		t := t
		t.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(kwargs) > 0 {
				return nil, pyErr(excTypeError, "%s() takes no keyword arguments", t.name)
			}
			return &pyExc{cls: t, args: append(starlark.Tuple(nil), args...)}, nil
		}
	}
}

// pyExc is an exception instance.
type pyExc struct {
	cls  *pyType
	args starlark.Tuple
	user bool // raised by the script itself
	pos  pos  // where it was first raised, once known
}

var _ starlark.HasAttrs = (*pyExc)(nil)

func newExc(cls *pyType, args ...starlark.Value) *pyExc { return &pyExc{cls: cls, args: args} }

func newExcMsg(cls *pyType, msg string) *pyExc {
	return &pyExc{cls: cls, args: starlark.Tuple{starlark.String(msg)}}
}

func (x *pyExc) String() string        { return x.str() }
func (x *pyExc) Type() string          { return x.cls.name }
func (x *pyExc) Freeze()               { x.args.Freeze() }
func (x *pyExc) Truth() starlark.Bool  { return true }
func (x *pyExc) Hash() (uint32, error) { return starlark.String(x.cls.name).Hash() }

// str is Python's str(exc).
func (x *pyExc) str() string {
	switch len(x.args) {
	case 0:
		return ""
	case 1:
		if x.cls == excKeyError || x.cls.isSubclass(excKeyError) {
			return pyRepr(x.args[0])
		}
		return pyStr(x.args[0])
	}
	return pyRepr(x.args)
}

func (x *pyExc) repr() string {
	if len(x.args) == 1 {
		return x.cls.name + "(" + pyRepr(x.args[0]) + ")"
	}
	s := pyRepr(x.args)
	if len(x.args) == 0 {
		s = "()"
	}
	return x.cls.name + s
}

func (x *pyExc) Attr(name string) (starlark.Value, error) {
	switch name {
	case "args":
		return x.args, nil
	case "message", "msg":
		return starlark.String(x.str()), nil
	}
	return nil, nil
}

func (x *pyExc) AttrNames() []string { return []string{"args"} }

// message is the Error.Msg of an uncaught exception: str(exc), prefixed by
// the class name unless the text already names the problem (NameError) or
// is the script's own message (raise ValueError("amount too high")).
func (x *pyExc) message() string {
	s := x.str()
	switch {
	case s == "":
		return x.cls.name
	case x.cls == excNameError || x.cls == excUnboundLocalError:
		return s
	case x.user && x.cls != excKeyError:
		return s
	}
	return x.cls.name + ": " + s
}

// raised carries a Python exception through Starlark as a Go error.
type raised struct{ exc *pyExc }

func (r *raised) Error() string { return r.exc.cls.name + ": " + r.exc.str() }

// pyErr makes a raised Python exception with a formatted message.
func pyErr(cls *pyType, format string, args ...any) error {
	return &raised{exc: newExcMsg(cls, fmt.Sprintf(format, args...))}
}

// ---- the try statement ----

// builtinTry runs a translated try statement:
//
//	__w_try(body, (types0, handler0, types1, handler1, ...), orelse, finally)
//
// Each part is a function returning None (fall through) or a control code
// (1 break, 2 continue, (3, value) return) that the caller acts on.
func builtinTry(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	body, handlers, orelse, final := args[0], args[1].(starlark.Tuple), args[2], args[3]
	code, err := starlark.Call(th, body, nil, nil)
	if err == nil {
		if orelse != starlark.None && code == starlark.None {
			code, err = starlark.Call(th, orelse, nil, nil)
		}
	} else if exc, ok := excFromError(err, th); ok {
		for i := 0; i+1 < len(handlers); i += 2 {
			match, merr := excMatches(exc, handlers[i])
			if merr != nil {
				err = merr
				break
			}
			if match {
				code, err = starlark.Call(th, handlers[i+1], starlark.Tuple{exc}, nil)
				break
			}
		}
	}
	if final != starlark.None {
		fcode, ferr := starlark.Call(th, final, nil, nil)
		if ferr != nil {
			return nil, ferr
		}
		if fcode != starlark.None {
			return fcode, nil
		}
	}
	if err != nil {
		if exc, ok := excFromError(err, th); ok {
			// Keep the Python exception (and its position) for outer handlers.
			return nil, &raised{exc: exc}
		}
		return nil, err
	}
	return code, nil
}

func excMatches(exc *pyExc, types starlark.Value) (bool, error) {
	switch t := types.(type) {
	case starlark.NoneType:
		return true, nil
	case *pyType:
		if !t.isExc {
			return false, pyErr(excTypeError, "catching classes that do not inherit from BaseException is not allowed")
		}
		return exc.cls.isSubclass(t), nil
	case starlark.Tuple:
		for _, e := range t {
			ok, err := excMatches(exc, e)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return false, pyErr(excTypeError, "catching classes that do not inherit from BaseException is not allowed")
}

// builtinRaise implements raise: an exception class or instance.
func builtinRaise(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	switch x := args[0].(type) {
	case *pyExc:
		if x.pos.line == 0 {
			x.user = true
		}
		return nil, &raised{exc: x}
	case *pyType:
		if x.isExc {
			return nil, &raised{exc: &pyExc{cls: x, user: true}}
		}
	case starlark.NoneType:
		return nil, pyErr(excRuntimeError, "No active exception to reraise")
	}
	return nil, pyErr(excTypeError, "exceptions must derive from BaseException")
}
