package script

import (
	"fmt"
	"time"
)

// Func is a host helper exposed to scripts as a global function
// (get_current_user, get_secret, ...). Arguments and results are plain
// Go JSON-like values (see the package documentation).
type Func func(args []any, kwargs map[string]any) (any, error)

// Env is what the host lends a script for one run.
type Env struct {
	// Now is the clock behind datetime.now(), date.today() and time.time().
	// A nil clock makes those calls fail with "no clock": the package never
	// reads the machine clock for script-visible time.
	Now func() time.Time
	// Funcs are host helpers exposed as global functions; may be nil.
	Funcs map[string]Func
	// Lookup, when set, is asked for a name found nowhere else (not in the
	// task data, Globals or Funcs) before the built-ins: a way to lend a
	// value that costs something to build (the task object) only to the
	// scripts that read it. Its values are read-only like Globals'; a Func
	// value is a host function, as in Funcs.
	Lookup func(name string) (any, bool)
	// Globals are extra read-only names (data objects for conditional
	// events, ...). They are visible to the script but Exec does not return them.
	Globals map[string]any
	// MaxSteps bounds the abstract interpreter steps of one run; 0 means DefaultMaxSteps.
	MaxSteps uint64
	// Timeout bounds the wall-clock time of one run; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes bounds the bytes one run may allocate in total (strings,
	// lists, dicts, sets and bytes its operations and built-ins build);
	// 0 means DefaultMaxBytes.
	MaxBytes uint64
	// RandomSeed, when set, makes "import random" available with a
	// generator seeded from it, so runs stay reproducible. Without it the
	// random module is refused.
	RandomSeed *uint64
}

// Defaults for Env limits.
const (
	DefaultMaxSteps = 10_000_000
	DefaultTimeout  = 5 * time.Second
	DefaultMaxBytes = 64 << 20
)

// Error kinds.
const (
	KindSyntax  = "syntax"
	KindRuntime = "runtime"
	KindLimit   = "limit"
)

// Error is every compile or run error of this package. Line and Col are
// 1-based positions in the source given to Compile/CompileExpr (0 when unknown).
type Error struct {
	Name string // the name given to Compile, e.g. "Activity_1 script"
	Line int
	Col  int
	Msg  string // Python-like message, e.g. "name 'x' is not defined"
	Kind string // KindSyntax, KindRuntime or KindLimit
	// Type is the Python exception class of a runtime error ("NameError",
	// "KeyError", "ValueError", ...); empty for syntax and limit errors.
	Type string
}

func (e *Error) Error() string {
	switch {
	case e.Name != "" && e.Line > 0:
		return fmt.Sprintf("%s: line %d: %s", e.Name, e.Line, e.Msg)
	case e.Name != "":
		return fmt.Sprintf("%s: %s", e.Name, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}
