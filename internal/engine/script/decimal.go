package script

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// decimal.Decimal over github.com/cockroachdb/apd, which implements the
// General Decimal Arithmetic specification that Python's decimal module
// implements: Python's default context (28 significant digits,
// ROUND_HALF_EVEN, exponents within ±999999), its traps (InvalidOperation,
// DivisionByZero and Overflow raise; Inexact, Rounded, Underflow and
// Subnormal do not), its str() (the specification's to-scientific-string)
// and correctly rounded sqrt and **. Infinity and NaN are refused when a
// Decimal is made, so every Decimal a script holds is finite.

const (
	decPrec = 28
	decEmax = 999999
)

// decTraps are Python's default traps; apd's own defaults also trap
// underflow and subnormal results, which Python only flags.
const decTraps = apd.SystemOverflow | apd.SystemUnderflow | apd.Overflow | apd.DivisionUndefined |
	apd.DivisionByZero | apd.DivisionImpossible | apd.InvalidOperation

// decContext returns Python's default context with the rounding given.
func decContext(r rounding) *apd.Context {
	return &apd.Context{Precision: decPrec, MaxExponent: decEmax, MinExponent: -decEmax, Traps: decTraps, Rounding: apd.Rounder(roundings[r])}
}

var decCtx = decContext(roundHalfEven)

// decExact is a context for results that must not round (quantize and
// formatting check the digits themselves).
var decExact = &apd.Context{Precision: 0, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: decTraps, Rounding: apd.RoundHalfEven}

var decimalType = &pyType{name: "Decimal"}

type decimalValue struct {
	d apd.Decimal
}

var (
	_ starlark.HasBinary      = (*decimalValue)(nil)
	_ starlark.HasUnary       = (*decimalValue)(nil)
	_ starlark.TotallyOrdered = (*decimalValue)(nil)
	_ starlark.HasAttrs       = (*decimalValue)(nil)
)

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

func newDecimal(coef *big.Int, exp int) *decimalValue {
	v := &decimalValue{}
	v.d.Coeff.SetMathBigInt(new(big.Int).Abs(coef))
	v.d.Negative = coef.Sign() < 0
	v.d.Exponent = int32(exp)
	return v
}

// decResult runs an apd operation and turns a trapped condition into the
// exception Python raises for it.
func decResult(op func(d *apd.Decimal) (apd.Condition, error)) (*decimalValue, error) {
	v := &decimalValue{}
	cond, err := op(&v.d)
	if err != nil || cond&decTraps != 0 {
		return nil, decError(cond, err)
	}
	if v.d.Form != apd.Finite {
		return nil, pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]")
	}
	return v, nil
}

func decError(cond apd.Condition, err error) error {
	switch {
	case cond&apd.DivisionByZero != 0:
		return pyErr(excZeroDivisionError, "[<class 'decimal.DivisionByZero'>]")
	case cond&apd.DivisionUndefined != 0:
		return pyErr(excInvalidOperation, "[<class 'decimal.DivisionUndefined'>]")
	case cond&apd.DivisionImpossible != 0:
		return pyErr(excInvalidOperation, "[<class 'decimal.DivisionImpossible'>]")
	case cond&(apd.Overflow|apd.SystemOverflow) != 0:
		return pyErr(excOverflowError, "[<class 'decimal.Overflow'>]")
	case cond&apd.InvalidOperation != 0:
		return pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]")
	}
	if err == nil {
		err = errors.New("decimal operation failed")
	}
	return pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]: %v", err)
}

func (d *decimalValue) String() string       { return d.sci() }
func (d *decimalValue) Type() string         { return "Decimal" }
func (d *decimalValue) Freeze()              {}
func (d *decimalValue) Truth() starlark.Bool { return starlark.Bool(!d.d.IsZero()) }
func (d *decimalValue) pyType() *pyType      { return decimalType }
func (d *decimalValue) pyStr() string        { return d.sci() }
func (d *decimalValue) pyRepr() string       { return "Decimal('" + d.sci() + "')" }
func (d *decimalValue) abs() starlark.Value {
	v := &decimalValue{}
	v.d.Abs(&d.d)
	return v
}

// Hash agrees for equal values (1.0 and 1.00): it hashes the reduced form.
func (d *decimalValue) Hash() (uint32, error) { return starlark.String(d.normalize().sci()).Hash() }

// sci is Python's str(): the specification's to-scientific-string.
func (d *decimalValue) sci() string { return d.d.String() }

// coef is the signed coefficient and exp the exponent.
func (d *decimalValue) coef() *big.Int {
	c := d.d.Coeff.MathBigInt()
	if d.d.Negative {
		c.Neg(c)
	}
	return c
}

func (d *decimalValue) exp() int { return int(d.d.Exponent) }

func parseDecimal(s string) (*decimalValue, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	bad := pyErr(excInvalidOperation, "[<class 'decimal.ConversionSyntax'>]")
	if t == "" || strings.ContainsAny(t, " \t\n") {
		return nil, bad
	}
	if len(t) > maxIntDigits+24 {
		return nil, pyErr(excValueError, "Decimal string of %d characters exceeds the limit of %d digits", len(t), maxIntDigits)
	}
	v := &decimalValue{}
	if _, _, err := v.d.SetString(t); err != nil {
		return nil, bad
	}
	if v.d.Form != apd.Finite {
		return nil, pyErr(excValueError, "Infinity and NaN decimals are not supported in scripts")
	}
	return v, v.checkRange()
}

func (d *decimalValue) checkRange() error {
	if adj := d.adjusted(); adj > decEmax || adj < -decEmax-decPrec {
		return pyErr(excOverflowError, "[<class 'decimal.Overflow'>]")
	}
	return nil
}

func decimalFromFloat(f float64) (*decimalValue, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, pyErr(excValueError, "Infinity and NaN decimals are not supported in scripts")
	}
	// Exactly the binary value, as Python's Decimal(float) gives it.
	r := new(big.Rat).SetFloat64(f)
	num, den := r.Num(), r.Denom()
	k := den.BitLen() - 1 // den is a power of two
	c := new(big.Int).Mul(num, new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(k)), nil))
	v := newDecimal(c, -k)
	if f == 0 && math.Signbit(f) {
		v.d.Negative = true
	}
	return v, nil
}

func decimalFromInt(i starlark.Int) *decimalValue { return newDecimal(i.BigInt(), 0) }

// toDecimal converts an operand for mixed arithmetic (ints and bools only,
// as in Python).
func toDecimal(v starlark.Value) (*decimalValue, bool) {
	switch v := boolToInt(v).(type) {
	case *decimalValue:
		return v, true
	case starlark.Int:
		return decimalFromInt(v), true
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

// roundings maps Python's rounding constants to apd's.
var roundings = map[rounding]apd.Rounder{
	roundHalfEven: apd.RoundHalfEven, roundHalfUp: apd.RoundHalfUp, roundHalfDown: apd.RoundHalfDown,
	roundUp: apd.RoundUp, roundDown: apd.RoundDown, roundCeiling: apd.RoundCeiling,
	roundFloor: apd.RoundFloor, round05Up: apd.Round05Up,
}

// rescale returns d with exponent exp, rounding when digits are dropped,
// whatever the number of digits that gives.
func (d *decimalValue) rescale(exp int, mode rounding) *decimalValue {
	ctx := *decExact
	ctx.Rounding = roundings[mode]
	// Enough digits for the result and a carry: quantize refuses a
	// result longer than the context's precision.
	ctx.Precision = uint32(max(1, d.adjusted()-exp+2))
	v := &decimalValue{}
	_, _ = ctx.Quantize(&v.d, &d.d, int32(exp))
	return v
}

func (d *decimalValue) normalize() *decimalValue {
	v := &decimalValue{}
	_, _, _ = decCtx.Reduce(&v.d, &d.d)
	if v.d.IsZero() {
		v.d.Exponent = 0
	}
	return v
}

func (d *decimalValue) adjusted() int { return d.exp() + int(d.d.NumDigits()) - 1 }

func decAdd(x, y *decimalValue, sub bool) (*decimalValue, error) {
	return decResult(func(d *apd.Decimal) (apd.Condition, error) {
		if sub {
			return decCtx.Sub(d, &x.d, &y.d)
		}
		return decCtx.Add(d, &x.d, &y.d)
	})
}

func decMul(x, y *decimalValue) (*decimalValue, error) {
	return decResult(func(d *apd.Decimal) (apd.Condition, error) { return decCtx.Mul(d, &x.d, &y.d) })
}

// decDiv is x / y. An exact quotient takes the exponent the
// specification calls ideal (x's less y's) where its digits allow, as
// Python's does (5 / 2 is 2.5, not 2.500…); apd leaves it at full
// precision.
func decDiv(x, y *decimalValue) (*decimalValue, error) {
	var cond apd.Condition
	q, err := decResult(func(d *apd.Decimal) (apd.Condition, error) {
		c, err := decCtx.Quo(d, &x.d, &y.d)
		cond = c
		return c, err
	})
	if err != nil || cond&apd.Inexact != 0 {
		return q, err
	}
	return toIdeal(q, x.exp()-y.exp()), nil
}

// toIdeal drops the trailing zeros of an exact result down to the
// exponent the specification calls ideal for the operation.
func toIdeal(q *decimalValue, ideal int) *decimalValue {
	if q.d.IsZero() {
		q.d.Exponent = int32(max(ideal, -decEmax-decPrec+1))
		return q
	}
	c, e := q.coef(), q.exp()
	r := new(big.Int)
	for e < ideal {
		qq, m := new(big.Int).QuoRem(c, bigTen, r)
		if m.Sign() != 0 {
			break
		}
		c, e = qq, e+1
	}
	return newDecimal(c, e)
}

// decSqrt is the square root, correctly rounded; an exact root takes the
// ideal exponent, half of x's rounded down (1.21 gives 1.1).
func decSqrt(x *decimalValue) (*decimalValue, error) {
	var cond apd.Condition
	r, err := decResult(func(d *apd.Decimal) (apd.Condition, error) {
		c, err := decCtx.Sqrt(d, &x.d)
		cond = c
		return c, err
	})
	if err != nil || cond&apd.Inexact != 0 {
		return r, err
	}
	e := x.exp()
	ideal := e / 2
	if e < 0 && e%2 != 0 {
		ideal--
	}
	return toIdeal(r, ideal), nil
}

func (d *decimalValue) rat() *big.Rat {
	if e := d.exp(); e >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Mul(d.coef(), pow10(e)))
	}
	return new(big.Rat).SetFrac(d.coef(), pow10(-d.exp()))
}

func (d *decimalValue) truncInt() *big.Int {
	if e := d.exp(); e >= 0 {
		return new(big.Int).Mul(d.coef(), pow10(e))
	}
	return new(big.Int).Quo(d.coef(), pow10(-d.exp()))
}

func (d *decimalValue) float() float64 {
	f, _ := strconv.ParseFloat(d.sci(), 64)
	return f
}

// decIntDiv is Python's // and % on Decimals: the quotient truncated
// toward zero and the remainder with the dividend's sign.
func decIntDiv(x, y *decimalValue) (*decimalValue, *decimalValue, error) {
	q, err := decResult(func(d *apd.Decimal) (apd.Condition, error) { return decCtx.QuoInteger(d, &x.d, &y.d) })
	if err != nil {
		return nil, nil, err
	}
	r, err := decResult(func(d *apd.Decimal) (apd.Condition, error) { return decCtx.Rem(d, &x.d, &y.d) })
	return q, r, err
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
		// Python negates zero to +0 (under any rounding but ROUND_FLOOR).
		if d.d.IsZero() {
			return d.abs(), nil
		}
		return decResult(func(v *apd.Decimal) (apd.Condition, error) { return decCtx.Neg(v, &d.d) })
	case syntax.PLUS:
		// +x applies the context: rounds to 28 digits, and -0 becomes 0.
		return decResult(func(v *apd.Decimal) (apd.Condition, error) { return decCtx.Add(v, &d.d, apd.New(0, d.d.Exponent)) })
	}
	return nil, nil
}

func (d *decimalValue) Cmp(y starlark.Value, depth int) (int, error) {
	return d.d.Cmp(&y.(*decimalValue).d), nil
}

// pow is Decimal ** int or Decimal ** Decimal, correctly rounded to the
// context as Python's is; a float exponent is a TypeError, as in Python.
func (d *decimalValue) pow(y starlark.Value) (starlark.Value, error) {
	e, ok := toDecimal(y)
	if !ok {
		return nil, pyErr(excTypeError, "unsupported operand type(s) for ** or pow(): 'Decimal' and '%s'", typeOf(y).name)
	}
	if n, ok := boolToInt(y).(starlark.Int); ok {
		if k, ok := n.Int64(); !ok || k > 100000 || k < -100000 {
			return nil, limitErr("Decimal exponent too large")
		}
	}
	if d.d.IsZero() && e.d.Sign() < 0 {
		return nil, pyErr(excZeroDivisionError, "[<class 'decimal.DivisionByZero'>]")
	}
	return decResult(func(v *apd.Decimal) (apd.Condition, error) { return decCtx.Pow(v, &d.d, &e.d) })
}

func (d *decimalValue) round(hasND bool, nd int) (starlark.Value, error) {
	if !hasND {
		return starlark.MakeBigInt(d.rescale(0, roundHalfEven).coef()), nil
	}
	return d.quantizeTo(-nd, roundHalfEven)
}

// quantizeTo is Decimal.quantize: InvalidOperation when the result would
// need more digits than the context's precision.
func (d *decimalValue) quantizeTo(exp int, mode rounding) (*decimalValue, error) {
	if exp > decEmax || exp < -decEmax-decPrec {
		return nil, pyErr(excInvalidOperation, "[<class 'decimal.InvalidOperation'>]")
	}
	return decResult(func(v *apd.Decimal) (apd.Condition, error) {
		return decContext(mode).Quantize(v, &d.d, int32(exp))
	})
}

func (d *decimalValue) toIntegral(name string) (starlark.Value, error) {
	mode := roundDown
	switch name {
	case "floor":
		mode = roundFloor
	case "ceil":
		mode = roundCeiling
	}
	if d.exp() >= 0 {
		return starlark.MakeBigInt(d.truncInt()), nil
	}
	return starlark.MakeBigInt(d.rescale(0, mode).coef()), nil
}

func roundingArg(v starlark.Value) (rounding, error) {
	if v == nil || v == starlark.None {
		return roundHalfEven, nil
	}
	s, ok := v.(starlark.String)
	if !ok {
		return "", pyErr(excTypeError, "rounding must be a decimal ROUND_ constant")
	}
	if r := rounding(s); roundings[r] != "" {
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
			return d.quantizeTo(e.exp(), r)
		})
	case "as_tuple":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			sign := 0
			if d.d.Negative {
				sign = 1
			}
			var digits starlark.Tuple
			for _, r := range d.d.Coeff.String() {
				digits = append(digits, starlark.MakeInt(int(r-'0')))
			}
			return &decimalTuple{sign: sign, digits: digits, exp: d.exp()}, nil
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
			return decResult(func(v *apd.Decimal) (apd.Condition, error) { return decContext(r).RoundToIntegralValue(v, &d.d) })
		})
	case "is_zero":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(d.d.IsZero()), nil
		})
	case "is_signed":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(d.d.Negative), nil
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
			return decSqrt(d)
		})
	case "ln", "log10", "exp":
		return method(func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return decResult(func(v *apd.Decimal) (apd.Condition, error) {
				switch name {
				case "ln":
					return decCtx.Ln(v, &d.d)
				case "log10":
					return decCtx.Log10(v, &d.d)
				}
				return decCtx.Exp(v, &d.d)
			})
		})
	}
	return nil, nil
}

func (d *decimalValue) AttrNames() []string {
	return []string{"adjusted", "as_tuple", "copy_abs", "exp", "is_signed", "is_zero", "ln", "log10", "normalize", "quantize", "sqrt", "to_integral", "to_integral_value"}
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
	neg := d.d.Negative
	a := d.abs().(*decimalValue)
	var body string
	switch s.typ {
	case 'f', 'F', '%':
		if s.typ == '%' {
			a = newDecimal(a.coef(), a.exp()+2)
		}
		r := a
		if s.prec >= 0 {
			r = a.rescale(-s.prec, roundHalfEven)
		} else if r.exp() > 0 {
			r = r.rescale(0, roundHalfEven)
		}
		body = r.d.Text('f')
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
			return decimalFromInt(x), nil
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
