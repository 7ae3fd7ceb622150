package script

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// genFile is the file name of generated Starlark code; frames from other
// files (built-ins) are skipped when locating an error.
const genFile = "<script>"

// Limits that keep a run from exhausting the host.
const (
	maxValueLen     = 1 << 24 // longest string (bytes) or list a script may build
	maxIntBits      = 1 << 16 // largest integer ** may produce
	maxCallDepth    = 1000    // Python's default recursion limit
	maxIntDigits    = 4300    // Python's limit for int/str conversion
	checkEverySteps = 1 << 14
)

// Program is a compiled script (statements). It is immutable and safe for
// concurrent use.
type Program struct {
	name, src string
	body      []stmt
	c         compiledPair
}

// Expr is a compiled expression. It is immutable and safe for concurrent use.
type Expr struct {
	name, src string
	x         expr
	c         compiledPair
}

// compiledPair holds the two translations of one source: direct (built-in
// names bound straight to the built-ins) and, made on first need, shadowed
// (every global through the namespace, for runs whose data defines a name
// that is also a built-in, such as a form field called "type").
type compiledPair struct {
	direct   *compiled
	refs     []string // built-in names the source uses
	once     sync.Once
	shadowed *compiled
	err      error
	make     func(direct bool) (*compiled, []string, error)
}

type compiled struct {
	main *starlark.Function
	pm   posMap
	gen  string // generated Starlark, kept for diagnostics
}

func (cp *compiledPair) pick(env *Env, data map[string]any, extra string) (*compiled, error) {
	shadow := false
	for _, n := range cp.refs {
		if _, ok := data[n]; ok || (extra != "" && n == extra) {
			shadow = true
			break
		}
		if env != nil {
			if _, ok := env.Globals[n]; ok {
				shadow = true
				break
			}
			if _, ok := env.Funcs[n]; ok {
				shadow = true
				break
			}
		}
	}
	if !shadow {
		return cp.direct, nil
	}
	cp.once.Do(func() { cp.shadowed, _, cp.err = cp.make(false) })
	return cp.shadowed, cp.err
}

// Source returns the script text given to Compile.
func (p *Program) Source() string { return p.src }

// Source returns the expression text given to CompileExpr.
func (e *Expr) Source() string { return e.src }

// Compile parses and translates a script (statements). All parsing and
// translation happens here; Exec only runs the result.
func Compile(name, src string) (*Program, error) {
	text, colShift := dedent(normalizeNewlines(src))
	body, err := parseFile(text)
	if err != nil {
		return nil, frontError(name, err, colShift)
	}
	p := &Program{name: name, src: src, body: body}
	p.c.make = func(direct bool) (*compiled, []string, error) {
		gen, pm, refs, err := translateProgram(body, direct, mentionsDecimal(src))
		if err != nil {
			return nil, nil, frontError(name, err, colShift)
		}
		c, err := starlarkCompile(name, gen, pm)
		return c, sortedKeys(refs), err
	}
	if p.c.direct, p.c.refs, err = p.c.make(true); err != nil {
		return nil, err
	}
	return p, nil
}

// CompileExpr parses and translates one expression.
func CompileExpr(name, src string) (*Expr, error) {
	orig := src
	src = normalizeNewlines(src)
	text := strings.TrimSpace(src)
	if text == "" {
		return nil, &Error{Name: name, Line: 1, Col: 1, Msg: "empty expression", Kind: KindSyntax}
	}
	lead := len(src) - len(strings.TrimLeft(src, " \t\r\n"))
	start := pos{1, 1}
	for _, r := range src[:lead] {
		if r == '\n' {
			start.line++
			start.col = 1
		} else {
			start.col++
		}
	}
	x, err := parseExprSrc(text, start)
	if err != nil {
		return nil, frontError(name, err, 0)
	}
	e := &Expr{name: name, src: orig, x: x}
	e.c.make = func(direct bool) (*compiled, []string, error) {
		gen, pm, refs, err := translateExpr(x, direct, mentionsDecimal(src))
		if err != nil {
			return nil, nil, frontError(name, err, 0)
		}
		c, err := starlarkCompile(name, gen, pm)
		return c, sortedKeys(refs), err
	}
	if e.c.direct, e.c.refs, err = e.c.make(true); err != nil {
		return nil, err
	}
	return e, nil
}

// mentionsDecimal reports whether a source may create Decimal values (it
// names decimal or Decimal); only such sources pay for mixed comparisons.
func mentionsDecimal(src string) bool { return strings.Contains(src, "ecimal") }

// normalizeNewlines turns \r\n and \r into \n, as Python reads source,
// and drops a byte-order mark.
func normalizeNewlines(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// dedent removes whitespace common to every non-blank line, so that a
// script indented as a whole (as XML formatting sometimes leaves it) runs.
// It returns the number of columns removed.
func dedent(src string) (string, int) {
	lines := strings.Split(src, "\n")
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		for !strings.HasPrefix(ws, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if prefix == "" {
		return src, 0
	}
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i] = l[len(prefix):]
		} else {
			lines[i] = strings.TrimLeft(l, " \t")
		}
	}
	return strings.Join(lines, "\n"), len(prefix)
}

func frontError(name string, err error, colShift int) error {
	var se *syntaxError
	if errors.As(err, &se) {
		col := se.pos.col
		if col > 0 {
			col += colShift
		}
		return &Error{Name: name, Line: se.pos.line, Col: col, Msg: se.msg, Kind: KindSyntax}
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Name: name, Msg: err.Error(), Kind: KindSyntax}
}

// starlarkCompile compiles generated code and binds it to the built-ins.
func starlarkCompile(name, gen string, pm posMap) (*compiled, error) {
	_, prog, err := starlark.SourceProgramOptions(fileOptions, genFile, gen, predeclared.Has)
	if err != nil {
		// The translator only emits valid Starlark; report where it failed.
		e := &Error{Name: name, Msg: "cannot compile script: " + err.Error(), Kind: KindSyntax}
		var se syntax.Error
		if errors.As(err, &se) {
			p := pm.lookup(int(se.Pos.Line), int(se.Pos.Col))
			e.Line, e.Col = p.line, p.col
		}
		return nil, e
	}
	th := &starlark.Thread{Name: "init"}
	globals, err := prog.Init(th, predeclared)
	if err != nil {
		return nil, &Error{Name: name, Msg: err.Error(), Kind: KindRuntime}
	}
	main, ok := globals["__w_main"].(*starlark.Function)
	if !ok {
		return nil, &Error{Name: name, Msg: "cannot compile script", Kind: KindSyntax}
	}
	main.Freeze()
	return &compiled{main: main, pm: pm, gen: gen}, nil
}

// ---- running ----

// execState is everything one run needs. States are pooled: a run of a
// small script allocates little beyond its own values.
type execState struct {
	thread   starlark.Thread
	ns       namespace
	env      *Env
	maxSteps uint64
	timeout  time.Duration
	// maxBytes and allocated are the run's allocation budget and what its
	// operations and built-ins have built so far (see charge).
	maxBytes  uint64
	allocated uint64
	timer     *time.Timer
	timedOut  atomic.Bool
	args      [1]starlark.Value
	cache     map[string]starlark.Value // converted host globals and functions
	rng       *pyRandom
	cur       *compiled
}

var statePool = sync.Pool{New: func() any {
	st := &execState{}
	st.thread.Name = "script"
	st.thread.Print = func(*starlark.Thread, string) {}
	st.thread.OnMaxSteps = st.onMaxSteps
	st.thread.SetLocal("w", st)
	st.ns.st = st
	return st
}}

func stateOf(th *starlark.Thread) *execState {
	st, _ := th.Local("w").(*execState)
	return st
}

func getState(env *Env, data map[string]any) *execState {
	st := statePool.Get().(*execState)
	st.env = env
	st.maxSteps = DefaultMaxSteps
	st.timeout = DefaultTimeout
	st.maxBytes = DefaultMaxBytes
	st.allocated = 0
	if env != nil {
		if env.MaxSteps > 0 {
			st.maxSteps = env.MaxSteps
		}
		if env.MaxBytes > 0 {
			st.maxBytes = env.MaxBytes
		}
		if env.Timeout > 0 {
			st.timeout = env.Timeout
		}
	}
	st.thread.Steps = 0
	st.thread.Uncancel()
	st.thread.SetMaxExecutionSteps(min(st.maxSteps, checkEverySteps))
	st.ns.data = data
	return st
}

func putState(st *execState) {
	if st.allocated >= releaseAfterBytes {
		// After the state below has let go of the run's values.
		defer releaseMemory()
	}
	if st.timer != nil {
		if !st.timer.Stop() {
			// The timer fired or is firing: this state may still be
			// cancelled from the timer's goroutine, so it is not reused.
			return
		}
		st.timer = nil
	}
	st.timedOut.Store(false)
	st.env = nil
	st.ns.reset()
	clear(st.cache)
	st.rng = nil
	st.args[0] = nil
	st.cur = nil
	statePool.Put(st)
}

// releaseAfterBytes is the allocation of a run past which the memory it
// used is handed back to the operating system when it ends: such a run
// leaves garbage far larger than the steady state of small scripts, and the
// Go runtime would otherwise keep it mapped until its next collection,
// which an idle server may not reach for minutes.
const releaseAfterBytes = 16 << 20

// releaseState is 0 when no release runs, 1 while one runs, and 2 when
// another was asked for meanwhile: a burst of large runs costs at most two
// releases a second, and the run that ends last is always followed by one.
var releaseState atomic.Int32

// releaseMemory collects garbage and returns free memory to the operating
// system in the background; the run that asked does not wait.
func releaseMemory() {
	for {
		s := releaseState.Load()
		if s == 2 {
			return
		}
		if releaseState.CompareAndSwap(s, s+1) {
			if s == 0 {
				go releaseLoop()
			}
			return
		}
	}
}

func releaseLoop() {
	for {
		debug.FreeOSMemory()
		if releaseState.CompareAndSwap(1, 0) {
			return
		}
		// Asked again while this one ran: once more, but not more often
		// than once a second, so a stream of large runs does not keep a
		// core collecting.
		releaseState.Store(1)
		time.Sleep(time.Second)
	}
}

// charge adds n bytes to the run's allocation budget and fails with a limit
// error once the run has built more than Env.MaxBytes in total. Callers
// charge before they allocate where they can compute the size (repetition,
// concatenation), and after a built-in returned otherwise, so the overshoot
// of a refused run is at most one value under the per-value limit.
func charge(th *starlark.Thread, n uint64) error {
	st := stateOf(th)
	if st == nil || n == 0 {
		return nil
	}
	st.allocated += n
	if st.allocated > st.maxBytes {
		return limitErr("script exceeded the memory limit of %s (it built %s)", byteSize(st.maxBytes), byteSize(st.allocated))
	}
	return nil
}

// byteSize prints n in the largest binary unit it reaches.
func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	case n >= 1<<20:
		return strconv.FormatUint(n>>20, 10) + " MiB"
	case n >= 1<<10:
		return strconv.FormatUint(n>>10, 10) + " KiB"
	}
	return strconv.FormatUint(n, 10) + " bytes"
}

// allocSize estimates the bytes a freshly built value occupies: the
// characters of a string or bytes, one interface slot (16 bytes) per list
// or tuple item, and a hash-table entry per dict or set item. Elements are
// not followed: they were charged when they were built.
func allocSize(v starlark.Value) uint64 {
	switch v := v.(type) {
	case starlark.String:
		return uint64(len(v))
	case starlark.Bytes:
		return uint64(len(v))
	case *starlark.List:
		return 16 * uint64(v.Len())
	case starlark.Tuple:
		return 16 * uint64(len(v))
	case *starlark.Dict:
		return 64 * uint64(v.Len())
	case *starlark.Set:
		return 48 * uint64(v.Len())
	}
	return 0
}

// chargeNested charges what allocSize leaves out of a freshly built nested
// value (json.loads, copy.deepcopy): every list, tuple, dict and set below
// the top, and with strs the strings too. The walk stops as soon as the
// run's budget is spent.
func chargeNested(th *starlark.Thread, v starlark.Value, strs bool) error {
	st := stateOf(th)
	if st == nil {
		return nil
	}
	left := uint64(0)
	if st.maxBytes > st.allocated {
		left = st.maxBytes - st.allocated
	}
	var n uint64
	var walk func(v starlark.Value, depth int)
	walk = func(v starlark.Value, depth int) {
		if n > left || depth > 200 {
			return
		}
		if depth > 0 {
			switch v.(type) {
			case starlark.String, starlark.Bytes:
				if !strs {
					return
				}
			}
			n += allocSize(v)
		}
		switch v := v.(type) {
		case *starlark.List:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), depth+1)
			}
		case starlark.Tuple:
			for _, e := range v {
				walk(e, depth+1)
			}
		case *starlark.Dict:
			for _, kv := range v.Items() {
				walk(kv[0], depth+1)
				walk(kv[1], depth+1)
			}
		}
	}
	walk(v, 0)
	return charge(th, n)
}

// onMaxSteps runs every checkEverySteps steps: it enforces the step
// limit and, once a run has lasted that long, arms the wall-clock limit.
func (st *execState) onMaxSteps(th *starlark.Thread) {
	if th.Steps >= st.maxSteps {
		th.Cancel(fmt.Sprintf("script exceeded the limit of %d steps", st.maxSteps))
		return
	}
	if st.timer == nil {
		timeout := st.timeout
		st.timer = time.AfterFunc(timeout, func() {
			st.timedOut.Store(true)
			th.Cancel(fmt.Sprintf("script exceeded the time limit of %s", timeout))
		})
	}
	th.SetMaxExecutionSteps(min(th.Steps+checkEverySteps, st.maxSteps))
}

func (st *execState) now() (time.Time, error) {
	if st == nil || st.env == nil || st.env.Now == nil {
		return time.Time{}, pyErr(excRuntimeError, "no clock: the script environment provides no current time")
	}
	return st.env.Now(), nil
}

// run calls the compiled main function with the namespace.
func (st *execState) run(name string, c *compiled) (starlark.Value, error) {
	st.args[0] = &st.ns
	st.cur = c
	v, err := starlark.Call(&st.thread, c.main, st.args[:], nil)
	if err != nil {
		return nil, st.runError(name, c, err)
	}
	return v, nil
}

// Exec runs the script with data as its globals and returns the new data.
// data and everything reachable from it are left untouched; keys the script
// neither read nor wrote are carried over by reference. When the script
// fails as it runs, the data as it stood at the failing line comes back with
// the error (what Python's exec leaves in its namespace): the assignments
// made before it are kept, for the failed task's data.
func (p *Program) Exec(env *Env, data map[string]any) (map[string]any, error) {
	c, err := p.c.pick(env, data, "")
	if err != nil {
		return nil, err
	}
	st := getState(env, data)
	defer putState(st)
	if _, err := st.run(p.name, c); err != nil {
		return st.ns.result(), err
	}
	return st.ns.result(), nil
}

// ExecWith runs the script as Exec does on a copy of data with name set to
// value, without making that copy: a multi-instance task's instance runs on
// its parent's data plus the item.
func (p *Program) ExecWith(env *Env, data map[string]any, name string, value any) (map[string]any, error) {
	c, err := p.c.pick(env, data, name)
	if err != nil {
		return nil, err
	}
	st := getState(env, data)
	st.ns.extraName, st.ns.extraValue, st.ns.hasExtra = name, value, true
	defer putState(st)
	if _, err := st.run(p.name, c); err != nil {
		return st.ns.result(), err
	}
	return st.ns.result(), nil
}

// Eval evaluates the expression against data (and env's globals).
func (e *Expr) Eval(env *Env, data map[string]any) (any, error) {
	c, err := e.c.pick(env, data, "")
	if err != nil {
		return nil, err
	}
	st := getState(env, data)
	defer putState(st)
	v, err := st.run(e.name, c)
	if err != nil {
		return nil, err
	}
	x := fromValue(v)
	if x == dropped {
		return pyStr(v), nil
	}
	return x, nil
}

// EvalBool evaluates the expression and returns its Python truth value.
func (e *Expr) EvalBool(env *Env, data map[string]any) (bool, error) {
	c, err := e.c.pick(env, data, "")
	if err != nil {
		return false, err
	}
	st := getState(env, data)
	defer putState(st)
	v, err := st.run(e.name, c)
	if err != nil {
		return false, err
	}
	return bool(v.Truth()), nil
}

// Truthy reports the Python truth value of a Go JSON-like value.
func Truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case int64:
		return v != 0
	case int:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	x, err := toValue(v)
	if err != nil {
		return true
	}
	return bool(x.Truth())
}

// ToPython returns the Python str() text of a Go value.
func ToPython(v any) string {
	x, err := toValue(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return pyStr(x)
}

// ---- namespace ----

// namespace is the script's global namespace: Python's exec() dict over
// the task data. Reads fall back to host globals, host functions and the
// built-ins; writes and deletions stay in the namespace, so the input
// data is never modified.
type namespace struct {
	st   *execState
	data map[string]any
	// extraName, when hasExtra, is one more data key (ExecWith) that
	// overrides data's own.
	extraName  string
	extraValue any
	hasExtra   bool
	vars       map[string]starlark.Value
	deleted    map[string]bool
}

var _ starlark.HasSetKey = (*namespace)(nil)

// reset prepares the namespace for the next run, keeping a small vars
// map for reuse.
func (ns *namespace) reset() {
	ns.data = nil
	ns.extraName, ns.extraValue, ns.hasExtra = "", nil, false
	if len(ns.vars) > 64 {
		ns.vars = nil
	} else {
		clear(ns.vars)
	}
	ns.deleted = nil
}

func (ns *namespace) String() string        { return "<globals>" }
func (ns *namespace) Type() string          { return "globals" }
func (ns *namespace) Freeze()               {}
func (ns *namespace) Truth() starlark.Bool  { return true }
func (ns *namespace) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: globals") }

func (ns *namespace) Get(k starlark.Value) (starlark.Value, bool, error) {
	name := string(k.(starlark.String))
	if v, ok := ns.vars[name]; ok {
		return v, true, nil
	}
	if !ns.deleted[name] {
		if d, ok := ns.dataGet(name); ok {
			v, err := toValue(d)
			if err != nil {
				return nil, false, pyErr(excTypeError, "task data %q: %v", name, err)
			}
			switch v.(type) {
			case *starlark.List, *starlark.Dict:
				// Mutable: keep this copy so in-place changes are seen
				// by later reads and returned.
				ns.set(name, v)
			}
			return v, true, nil
		}
	}
	if v, ok, err := ns.st.hostGlobal(name); ok || err != nil {
		return v, ok, err
	}
	if v, ok := builtins[name]; ok {
		return v, true, nil
	}
	return nil, false, pyErr(excNameError, "name '%s' is not defined", name)
}

// dataGet reads a key of the task data (data plus the extra key).
func (ns *namespace) dataGet(name string) (any, bool) {
	if ns.hasExtra && name == ns.extraName {
		return ns.extraValue, true
	}
	d, ok := ns.data[name]
	return d, ok
}

func (ns *namespace) set(name string, v starlark.Value) {
	if ns.vars == nil {
		ns.vars = make(map[string]starlark.Value, 4)
	}
	ns.vars[name] = v
}

func (ns *namespace) SetKey(k, v starlark.Value) error {
	if err := checkSize(v); err != nil {
		return err
	}
	name := string(k.(starlark.String))
	ns.set(name, v)
	if ns.deleted != nil {
		delete(ns.deleted, name)
	}
	return nil
}

func (ns *namespace) del(name string) error {
	_, inVars := ns.vars[name]
	_, inData := ns.dataGet(name)
	if !inVars && (!inData || ns.deleted[name]) {
		if _, ok := builtins[name]; ok {
			// Deleting a predefined name (del time) only hides nothing.
			return nil
		}
		if v, ok, _ := ns.st.hostGlobal(name); ok && v != nil {
			return nil
		}
		return pyErr(excNameError, "name '%s' is not defined", name)
	}
	delete(ns.vars, name)
	if inData {
		if ns.deleted == nil {
			ns.deleted = map[string]bool{}
		}
		ns.deleted[name] = true
	}
	return nil
}

// smallMap is the number of entries a Go map holds without a table: one
// group of slots.
const smallMap = 8

// result builds the data after a run.
func (ns *namespace) result() map[string]any {
	n := len(ns.data) + len(ns.vars)
	if ns.hasExtra {
		n++
	}
	var out map[string]any
	if n <= smallMap {
		// Copying a small map copies its one group of slots as it is,
		// which costs less than inserting its keys one by one; the
		// result still fits in that group.
		out = maps.Clone(ns.data)
		if out == nil {
			out = make(map[string]any, n)
		}
		for k := range ns.deleted {
			delete(out, k)
		}
	} else {
		out = make(map[string]any, n)
		for k, v := range ns.data {
			if ns.deleted[k] || (ns.hasExtra && k == ns.extraName) {
				continue
			}
			if _, ok := ns.vars[k]; ok {
				continue
			}
			out[k] = v
		}
	}
	if k := ns.extraName; ns.hasExtra && !ns.deleted[k] {
		if _, ok := ns.vars[k]; !ok {
			out[k] = ns.extraValue
		}
	}
	for k, v := range ns.vars {
		x := fromValue(v)
		if x == dropped {
			delete(out, k) // a copied data key of that name goes too
			continue
		}
		out[k] = x
	}
	return out
}

// hostGlobal looks a name up in Env.Globals and Env.Funcs.
func (st *execState) hostGlobal(name string) (starlark.Value, bool, error) {
	if st.env == nil {
		return nil, false, nil
	}
	if v, ok := st.cache[name]; ok {
		return v, true, nil
	}
	if g, ok := st.env.Globals[name]; ok {
		v, err := toValue(g)
		if err != nil {
			return nil, false, pyErr(excTypeError, "global %q: %v", name, err)
		}
		st.cacheSet(name, v)
		return v, true, nil
	}
	if f, ok := st.env.Funcs[name]; ok {
		v := hostFunc(name, f)
		st.cacheSet(name, v)
		return v, true, nil
	}
	if st.env.Lookup != nil {
		if g, ok := st.env.Lookup(name); ok {
			if f, ok := g.(Func); ok {
				v := hostFunc(name, f)
				st.cacheSet(name, v)
				return v, true, nil
			}
			v, err := toValue(g)
			if err != nil {
				return nil, false, pyErr(excTypeError, "global %q: %v", name, err)
			}
			st.cacheSet(name, v)
			return v, true, nil
		}
	}
	return nil, false, nil
}

func (st *execState) cacheSet(name string, v starlark.Value) {
	if st.cache == nil {
		st.cache = map[string]starlark.Value{}
	}
	st.cache[name] = v
}

// hostFunc wraps a host helper as a Starlark built-in.
func hostFunc(name string, f Func) *starlark.Builtin {
	return starlark.NewBuiltin(name, metered(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		goArgs := make([]any, len(args))
		for i, a := range args {
			goArgs[i] = hostArg(a)
		}
		var goKw map[string]any
		if len(kwargs) > 0 {
			goKw = make(map[string]any, len(kwargs))
			for _, kv := range kwargs {
				goKw[string(kv[0].(starlark.String))] = hostArg(kv[1])
			}
		}
		res, err := f(goArgs, goKw)
		if err != nil {
			var pe *raised
			if errors.As(err, &pe) {
				return nil, err
			}
			return nil, pyErr(excException, "%s", err.Error())
		}
		v, err := toValue(res)
		if err != nil {
			return nil, pyErr(excTypeError, "%s returned %v", name, err)
		}
		return v, nil
	}))
}

func hostArg(v starlark.Value) any {
	x := fromValue(v)
	if x == dropped {
		return pyStr(v)
	}
	return x
}

// checkSize refuses values beyond the size limit.
func checkSize(v starlark.Value) error {
	switch v := v.(type) {
	case starlark.String:
		if len(v) > maxValueLen {
			return limitErr("string of %d bytes exceeds the limit of %d", len(v), maxValueLen)
		}
	case *starlark.List:
		if v.Len() > maxValueLen {
			return limitErr("list of %d items exceeds the limit of %d", v.Len(), maxValueLen)
		}
	case starlark.Tuple:
		if len(v) > maxValueLen {
			return limitErr("tuple of %d items exceeds the limit of %d", len(v), maxValueLen)
		}
	}
	return nil
}

// limitError is a resource-limit violation; scripts cannot catch it.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

func limitErr(format string, args ...any) error {
	return &limitError{msg: fmt.Sprintf(format, args...)}
}

// ---- errors ----

var cancelledRe = regexp.MustCompile(`^Starlark computation cancelled: (.*)$`)

// runError turns a Starlark run error into an *Error on the user's lines.
func (st *execState) runError(name string, c *compiled, err error) error {
	e := &Error{Name: name, Kind: KindRuntime}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		for i := len(ee.CallStack) - 1; i >= 0; i-- {
			p := ee.CallStack[i].Pos
			if p.Filename() == genFile {
				mp := c.pm.lookup(int(p.Line), int(p.Col))
				e.Line, e.Col = mp.line, mp.col
				break
			}
		}
	}
	var le *limitError
	var r *raised
	switch {
	case errors.As(err, &le):
		e.Kind, e.Msg = KindLimit, le.msg
	case ee != nil && cancelledRe.MatchString(ee.Msg):
		e.Kind, e.Msg = KindLimit, cancelledRe.FindStringSubmatch(ee.Msg)[1]
	case errors.As(err, &r):
		x := r.exc
		e.Type = x.cls.name
		e.Msg = x.message()
		if x.pos.line > 0 {
			e.Line, e.Col = x.pos.line, x.pos.col
		}
	default:
		msg := err.Error()
		if ee != nil {
			msg = ee.Msg
		}
		x := classify(msg)
		if x.cls == excRecursionError {
			e.Kind = KindLimit
		}
		e.Type = x.cls.name
		e.Msg = x.message()
	}
	return e
}

type classifyRule struct {
	re *regexp.Regexp
	mk func(m []string) *pyExc
}

func starType(t string) string {
	switch t {
	case "string":
		return "str"
	case "builtin_function_or_method":
		return "builtin_function_or_method"
	}
	return t
}

var classifyRules = []classifyRule{
	{regexp.MustCompile(`^key (.*) not in (dict|globals)`), func(m []string) *pyExc {
		k := m[1]
		if s, err := strconv.Unquote(k); err == nil {
			return newExc(excKeyError, starlark.String(s))
		}
		return newExcMsg(excKeyError, k)
	}},
	{regexp.MustCompile(`^(\S+) value does not support item assignment`), func(m []string) *pyExc {
		return newExcMsg(excTypeError, fmt.Sprintf("'%s' object does not support item assignment", starType(m[1])))
	}},
	{regexp.MustCompile(`^pop: missing key|^pop: empty`), func(m []string) *pyExc {
		if strings.Contains(m[0], "empty") {
			return newExcMsg(excIndexError, "pop from empty list")
		}
		return newExcMsg(excKeyError, "key not found")
	}},
	{regexp.MustCompile(`division by zero|modulo by zero`), func(m []string) *pyExc {
		return newExcMsg(excZeroDivisionError, "division by zero")
	}},
	{regexp.MustCompile(`index (-?\d+) out of range`), func(m []string) *pyExc {
		return newExcMsg(excIndexError, "index out of range")
	}},
	{regexp.MustCompile(`^unknown binary op: (\S+) (\S+) (\S+)`), func(m []string) *pyExc {
		a, op, b := starType(m[1]), m[2], starType(m[3])
		if a == "str" && op == "+" {
			return newExcMsg(excTypeError, fmt.Sprintf("can only concatenate str (not \"%s\") to str", b))
		}
		return newExcMsg(excTypeError, fmt.Sprintf("unsupported operand type(s) for %s: '%s' and '%s'", op, a, b))
	}},
	{regexp.MustCompile(`^unknown unary op: (\S+) (\S+)`), func(m []string) *pyExc {
		return newExcMsg(excTypeError, fmt.Sprintf("bad operand type for unary %s: '%s'", m[1], starType(m[2])))
	}},
	{regexp.MustCompile(`^(\S+) has no \.(\S+) field or method`), func(m []string) *pyExc {
		return newExcMsg(excAttributeError, fmt.Sprintf("'%s' object has no attribute '%s'", starType(m[1]), m[2]))
	}},
	{regexp.MustCompile(`^invalid call of non-function \((\S+)\)`), func(m []string) *pyExc {
		return newExcMsg(excTypeError, fmt.Sprintf("'%s' object is not callable", starType(m[1])))
	}},
	{regexp.MustCompile(`^unhashable type: (\S+)`), func(m []string) *pyExc {
		return newExcMsg(excTypeError, fmt.Sprintf("unhashable type: '%s'", starType(m[1])))
	}},
	{regexp.MustCompile(`local variable (\S+) referenced before assignment`), func(m []string) *pyExc {
		return newExcMsg(excUnboundLocalError, fmt.Sprintf("cannot access local variable '%s' where it is not associated with a value", m[1]))
	}},
	{regexp.MustCompile(`^(\S+) (<|>|<=|>=) (\S+) not implemented`), func(m []string) *pyExc {
		return newExcMsg(excTypeError, fmt.Sprintf("'%s' not supported between instances of '%s' and '%s'", m[2], starType(m[1]), starType(m[3])))
	}},
	{regexp.MustCompile(`unsupported comparison`), func(m []string) *pyExc { return newExcMsg(excTypeError, m[0]) }},
	{regexp.MustCompile(`(\S+) value is not iterable|got (\S+), want iterable|is not iterable`), func(m []string) *pyExc {
		return newExcMsg(excTypeError, m[0])
	}},
	{regexp.MustCompile(`Starlark stack overflow`), func(m []string) *pyExc {
		return newExcMsg(excRecursionError, "maximum recursion depth exceeded")
	}},
	{regexp.MustCompile(`during iteration`), func(m []string) *pyExc { return newExcMsg(excRuntimeError, m[0]) }},
	{regexp.MustCompile(`missing argument|unexpected keyword argument|accepts no more than|got \S+ for|want \S+|takes exactly|positional argument|requires|does not accept|multiple values`), func(m []string) *pyExc {
		return nil
	}},
}

// classify maps a Starlark error message to the Python exception it stands for.
func classify(msg string) *pyExc {
	for _, r := range classifyRules {
		if m := r.re.FindStringSubmatch(msg); m != nil {
			if x := r.mk(m); x != nil {
				return x
			}
			return newExcMsg(excTypeError, pythonizeMsg(msg))
		}
	}
	return newExcMsg(excRuntimeError, pythonizeMsg(msg))
}

func pythonizeMsg(msg string) string {
	msg = strings.ReplaceAll(msg, "got string", "got str")
	msg = strings.ReplaceAll(msg, "want string", "want str")
	return strings.ReplaceAll(msg, "__w_", "")
}

// excFromError returns the Python exception an error stands for, and
// whether a script may catch it.
func excFromError(err error, c *starlark.Thread) (*pyExc, bool) {
	var le *limitError
	if errors.As(err, &le) {
		return nil, false
	}
	var r *raised
	if errors.As(err, &r) {
		if r.exc.pos.line == 0 {
			r.exc.pos = errorPos(err, c)
		}
		return r.exc, true
	}
	var ee *starlark.EvalError
	msg := err.Error()
	if errors.As(err, &ee) {
		msg = ee.Msg
		if cancelledRe.MatchString(msg) {
			return nil, false
		}
	}
	x := classify(msg)
	if x.cls == excRecursionError {
		return nil, false
	}
	x.pos = errorPos(err, c)
	return x, true
}

// errorPos finds the user position of an error's innermost script frame.
func errorPos(err error, th *starlark.Thread) pos {
	var ee *starlark.EvalError
	if !errors.As(err, &ee) {
		return pos{}
	}
	st := stateOf(th)
	if st == nil || st.cur == nil {
		return pos{}
	}
	for i := len(ee.CallStack) - 1; i >= 0; i-- {
		p := ee.CallStack[i].Pos
		if p.Filename() == genFile {
			return st.cur.pm.lookup(int(p.Line), int(p.Col))
		}
	}
	return pos{}
}
