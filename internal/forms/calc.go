package forms

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// evalCalculated evaluates a calculated field's expression: numbers, names,
// + - * / and parentheses. Names are looked up in the object holding the
// field; "$.a.b" starts at the root. Missing or non-numeric names count as
// 0, as in SpiffArena. Division by zero is an error.
func evalCalculated(expr string, local, root obj) (float64, error) {
	p := &calcParser{src: expr, local: local, root: root}
	v, err := p.sum()
	if err != nil {
		return 0, err
	}
	p.space()
	if p.pos < len(p.src) {
		return 0, fmt.Errorf("expression %q: unexpected %q", expr, p.src[p.pos:])
	}
	return v, nil
}

type calcParser struct {
	src         string
	pos         int
	local, root obj
}

func (p *calcParser) space() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

func (p *calcParser) sum() (float64, error) {
	v, err := p.product()
	if err != nil {
		return 0, err
	}
	for {
		p.space()
		if p.pos >= len(p.src) || (p.src[p.pos] != '+' && p.src[p.pos] != '-') {
			return v, nil
		}
		op := p.src[p.pos]
		p.pos++
		w, err := p.product()
		if err != nil {
			return 0, err
		}
		if op == '+' {
			v += w
		} else {
			v -= w
		}
	}
}

func (p *calcParser) product() (float64, error) {
	v, err := p.unary()
	if err != nil {
		return 0, err
	}
	for {
		p.space()
		if p.pos >= len(p.src) || (p.src[p.pos] != '*' && p.src[p.pos] != '/') {
			return v, nil
		}
		op := p.src[p.pos]
		p.pos++
		w, err := p.unary()
		if err != nil {
			return 0, err
		}
		if op == '*' {
			v *= w
		} else {
			if w == 0 {
				return 0, fmt.Errorf("expression %q divides by zero", p.src)
			}
			v /= w
		}
	}
}

func (p *calcParser) unary() (float64, error) {
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '-' {
		p.pos++
		v, err := p.unary()
		return -v, err
	}
	return p.atom()
}

func (p *calcParser) atom() (float64, error) {
	p.space()
	if p.pos >= len(p.src) {
		return 0, fmt.Errorf("expression %q ends too early", p.src)
	}
	c := p.src[p.pos]
	switch {
	case c == '(':
		p.pos++
		v, err := p.sum()
		if err != nil {
			return 0, err
		}
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return 0, fmt.Errorf("expression %q: missing )", p.src)
		}
		p.pos++
		return v, nil
	case c >= '0' && c <= '9' || c == '.':
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
		return strconv.ParseFloat(p.src[start:p.pos], 64)
	case c == '$' || c == '_' || unicode.IsLetter(rune(c)):
		start := p.pos
		for p.pos < len(p.src) {
			r := rune(p.src[p.pos])
			if r == '$' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) {
				p.pos++
				continue
			}
			break
		}
		name := p.src[start:p.pos]
		var v any
		if rest, ok := strings.CutPrefix(name, "$."); ok {
			v = walk(p.root, strings.Split(rest, "."))
		} else {
			v = walk(p.local, strings.Split(name, "."))
		}
		n, _ := number(v)
		return n, nil
	}
	return 0, fmt.Errorf("expression %q: unexpected %q", p.src, string(c))
}
