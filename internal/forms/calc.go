package forms

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// errNoValue is a calculation without a finite result (a division by
// zero): the field is left empty, as SpiffArena leaves it undefined.
var errNoValue = errors.New("no value")

// evalCalculated evaluates a calculated field's expression: numbers, names,
// + - * / and parentheses. Names are looked up in the object holding the
// field, then (when missing there) from the root; "$.a.b" starts at the
// root. Missing or non-numeric values count as 0, numbers held as text
// ("1,200.50") as their value, as in SpiffArena's formEnhancements.tsx.
// web/static/js/forms.js evaluates the same grammar while the user types.
// A result that is not finite is errNoValue; a malformed expression is an
// error naming it.
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
	if p.divZero || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errNoValue
	}
	return v, nil
}

// calcNumber is the value of a name in an expression.
func calcNumber(v any) float64 {
	switch v := v.(type) {
	case string:
		c, ok := parseGrouped(v)
		if !ok {
			return 0
		}
		n, err := strconv.ParseFloat(c, 64)
		if err != nil || math.IsInf(n, 0) {
			return 0
		}
		return n
	}
	n, _ := number(v)
	if math.IsInf(n, 0) || math.IsNaN(n) {
		return 0
	}
	return n
}

type calcParser struct {
	src         string
	pos         int
	local, root obj
	divZero     bool
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
				p.divZero = true
				continue
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
	if p.pos < len(p.src) && p.src[p.pos] == '+' {
		p.pos++
		return p.unary()
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
		} else if v = walk(p.local, strings.Split(name, ".")); v == nil {
			v = walk(p.root, strings.Split(name, "."))
		}
		return calcNumber(v), nil
	}
	return 0, fmt.Errorf("expression %q: unexpected %q", p.src, string(c))
}

// applyCalculated sets the calculated fields among keys of the object local
// (whose UI schema is ui) from their expressions, rounded to ui:options
// decimals when given. It repeats until no value changes, so that one
// calculated field may use another, and gives up after one pass more than
// there are such fields (a cycle; the values of the last pass stay). A
// field without a finite result is removed. root is the form's root object
// for "$." names; nil means local is the root.
func applyCalculated(keys []string, ui, local, root obj) error {
	var calc []string
	for _, k := range keys {
		if str(sub(ui, k), "ui:field") == "calculated" {
			calc = append(calc, k)
		}
	}
	if root == nil {
		root = local
	}
	for range len(calc) + 1 {
		changed := false
		for _, k := range calc {
			pui := sub(ui, k)
			expr, _ := uiOption(pui, "expression")
			e, _ := expr.(string)
			if e == "" {
				continue
			}
			v, err := evalCalculated(e, local, root)
			if errors.Is(err, errNoValue) {
				if _, ok := local[k]; ok {
					delete(local, k)
					changed = true
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("calculated field %s: %w", k, err)
			}
			if d, ok := uiOption(pui, "decimals"); ok {
				if n, ok := d.(float64); ok {
					v = roundTo(v, max(0, int(n)))
				}
			}
			if old, ok := local[k].(float64); !ok || old != v {
				local[k] = v
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return nil
}

// calculate recomputes every calculated field in value, the data of schema
// s (objects, nested objects and array items), with root as the "$."
// object. It walks the tree twice, so that a field may use one computed
// in another object.
func (f *Form) calculate(s, ui obj, value any, root obj) error {
	for range 2 {
		if err := f.calculateNode(s, ui, "", value, root, 0); err != nil {
			return err
		}
	}
	return nil
}

func (f *Form) calculateNode(s, ui obj, path string, value any, root obj, depth int) error {
	if depth > 32 {
		return nil
	}
	s = f.res.resolve(s)
	switch typeOf(s) {
	case "object":
		vo, ok := value.(obj)
		if !ok {
			return nil
		}
		view := f.objectView(s, vo)
		if err := applyCalculated(view.order, ui, vo, root); err != nil {
			if path != "" {
				return fmt.Errorf("%s: %w", path, err)
			}
			return err
		}
		for _, k := range view.order {
			ps, _ := view.props[k].(obj)
			if err := f.calculateNode(ps, sub(ui, k), joinPath(path, k), vo[k], root, depth+1); err != nil {
				return err
			}
		}
	case "array":
		list, _ := value.([]any)
		items, _ := s["items"].(obj)
		for i, e := range list {
			if err := f.calculateNode(items, sub(ui, "items"), joinPath(path, strconv.Itoa(i)), e, root, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}
