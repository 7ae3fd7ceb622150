package script

import (
	"fmt"
	"strings"
)

// parser is a recursive-descent parser for the Python 3 grammar subset
// described in doc.go. Constructs outside the subset (class, with, yield,
// async, walrus, match) are reported as syntax errors naming the construct.
type parser struct {
	toks []token
	i    int
	// nesting, for Python's own compile-time checks
	funcDepth int
	loopDepth int
}

func parseFile(src string) ([]stmt, error) {
	toks, err := tokenize(src, pos{1, 1}, false)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	var body []stmt
	for p.tok().kind != tEOF {
		if p.tok().kind == tNewline {
			p.i++
			continue
		}
		ss, err := p.stmt()
		if err != nil {
			return nil, err
		}
		body = append(body, ss...)
	}
	return body, nil
}

// parseExprSrc parses a whole source text as one expression (eval mode).
func parseExprSrc(src string, start pos) (expr, error) {
	toks, err := tokenize(src, start, true)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.tok().kind == tEOF {
		return nil, p.errorf(p.tok().pos, "empty expression")
	}
	x, err := p.testlist(true)
	if err != nil {
		return nil, err
	}
	if t := p.tok(); t.kind != tEOF {
		return nil, p.errorf(t.pos, "invalid syntax")
	}
	return x, nil
}

func (p *parser) tok() *token  { return &p.toks[p.i] }
func (p *parser) peek() *token { return &p.toks[min(p.i+1, len(p.toks)-1)] }
func (p *parser) next() *token { t := &p.toks[p.i]; p.i++; return t }

func (p *parser) errorf(at pos, format string, args ...any) error {
	return &syntaxError{pos: at, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) isOp(s string) bool { t := p.tok(); return t.kind == tOp && t.val == s }
func (p *parser) isKw(s string) bool { t := p.tok(); return t.kind == tName && t.val == s }

func (p *parser) expectOp(s string) (*token, error) {
	if !p.isOp(s) {
		t := p.tok()
		if s == ":" {
			return nil, p.errorf(t.pos, "expected ':'")
		}
		return nil, p.errorf(t.pos, "invalid syntax (expected '%s')", s)
	}
	return p.next(), nil
}

func (p *parser) expectKw(s string) error {
	if !p.isKw(s) {
		return p.errorf(p.tok().pos, "invalid syntax (expected '%s')", s)
	}
	p.i++
	return nil
}

func (p *parser) name() (string, pos, error) {
	t := p.tok()
	if t.kind != tName || pyKeywords[t.val] {
		return "", t.pos, p.errorf(t.pos, "invalid syntax (expected a name)")
	}
	p.i++
	return t.val, t.pos, nil
}

// ---- statements ----

func (p *parser) stmt() ([]stmt, error) {
	t := p.tok()
	if t.kind == tIndent {
		return nil, p.errorf(t.pos, "unexpected indent")
	}
	if t.kind == tDedent {
		return nil, p.errorf(t.pos, "unindent does not match any outer indentation level")
	}
	if t.kind == tName {
		switch t.val {
		case "if":
			s, err := p.ifStmt()
			return []stmt{s}, err
		case "while":
			s, err := p.whileStmt()
			return []stmt{s}, err
		case "for":
			s, err := p.forStmt()
			return []stmt{s}, err
		case "try":
			s, err := p.tryStmt()
			return []stmt{s}, err
		case "def":
			s, err := p.defStmt()
			return []stmt{s}, err
		case "class":
			return nil, p.errorf(t.pos, "class definitions are not supported in scripts")
		case "with":
			return nil, p.errorf(t.pos, "'with' statements are not supported in scripts")
		case "async", "await":
			return nil, p.errorf(t.pos, "'%s' is not supported in scripts", t.val)
		}
	}
	if t.kind == tOp && t.val == "@" {
		return nil, p.errorf(t.pos, "decorators are not supported in scripts")
	}
	return p.simpleStmts()
}

func (p *parser) simpleStmts() ([]stmt, error) {
	var out []stmt
	for {
		s, err := p.smallStmt()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		if p.isOp(";") {
			p.i++
			if t := p.tok(); t.kind == tNewline || t.kind == tEOF {
				break
			}
			continue
		}
		break
	}
	t := p.tok()
	switch t.kind {
	case tNewline:
		p.i++
	case tEOF, tDedent:
	default:
		return nil, p.errorf(t.pos, "invalid syntax")
	}
	return out, nil
}

func (p *parser) smallStmt() (stmt, error) {
	t := p.tok()
	if t.kind == tName {
		switch t.val {
		case "pass":
			p.i++
			return &passStmt{t.pos}, nil
		case "break":
			p.i++
			if p.loopDepth == 0 {
				return nil, p.errorf(t.pos, "'break' outside loop")
			}
			return &breakStmt{t.pos}, nil
		case "continue":
			p.i++
			if p.loopDepth == 0 {
				return nil, p.errorf(t.pos, "'continue' not properly in loop")
			}
			return &contStmt{t.pos}, nil
		case "return":
			p.i++
			if p.funcDepth == 0 {
				return nil, p.errorf(t.pos, "'return' outside function")
			}
			s := &returnStmt{p: t.pos}
			if !p.atStmtEnd() {
				x, err := p.testlist(true)
				if err != nil {
					return nil, err
				}
				s.x = x
			}
			return s, nil
		case "del":
			p.i++
			x, err := p.exprlist()
			if err != nil {
				return nil, err
			}
			s := &delStmt{p: t.pos}
			if tu, ok := x.(*tupleExpr); ok && !tu.paren {
				s.targets = tu.elts
			} else {
				s.targets = []expr{x}
			}
			for _, tg := range s.targets {
				if err := p.checkDelTarget(tg); err != nil {
					return nil, err
				}
			}
			return s, nil
		case "raise":
			p.i++
			s := &raiseStmt{p: t.pos}
			if !p.atStmtEnd() {
				x, err := p.test()
				if err != nil {
					return nil, err
				}
				s.exc = x
				if p.isKw("from") {
					p.i++
					c, err := p.test()
					if err != nil {
						return nil, err
					}
					s.cause = c
				}
			}
			return s, nil
		case "global":
			p.i++
			s := &globalStmt{p: t.pos}
			for {
				n, _, err := p.name()
				if err != nil {
					return nil, err
				}
				s.names = append(s.names, n)
				if !p.isOp(",") {
					break
				}
				p.i++
			}
			return s, nil
		case "nonlocal":
			return nil, p.errorf(t.pos, "'nonlocal' is not supported in scripts")
		case "import":
			return p.importStmt()
		case "from":
			return p.fromStmt()
		case "assert":
			p.i++
			s := &assertStmt{p: t.pos}
			x, err := p.test()
			if err != nil {
				return nil, err
			}
			s.test = x
			if p.isOp(",") {
				p.i++
				m, err := p.test()
				if err != nil {
					return nil, err
				}
				s.msg = m
			}
			return s, nil
		case "yield":
			return nil, p.errorf(t.pos, "'yield' is not supported in scripts")
		}
	}
	return p.exprStmt()
}

func (p *parser) atStmtEnd() bool {
	t := p.tok()
	return t.kind == tNewline || t.kind == tEOF || t.kind == tDedent || t.kind == tOp && t.val == ";"
}

func (p *parser) checkDelTarget(x expr) error {
	switch x := x.(type) {
	case *nameExpr, *indexExpr, *attrExpr:
		return nil
	case *tupleExpr:
		for _, e := range x.elts {
			if err := p.checkDelTarget(e); err != nil {
				return err
			}
		}
		return nil
	case *listExpr:
		for _, e := range x.elts {
			if err := p.checkDelTarget(e); err != nil {
				return err
			}
		}
		return nil
	}
	return p.errorf(x.at(), "cannot delete %s", describe(x))
}

func (p *parser) checkTarget(x expr) error { return p.checkTargetStar(x, false) }

// checkTargetStar checks an assignment target; star allows one starred
// name in a tuple or list target (a, *rest = ...).
func (p *parser) checkTargetStar(x expr, star bool) error {
	switch x := x.(type) {
	case *nameExpr, *indexExpr, *attrExpr:
		return nil
	case *tupleExpr:
		return p.checkElts(x.elts, star)
	case *listExpr:
		return p.checkElts(x.elts, star)
	case *starExpr:
		return p.errorf(x.p, "starred assignment target must be in a list or tuple")
	}
	return p.errorf(x.at(), "cannot assign to %s", describe(x))
}

func (p *parser) checkElts(elts []expr, star bool) error {
	stars := 0
	for _, e := range elts {
		if s, ok := e.(*starExpr); ok {
			if !star {
				return p.errorf(s.p, "starred targets are not supported here in scripts")
			}
			stars++
			if stars > 1 {
				return p.errorf(s.p, "multiple starred expressions in assignment")
			}
			if err := p.checkTargetStar(s.x, false); err != nil {
				return err
			}
			continue
		}
		if err := p.checkTargetStar(e, false); err != nil {
			return err
		}
	}
	return nil
}

func describe(x expr) string {
	switch x := x.(type) {
	case *constExpr:
		return "literal"
	case *callExpr:
		return "function call"
	case *compareExpr:
		return "comparison"
	case *binaryExpr:
		if x.op == "and" || x.op == "or" {
			return "expression"
		}
		return "expression"
	case *fstrExpr:
		return "f-string expression"
	case *lambdaExpr:
		return "lambda"
	case *compExpr:
		return "comprehension"
	}
	return "expression"
}

var augOps = map[string]bool{"+=": true, "-=": true, "*=": true, "/=": true, "//=": true, "%=": true, "**=": true, ">>=": true, "<<=": true, "&=": true, "|=": true, "^=": true}

func (p *parser) exprStmt() (stmt, error) {
	start := p.tok().pos
	x, err := p.testlistStar()
	if err != nil {
		return nil, err
	}
	t := p.tok()
	switch {
	case t.kind == tOp && augOps[t.val]:
		p.i++
		switch x.(type) {
		case *nameExpr, *indexExpr, *attrExpr:
		default:
			return nil, p.errorf(x.at(), "'%s' is an illegal expression for augmented assignment", describe(x))
		}
		v, err := p.testlist(true)
		if err != nil {
			return nil, err
		}
		return &augAssignStmt{p: start, target: x, op: strings.TrimSuffix(t.val, "="), value: v}, nil
	case t.kind == tOp && t.val == ":":
		p.i++
		if _, err := p.test(); err != nil { // the annotation is ignored
			return nil, err
		}
		if err := p.checkTarget(x); err != nil {
			return nil, err
		}
		s := &annAssignStmt{p: start, target: x}
		if p.isOp("=") {
			p.i++
			v, err := p.testlist(true)
			if err != nil {
				return nil, err
			}
			s.value = v
		}
		return s, nil
	case t.kind == tOp && t.val == "=":
		targets := []expr{x}
		var value expr
		for p.isOp("=") {
			p.i++
			if p.isKw("yield") {
				return nil, p.errorf(p.tok().pos, "'yield' is not supported in scripts")
			}
			v, err := p.testlistStar()
			if err != nil {
				return nil, err
			}
			targets = append(targets, v)
		}
		value = targets[len(targets)-1]
		targets = targets[:len(targets)-1]
		for _, tg := range targets {
			if err := p.checkTargetStar(tg, true); err != nil {
				return nil, err
			}
		}
		return &assignStmt{p: start, targets: targets, value: value}, nil
	}
	return &exprStmt{p: start, x: x}, nil
}

func (p *parser) importStmt() (stmt, error) {
	t := p.next()
	s := &importStmt{p: t.pos}
	for {
		n, err := p.dottedName()
		if err != nil {
			return nil, err
		}
		in := importName{name: n}
		if p.isKw("as") {
			p.i++
			a, _, err := p.name()
			if err != nil {
				return nil, err
			}
			in.as = a
		}
		s.names = append(s.names, in)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return s, nil
}

func (p *parser) dottedName() (string, error) {
	n, _, err := p.name()
	if err != nil {
		return "", err
	}
	for p.isOp(".") {
		p.i++
		m, _, err := p.name()
		if err != nil {
			return "", err
		}
		n += "." + m
	}
	return n, nil
}

func (p *parser) fromStmt() (stmt, error) {
	t := p.next()
	if p.isOp(".") || p.isOp("...") {
		return nil, p.errorf(p.tok().pos, "relative imports are not supported in scripts")
	}
	mod, err := p.dottedName()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("import"); err != nil {
		return nil, err
	}
	s := &fromStmt{p: t.pos, module: mod}
	if p.isOp("*") {
		p.i++
		s.names = []importName{{name: "*"}}
		return s, nil
	}
	paren := false
	if p.isOp("(") {
		p.i++
		paren = true
	}
	for {
		n, _, err := p.name()
		if err != nil {
			return nil, err
		}
		in := importName{name: n}
		if p.isKw("as") {
			p.i++
			a, _, err := p.name()
			if err != nil {
				return nil, err
			}
			in.as = a
		}
		s.names = append(s.names, in)
		if !p.isOp(",") {
			break
		}
		p.i++
		if paren && p.isOp(")") {
			break
		}
	}
	if paren {
		if _, err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// block parses the suite after a ':'.
func (p *parser) block() ([]stmt, error) {
	if _, err := p.expectOp(":"); err != nil {
		return nil, err
	}
	if p.tok().kind != tNewline {
		return p.simpleStmts()
	}
	p.i++
	if p.tok().kind != tIndent {
		return nil, p.errorf(p.tok().pos, "expected an indented block")
	}
	p.i++
	var body []stmt
	for p.tok().kind != tDedent && p.tok().kind != tEOF {
		if p.tok().kind == tNewline {
			p.i++
			continue
		}
		ss, err := p.stmt()
		if err != nil {
			return nil, err
		}
		body = append(body, ss...)
	}
	if p.tok().kind == tDedent {
		p.i++
	}
	return body, nil
}

func (p *parser) ifStmt() (stmt, error) {
	t := p.next()
	cond, err := p.namedTest()
	if err != nil {
		return nil, err
	}
	body, err := p.block()
	if err != nil {
		return nil, err
	}
	s := &ifStmt{p: t.pos, cond: cond, body: body}
	if p.isKw("elif") {
		e, err := p.ifStmt()
		if err != nil {
			return nil, err
		}
		s.els = []stmt{e}
	} else if p.isKw("else") {
		p.i++
		s.els, err = p.block()
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) loopBody() ([]stmt, error) {
	p.loopDepth++
	body, err := p.block()
	p.loopDepth--
	return body, err
}

func (p *parser) whileStmt() (stmt, error) {
	t := p.next()
	cond, err := p.namedTest()
	if err != nil {
		return nil, err
	}
	body, err := p.loopBody()
	if err != nil {
		return nil, err
	}
	s := &whileStmt{p: t.pos, cond: cond, body: body}
	if p.isKw("else") {
		p.i++
		if s.els, err = p.block(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) forStmt() (stmt, error) {
	t := p.next()
	target, err := p.exprlist()
	if err != nil {
		return nil, err
	}
	if err := p.checkTarget(target); err != nil {
		return nil, err
	}
	if err := p.expectKw("in"); err != nil {
		return nil, err
	}
	iter, err := p.testlist(true)
	if err != nil {
		return nil, err
	}
	body, err := p.loopBody()
	if err != nil {
		return nil, err
	}
	s := &forStmt{p: t.pos, target: target, iter: iter, body: body}
	if p.isKw("else") {
		p.i++
		if s.els, err = p.block(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) tryStmt() (stmt, error) {
	t := p.next()
	body, err := p.block()
	if err != nil {
		return nil, err
	}
	s := &tryStmt{p: t.pos, body: body}
	for p.isKw("except") {
		h := handler{p: p.next().pos}
		if p.isOp("*") {
			return nil, p.errorf(p.tok().pos, "'except*' is not supported in scripts")
		}
		if !p.isOp(":") {
			x, err := p.test()
			if err != nil {
				return nil, err
			}
			if p.isOp(",") { // except A, B: is Python 2
				return nil, p.errorf(p.tok().pos, "multiple exception types must be parenthesized")
			}
			h.types = x
			if p.isKw("as") {
				p.i++
				n, _, err := p.name()
				if err != nil {
					return nil, err
				}
				h.name = n
			}
		}
		if h.body, err = p.block(); err != nil {
			return nil, err
		}
		s.handlers = append(s.handlers, h)
	}
	if p.isKw("else") {
		if len(s.handlers) == 0 {
			return nil, p.errorf(p.tok().pos, "expected 'except' or 'finally' block")
		}
		p.i++
		if s.els, err = p.block(); err != nil {
			return nil, err
		}
	}
	if p.isKw("finally") {
		p.i++
		if s.finally, err = p.block(); err != nil {
			return nil, err
		}
		if s.finally == nil {
			s.finally = []stmt{}
		}
	}
	if len(s.handlers) == 0 && s.finally == nil {
		return nil, p.errorf(p.tok().pos, "expected 'except' or 'finally' block")
	}
	return s, nil
}

func (p *parser) defStmt() (stmt, error) {
	t := p.next()
	name, _, err := p.name()
	if err != nil {
		return nil, err
	}
	if _, err := p.expectOp("("); err != nil {
		return nil, err
	}
	params, err := p.params(")", true)
	if err != nil {
		return nil, err
	}
	if _, err := p.expectOp(")"); err != nil {
		return nil, err
	}
	if p.isOp("->") {
		p.i++
		if _, err := p.test(); err != nil {
			return nil, err
		}
	}
	saveLoop := p.loopDepth
	p.loopDepth = 0
	p.funcDepth++
	body, err := p.block()
	p.funcDepth--
	p.loopDepth = saveLoop
	if err != nil {
		return nil, err
	}
	return &defStmt{p: t.pos, name: name, params: params, body: body}, nil
}

// params parses a parameter list up to (not including) the closing token.
func (p *parser) params(closing string, annotations bool) ([]param, error) {
	var out []param
	seen := map[string]bool{}
	for !p.isOp(closing) {
		t := p.tok()
		pr := param{p: t.pos}
		switch {
		case p.isOp("*"):
			p.i++
			pr.star = 1
			if !p.isOp(",") && !p.isOp(closing) {
				n, _, err := p.name()
				if err != nil {
					return nil, err
				}
				pr.name = n
			}
		case p.isOp("**"):
			p.i++
			pr.star = 2
			n, _, err := p.name()
			if err != nil {
				return nil, err
			}
			pr.name = n
		case p.isOp("/"):
			// Positional-only marker: all parameters accept positions anyway.
			p.i++
			if !p.isOp(closing) {
				if _, err := p.expectOp(","); err != nil {
					return nil, err
				}
			}
			continue
		default:
			n, _, err := p.name()
			if err != nil {
				return nil, err
			}
			pr.name = n
		}
		if annotations && p.isOp(":") && pr.name != "" {
			p.i++
			if _, err := p.test(); err != nil {
				return nil, err
			}
		}
		if pr.star == 0 && p.isOp("=") {
			p.i++
			d, err := p.test()
			if err != nil {
				return nil, err
			}
			pr.def = d
		}
		if pr.name != "" {
			if seen[pr.name] {
				return nil, p.errorf(pr.p, "duplicate argument '%s' in function definition", pr.name)
			}
			seen[pr.name] = true
		}
		out = append(out, pr)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return out, nil
}

// ---- expressions ----

// testlist parses test (',' test)* [','], producing a tuple when there is a comma.
func (p *parser) testlist(allowStar bool) (expr, error) {
	start := p.tok().pos
	first, err := p.testOrStar(allowStar)
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	elts := []expr{first}
	for p.isOp(",") {
		p.i++
		if p.atListEnd() {
			break
		}
		x, err := p.testOrStar(allowStar)
		if err != nil {
			return nil, err
		}
		elts = append(elts, x)
	}
	return &tupleExpr{p: start, elts: elts}, nil
}

func (p *parser) testlistStar() (expr, error) { return p.testlist(true) }

func (p *parser) atListEnd() bool {
	t := p.tok()
	switch t.kind {
	case tNewline, tEOF, tDedent:
		return true
	case tOp:
		switch t.val {
		case "=", ")", "]", "}", ":", ";":
			return true
		}
		return augOps[t.val]
	case tName:
		return t.val == "in"
	}
	return false
}

func (p *parser) testOrStar(allowStar bool) (expr, error) {
	if p.isOp("*") {
		t := p.next()
		if !allowStar {
			return nil, p.errorf(t.pos, "invalid syntax")
		}
		x, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		return &starExpr{p: t.pos, x: x}, nil
	}
	return p.namedTest()
}

// exprlist parses loop and del targets: expr (',' expr)* [','].
func (p *parser) exprlist() (expr, error) {
	start := p.tok().pos
	first, err := p.starOrExpr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	elts := []expr{first}
	for p.isOp(",") {
		p.i++
		if p.atListEnd() {
			break
		}
		x, err := p.starOrExpr()
		if err != nil {
			return nil, err
		}
		elts = append(elts, x)
	}
	return &tupleExpr{p: start, elts: elts}, nil
}

func (p *parser) starOrExpr() (expr, error) {
	if p.isOp("*") {
		t := p.next()
		x, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		return &starExpr{p: t.pos, x: x}, nil
	}
	return p.orExpr()
}

func (p *parser) namedTest() (expr, error) {
	x, err := p.test()
	if err != nil {
		return nil, err
	}
	if p.isOp(":=") {
		return nil, p.errorf(p.tok().pos, "assignment expressions (:=) are not supported in scripts")
	}
	return x, nil
}

func (p *parser) test() (expr, error) {
	if p.isKw("lambda") {
		return p.lambda(false)
	}
	start := p.tok().pos
	x, err := p.orTest()
	if err != nil {
		return nil, err
	}
	if p.isKw("if") {
		p.i++
		cond, err := p.orTest()
		if err != nil {
			return nil, err
		}
		if !p.isKw("else") {
			return nil, p.errorf(p.tok().pos, "expected 'else' after 'if' expression")
		}
		p.i++
		els, err := p.test()
		if err != nil {
			return nil, err
		}
		return &ifExpr{p: start, cond: cond, then: x, els: els}, nil
	}
	return x, nil
}

func (p *parser) testNoCond() (expr, error) {
	if p.isKw("lambda") {
		return p.lambda(true)
	}
	return p.orTest()
}

func (p *parser) lambda(noCond bool) (expr, error) {
	t := p.next()
	params, err := p.params(":", false)
	if err != nil {
		return nil, err
	}
	if _, err := p.expectOp(":"); err != nil {
		return nil, err
	}
	var body expr
	if noCond {
		body, err = p.testNoCond()
	} else {
		body, err = p.test()
	}
	if err != nil {
		return nil, err
	}
	return &lambdaExpr{p: t.pos, params: params, body: body}, nil
}

func (p *parser) orTest() (expr, error) {
	x, err := p.andTest()
	if err != nil {
		return nil, err
	}
	for p.isKw("or") {
		t := p.next()
		y, err := p.andTest()
		if err != nil {
			return nil, err
		}
		x = &binaryExpr{p: t.pos, op: "or", x: x, y: y}
	}
	return x, nil
}

func (p *parser) andTest() (expr, error) {
	x, err := p.notTest()
	if err != nil {
		return nil, err
	}
	for p.isKw("and") {
		t := p.next()
		y, err := p.notTest()
		if err != nil {
			return nil, err
		}
		x = &binaryExpr{p: t.pos, op: "and", x: x, y: y}
	}
	return x, nil
}

func (p *parser) notTest() (expr, error) {
	if p.isKw("not") {
		t := p.next()
		x, err := p.notTest()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{p: t.pos, op: "not", x: x}, nil
	}
	return p.comparison()
}

func (p *parser) compOp() string {
	t := p.tok()
	if t.kind == tOp {
		switch t.val {
		case "<", ">", "==", ">=", "<=", "!=":
			p.i++
			return t.val
		}
		return ""
	}
	if t.kind == tName {
		switch t.val {
		case "in":
			p.i++
			return "in"
		case "not":
			if n := p.peek(); n.kind == tName && n.val == "in" {
				p.i += 2
				return "not in"
			}
		case "is":
			p.i++
			if p.isKw("not") {
				p.i++
				return "is not"
			}
			return "is"
		}
	}
	return ""
}

func (p *parser) comparison() (expr, error) {
	start := p.tok().pos
	x, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	var c *compareExpr
	for {
		op := p.compOp()
		if op == "" {
			break
		}
		y, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if c == nil {
			c = &compareExpr{p: start, first: x}
		}
		c.ops = append(c.ops, op)
		c.rest = append(c.rest, y)
	}
	if c != nil {
		return c, nil
	}
	return x, nil
}

// Binary operator precedence levels, lowest first.
var binLevels = [][]string{
	{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"},
}

func (p *parser) orExpr() (expr, error) { return p.binary(0) }

func (p *parser) binary(level int) (expr, error) {
	if level == len(binLevels) {
		return p.factor()
	}
	x, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.tok()
		if t.kind != tOp || !contains(binLevels[level], t.val) {
			return x, nil
		}
		p.i++
		y, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &binaryExpr{p: t.pos, op: t.val, x: x, y: y}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) factor() (expr, error) {
	t := p.tok()
	if t.kind == tOp && (t.val == "-" || t.val == "+" || t.val == "~") {
		p.i++
		x, err := p.factor()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{p: t.pos, op: t.val, x: x}, nil
	}
	return p.power()
}

func (p *parser) power() (expr, error) {
	if p.isKw("await") {
		return nil, p.errorf(p.tok().pos, "'await' is not supported in scripts")
	}
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.isOp("**") {
		t := p.next()
		y, err := p.factor()
		if err != nil {
			return nil, err
		}
		return &binaryExpr{p: t.pos, op: "**", x: x, y: y}, nil
	}
	return x, nil
}

func (p *parser) primary() (expr, error) {
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		t := p.tok()
		if t.kind != tOp {
			return x, nil
		}
		switch t.val {
		case "(":
			p.i++
			args, err := p.arglist()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectOp(")"); err != nil {
				return nil, err
			}
			x = &callExpr{p: t.pos, fn: x, args: args}
		case "[":
			p.i++
			idx, err := p.subscripts()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectOp("]"); err != nil {
				return nil, err
			}
			x = &indexExpr{p: t.pos, x: x, idx: idx}
		case ".":
			p.i++
			nt := p.tok()
			if nt.kind != tName {
				return nil, p.errorf(nt.pos, "invalid syntax (expected an attribute name)")
			}
			p.i++
			x = &attrExpr{p: t.pos, x: x, name: nt.val}
		default:
			return x, nil
		}
	}
}

func (p *parser) subscripts() (expr, error) {
	start := p.tok().pos
	first, err := p.subscript()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	elts := []expr{first}
	for p.isOp(",") {
		p.i++
		if p.isOp("]") {
			break
		}
		x, err := p.subscript()
		if err != nil {
			return nil, err
		}
		elts = append(elts, x)
	}
	return &tupleExpr{p: start, elts: elts}, nil
}

func (p *parser) subscript() (expr, error) {
	start := p.tok().pos
	var lo expr
	if !p.isOp(":") {
		x, err := p.namedTest()
		if err != nil {
			return nil, err
		}
		if !p.isOp(":") {
			return x, nil
		}
		lo = x
	}
	p.i++ // ':'
	s := &sliceExpr{p: start, lo: lo}
	if !p.isOp(":") && !p.isOp("]") && !p.isOp(",") {
		x, err := p.test()
		if err != nil {
			return nil, err
		}
		s.hi = x
	}
	if p.isOp(":") {
		p.i++
		if !p.isOp("]") && !p.isOp(",") {
			x, err := p.test()
			if err != nil {
				return nil, err
			}
			s.step = x
		}
	}
	return s, nil
}

func (p *parser) arglist() ([]arg, error) {
	var args []arg
	for !p.isOp(")") {
		t := p.tok()
		var a arg
		switch {
		case p.isOp("*"):
			p.i++
			x, err := p.test()
			if err != nil {
				return nil, err
			}
			a = arg{star: 1, x: x}
		case p.isOp("**"):
			p.i++
			x, err := p.test()
			if err != nil {
				return nil, err
			}
			a = arg{star: 2, x: x}
		case t.kind == tName && !pyKeywords[t.val] && p.peek().kind == tOp && p.peek().val == "=":
			p.i += 2
			x, err := p.test()
			if err != nil {
				return nil, err
			}
			a = arg{name: t.val, x: x}
		default:
			x, err := p.namedTest()
			if err != nil {
				return nil, err
			}
			if p.isKw("for") || p.isKw("async") {
				c, err := p.comprehension(t.pos, 'g', x, nil)
				if err != nil {
					return nil, err
				}
				x = c
			}
			a = arg{x: x}
		}
		args = append(args, a)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return args, nil
}

func (p *parser) comprehension(start pos, kind byte, elt, val expr) (expr, error) {
	c := &compExpr{p: start, kind: kind, elt: elt, val: val}
	for p.isKw("for") || p.isKw("async") {
		if p.isKw("async") {
			return nil, p.errorf(p.tok().pos, "'async' is not supported in scripts")
		}
		p.i++
		target, err := p.exprlist()
		if err != nil {
			return nil, err
		}
		if err := p.checkTarget(target); err != nil {
			return nil, err
		}
		if err := p.expectKw("in"); err != nil {
			return nil, err
		}
		iter, err := p.orTest()
		if err != nil {
			return nil, err
		}
		cl := compFor{target: target, iter: iter}
		for p.isKw("if") {
			p.i++
			cond, err := p.testNoCond()
			if err != nil {
				return nil, err
			}
			cl.ifs = append(cl.ifs, cond)
		}
		c.clauses = append(c.clauses, cl)
	}
	return c, nil
}

func (p *parser) atom() (expr, error) {
	t := p.tok()
	switch t.kind {
	case tName:
		switch t.val {
		case "None":
			p.i++
			return &constExpr{p: t.pos, kind: constNone}, nil
		case "True":
			p.i++
			return &constExpr{p: t.pos, kind: constTrue}, nil
		case "False":
			p.i++
			return &constExpr{p: t.pos, kind: constFalse}, nil
		case "yield":
			return nil, p.errorf(t.pos, "'yield' is not supported in scripts")
		}
		if pyKeywords[t.val] {
			return nil, p.errorf(t.pos, "invalid syntax")
		}
		p.i++
		return &nameExpr{p: t.pos, id: t.val}, nil
	case tNumber:
		p.i++
		kind := constInt
		if strings.ContainsAny(t.val, ".eE") && !strings.HasPrefix(strings.ToLower(t.val), "0x") {
			kind = constFloat
		}
		return &constExpr{p: t.pos, kind: kind, text: t.val}, nil
	case tString:
		return p.strings()
	case tOp:
		switch t.val {
		case "(":
			p.i++
			if p.isOp(")") {
				p.i++
				return &tupleExpr{p: t.pos, paren: true}, nil
			}
			if p.isKw("yield") {
				return nil, p.errorf(p.tok().pos, "'yield' is not supported in scripts")
			}
			first, err := p.testOrStar(true)
			if err != nil {
				return nil, err
			}
			if p.isKw("for") || p.isKw("async") {
				c, err := p.comprehension(t.pos, 'g', first, nil)
				if err != nil {
					return nil, err
				}
				if _, err := p.expectOp(")"); err != nil {
					return nil, err
				}
				return c, nil
			}
			if p.isOp(")") {
				p.i++
				if _, ok := first.(*starExpr); ok {
					return nil, p.errorf(first.at(), "cannot use starred expression here")
				}
				return first, nil
			}
			elts := []expr{first}
			for p.isOp(",") {
				p.i++
				if p.isOp(")") {
					break
				}
				x, err := p.testOrStar(true)
				if err != nil {
					return nil, err
				}
				elts = append(elts, x)
			}
			if _, err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return &tupleExpr{p: t.pos, elts: elts, paren: true}, nil
		case "[":
			p.i++
			if p.isOp("]") {
				p.i++
				return &listExpr{p: t.pos}, nil
			}
			first, err := p.testOrStar(true)
			if err != nil {
				return nil, err
			}
			if p.isKw("for") || p.isKw("async") {
				c, err := p.comprehension(t.pos, 'l', first, nil)
				if err != nil {
					return nil, err
				}
				if _, err := p.expectOp("]"); err != nil {
					return nil, err
				}
				return c, nil
			}
			elts := []expr{first}
			for p.isOp(",") {
				p.i++
				if p.isOp("]") {
					break
				}
				x, err := p.testOrStar(true)
				if err != nil {
					return nil, err
				}
				elts = append(elts, x)
			}
			if _, err := p.expectOp("]"); err != nil {
				return nil, err
			}
			return &listExpr{p: t.pos, elts: elts}, nil
		case "{":
			return p.dictOrSet()
		case "...":
			p.i++
			return &constExpr{p: t.pos, kind: constEllipsis}, nil
		}
	case tNewline, tEOF, tIndent, tDedent:
		if t.kind == tIndent {
			return nil, p.errorf(t.pos, "unexpected indent")
		}
		return nil, p.errorf(t.pos, "invalid syntax")
	}
	return nil, p.errorf(t.pos, "invalid syntax")
}

func (p *parser) dictOrSet() (expr, error) {
	t := p.next()
	if p.isOp("}") {
		p.i++
		return &dictExpr{p: t.pos}, nil
	}
	// first element
	if p.isOp("**") {
		d := &dictExpr{p: t.pos}
		return p.dictRest(d)
	}
	first, err := p.testOrStar(true)
	if err != nil {
		return nil, err
	}
	if p.isOp(":") {
		p.i++
		v, err := p.test()
		if err != nil {
			return nil, err
		}
		if p.isKw("for") || p.isKw("async") {
			c, err := p.comprehension(t.pos, 'd', first, v)
			if err != nil {
				return nil, err
			}
			if _, err := p.expectOp("}"); err != nil {
				return nil, err
			}
			return c, nil
		}
		d := &dictExpr{p: t.pos, keys: []expr{first}, vals: []expr{v}}
		if p.isOp(",") {
			p.i++
			return p.dictRest(d)
		}
		if _, err := p.expectOp("}"); err != nil {
			return nil, err
		}
		return d, nil
	}
	if p.isKw("for") || p.isKw("async") {
		c, err := p.comprehension(t.pos, 's', first, nil)
		if err != nil {
			return nil, err
		}
		if _, err := p.expectOp("}"); err != nil {
			return nil, err
		}
		return c, nil
	}
	s := &setExpr{p: t.pos, elts: []expr{first}}
	for p.isOp(",") {
		p.i++
		if p.isOp("}") {
			break
		}
		x, err := p.testOrStar(true)
		if err != nil {
			return nil, err
		}
		s.elts = append(s.elts, x)
	}
	if _, err := p.expectOp("}"); err != nil {
		return nil, err
	}
	return s, nil
}

func (p *parser) dictRest(d *dictExpr) (expr, error) {
	for !p.isOp("}") {
		if p.isOp("**") {
			p.i++
			v, err := p.orExpr()
			if err != nil {
				return nil, err
			}
			d.keys = append(d.keys, nil)
			d.vals = append(d.vals, v)
		} else {
			k, err := p.test()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectOp(":"); err != nil {
				return nil, err
			}
			v, err := p.test()
			if err != nil {
				return nil, err
			}
			d.keys = append(d.keys, k)
			d.vals = append(d.vals, v)
		}
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	if _, err := p.expectOp("}"); err != nil {
		return nil, err
	}
	return d, nil
}

// strings parses one or more adjacent string literals (implicit
// concatenation), producing a constant or an f-string.
func (p *parser) strings() (expr, error) {
	start := p.tok().pos
	var parts []fstrPart
	isF := false
	isBytes := false
	first := true
	for p.tok().kind == tString {
		t := p.next()
		if !first && t.bytes != isBytes {
			return nil, p.errorf(t.pos, "cannot mix bytes and nonbytes literals")
		}
		first = false
		isBytes = t.bytes
		if !t.fstring {
			parts = append(parts, fstrPart{text: t.val})
			continue
		}
		isF = true
		fp, err := parseFString(t.val, t.bodyPos, t.raw)
		if err != nil {
			return nil, err
		}
		parts = append(parts, fp...)
	}
	if !isF {
		var b strings.Builder
		for _, pt := range parts {
			b.WriteString(pt.text)
		}
		k := constStr
		if isBytes {
			k = constBytes
		}
		return &constExpr{p: start, kind: k, text: b.String()}, nil
	}
	// merge adjacent literal parts
	var merged []fstrPart
	for _, pt := range parts {
		if pt.x == nil && len(merged) > 0 && merged[len(merged)-1].x == nil {
			merged[len(merged)-1].text += pt.text
			continue
		}
		merged = append(merged, pt)
	}
	return &fstrExpr{p: start, parts: merged}, nil
}

// parseFString splits an f-string body into literal text and replacement
// fields, parsing each field's expression with the expression parser.
func parseFString(body string, at pos, raw bool) ([]fstrPart, error) {
	var parts []fstrPart
	var lit strings.Builder
	flush := func() error {
		if lit.Len() == 0 {
			return nil
		}
		s := lit.String()
		lit.Reset()
		if !raw {
			v, err := unescape(s)
			if err != nil {
				return &syntaxError{pos: at, msg: err.Error()}
			}
			s = v
		}
		parts = append(parts, fstrPart{text: s})
		return nil
	}
	posAt := func(off int) pos {
		p := at
		for _, r := range body[:off] {
			if r == '\n' {
				p.line++
				p.col = 1
			} else {
				p.col++
			}
		}
		return p
	}
	i := 0
	for i < len(body) {
		c := body[i]
		if c == '\\' && !raw && i+1 < len(body) {
			lit.WriteByte(c)
			lit.WriteByte(body[i+1])
			i += 2
			continue
		}
		if c == '}' {
			if i+1 < len(body) && body[i+1] == '}' {
				lit.WriteByte('}')
				i += 2
				continue
			}
			return nil, &syntaxError{pos: posAt(i), msg: "f-string: single '}' is not allowed"}
		}
		if c != '{' {
			lit.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(body) && body[i+1] == '{' {
			lit.WriteByte('{')
			i += 2
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		part, n, err := parseFField(body, i, posAt, raw)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part...)
		i = n
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return parts, nil
}

// parseFField parses the replacement field starting at body[i] == '{' and
// returns the parts it yields and the offset after its closing '}'.
func parseFField(body string, i int, posAt func(int) pos, raw bool) ([]fstrPart, int, error) {
	start := i + 1
	depth := 0
	j := start
	var quote byte
	for ; j < len(body); j++ {
		c := body[j]
		if quote != 0 {
			if c == '\\' {
				j++
				continue
			}
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
			continue
		case '(', '[', '{':
			depth++
			continue
		case ')', ']', '}':
			if depth > 0 {
				depth--
				continue
			}
		}
		if depth > 0 {
			continue
		}
		if c == '}' || c == ':' {
			break
		}
		if c == '!' && j+1 < len(body) && body[j+1] != '=' {
			break
		}
		if c == '=' && j+1 < len(body) && body[j+1] != '=' && j > start && !strings.ContainsRune("=!<>", rune(body[j-1])) {
			break
		}
	}
	if j >= len(body) {
		return nil, 0, &syntaxError{pos: posAt(i), msg: "f-string: expecting '}'"}
	}
	exprText := body[start:j]
	if strings.TrimSpace(exprText) == "" {
		return nil, 0, &syntaxError{pos: posAt(i), msg: "f-string: empty expression not allowed"}
	}
	x, err := parseExprSrc(exprText, posAt(start))
	if err != nil {
		return nil, 0, err
	}
	var parts []fstrPart
	part := fstrPart{x: x}
	if body[j] == '=' { // self-documenting field: f"{x=}"
		parts = append(parts, fstrPart{text: exprText + "="})
		part.conv = 'r'
		j++
	}
	if j < len(body) && body[j] == '!' {
		if j+1 >= len(body) || !strings.ContainsRune("sra", rune(body[j+1])) {
			return nil, 0, &syntaxError{pos: posAt(j), msg: "f-string: invalid conversion character: expected 's', 'r', or 'a'"}
		}
		part.conv = body[j+1]
		j += 2
	}
	if j < len(body) && body[j] == ':' {
		// The format spec runs to the matching '}' and may hold nested fields.
		k := j + 1
		d := 0
		for ; k < len(body); k++ {
			if body[k] == '{' {
				d++
			} else if body[k] == '}' {
				if d == 0 {
					break
				}
				d--
			}
		}
		if k >= len(body) {
			return nil, 0, &syntaxError{pos: posAt(i), msg: "f-string: expecting '}'"}
		}
		specParts, err := parseFString(body[j+1:k], posAt(j+1), raw)
		if err != nil {
			return nil, 0, err
		}
		part.spec = &fstrExpr{p: posAt(j + 1), parts: specParts}
		if part.conv == 'r' && len(parts) > 0 {
			part.conv = 0 // f"{x=:.2f}" formats the value, not its repr
		}
		j = k
	}
	if j >= len(body) || body[j] != '}' {
		return nil, 0, &syntaxError{pos: posAt(j), msg: "f-string: expecting '}'"}
	}
	parts = append(parts, part)
	return parts, j + 1, nil
}
