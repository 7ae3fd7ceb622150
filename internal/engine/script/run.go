package script

import (
	"errors"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

var fileOptions = &syntax.FileOptions{
	Set:             true,
	While:           true,
	TopLevelControl: true,
	GlobalReassign:  true,
	Recursion:       true,
}

// Program is a compiled script (statements).
type Program struct {
	name, src string
}

// Expr is a compiled expression.
type Expr struct {
	name, src string
}

// Source returns the script text given to Compile.
func (p *Program) Source() string { return p.src }

// Source returns the expression text given to CompileExpr.
func (e *Expr) Source() string { return e.src }

// Compile checks a script (statements) and prepares it for Exec.
func Compile(name, src string) (*Program, error) {
	if _, err := fileOptions.Parse(name, src, 0); err != nil {
		return nil, convertError(name, err, KindSyntax)
	}
	return &Program{name: name, src: src}, nil
}

// CompileExpr checks one expression and prepares it for Eval.
func CompileExpr(name, src string) (*Expr, error) {
	if _, err := fileOptions.ParseExpr(name, strings.TrimSpace(src), 0); err != nil {
		return nil, convertError(name, err, KindSyntax)
	}
	return &Expr{name: name, src: src}, nil
}

func newThread(env *Env) *starlark.Thread {
	th := &starlark.Thread{Print: func(*starlark.Thread, string) {}}
	max := uint64(DefaultMaxSteps)
	timeout := DefaultTimeout
	if env != nil {
		if env.MaxSteps > 0 {
			max = env.MaxSteps
		}
		if env.Timeout > 0 {
			timeout = env.Timeout
		}
	}
	th.SetMaxExecutionSteps(max)
	t := time.AfterFunc(timeout, func() { th.Cancel("time limit exceeded") })
	th.SetLocal("timer", t)
	return th
}

func globalsFor(env *Env, data map[string]any) (starlark.StringDict, error) {
	g := starlark.StringDict{}
	if env != nil {
		for k, v := range env.Globals {
			x, err := toValue(v)
			if err != nil {
				return nil, err
			}
			g[k] = x
		}
	}
	for k, v := range data {
		x, err := toValue(v)
		if err != nil {
			return nil, err
		}
		g[k] = x
	}
	return g, nil
}

// Exec runs the script with data as its globals and returns the new data.
func (p *Program) Exec(env *Env, data map[string]any) (map[string]any, error) {
	f, err := fileOptions.Parse(p.name, p.src, 0)
	if err != nil {
		return nil, convertError(p.name, err, KindSyntax)
	}
	g, err := globalsFor(env, data)
	if err != nil {
		return nil, &Error{Name: p.name, Msg: err.Error(), Kind: KindRuntime}
	}
	th := newThread(env)
	defer th.Local("timer").(*time.Timer).Stop()
	if err := starlark.ExecREPLChunk(f, th, g); err != nil {
		return nil, convertError(p.name, err, KindRuntime)
	}
	out := make(map[string]any, len(g))
	for k, v := range g {
		if env != nil {
			if _, ok := env.Globals[k]; ok {
				if _, inData := data[k]; !inData {
					continue
				}
			}
		}
		x := fromValue(v)
		if x == dropped {
			continue
		}
		out[k] = x
	}
	return out, nil
}

// Eval evaluates the expression against data.
func (e *Expr) Eval(env *Env, data map[string]any) (any, error) {
	v, err := e.eval(env, data)
	if err != nil {
		return nil, err
	}
	return fromValue(v), nil
}

// EvalBool evaluates the expression and returns its Python truth value.
func (e *Expr) EvalBool(env *Env, data map[string]any) (bool, error) {
	v, err := e.eval(env, data)
	if err != nil {
		return false, err
	}
	return bool(v.Truth()), nil
}

func (e *Expr) eval(env *Env, data map[string]any) (starlark.Value, error) {
	g, err := globalsFor(env, data)
	if err != nil {
		return nil, &Error{Name: e.name, Msg: err.Error(), Kind: KindRuntime}
	}
	th := newThread(env)
	defer th.Local("timer").(*time.Timer).Stop()
	v, err := starlark.EvalOptions(fileOptions, th, e.name, strings.TrimSpace(e.src), g)
	if err != nil {
		return nil, convertError(e.name, err, KindRuntime)
	}
	return v, nil
}

// Truthy reports the Python truth value of a Go JSON-like value.
func Truthy(v any) bool {
	x, err := toValue(v)
	if err != nil {
		return v != nil
	}
	return bool(x.Truth())
}

// ToPython returns the Python str() text of a Go JSON-like value.
func ToPython(v any) string {
	x, err := toValue(v)
	if err != nil {
		return ""
	}
	return pyStr(x)
}

func pyStr(v starlark.Value) string {
	if s, ok := v.(starlark.String); ok {
		return string(s)
	}
	return v.String()
}

func convertError(name string, err error, kind string) *Error {
	e := &Error{Name: name, Msg: err.Error(), Kind: kind}
	var se syntax.Error
	if errors.As(err, &se) {
		e.Line, e.Col, e.Msg = int(se.Pos.Line), int(se.Pos.Col), se.Msg
		return e
	}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		e.Msg = ee.Msg
		if len(ee.CallStack) > 0 {
			pos := ee.CallStack[len(ee.CallStack)-1].Pos
			e.Line, e.Col = int(pos.Line), int(pos.Col)
		}
		if strings.Contains(ee.Msg, "cancelled") {
			e.Kind = KindLimit
		}
	}
	return e
}
