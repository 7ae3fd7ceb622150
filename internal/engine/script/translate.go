package script

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"go.starlark.net/syntax"
)

// The translator turns the Python syntax tree into Starlark source text.
// The whole script becomes the body of one Starlark function,
//
//	def __w_main(__w_ns):
//	    ...
//
// in which every Python global name is an index into __w_ns, the run's
// namespace (a Go value with Python lookup rules: script variables, task
// data, host globals, host functions, built-ins). Function-local names stay
// Starlark locals. try/except bodies become nested Starlark functions run
// by the __w_try built-in; because they reach globals through __w_ns they
// can still assign them, and locals they assign are kept in a per-call box
// (__w_lvN). Every emitted fragment records the Python position it came
// from, so run-time errors are reported on the user's lines.

// posMap maps generated Starlark positions back to Python positions.
type posMap struct {
	lines []outLine // index 0 = generated line 1
}

type outLine struct {
	stmt  pos
	marks []mark
}

type mark struct {
	col int // 1-based generated column
	p   pos
}

func (m *posMap) lookup(line, col int) pos {
	if line < 1 || line > len(m.lines) {
		return pos{}
	}
	l := m.lines[line-1]
	best := l.stmt
	for _, mk := range l.marks {
		if mk.col <= col {
			best = mk.p
		} else {
			break
		}
	}
	return best
}

type emitter struct {
	out    strings.Builder
	cur    strings.Builder
	cline  outLine
	open   bool
	indent int
	pm     posMap
}

func (w *emitter) begin(p pos) {
	if w.open {
		w.end()
	}
	w.open = true
	w.cline = outLine{stmt: p}
	w.cur.Reset()
	for i := 0; i < w.indent; i++ {
		w.cur.WriteString("    ")
	}
}

func (w *emitter) end() {
	if !w.open {
		return
	}
	w.out.WriteString(w.cur.String())
	w.out.WriteByte('\n')
	w.pm.lines = append(w.pm.lines, w.cline)
	w.open = false
}

func (w *emitter) s(text string) { w.cur.WriteString(text) }

func (w *emitter) mark(p pos) {
	if p.line == 0 {
		return
	}
	w.cline.marks = append(w.cline.marks, mark{col: w.cur.Len() + 1, p: p})
}

// line emits a whole line.
func (w *emitter) line(p pos, text string) {
	w.begin(p)
	w.s(text)
	w.end()
}

// ---- scopes ----

type scopeKind int

const (
	scModule scopeKind = iota
	scFunc
	scLambda
	scComp
)

type scope struct {
	kind    scopeKind
	locals  map[string]bool
	globals map[string]bool
	boxed   map[string]bool
	lvName  string
}

type loopCtx struct {
	flag string // for-else / while-else flag, "" if none
}

// funcCtx is one generated Starlark function.
type funcCtx struct {
	sc      *scope
	tryPart bool
	loops   []loopCtx
	// codes raised inside a try part (break, continue, return)
	usedBreak, usedCont, usedRet bool
}

type translator struct {
	w        emitter
	scopes   []*scope
	fn       *funcCtx
	nextID   int
	excStack []string
	// moduleBound holds names bound at module level (or declared global).
	moduleBound map[string]bool
	// directBuiltins emits built-in names as direct references instead of
	// namespace lookups (valid when no data key shadows them).
	directBuiltins bool
	// referenced built-in names
	builtinRefs map[string]bool
	// decimalCmp routes comparisons through __w_cmp, so that Decimal
	// compares with int and float; set for sources that mention decimals.
	decimalCmp bool
}

func (t *translator) fail(p pos, format string, args ...any) {
	panic(&syntaxError{pos: p, msg: fmt.Sprintf(format, args...)})
}

func (t *translator) id() int { t.nextID++; return t.nextID }

// translateProgram produces the Starlark source of a script.
func translateProgram(body []stmt, direct, decimalCmp bool) (src string, pm posMap, refs map[string]bool, err error) {
	t := &translator{directBuiltins: direct, builtinRefs: map[string]bool{}, decimalCmp: decimalCmp}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*syntaxError)
			if !ok {
				panic(r)
			}
			err = se
		}
	}()
	mod := &scope{kind: scModule, locals: map[string]bool{}, globals: map[string]bool{}}
	t.moduleBound = map[string]bool{}
	collectBindings(body, t.moduleBound, nil)
	for _, s := range body {
		collectGlobalDecls(s, t.moduleBound)
	}
	t.scopes = []*scope{mod}
	t.fn = &funcCtx{sc: mod}
	t.w.line(pos{}, "def __w_main(__w_ns):")
	t.w.indent = 1
	t.block(body)
	t.w.line(pos{}, "return None")
	t.w.end()
	return t.w.out.String(), t.w.pm, t.builtinRefs, nil
}

// translateExpr produces the Starlark source of an expression.
func translateExpr(x expr, direct, decimalCmp bool) (src string, pm posMap, refs map[string]bool, err error) {
	t := &translator{directBuiltins: direct, builtinRefs: map[string]bool{}, moduleBound: map[string]bool{}, decimalCmp: decimalCmp}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*syntaxError)
			if !ok {
				panic(r)
			}
			err = se
		}
	}()
	mod := &scope{kind: scModule, locals: map[string]bool{}, globals: map[string]bool{}}
	t.scopes = []*scope{mod}
	t.fn = &funcCtx{sc: mod}
	t.w.line(pos{}, "def __w_main(__w_ns):")
	t.w.indent = 1
	t.w.begin(x.at())
	t.w.s("return ")
	t.expr(x)
	t.w.end()
	return t.w.out.String(), t.w.pm, t.builtinRefs, nil
}

// collectBindings adds the names a block binds (not looking into nested
// functions, lambdas or comprehensions) to into, and those bound inside
// try statements also to tryInto (when not nil).
func collectBindings(body []stmt, into map[string]bool, tryInto map[string]bool) {
	var visit func(ss []stmt, inTry bool)
	bind := func(n string, inTry bool) {
		into[n] = true
		if inTry && tryInto != nil {
			tryInto[n] = true
		}
	}
	var bindTarget func(x expr, inTry bool)
	bindTarget = func(x expr, inTry bool) {
		switch x := x.(type) {
		case *nameExpr:
			bind(x.id, inTry)
		case *tupleExpr:
			for _, e := range x.elts {
				bindTarget(e, inTry)
			}
		case *listExpr:
			for _, e := range x.elts {
				bindTarget(e, inTry)
			}
		case *starExpr:
			bindTarget(x.x, inTry)
		}
	}
	visit = func(ss []stmt, inTry bool) {
		for _, s := range ss {
			switch s := s.(type) {
			case *assignStmt:
				for _, tg := range s.targets {
					bindTarget(tg, inTry)
				}
			case *augAssignStmt:
				bindTarget(s.target, inTry)
			case *annAssignStmt:
				if s.value != nil {
					bindTarget(s.target, inTry)
				}
			case *delStmt:
				for _, tg := range s.targets {
					bindTarget(tg, inTry)
				}
			case *forStmt:
				bindTarget(s.target, inTry)
				visit(s.body, inTry)
				visit(s.els, inTry)
			case *whileStmt:
				visit(s.body, inTry)
				visit(s.els, inTry)
			case *ifStmt:
				visit(s.body, inTry)
				visit(s.els, inTry)
			case *defStmt:
				bind(s.name, inTry)
			case *tryStmt:
				visit(s.body, true)
				for _, h := range s.handlers {
					if h.name != "" {
						bind(h.name, true)
					}
					visit(h.body, true)
				}
				visit(s.els, true)
				visit(s.finally, true)
			case *importStmt:
				for _, n := range s.names {
					if n.as != "" {
						bind(n.as, inTry)
					} else {
						bind(strings.SplitN(n.name, ".", 2)[0], inTry)
					}
				}
			case *fromStmt:
				for _, n := range s.names {
					if n.as != "" {
						bind(n.as, inTry)
					} else {
						bind(n.name, inTry)
					}
				}
			}
		}
	}
	visit(body, false)
}

// collectGlobalDecls records names declared global in any function.
func collectGlobalDecls(s stmt, into map[string]bool) {
	var visit func(ss []stmt)
	visit = func(ss []stmt) {
		for _, s := range ss {
			switch s := s.(type) {
			case *globalStmt:
				for _, n := range s.names {
					into[n] = true
				}
			case *defStmt:
				visit(s.body)
			case *ifStmt:
				visit(s.body)
				visit(s.els)
			case *forStmt:
				visit(s.body)
				visit(s.els)
			case *whileStmt:
				visit(s.body)
				visit(s.els)
			case *tryStmt:
				visit(s.body)
				for _, h := range s.handlers {
					visit(h.body)
				}
				visit(s.els)
				visit(s.finally)
			}
		}
	}
	visit([]stmt{s})
}

func directGlobals(body []stmt) map[string]bool {
	g := map[string]bool{}
	var visit func(ss []stmt)
	visit = func(ss []stmt) {
		for _, s := range ss {
			switch s := s.(type) {
			case *globalStmt:
				for _, n := range s.names {
					g[n] = true
				}
			case *ifStmt:
				visit(s.body)
				visit(s.els)
			case *forStmt:
				visit(s.body)
				visit(s.els)
			case *whileStmt:
				visit(s.body)
				visit(s.els)
			case *tryStmt:
				visit(s.body)
				for _, h := range s.handlers {
					visit(h.body)
				}
				visit(s.els)
				visit(s.finally)
			}
		}
	}
	visit(body)
	return g
}

type nameKind int

const (
	nkGlobal nameKind = iota
	nkLocal
	nkBoxed
)

func (t *translator) resolve(name string) (nameKind, *scope) {
	for i := len(t.scopes) - 1; i >= 0; i-- {
		sc := t.scopes[i]
		if sc.kind == scModule {
			return nkGlobal, nil
		}
		if sc.globals[name] {
			return nkGlobal, nil
		}
		if sc.locals[name] {
			if sc.boxed[name] {
				return nkBoxed, sc
			}
			return nkLocal, sc
		}
	}
	return nkGlobal, nil
}

func checkName(t *translator, p pos, name string) {
	if strings.HasPrefix(name, "__w_") || strings.HasPrefix(name, "__b_") {
		t.fail(p, "names starting with %q are reserved", name[:4])
	}
}

// ident is the Starlark spelling of a local name.
func ident(name string) string {
	if name == "load" {
		return "__w_load"
	}
	return name
}

func quote(s string) string { return syntax.Quote(s, false) }

// ---- statements ----

func (t *translator) block(body []stmt) {
	n := len(t.w.pm.lines)
	for _, s := range body {
		t.stmt(s)
	}
	if t.w.open {
		t.w.end()
	}
	if len(t.w.pm.lines) == n {
		p := pos{}
		if len(body) > 0 {
			p = body[0].at()
		}
		t.w.line(p, "pass")
	}
}

func (t *translator) indented(f func()) {
	t.w.indent++
	f()
	if t.w.open {
		t.w.end()
	}
	t.w.indent--
}

func (t *translator) stmt(s stmt) {
	switch s := s.(type) {
	case *exprStmt:
		t.w.begin(s.p)
		t.expr(s.x)
		t.w.end()
	case *assignStmt:
		if len(s.targets) == 1 {
			t.assign(s.p, s.targets[0], func() { t.expr(s.value) })
			return
		}
		tmp := fmt.Sprintf("__w_t%d", t.id())
		t.w.begin(s.p)
		t.w.s(tmp + " = ")
		t.expr(s.value)
		t.w.end()
		for _, tg := range s.targets {
			t.assign(s.p, tg, func() { t.w.s(tmp) })
		}
	case *annAssignStmt:
		if s.value == nil {
			t.w.line(s.p, "pass")
			return
		}
		t.assign(s.p, s.target, func() { t.expr(s.value) })
	case *augAssignStmt:
		t.augAssign(s)
	case *delStmt:
		for _, tg := range s.targets {
			t.del(s.p, tg)
		}
	case *passStmt:
		t.w.line(s.p, "pass")
	case *breakStmt:
		t.emitBreak(s.p)
	case *contStmt:
		t.emitContinue(s.p)
	case *returnStmt:
		t.emitReturn(s.p, func() {
			if s.x == nil {
				t.w.s("None")
			} else {
				t.expr(s.x)
			}
		})
	case *ifStmt:
		t.w.begin(s.p)
		t.w.s("if ")
		t.expr(s.cond)
		t.w.s(":")
		t.w.end()
		t.indented(func() { t.block(s.body) })
		if len(s.els) > 0 {
			t.w.line(s.p, "else:")
			t.indented(func() { t.block(s.els) })
		}
	case *whileStmt:
		flag := t.loopFlag(s.p, s.els)
		t.w.begin(s.p)
		t.w.s("while ")
		if _, ok := s.cond.(*constExpr); ok {
			// Starlark gives a position only to instructions that can fail,
			// so the test of `while True:` has none and a step or time limit
			// that stops the loop there would be reported on the line of the
			// code before the loop (in a function, the def). Reading the
			// namespace (always true) gives the test the while's line.
			t.w.mark(s.p)
			t.w.s("__w_ns and ")
		}
		t.expr(s.cond)
		t.w.s(":")
		t.w.end()
		t.loopBody(flag, s.body)
		t.loopElse(s.p, flag, s.els)
	case *forStmt:
		flag := t.loopFlag(s.p, s.els)
		t.w.begin(s.p)
		t.w.s("for ")
		t.target(s.target)
		t.w.s(" in __w_iter(")
		t.expr(s.iter)
		t.w.s("):")
		t.w.end()
		t.loopBody(flag, s.body)
		t.loopElse(s.p, flag, s.els)
	case *defStmt:
		t.def(s)
	case *tryStmt:
		t.try(s)
	case *raiseStmt:
		t.w.begin(s.p)
		t.w.mark(s.p)
		t.w.s("__w_raise(")
		switch {
		case s.exc != nil:
			t.expr(s.exc)
		case len(t.excStack) > 0:
			t.w.s(t.excStack[len(t.excStack)-1])
		default:
			t.w.s("None")
		}
		t.w.s(")")
		t.w.end()
	case *importStmt:
		for _, n := range s.names {
			bindName := n.as
			leaf := "False"
			if bindName == "" {
				bindName = strings.SplitN(n.name, ".", 2)[0]
			} else {
				leaf = "True"
			}
			checkName(t, s.p, bindName)
			t.assign(s.p, &nameExpr{p: s.p, id: bindName}, func() {
				t.w.mark(s.p)
				t.w.s("__w_import(" + quote(n.name) + ", " + leaf + ")")
			})
		}
	case *fromStmt:
		for _, n := range s.names {
			if n.name == "*" {
				t.fail(s.p, "'from %s import *' is not supported in scripts; import the names you use", s.module)
			}
			bindName := n.as
			if bindName == "" {
				bindName = n.name
			}
			checkName(t, s.p, bindName)
			t.assign(s.p, &nameExpr{p: s.p, id: bindName}, func() {
				t.w.mark(s.p)
				t.w.s("__w_from(" + quote(s.module) + ", " + quote(n.name) + ")")
			})
		}
	case *unbindStmt:
		// Python unbinds the "except ... as name" variable after the handler.
		if s.name == "" {
			return
		}
		k, sc := t.resolve(s.name)
		switch k {
		case nkLocal:
			t.w.line(s.p, ident(s.name)+" = None")
		case nkBoxed:
			t.w.line(s.p, "__w_unbind("+sc.lvName+", "+quote(s.name)+")")
		default:
			t.w.line(s.p, "__w_unbind(__w_ns, "+quote(s.name)+")")
		}
	case *globalStmt:
		if t.fn.sc.kind == scModule {
			return // a no-op at module level
		}
	case *assertStmt:
		t.w.begin(s.p)
		t.w.s("if not (")
		t.expr(s.test)
		t.w.s("):")
		t.w.end()
		t.indented(func() {
			t.w.begin(s.p)
			t.w.mark(s.p)
			t.w.s("__w_raise(__b_AssertionError(")
			if s.msg != nil {
				t.expr(s.msg)
			}
			t.w.s("))")
			t.w.end()
		})
	default:
		t.fail(s.at(), "unsupported statement")
	}
}

func (t *translator) loopFlag(p pos, els []stmt) string {
	if len(els) == 0 {
		return ""
	}
	flag := fmt.Sprintf("__w_ok%d", t.id())
	t.w.line(p, flag+" = True")
	return flag
}

func (t *translator) loopBody(flag string, body []stmt) {
	t.fn.loops = append(t.fn.loops, loopCtx{flag: flag})
	t.indented(func() { t.block(body) })
	t.fn.loops = t.fn.loops[:len(t.fn.loops)-1]
}

func (t *translator) loopElse(p pos, flag string, els []stmt) {
	if flag == "" {
		return
	}
	t.w.line(p, "if "+flag+":")
	t.indented(func() { t.block(els) })
}

func (t *translator) emitBreak(p pos) {
	if n := len(t.fn.loops); n > 0 {
		if f := t.fn.loops[n-1].flag; f != "" {
			t.w.line(p, f+" = False")
		}
		t.w.line(p, "break")
		return
	}
	t.fn.usedBreak = true
	t.w.line(p, "return 1")
}

func (t *translator) emitContinue(p pos) {
	if len(t.fn.loops) > 0 {
		t.w.line(p, "continue")
		return
	}
	t.fn.usedCont = true
	t.w.line(p, "return 2")
}

func (t *translator) emitReturn(p pos, value func()) {
	t.w.begin(p)
	if t.fn.tryPart {
		t.fn.usedRet = true
		t.w.s("return (3, ")
		value()
		t.w.s(")")
	} else {
		t.w.s("return ")
		value()
	}
	t.w.end()
}

// assign emits "target = value".
func (t *translator) assign(p pos, target expr, value func()) {
	t.w.begin(p)
	if elts, star := starTarget(target); star >= 0 {
		// a, *b, c = v  ->  (a, b, c) = __w_unpack(v, 1, 1)
		plain := append([]expr(nil), elts...)
		plain[star] = elts[star].(*starExpr).x
		t.targetList(plain)
		t.w.s(" = ")
		t.w.mark(p)
		t.w.s("__w_unpack(")
		value()
		t.w.s(fmt.Sprintf(", %d, %d)", star, len(elts)-star-1))
		t.w.end()
		return
	}
	t.target(target)
	t.w.s(" = ")
	value()
	t.w.end()
}

// starTarget returns the elements of a tuple or list target and the index
// of its starred element, or -1.
func starTarget(x expr) ([]expr, int) {
	var elts []expr
	switch x := x.(type) {
	case *tupleExpr:
		elts = x.elts
	case *listExpr:
		elts = x.elts
	default:
		return nil, -1
	}
	for i, e := range elts {
		if _, ok := e.(*starExpr); ok {
			return elts, i
		}
	}
	return nil, -1
}

// target emits an assignment target.
func (t *translator) target(x expr) {
	switch x := x.(type) {
	case *nameExpr:
		checkName(t, x.p, x.id)
		t.storeName(x.id)
	case *tupleExpr:
		t.targetList(x.elts)
	case *listExpr:
		t.targetList(x.elts)
	case *indexExpr:
		t.w.mark(x.p)
		if s, ok := x.idx.(*sliceExpr); ok {
			t.fail(s.p, "assignment to a slice is not supported in scripts")
		}
		t.expr(x.x)
		t.w.s("[")
		t.expr(x.idx)
		t.w.s("]")
	case *attrExpr:
		t.checkAttr(x)
		t.w.mark(x.p)
		t.expr(x.x)
		t.w.s("." + x.name)
	default:
		t.fail(x.at(), "cannot assign to %s", describe(x))
	}
}

func (t *translator) targetList(elts []expr) {
	t.w.s("(")
	for i, e := range elts {
		if i > 0 {
			t.w.s(", ")
		}
		t.target(e)
	}
	if len(elts) == 1 {
		t.w.s(",")
	}
	t.w.s(")")
}

func (t *translator) storeName(name string) {
	k, sc := t.resolve(name)
	switch k {
	case nkLocal:
		t.w.s(ident(name))
	case nkBoxed:
		t.w.s(sc.lvName + "[" + quote(name) + "]")
	default:
		t.w.s("__w_ns[" + quote(name) + "]")
	}
}

func (t *translator) augAssign(s *augAssignStmt) {
	switch s.op {
	case "@":
		t.fail(s.p, "matrix multiplication is not supported in scripts")
	case "**":
		t.w.begin(s.p)
		t.target(s.target)
		t.w.s(" = ")
		t.w.mark(s.p)
		t.w.s("__w_pow(")
		t.expr(s.target)
		t.w.s(", ")
		t.expr(s.value)
		t.w.s(")")
		t.w.end()
		return
	}
	if (s.op == "+" && !isNumConst(s.value)) || s.op == "*" {
		// x += y and x *= y may build large strings, lists and tuples: they
		// go through __w_iadd and __w_imul, which check the size limits and
		// charge the allocation budget before building, and extend or
		// repeat a list in place as Python does. Adding a number constant
		// (n += 1) stays native.
		helper := "__w_iadd("
		if s.op == "*" {
			helper = "__w_imul("
		}
		t.w.begin(s.p)
		t.target(s.target)
		t.w.s(" = ")
		t.w.mark(s.p)
		t.w.s(helper)
		t.expr(s.target)
		t.w.s(", ")
		t.expr(s.value)
		t.w.s(")")
		t.w.end()
		return
	}
	t.w.begin(s.p)
	t.target(s.target)
	t.w.mark(s.p)
	t.w.s(" " + s.op + "= ")
	t.expr(s.value)
	t.w.end()
	// Growth of global values is checked by the namespace; a local that
	// grows by += or *= is checked here.
	if n, ok := s.target.(*nameExpr); ok && (s.op == "+" || s.op == "*") && !isNumConst(s.value) {
		if k, _ := t.resolve(n.id); k == nkLocal {
			t.w.line(s.p, "__w_chk("+ident(n.id)+")")
		}
	}
}

func (t *translator) del(p pos, x expr) {
	switch x := x.(type) {
	case *nameExpr:
		checkName(t, x.p, x.id)
		k, sc := t.resolve(x.id)
		t.w.begin(p)
		t.w.mark(x.p)
		switch k {
		case nkLocal:
			// A Starlark local cannot be unbound; None is the closest.
			t.w.s(ident(x.id) + " = None")
		case nkBoxed:
			t.w.s("__w_del(" + sc.lvName + ", " + quote(x.id) + ")")
		default:
			t.w.s("__w_del(__w_ns, " + quote(x.id) + ")")
		}
		t.w.end()
	case *tupleExpr:
		for _, e := range x.elts {
			t.del(p, e)
		}
	case *listExpr:
		for _, e := range x.elts {
			t.del(p, e)
		}
	case *indexExpr:
		t.w.begin(p)
		t.w.mark(x.p)
		t.w.s("__w_delitem(")
		t.expr(x.x)
		t.w.s(", ")
		if s, ok := x.idx.(*sliceExpr); ok {
			t.w.s("__w_mkslice(")
			t.optExpr(s.lo)
			t.w.s(", ")
			t.optExpr(s.hi)
			t.w.s(", ")
			t.optExpr(s.step)
			t.w.s(")")
		} else {
			t.expr(x.idx)
		}
		t.w.s(")")
		t.w.end()
	case *attrExpr:
		t.fail(x.p, "deleting attributes is not supported in scripts")
	default:
		t.fail(x.at(), "cannot delete %s", describe(x))
	}
}

func (t *translator) optExpr(x expr) {
	if x == nil {
		t.w.s("None")
		return
	}
	t.expr(x)
}

// funcScope analyses a function body: its locals, globals and the locals
// assigned inside try statements (which must be boxed).
func (t *translator) funcScope(params []param, body []stmt) *scope {
	sc := &scope{kind: scFunc, locals: map[string]bool{}, globals: map[string]bool{}, boxed: map[string]bool{}}
	sc.globals = directGlobals(body)
	for _, pr := range params {
		if pr.name != "" {
			sc.locals[pr.name] = true
		}
	}
	inTry := map[string]bool{}
	collectBindings(body, sc.locals, inTry)
	for n := range sc.globals {
		delete(sc.locals, n)
	}
	for n := range inTry {
		if sc.locals[n] {
			sc.boxed[n] = true
		}
	}
	if len(sc.boxed) > 0 {
		sc.lvName = fmt.Sprintf("__w_lv%d", t.id())
	}
	return sc
}

func (t *translator) params(params []param) {
	for i, pr := range params {
		if i > 0 {
			t.w.s(", ")
		}
		if pr.name != "" {
			checkName(t, pr.p, pr.name)
		}
		switch pr.star {
		case 1:
			t.w.s("*" + ident(pr.name))
		case 2:
			t.w.s("**" + ident(pr.name))
		default:
			t.w.s(ident(pr.name))
			if pr.def != nil {
				t.w.s("=")
				t.expr(pr.def)
			}
		}
	}
}

func (t *translator) def(s *defStmt) {
	checkName(t, s.p, s.name)
	sc := t.funcScope(s.params, s.body)
	fname := ident(s.name)
	t.w.begin(s.p)
	t.w.s("def " + fname + "(")
	t.params(s.params) // defaults are evaluated in the enclosing scope
	t.w.s("):")
	t.w.end()
	saveFn := t.fn
	saveExc := t.excStack
	t.excStack = nil
	t.scopes = append(t.scopes, sc)
	t.fn = &funcCtx{sc: sc}
	t.indented(func() {
		t.w.line(s.p, "__w_enter()")
		if sc.lvName != "" {
			t.w.line(s.p, sc.lvName+" = __w_locals()")
			for _, pr := range s.params {
				if pr.name != "" && sc.boxed[pr.name] {
					t.w.line(s.p, sc.lvName+"["+quote(pr.name)+"] = "+ident(pr.name))
				}
			}
		}
		t.block(s.body)
	})
	t.fn = saveFn
	t.excStack = saveExc
	t.scopes = t.scopes[:len(t.scopes)-1]
	if k, _ := t.resolve(s.name); k != nkLocal {
		t.assign(s.p, &nameExpr{p: s.p, id: s.name}, func() { t.w.s(fname) })
	}
}

// try emits a try statement as nested functions run by __w_try.
func (t *translator) try(s *tryStmt) {
	n := t.id()
	outer := t.fn
	var parts []string
	part := func(name, param string, body []stmt, exc string, pre func()) {
		t.w.begin(s.p)
		t.w.s("def " + name + "(" + param + "):")
		t.w.end()
		t.fn = &funcCtx{sc: outer.sc, tryPart: true}
		if exc != "" {
			t.excStack = append(t.excStack, exc)
		}
		t.indented(func() {
			if pre != nil {
				pre()
			}
			t.block(body)
		})
		if exc != "" {
			t.excStack = t.excStack[:len(t.excStack)-1]
		}
		outer.usedBreak = outer.usedBreak || t.fn.usedBreak
		outer.usedCont = outer.usedCont || t.fn.usedCont
		outer.usedRet = outer.usedRet || t.fn.usedRet
		t.fn = outer
		parts = append(parts, name)
	}
	// The codes are gathered on a scratch context so that only this try's
	// parts decide which checks follow the call.
	saveB, saveC, saveR := outer.usedBreak, outer.usedCont, outer.usedRet
	outer.usedBreak, outer.usedCont, outer.usedRet = false, false, false

	body := fmt.Sprintf("__w_tb%d", n)
	part(body, "", s.body, "", nil)
	var handlers []string
	for i, h := range s.handlers {
		name := fmt.Sprintf("__w_th%d_%d", n, i)
		exc := fmt.Sprintf("__w_e%d", n)
		h := h
		part(name, exc, append(h.body, &unbindStmt{p: h.p, name: h.name}), exc, func() {
			if h.name != "" {
				checkName(t, h.p, h.name)
				t.assign(h.p, &nameExpr{p: h.p, id: h.name}, func() { t.w.s(exc) })
			}
		})
		handlers = append(handlers, name)
	}
	elseFn, finFn := "None", "None"
	if len(s.els) > 0 {
		elseFn = fmt.Sprintf("__w_te%d", n)
		part(elseFn, "", s.els, "", nil)
	}
	if s.finally != nil {
		finFn = fmt.Sprintf("__w_tf%d", n)
		part(finFn, "", s.finally, "", nil)
	}
	usedB, usedC, usedR := outer.usedBreak, outer.usedCont, outer.usedRet
	outer.usedBreak, outer.usedCont, outer.usedRet = saveB, saveC, saveR

	r := fmt.Sprintf("__w_r%d", n)
	t.w.begin(s.p)
	t.w.mark(s.p)
	t.w.s(r + " = __w_try(" + body + ", (")
	for i, h := range s.handlers {
		if h.types == nil {
			t.w.s("None")
		} else {
			t.expr(h.types)
		}
		t.w.s(", " + handlers[i] + ", ")
	}
	t.w.s("), " + elseFn + ", " + finFn + ")")
	t.w.end()
	if !usedB && !usedC && !usedR {
		return
	}
	t.w.line(s.p, "if "+r+" != None:")
	t.indented(func() {
		if usedB {
			t.w.line(s.p, "if "+r+" == 1:")
			t.indented(func() { t.emitBreak(s.p) })
		}
		if usedC {
			t.w.line(s.p, "if "+r+" == 2:")
			t.indented(func() { t.emitContinue(s.p) })
		}
		if usedR {
			t.w.line(s.p, "if type("+r+") == \"tuple\":")
			t.indented(func() {
				if t.fn.tryPart {
					t.fn.usedRet = true
					t.w.line(s.p, "return "+r)
				} else {
					t.w.line(s.p, "return "+r+"[1]")
				}
			})
		}
	})
}

// ---- expressions ----

func isNumConst(x expr) bool {
	c, ok := x.(*constExpr)
	return ok && (c.kind == constInt || c.kind == constFloat)
}

func isStrConst(x expr) bool {
	switch x := x.(type) {
	case *constExpr:
		return x.kind == constStr
	case *fstrExpr:
		return true
	}
	return false
}

// simple reports whether evaluating x twice is harmless and cheap.
func simple(x expr) bool {
	switch x.(type) {
	case *nameExpr, *constExpr:
		return true
	}
	return false
}

func (t *translator) expr(x expr) {
	switch x := x.(type) {
	case *nameExpr:
		t.loadName(x)
	case *constExpr:
		t.w.mark(x.p)
		t.w.s(t.constText(x))
	case *fstrExpr:
		t.fstring(x)
	case *unaryExpr:
		t.w.mark(x.p)
		switch x.op {
		case "not":
			t.w.s("(not ")
		default:
			t.w.s("(" + x.op)
		}
		t.expr(x.x)
		t.w.s(")")
	case *binaryExpr:
		t.binary(x)
	case *compareExpr:
		t.compare(x)
	case *ifExpr:
		t.w.s("(")
		t.expr(x.then)
		t.w.s(" if ")
		t.expr(x.cond)
		t.w.s(" else ")
		t.expr(x.els)
		t.w.s(")")
	case *lambdaExpr:
		sc := &scope{kind: scLambda, locals: map[string]bool{}, globals: map[string]bool{}}
		for _, pr := range x.params {
			if pr.name != "" {
				sc.locals[pr.name] = true
			}
		}
		t.w.mark(x.p)
		t.w.s("(lambda ")
		t.params(x.params)
		// __w_enter() returns None, so "or" goes on to the body: the depth
		// check runs first, as in a def.
		t.w.s(": __w_enter() or ")
		t.scopes = append(t.scopes, sc)
		t.expr(x.body)
		t.scopes = t.scopes[:len(t.scopes)-1]
		t.w.s(")")
	case *callExpr:
		t.call(x)
	case *attrExpr:
		t.checkAttr(x)
		if patchedAttrs[x.name] {
			t.w.mark(x.p)
			t.w.s("__w_getattr(")
			t.expr(x.x)
			t.w.s(", " + quote(x.name) + ")")
			return
		}
		t.expr(x.x)
		t.w.mark(x.p)
		t.w.s("." + x.name)
	case *indexExpr:
		t.index(x)
	case *sliceExpr:
		t.fail(x.p, "invalid syntax")
	case *tupleExpr:
		t.w.mark(x.p)
		if hasStar(x.elts) {
			t.w.s("__b_tuple(")
			t.starList(x.elts)
			t.w.s(")")
			return
		}
		t.w.s("(")
		for i, e := range x.elts {
			if i > 0 {
				t.w.s(", ")
			}
			t.expr(e)
		}
		if len(x.elts) == 1 {
			t.w.s(",")
		}
		t.w.s(")")
	case *listExpr:
		t.w.mark(x.p)
		if hasStar(x.elts) {
			t.starList(x.elts)
			return
		}
		t.list(x.elts)
	case *setExpr:
		t.w.mark(x.p)
		t.w.s("__w_set(")
		if hasStar(x.elts) {
			t.starList(x.elts)
		} else {
			t.list(x.elts)
		}
		t.w.s(")")
	case *dictExpr:
		t.dict(x)
	case *compExpr:
		t.comp(x)
	case *starExpr:
		t.fail(x.p, "can't use starred expression here")
	default:
		t.fail(x.at(), "unsupported expression")
	}
}

func hasStar(elts []expr) bool {
	for _, e := range elts {
		if _, ok := e.(*starExpr); ok {
			return true
		}
	}
	return false
}

func (t *translator) list(elts []expr) {
	t.w.s("[")
	for i, e := range elts {
		if i > 0 {
			t.w.s(", ")
		}
		t.expr(e)
	}
	t.w.s("]")
}

// starList emits a list display holding *iterable elements as a sum of lists.
func (t *translator) starList(elts []expr) {
	t.w.s("(")
	var group []expr
	first := true
	flush := func() {
		if len(group) == 0 {
			return
		}
		if !first {
			t.w.s(" + ")
		}
		first = false
		t.list(group)
		group = nil
	}
	for _, e := range elts {
		if s, ok := e.(*starExpr); ok {
			flush()
			if !first {
				t.w.s(" + ")
			}
			first = false
			t.w.mark(s.p)
			t.w.s("__w_tolist(")
			t.expr(s.x)
			t.w.s(")")
			continue
		}
		group = append(group, e)
	}
	flush()
	t.w.s(")")
}

func (t *translator) dict(x *dictExpr) {
	t.w.mark(x.p)
	spread := false
	for _, k := range x.keys {
		if k == nil {
			spread = true
		}
	}
	if !spread {
		t.w.s("{")
		for i := range x.keys {
			if i > 0 {
				t.w.s(", ")
			}
			t.expr(x.keys[i])
			t.w.s(": ")
			t.expr(x.vals[i])
		}
		t.w.s("}")
		return
	}
	t.w.s("__w_dictmerge(")
	for i := range x.keys {
		if i > 0 {
			t.w.s(", ")
		}
		if x.keys[i] == nil {
			t.expr(x.vals[i])
			continue
		}
		t.w.s("{")
		t.expr(x.keys[i])
		t.w.s(": ")
		t.expr(x.vals[i])
		t.w.s("}")
	}
	t.w.s(")")
}

func (t *translator) comp(x *compExpr) {
	t.w.mark(x.p)
	sc := &scope{kind: scComp, locals: map[string]bool{}, globals: map[string]bool{}}
	for _, cl := range x.clauses {
		collectTargetNames(cl.target, sc.locals)
	}
	// List and dict comprehensions are built natively; __w_built charges
	// the result to the allocation budget (sets go through __w_set).
	switch x.kind {
	case 's':
		t.w.s("__w_set([")
	case 'd':
		t.w.s("__w_built({")
	default:
		t.w.s("__w_built([")
	}
	t.scopes = append(t.scopes, sc)
	t.expr(x.elt)
	if x.kind == 'd' {
		t.w.s(": ")
		t.expr(x.val)
	}
	for i, cl := range x.clauses {
		t.w.s(" for ")
		t.target(cl.target)
		t.w.s(" in __w_iter(")
		if i == 0 {
			// The first iterable is evaluated in the enclosing scope.
			t.scopes = t.scopes[:len(t.scopes)-1]
			t.expr(cl.iter)
			t.scopes = append(t.scopes, sc)
		} else {
			t.expr(cl.iter)
		}
		t.w.s(")")
		for _, c := range cl.ifs {
			t.w.s(" if ")
			t.expr(c)
		}
	}
	t.scopes = t.scopes[:len(t.scopes)-1]
	switch x.kind {
	case 's':
		t.w.s("])")
	case 'd':
		t.w.s("})")
	default:
		t.w.s("])")
	}
}

func collectTargetNames(x expr, into map[string]bool) {
	switch x := x.(type) {
	case *nameExpr:
		into[x.id] = true
	case *tupleExpr:
		for _, e := range x.elts {
			collectTargetNames(e, into)
		}
	case *listExpr:
		for _, e := range x.elts {
			collectTargetNames(e, into)
		}
	}
}

func (t *translator) loadName(x *nameExpr) {
	if !x.internal {
		checkName(t, x.p, x.id)
	}
	t.w.mark(x.p)
	k, sc := t.resolve(x.id)
	switch k {
	case nkLocal:
		t.w.s(ident(x.id))
	case nkBoxed:
		t.w.s(sc.lvName + "[" + quote(x.id) + "]")
	default:
		if isBuiltinName(x.id) && !t.moduleBound[x.id] {
			t.builtinRefs[x.id] = true
			if t.directBuiltins {
				t.w.s("__b_" + x.id)
				return
			}
		}
		t.w.s("__w_ns[" + quote(x.id) + "]")
	}
}

func (t *translator) constText(c *constExpr) string {
	switch c.kind {
	case constNone, constEllipsis:
		return "None"
	case constTrue:
		return "True"
	case constFalse:
		return "False"
	case constStr:
		return quote(c.text)
	case constBytes:
		return syntax.Quote(c.text, true)
	case constInt:
		text := strings.ReplaceAll(c.text, "_", "")
		base := 10
		lower := strings.ToLower(text)
		switch {
		case strings.HasPrefix(lower, "0x"):
			base, text = 16, text[2:]
		case strings.HasPrefix(lower, "0o"):
			base, text = 8, text[2:]
		case strings.HasPrefix(lower, "0b"):
			base, text = 2, text[2:]
		default:
			if len(text) > 1 && text[0] == '0' && strings.Trim(text, "0") != "" {
				t.fail(c.p, "leading zeros in decimal integer literals are not permitted")
			}
		}
		if len(text) > maxIntDigits {
			t.fail(c.p, "Exceeds the limit (%d digits) for integer string conversion", maxIntDigits)
		}
		n, ok := new(big.Int).SetString(text, base)
		if !ok {
			t.fail(c.p, "invalid integer literal")
		}
		return n.String()
	case constFloat:
		f, err := strconv.ParseFloat(strings.ReplaceAll(c.text, "_", ""), 64)
		if err != nil && !math.IsInf(f, 0) {
			t.fail(c.p, "invalid float literal")
		}
		if math.IsInf(f, 0) {
			return "__w_inf"
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	}
	return "None"
}

func (t *translator) fstring(x *fstrExpr) {
	t.w.mark(x.p)
	t.w.s("__w_fstr(")
	first := true
	lit := ""
	for _, pt := range x.parts {
		if pt.x == nil {
			lit += pt.text
			continue
		}
		if !first {
			t.w.s(", ")
		}
		first = false
		t.w.s(quote(lit) + ", ")
		lit = ""
		t.expr(pt.x)
		conv := ""
		if pt.conv != 0 {
			conv = string(pt.conv)
		}
		t.w.s(", " + quote(conv) + ", ")
		if pt.spec == nil {
			t.w.s(`""`)
		} else if len(pt.spec.parts) == 1 && pt.spec.parts[0].x == nil {
			t.w.s(quote(pt.spec.parts[0].text))
		} else if len(pt.spec.parts) == 0 {
			t.w.s(`""`)
		} else {
			t.fstring(pt.spec)
		}
	}
	if !first {
		t.w.s(", ")
	}
	t.w.s(quote(lit) + ")")
}

func (t *translator) binary(x *binaryExpr) {
	switch x.op {
	case "and", "or":
		t.w.s("(")
		t.expr(x.x)
		t.w.mark(x.p)
		t.w.s(" " + x.op + " ")
		t.expr(x.y)
		t.w.s(")")
		return
	case "@":
		t.fail(x.p, "matrix multiplication is not supported in scripts")
	}
	helper := ""
	switch x.op {
	case "**":
		helper = "__w_pow"
	case "+":
		if !isNumConst(x.x) && !isNumConst(x.y) {
			helper = "__w_add"
		}
	case "*":
		if !(isNumConst(x.x) && isNumConst(x.y)) {
			helper = "__w_mul"
		}
	case "%":
		if isStrConst(x.x) || !isNumConst(x.y) {
			helper = "__w_mod"
		}
	}
	if helper != "" {
		t.w.mark(x.p)
		t.w.s(helper + "(")
		t.expr(x.x)
		t.w.s(", ")
		t.expr(x.y)
		t.w.s(")")
		return
	}
	t.w.s("(")
	t.expr(x.x)
	t.w.mark(x.p)
	t.w.s(" " + x.op + " ")
	t.expr(x.y)
	t.w.s(")")
}

func starOp(op string) string {
	switch op {
	case "is":
		return "=="
	case "is not":
		return "!="
	}
	return op
}

func isSingleton(x expr) bool {
	c, ok := x.(*constExpr)
	return ok && (c.kind == constNone || c.kind == constTrue || c.kind == constFalse)
}

func (t *translator) compare(x *compareExpr) {
	if len(x.ops) == 1 && (x.ops[0] == "is" || x.ops[0] == "is not") && !isSingleton(x.first) && !isSingleton(x.rest[0]) {
		// Identity of objects; comparisons with None, True and False
		// (nearly every use) stay plain == and !=.
		t.w.mark(x.p)
		if x.ops[0] == "is not" {
			t.w.s("(not __w_is(")
		} else {
			t.w.s("(__w_is(")
		}
		t.expr(x.first)
		t.w.s(", ")
		t.expr(x.rest[0])
		t.w.s("))")
		return
	}
	// a < b < c: evaluate each middle operand once, stop at the first false.
	t.chain(x.first, x.ops, x.rest, x.p)
}

// numericCmp lists the comparisons that Decimal operands route through
// __w_cmp (Starlark cannot compare values of different types).
var numericCmp = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (t *translator) chain(left expr, ops []string, rest []expr, p pos) {
	if len(ops) == 1 {
		if t.decimalCmp && numericCmp[ops[0]] {
			t.w.mark(p)
			t.w.s("__w_cmp(")
			t.expr(left)
			t.w.s(", " + quote(ops[0]) + ", ")
			t.expr(rest[0])
			t.w.s(")")
			return
		}
		t.w.s("(")
		t.expr(left)
		t.w.mark(p)
		t.w.s(" " + starOp(ops[0]) + " ")
		t.expr(rest[0])
		t.w.s(")")
		return
	}
	mid := rest[0]
	if simple(mid) {
		t.w.s("(")
		t.chain(left, ops[:1], rest[:1], p)
		t.w.s(" and ")
		t.chain(mid, ops[1:], rest[1:], p)
		t.w.s(")")
		return
	}
	// (lambda l, m: l < m and m < c)(a, b): a and b are evaluated once,
	// in order, and c only when the first comparison holds.
	n := t.id()
	l, m := fmt.Sprintf("__w_l%d", n), fmt.Sprintf("__w_m%d", n)
	sc := &scope{kind: scLambda, locals: map[string]bool{l: true, m: true}, globals: map[string]bool{}}
	lx := &nameExpr{p: left.at(), id: l, internal: true}
	mx := &nameExpr{p: mid.at(), id: m, internal: true}
	t.w.s("(lambda " + l + ", " + m + ": (")
	t.scopes = append(t.scopes, sc)
	t.chain(lx, ops[:1], []expr{mx}, p)
	t.w.s(" and ")
	t.chain(mx, ops[1:], rest[1:], p)
	t.scopes = t.scopes[:len(t.scopes)-1]
	t.w.s("))(")
	t.expr(left)
	t.w.s(", ")
	t.expr(mid)
	t.w.s(")")
}

func (t *translator) checkAttr(x *attrExpr) {
	if strings.HasPrefix(x.name, "__") && strings.HasSuffix(x.name, "__") && x.name != "__name__" {
		t.fail(x.p, "access to '%s' is not allowed in scripts", x.name)
	}
}

func (t *translator) index(x *indexExpr) {
	if s, ok := x.idx.(*sliceExpr); ok {
		t.w.mark(x.p)
		t.w.s("__w_slice(")
		t.expr(x.x)
		t.w.s(", ")
		t.optExpr(s.lo)
		t.w.s(", ")
		t.optExpr(s.hi)
		t.w.s(", ")
		t.optExpr(s.step)
		t.w.s(")")
		return
	}
	if c, ok := x.idx.(*constExpr); ok && c.kind == constStr {
		t.expr(x.x)
		t.w.mark(x.p)
		t.w.s("[" + quote(c.text) + "]")
		return
	}
	t.w.mark(x.p)
	t.w.s("__w_index(")
	t.expr(x.x)
	t.w.s(", ")
	t.expr(x.idx)
	t.w.s(")")
}

func (t *translator) call(x *callExpr) {
	t.expr(x.fn)
	t.w.mark(x.p)
	t.w.s("(")
	var pos, named []arg
	var kw []expr
	star := false
	for _, a := range x.args {
		switch {
		case a.star == 2:
			kw = append(kw, a.x)
		case a.name != "":
			named = append(named, a)
		default:
			if a.star == 1 {
				star = true
			}
			pos = append(pos, a)
		}
	}
	n := 0
	sep := func() {
		if n > 0 {
			t.w.s(", ")
		}
		n++
	}
	if !star {
		for _, a := range pos {
			sep()
			t.expr(a.x)
		}
	}
	for _, a := range named {
		if a.name == "load" {
			kw = append(kw, &dictExpr{p: a.x.at(), keys: []expr{&constExpr{kind: constStr, text: "load"}}, vals: []expr{a.x}})
			continue
		}
		sep()
		t.w.s(a.name + "=")
		t.expr(a.x)
	}
	if star {
		sep()
		t.w.s("*")
		elts := make([]expr, len(pos))
		for i, a := range pos {
			if a.star == 1 {
				elts[i] = &starExpr{p: a.x.at(), x: a.x}
			} else {
				elts[i] = a.x
			}
		}
		t.starList(elts)
	}
	switch len(kw) {
	case 0:
	case 1:
		sep()
		t.w.s("**")
		t.expr(kw[0])
	default:
		sep()
		t.w.s("**__w_dictmerge(")
		for i, k := range kw {
			if i > 0 {
				t.w.s(", ")
			}
			t.expr(k)
		}
		t.w.s(")")
	}
	t.w.s(")")
}

// patchedAttrs are attribute names resolved by __w_getattr: methods Starlark's
// built-in types lack or implement with byte (not character) semantics, and
// names the Starlark scanner treats as keywords, and methods that build
// large values.
var patchedAttrs = map[string]bool{
	"format": true, "zfill": true, "center": true, "ljust": true, "rjust": true,
	"casefold": true, "swapcase": true, "expandtabs": true, "isdecimal": true,
	"isnumeric": true, "isascii": true, "isprintable": true, "isidentifier": true,
	"find": true, "rfind": true, "index": true, "rindex": true, "count": true,
	"sort": true, "copy": true, "reverse": true, "load": true, "encode": true,
	"decode": true, "fromkeys": true, "join": true, "extend": true,
	// Starlark's own, routed through __w_getattr so that what they build
	// is charged to the run's allocation budget.
	"replace": true, "split": true, "rsplit": true, "splitlines": true,
	"upper": true, "lower": true, "title": true, "capitalize": true,
	"strip": true, "lstrip": true, "rstrip": true,
	"items": true, "keys": true, "values": true,
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
