package script

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// decimal.Decimal: a coefficient and a power-of-ten exponent, with
// Python's default context (28 significant digits, ROUND_HALF_EVEN),
// exact addition, subtraction and multiplication, division rounded to the
// context, quantize and Python's str() rules. Infinity and NaN are not
// supported.

const (
	decPrec = 28
	decEmax = 999999
)

var decimalType = &pyType{name: "Decimal"}

type decimalValue struct {
	coef *big.Int // signed
	exp  int
}

var (
	_ starlark.HasBinary      = (*decimalValue)(nil)
	_ starlark.HasUnary       = (*decimalValue)(nil)
	_ starlark.TotallyOrdered = (*decimalValue)(nil)
	_ starlark.HasAttrs       = (*decimalValue)(nil)
)

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

func numDigits(n *big.Int) int {
	if n.Sign() == 0 {
		return 1
	}
	return len(new(big.Int).Abs(n).String())
}

func (d *decimalValue) String() string       { return d.sci() }
func (d *decimalValue) Type() string         { return "Decimal" }
func (d *decimalValue) Freeze()              {}
func (d *decimalValue) Truth() starlark.Bool { return d.coef.Sign() != 0 }
func (d *decimalValue) pyType() *pyType      { return decimalType }
func (d *decimalValue) pyStr() string        { return d.sci() }
func (d *decimalValue) pyRepr() string       { return "Decimal('" + d.sci() + "')" }
func (d *decimalValue) abs() starlark.Value {
	return &decimalValue{coef: new(big.Int).Abs(d.coef), exp: d.exp}
}
func (d *decimalValue) Hash() (uint32, error) { return starlark.String(d.normalize().sci()).Hash() }

// sci is Python's to-scientific-string.
func (d *decimalValue) sci() string {
	c := new(big.Int).Abs(d.coef).String()
	sign := ""
	if d.coef.Sign() < 0 {
		sign = "-"
	}
	adjusted := d.exp + len(c) - 1
	if d.exp <= 0 && adjusted >= -6 {
		if d.exp == 0 {
			return sign + c
		}
		p := len(c) + d.exp
		if p > 0 {
			return sign + c[:p] + "." + c[p:]
		}
		return sign + "0." + strings.Repeat("0", -p) + c
	}
	s := c[:1]
	if len(c) > 1 {
		s += "." + c[1:]
	}
	return fmt.Sprintf("%s%sE%+d", sign, s, adjusted)
}

func parseDecimal(s string) (*decimalValue, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	bad := pyErr(excInvalidOperation, "[<class 'decimal.ConversionSyntax'>]")
	if t == "" {
		return nil, bad
	}
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	mant, expPart := t, ""
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		mant, expPart = t[:i], t[i+1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	if digits == "" {
		return nil, bad
	}
	if len(digits) > maxIntDigits {
		return nil, pyErr(excValueError, "Decimal string of %d digits exceeds the limit of %d", len(digits), maxIntDigits)
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return nil, bad
		}
	}
	exp := -len(frac)
	if expPart != "" {
		e, err := strconv.Atoi(expPart)
		if err != nil {
			return nil, bad
		}
		exp += e
	}
	c, _ := new(big.Int).SetString(digits, 10)
	if neg {
		c.Neg(c)
	}
	d := &decimalValue{coef: c, exp: exp}
	return d, d.checkRange()
}

func (d *decimalValue) checkRange() error {
	if adj := d.exp + numDigits(d.coef) - 1; adj > decEmax || adj < -decEmax-decPrec {
		return pyErr(excOverflowError, "[<class 'decimal.Overflow'>]")
	}
	return nil
}

func decimalFromFloat(f float64) (*decimalValue, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, pyErr(excValueError, "Infinity and NaN decimals are not supported in scripts")
	}
	r := new(big.Rat).SetFloat64(f)
	num, den := r.Num(), r.Denom()
	k := den.BitLen() - 1 // den is a power of two
	c := new(big.Int).Mul(num, new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(k)), nil))
	return &decimalValue{coef: c, exp: -k}, nil
}

// toDecimal converts an operand for mixed arithmetic (ints and bools only,
// as in Python).
func toDecimal(v starlark.Value) (*decimalValue, bool) {
	switch v := boolToInt(v).(type) {
	case *decimalValue:
		return v, true
	case starlark.Int:
		return &decimalValue{coef: v.BigInt(), exp: 0}, true
	}
	return nil, false
}

type rounding string

const (
	roundHalfEven rounding = "ROUND_HALF_EVEN"
	roundHalfUp   rounding = "ROUND_HALF_UP"
	roundHalfDown rounding = "ROUND_HALF_DOWN"
	roundUp       rounding = "ROUND_UP"
	roundDown     rounding = "ROUND_DOWN"
	roundCeiling  rounding = "ROUND_CEILING"
	roundFloor    rounding = "ROUND_FLOOR"
	round05Up     rounding = "ROUND_05UP"
)

// rescale returns d with exponent exp, rounding when digits are dropped.
func (d *decimalValue) rescale(exp int, mode rounding) *decimalValue {
	if exp <= d.exp {
		return &decimalValue{coef: new(big.Int).Mul(d.coef, pow10(d.exp-exp)), exp: exp}
	}
	k := exp - d.exp
	if k > numDigits(d.coef)+1 {
		// Every digit is dropped: the result is 0 or one unit.
		k = numDigits(d.coef) + 1
		d = &decimalValue{coef: d.coef, exp: exp - k}
	}
	div := pow10(k)
	neg := d.coef.Sign() < 0
	q, r := new(big.Int).QuoRem(new(big.Int).Abs(d.coef), div, new(big.Int))
	if r.Sign() != 0 {
		twice := new(big.Int).Mul(r, big.NewInt(2))
		cmp := twice.Cmp(div)
		up := false
		switch mode {
		case roundHalfEven:
			up = cmp > 0 || cmp == 0 && q.Bit(0) == 1
		case roundHalfUp:
			up = cmp >= 0
		case roundHalfDown:
			up = cmp > 0
		case roundUp:
			up = true
		case roundDown:
			up = false
		case roundCeiling:
			up = !neg
		case roundFloor:
			up = neg
		case round05Up:
			last := new(big.Int).Mod(q, bigTen).Int64()
			up = last == 0 || last == 5
		}
		if up {
			q.Add(q, big.NewInt(1))
		}
	}
	if neg {
		q.Neg(q)
	}
	return &decimalValue{coef: q, exp: exp}
}

// context rounds to the context precision.
func (d *decimalValue) context() (*decimalValue, error) {
	if n := numDigits(d.coef); n > decPrec {
		d = d.rescale(d.exp+n-decPrec, roundHalfEven)
		if numDigits(d.coef) > decPrec { // rounding carried into a new digit
			d = d.rescale(d.exp+1, roundHalfEven)
		}
	}
	return d, d.checkRange()
}

func (d *decimalValue) normalize() *decimalValue {
	if d.coef.Sign() == 0 {
		return &decimalValue{coef: new(big.Int), exp: 0}
	}
	c := new(big.Int).Set(d.coef)
	e := d.exp
	r := new(big.Int)
	for {
		q, m := new(big.Int).QuoRem(c, bigTen, r)
		if m.Sign() != 0 {
			break
		}
		c, e = q, e+1
	}
	return &decimalValue{coef: c, exp: e}
}

func (d *decimalValue) adjusted() int { return d.exp + numDigits(d.coef) - 1 }

func decAdd(x, y *decimalValue, sub bool) (*decimalValue, error) {
	yc := y.coef
	if sub {
		yc = new(big.Int).Neg(yc)
	}
	y = &decimalValue{coef: yc, exp: y.exp}
	// An operand far below the other's precision only matters as a
	// sticky digit; this keeps exponent alignment small.
	if x.coef.Sign() != 0 && y.coef.Sign() != 0 {
		if y.adjusted() < x.adjusted()-decPrec-2 && y.exp < x.exp {
			y = &decimalValue{coef: big.NewInt(int64(y.coef.Sign())), exp: min(x.exp, x.adjusted()-decPrec-3)}
		} else if x.adjusted() < y.adjusted()-decPrec-2 && x.exp < y.exp {
			x = &decimalValue{coef: big.NewInt(int64(x.coef.Sign())), exp: min(y.exp, y.adjusted()-decPrec-3)}
		}
	}
	exp := min(x.exp, y.exp)
	a := new(big.Int).Mul(x.coef, pow10(x.exp-exp))
	b := new(big.Int).Mul(y.coef, pow10(y.exp-exp))
	return (&decimalValue{coef: a.Add(a, b), exp: exp}).context()
}

func decMul(x, y *decimalValue) (*decimalValue, error) {
	return (&decimalValue{coef: new(big.Int).Mul(x.coef, y.coef), exp: x.exp + y.exp}).context()
}

func decDiv(x, y *decimalValue) (*decimalValue, error) {
	if y.coef.Sign() == 0 {
		if x.coef.Sign() == 0 {
			return nil, pyErr(excInvalidOperation, "[<class 'decimal.DivisionUndefined'>]")
		}
		return nil, pyErr(excZeroDivisionError, "[<class 'decimal.DivisionByZero'>]")
	}
	ideal := x.exp - y.exp
	if x.coef.Sign() == 0 {
		return &decimalValue{coef: new(big.Int), exp: ideal}, nil
	}
	shift := max(0, decPrec+numDigits(y.coef)-numDigits(x.coef)+1)
	num := new(big.Int).Mul(new(big.Int).Abs(x.coef), pow10(shift))
	q, r := new(big.Int).QuoRem(num, new(big.Int).Abs(y.coef), new(big.Int))
	exp := ideal - shift
	if r.Sign() != 0 {
		q.Mul(q, bigTen).Add(q, big.NewInt(1)) // sticky digit: never a tie
		exp--
	}
	if x.coef.Sign()*y.coef.Sign() < 0 {
		q.Neg(q)
	}
	d, err := (&decimalValue{coef: q, exp: exp}).context()
	if err != nil || r.Sign() != 0 {
		return d, err
	}
	// Exact: drop trailing zeros down to the ideal exponent.
	for d.exp < ideal {
		qq, m := new(big.Int).QuoRem(d.coef, bigTen, new(big.Int))
		if m.Sign() != 0 {
			break
		}
		d = &decimalValue{coef: qq, exp: d.exp + 1}
	}
	return d, nil
}

func (d *decimalValue) rat() *big.Rat {
	if d.exp >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Mul(d.coef, pow10(d.exp)))
	}
	return new(big.Rat).SetFrac(d.coef, pow10(-d.exp))
}

func (d *decimalValue) truncInt() *big.Int {
	if d.exp >= 0 {
		return new(big.Int).Mul(d.coef, pow10(d.exp))
	}
	return new(big.Int).Quo(d.coef, pow10(-d.exp))
}

func (d *decimalValue) float() float64 {
	f, _ := strconv.ParseFloat(d.sci(), 64)
	return f
}

func decIntDiv(x, y *decimalValue) (*decimalValue, *decimalValue, error) {
	if y.coef.Sign() == 0 {
		return nil, nil, pyErr(excInvalidOperation, "[<class 'decimal.DivisionUndefined'>]")
	}
	q := new(big.Rat).Quo(x.rat(), y.rat())
	qi := new(big.Int).Quo(q.Num(), q.Denom()) // truncates toward zero
	qd := &decimalValue{coef: qi, exp: 0}
	prod, err := decMul(y, qd)
	if err != nil {
		return nil, nil, err
	}
	rem, err := decAdd(x, prod, true)
	return qd, rem, err
}

func (d *decimalValue) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	other, ok := toDecimal(y)
	if !ok {
		return nil, nil
	}
	a, b := d, other
	if side == starlark.Right {
		a, b = other, d
	}
	switch op {
	case syntax.PLUS:
		return decAdd(a, b, false)
	case syntax.MINUS:
		return decAdd(a, b, true)
	case syntax.STAR:
		return decMul(a, b)
	case syntax.SLASH:
		return decDiv(a, b)
	case syntax.SLASHSLASH:
		q, _, err := decIntDiv(a, b)
		return q, err
	case syntax.PERCENT:
		_, r, err := decIntDiv(a, b)
		return r, err
	}
	return nil, nil
}

func (d *decimalValue) Unary(op syntax.Token) (starlark.Value, error) {
	switch op {
	case syntax.MINUS:
		return &decimalValue{coef: new(big.Int).Neg(d.coef), exp: d.exp}, nil
	case syntax.PLUS:
		return d.context()
	}
	return nil, nil
}

func (d *decimalValue) Cmp(y starlark.Value, depth int) (int, error) {
	return d.rat().Cmp(y.(*decimalValue).rat()), nil
}

func (d *decimalValue) pow(y starlark.Value) (starlark.Value, error) {
	n, ok := boolToInt(y).(starlark.Int)
	if !ok {
		f, ok := numberAsFloat(y)
		if !ok {
			return nil, pyErr(excTypeError, "unsupported operand type(s) for **: 'Decimal' and '%s'", typeOf(y).name)
		}
		r := math.Pow(d.float(), f)
		return parseDecimal(strconv.FormatFloat(r, 'g', decPrec, 64))
	}
	e, ok := n.Int64()
	if !ok || e > 10000 || e < -10000 {
		return nil, limitErr("Decimal exponent too large")
	}
	res := &decimalValue{coef: big.NewInt(1), exp: 0}
	base := d
	neg := e < 0
	if neg {
		e = -e
	}
	var err error
	for i := int64(0); i < e; i++ {
		if res, err = decMul(res, base); err != nil {
			return nil, err
		}
	}
	if neg {
		return decDiv(&decimalValue{coef: big.NewInt(1), exp: 0}, res)
	}
	return res, nil
}

func (d *decimalValue) round(hasND bool, nd int) (starlark.Value, error) {
	if !hasND {
		return starlark.MakeBigInt(d.rescale(0, roundHalfEven).coef), nil
	}
	return d.quantizeTo(-nd, roundHalfEven)
}

func (d *decimalValue) quantizeTo(exp int, mode rounding) (*decimalValue, error) {
	if exp < d.exp && numDigits(d.coef)+(d.exp-exp) > decPrec {
		return nil, pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]")
	}
	r := d.rescale(exp, mode)
	if numDigits(r.coef) > decPrec {
		return nil, pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]")
	}
	return r, nil
}

func (d *decimalValue) toIntegral(name string) (starlark.Value, error) {
	mode := roundDown
	switch name {
	case "floor":
		mode = roundFloor
	case "ceil":
		mode = roundCeiling
	}
	if d.exp >= 0 {
		return starlark.MakeBigInt(d.truncInt()), nil
	}
	return starlark.MakeBigInt(d.rescale(0, mode).coef), nil
}

func roundingArg(v starlark.Value) (rounding, error) {
	if v == nil || v == starlark.None {
		return roundHalfEven, nil
	}
	s, ok := v.(starlark.String)
	if !ok {
		return "", pyErr(excTypeError, "rounding must be a decimal ROUND_ constant")
	}
	switch r := rounding(s); r {
	case roundHalfEven, roundHalfUp, roundHalfDown, roundUp, roundDown, roundCeiling, roundFloor, round05Up:
		return r, nil
	}
	return "", pyErr(excValueError, "invalid rounding mode %s", strRepr(string(s)))
}

func (d *decimalValue) Attr(name string) (starlark.Value, error) {
	method := func(f builtinFn) (starlark.Value, error) {
		return starlark.NewBuiltin(name, f).BindReceiver(d), nil
	}
	switch name {
	case "quantize":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var exp, mode, ctx starlark.Value
			if err := unpack("quantize", args, kwargs, "exp", &exp, "rounding?", &mode, "context?", &ctx); err != nil {
				return nil, err
			}
			e, ok := toDecimal(exp)
			if !ok {
				return nil, pyErr(excTypeError, "quantize() requires a Decimal exponent")
			}
			r, err := roundingArg(mode)
			if err != nil {
				return nil, err
			}
			return d.quantizeTo(e.exp, r)
		})
	case "as_tuple":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			sign := 0
			if d.coef.Sign() < 0 {
				sign = 1
			}
			var digits starlark.Tuple
			for _, r := range new(big.Int).Abs(d.coef).String() {
				digits = append(digits, starlark.MakeInt(int(r-'0')))
			}
			return &decimalTuple{sign: sign, digits: digits, exp: d.exp}, nil
		})
	case "normalize":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return d.normalize(), nil
		})
	case "to_integral_value", "to_integral":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var mode, ctx starlark.Value
			if err := unpack(name, args, kwargs, "rounding?", &mode, "context?", &ctx); err != nil {
				return nil, err
			}
			r, err := roundingArg(mode)
			if err != nil {
				return nil, err
			}
			if d.exp >= 0 {
				return d, nil
			}
			return d.rescale(0, r), nil
		})
	case "is_zero":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(d.coef.Sign() == 0), nil
		})
	case "is_signed":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(d.coef.Sign() < 0), nil
		})
	case "adjusted":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.MakeInt(d.adjusted()), nil
		})
	case "copy_abs":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return d.abs(), nil
		})
	case "sqrt":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if d.coef.Sign() < 0 {
				return nil, pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]")
			}
			return parseDecimal(strconv.FormatFloat(math.Sqrt(d.float()), 'g', 17, 64))
		})
	}
	return nil, nil
}

func (d *decimalValue) AttrNames() []string {
	return []string{"adjusted", "as_tuple", "copy_abs", "is_signed", "is_zero", "normalize", "quantize", "sqrt", "to_integral_value"}
}

// pyFormat formats with exact decimal digits for f, %, e, g and no type.
func (d *decimalValue) pyFormat(spec string) (string, error) {
	if spec == "" {
		return d.sci(), nil
	}
	s, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	s = numSpec(s)
	neg := d.coef.Sign() < 0
	a := &decimalValue{coef: new(big.Int).Abs(d.coef), exp: d.exp}
	var body string
	switch s.typ {
	case 'f', 'F', '%':
		if s.typ == '%' {
			a = &decimalValue{coef: a.coef, exp: a.exp + 2}
		}
		var r *decimalValue
		if s.prec >= 0 {
			r = a.rescale(-s.prec, roundHalfEven)
		} else {
			r = a
			if r.exp > 0 {
				r = r.rescale(0, roundHalfEven)
			}
		}
		body = plainDecimal(r)
		if s.typ == '%' {
			body += "%"
		}
	case 0:
		if s.prec < 0 {
			body = a.sci()
			break
		}
		fallthrough
	default:
		f := a.float()
		s.sign = 0
		str, err := formatFloat(f, s)
		if err != nil {
			return "", err
		}
		if neg {
			return pad("-"+strings.TrimLeft(str, " "), s, '>'), nil
		}
		return str, nil
	}
	if s.grouping != 0 {
		intPart, rest, _ := strings.Cut(body, ".")
		body = group(intPart, s.grouping, 3)
		if rest != "" {
			body += "." + rest
		}
	}
	return pad(signOf(neg, s)+body, s, '>'), nil
}

func plainDecimal(d *decimalValue) string {
	c := new(big.Int).Abs(d.coef).String()
	if d.exp >= 0 {
		return c + strings.Repeat("0", d.exp)
	}
	p := len(c) + d.exp
	if p > 0 {
		return c[:p] + "." + c[p:]
	}
	return "0." + strings.Repeat("0", -p) + c
}

// decimalTuple is the value of Decimal.as_tuple().
type decimalTuple struct {
	sign   int
	digits starlark.Tuple
	exp    int
}

func (t *decimalTuple) String() string {
	return fmt.Sprintf("DecimalTuple(sign=%d, digits=%s, exponent=%d)", t.sign, pyRepr(t.digits), t.exp)
}
func (t *decimalTuple) Type() string          { return "DecimalTuple" }
func (t *decimalTuple) Freeze()               {}
func (t *decimalTuple) Truth() starlark.Bool  { return true }
func (t *decimalTuple) Hash() (uint32, error) { return starlark.String(t.String()).Hash() }
func (t *decimalTuple) Attr(name string) (starlark.Value, error) {
	switch name {
	case "sign":
		return starlark.MakeInt(t.sign), nil
	case "digits":
		return t.digits, nil
	case "exponent":
		return starlark.MakeInt(t.exp), nil
	}
	return nil, nil
}
func (t *decimalTuple) AttrNames() []string { return []string{"digits", "exponent", "sign"} }

func initDecimal() {
	decimalType.call = func(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var v starlark.Value = starlark.String("0")
		var ctx starlark.Value
		if err := unpack("Decimal", args, kwargs, "value?", &v, "context?", &ctx); err != nil {
			return nil, err
		}
		switch x := boolToInt(v).(type) {
		case starlark.String:
			return parseDecimal(string(x))
		case starlark.Int:
			return &decimalValue{coef: x.BigInt(), exp: 0}, nil
		case starlark.Float:
			return decimalFromFloat(float64(x))
		case *decimalValue:
			return x, nil
		}
		return nil, pyErr(excTypeError, "conversion from %s to Decimal is not supported", typeOf(v).name)
	}
	members := starlark.StringDict{
		"Decimal":          decimalType,
		"InvalidOperation": excInvalidOperation,
		"DivisionByZero":   excZeroDivisionError,
	}
	for _, r := range []rounding{roundHalfEven, roundHalfUp, roundHalfDown, roundUp, roundDown, roundCeiling, roundFloor, round05Up} {
		members[string(r)] = starlark.String(r)
	}
	register(&module{name: "decimal", members: members})
}

// hCmp compares like Python where a Decimal meets an int, float or bool;
// other operands compare as usual.
func hCmp(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y := args[0], args[2]
	op := cmpTokens[string(args[1].(starlark.String))]
	if c, ok := mixedDecimalCmp(x, y); ok {
		return starlark.Bool(threeway(op, c)), nil
	}
	r, err := starlark.Compare(op, x, y)
	return starlark.Bool(r), err
}

var cmpTokens = map[string]syntax.Token{"==": syntax.EQL, "!=": syntax.NEQ, "<": syntax.LT, "<=": syntax.LE, ">": syntax.GT, ">=": syntax.GE}

// mixedDecimalCmp compares a Decimal with an int, float or bool.
func mixedDecimalCmp(x, y starlark.Value) (int, bool) {
	_, dx := x.(*decimalValue)
	_, dy := y.(*decimalValue)
	if dx == dy {
		return 0, false
	}
	rx, ok1 := decimalRat(x)
	ry, ok2 := decimalRat(y)
	if !ok1 || !ok2 {
		return 0, false
	}
	return rx.Cmp(ry), true
}

func decimalRat(v starlark.Value) (*big.Rat, bool) {
	if d, ok := v.(*decimalValue); ok {
		return d.rat(), true
	}
	return numRat(v)
}

func threeway(op syntax.Token, c int) bool {
	switch op {
	case syntax.EQL:
		return c == 0
	case syntax.NEQ:
		return c != 0
	case syntax.LT:
		return c < 0
	case syntax.LE:
		return c <= 0
	case syntax.GT:
		return c > 0
	}
	return c >= 0
}
