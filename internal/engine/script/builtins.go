package script

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// The Python built-ins. builtins maps Python names to values (the
// namespace's last fallback); predeclared is what generated code binds:
// every built-in under "__b_<name>" and the translator's helpers under
// "__w_<name>". Both are built once and shared by every run.

type builtinFn = func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var (
	builtins    = starlark.StringDict{}
	predeclared = starlark.StringDict{}
)

func isBuiltinName(name string) bool {
	_, ok := builtins[name]
	return ok
}

// refused names get a sandbox message instead of a NameError.
var refused = map[string]string{
	"open":       "no file access",
	"eval":       "no dynamic code",
	"exec":       "no dynamic code",
	"compile":    "no dynamic code",
	"__import__": "use the import statement",
	"input":      "no console",
	"exit":       "scripts end at their last line",
	"quit":       "scripts end at their last line",
	"breakpoint": "no debugger",
	"setattr":    "values cannot be given new attributes",
	"delattr":    "values cannot lose attributes",
	"memoryview": "no memory access",
	"help":       "no console",
}

// init builds every shared table in dependency order.
func init() {
	initExceptions()
	initBuiltins()
	initMethods()
	initDatetime()
	initDecimal()
	initJSON()
	initRe()
	initModules()
	initSpiffHelpers()
	for name, v := range builtins {
		predeclared["__b_"+name] = v
	}
	installHelpers()
	predeclared.Freeze()
}

func initBuiltins() {
	fns := map[string]builtinFn{
		"abs": bAbs, "all": bAll, "any": bAny, "bin": bBin, "callable": bCallable,
		"chr": bChr, "dir": bDir, "divmod": bDivmod, "enumerate": bEnumerate,
		"filter": bFilter, "format": bFormat, "getattr": bGetattr, "hasattr": bHasattr,
		"hash": bHash, "hex": bHex, "isinstance": bIsinstance, "issubclass": bIssubclass,
		"len": bLen, "map": bMap, "max": bMax, "min": bMin, "oct": bOct, "ord": bOrd,
		"pow": bPow, "print": bPrint, "repr": bRepr, "ascii": bRepr, "reversed": bReversed,
		"round": bRound, "sorted": bSorted, "sum": bSum, "zip": bZip,
		"globals": bNamespaceView, "vars": bNamespaceView, "locals": bNamespaceView,
	}
	for name, fn := range fns {
		if returnsExisting[name] {
			builtins[name] = starlark.NewBuiltin(name, meteredSteps(fn))
			continue
		}
		builtins[name] = starlark.NewBuiltin(name, metered(fn))
	}
	builtins["range"] = starlark.Universe["range"]
	types := []*pyType{intType, boolType, floatType, strType, listType, tupleType, dictType, setType, typeType, objectType, bytesType}
	for _, t := range types {
		builtins[t.name] = t
	}
	for _, t := range exceptionClasses {
		builtins[t.name] = t
	}
	builtins["None"] = starlark.None
	builtins["True"] = starlark.True
	builtins["False"] = starlark.False
	for name, why := range refused {
		name, why := name, why
		builtins[name] = starlark.NewBuiltin(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return nil, pyErr(excNameError, "%s() is not available in scripts (%s)", name, why)
		})
	}
	intType.call = cInt
	boolType.call = cBool
	floatType.call = cFloat
	strType.call = cStr
	listType.call = cList
	tupleType.call = cTuple
	dictType.call = cDict
	setType.call = cSet
	typeType.call = cType
	bytesType.call = cBytes
	dictType.attrs = starlark.StringDict{"fromkeys": starlark.NewBuiltin("dict.fromkeys", bFromkeys)}
	strType.attrs = starlark.StringDict{}

}

func installHelpers() {
	helpers := map[string]builtinFn{
		"iter": hIter, "getattr": hGetattr, "index": hIndex, "slice": hSlice,
		"mkslice": hMkslice, "delitem": hDelitem, "del": hDel, "add": hAdd, "mul": hMul,
		"mod": hMod, "pow": hPow, "chk": hChk, "fstr": hFstr, "set": hSet,
		"dictmerge": hDictmerge, "tolist": hTolist, "try": builtinTry, "raise": builtinRaise,
		"built": hBuilt, "iadd": hIadd, "imul": hImul, "import": hImport, "from": hFrom, "enter": hEnter, "locals": hLocals, "unbind": hUnbind, "is": hIs, "unpack": hUnpack, "cmp": hCmp,
	}
	for name, fn := range helpers {
		if returnsExisting[name] || chargesItself[name] {
			predeclared["__w_"+name] = starlark.NewBuiltin(name, meteredSteps(fn))
			continue
		}
		predeclared["__w_"+name] = starlark.NewBuiltin(name, metered(fn))
	}
	predeclared["__w_inf"] = starlark.Float(math.Inf(1))
}

// metered charges a built-in's result to the step budget: one step per
// 256 bytes of a string or 64 items of a container it returns. Steps then
// measure the work of large values too, so the step limit (and the
// wall-clock limit it arms) also stops loops of a few costly calls.
//
// It also charges the result to the run's allocation budget (see charge),
// unless the result is one of the arguments or the receiver handed back.
func metered(f builtinFn) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		v, err := f(th, b, args, kwargs)
		if v != nil {
			th.Steps += resultCost(v)
			if n := allocSize(v); n > 0 && err == nil && !handedBack(v, b, args) {
				if err := charge(th, n); err != nil {
					return nil, err
				}
			}
		}
		return v, err
	}
}

// meteredSteps charges steps only: for built-ins that return a value that
// already exists (an item, an attribute, the larger argument) and for those
// that charge the allocation budget themselves before they build.
func meteredSteps(f builtinFn) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		v, err := f(th, b, args, kwargs)
		if v != nil {
			th.Steps += resultCost(v)
		}
		return v, err
	}
}

// returnsExisting names the built-ins and helpers whose result is a value
// the run already holds; charging it again would count one list once per
// read.
var returnsExisting = map[string]bool{
	"getattr": true, "max": true, "min": true, "globals": true, "vars": true, "locals": true,
	"index": true, "from": true, "import": true, "enter": true, "is": true, "cmp": true,
	"unbind": true, "del": true, "delitem": true, "raise": true, "try": true, "chk": true,
}

// chargesItself names the helpers that charge the budget themselves.
var chargesItself = map[string]bool{"add": true, "mul": true, "built": true, "iadd": true, "imul": true}

// hIadd is x += y: a list is extended in place (any iterable, as Python's
// list += does), anything else is x + y; what is built is charged first.
func hIadd(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y := args[0], args[1]
	if a, ok := x.(starlark.Int); ok {
		if c, ok := y.(starlark.Int); ok {
			return a.Add(c), nil
		}
	}
	if l, ok := x.(*starlark.List); ok {
		elems, err := iterValues(y)
		if err != nil {
			return nil, err
		}
		if l.Len()+len(elems) > maxValueLen {
			return nil, limitErr("list exceeds the limit of %d items", maxValueLen)
		}
		if err := charge(th, 16*uint64(len(elems))); err != nil {
			return nil, err
		}
		for _, e := range elems {
			if err := l.Append(e); err != nil {
				return nil, pyErr(excRuntimeError, "%s", err.Error())
			}
		}
		return l, nil
	}
	return hAdd(th, b, args, kwargs)
}

// hImul is x *= y: a list is repeated in place, anything else is x * y.
func hImul(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	l, ok := args[0].(*starlark.List)
	k, isInt := args[1].(starlark.Int)
	if !ok || !isInt {
		return hMul(th, b, args, kwargs)
	}
	n, _ := k.Int64()
	if n <= 0 {
		if err := l.Clear(); err != nil {
			return nil, pyErr(excRuntimeError, "%s", err.Error())
		}
		return l, nil
	}
	if int64(l.Len())*n > maxValueLen {
		return nil, limitErr("result of * with %d items exceeds the limit of %d", int64(l.Len())*n, maxValueLen)
	}
	if err := charge(th, 16*uint64(int64(l.Len())*(n-1))); err != nil {
		return nil, err
	}
	elems := make([]starlark.Value, l.Len())
	for i := range elems {
		elems[i] = l.Index(i)
	}
	for range n - 1 {
		for _, e := range elems {
			if err := l.Append(e); err != nil {
				return nil, pyErr(excRuntimeError, "%s", err.Error())
			}
		}
	}
	return l, nil
}

// hBuilt returns a list or dict a comprehension just built, charging it to
// the run's allocation budget.
func hBuilt(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := charge(th, allocSize(args[0])); err != nil {
		return nil, err
	}
	return args[0], nil
}

// handedBack reports whether v is the receiver or one of the arguments
// (x.strip() of a string without spaces, iter(list), a list returned as is).
func handedBack(v starlark.Value, b *starlark.Builtin, args starlark.Tuple) bool {
	if b != nil && b.Receiver() != nil && sameValue(v, b.Receiver()) {
		return true
	}
	for _, a := range args {
		if sameValue(v, a) {
			return true
		}
	}
	return false
}

func sameValue(x, y starlark.Value) bool {
	switch x := x.(type) {
	case *starlark.List:
		y, ok := y.(*starlark.List)
		return ok && x == y
	case *starlark.Dict:
		y, ok := y.(*starlark.Dict)
		return ok && x == y
	case *starlark.Set:
		y, ok := y.(*starlark.Set)
		return ok && x == y
	case starlark.String:
		y, ok := y.(starlark.String)
		return ok && len(x) == len(y) && (len(x) == 0 || unsafe.StringData(string(x)) == unsafe.StringData(string(y)))
	case starlark.Tuple:
		y, ok := y.(starlark.Tuple)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	}
	return false
}

// sizeOfItems is the bytes seq repeated n times (or concatenated to a
// value of n items) occupies: one byte per character, 16 per item.
func sizeOfItems(seq starlark.Value, n int64) uint64 {
	if n <= 0 {
		return 0
	}
	switch seq.(type) {
	case starlark.String, starlark.Bytes:
		return uint64(n)
	}
	return 16 * uint64(n)
}

func resultCost(v starlark.Value) uint64 {
	switch v := v.(type) {
	case starlark.String:
		return uint64(len(v)) >> 8
	case starlark.Bytes:
		return uint64(len(v)) >> 8
	case *starlark.List:
		return uint64(v.Len()) >> 6
	case starlark.Tuple:
		return uint64(len(v)) >> 6
	case *starlark.Dict:
		return uint64(v.Len()) >> 6
	}
	return 0
}

// ---- argument helpers ----

func unpack(name string, args starlark.Tuple, kwargs []starlark.Tuple, pairs ...any) error {
	if err := starlark.UnpackArgs(name, args, kwargs, pairs...); err != nil {
		return pyErr(excTypeError, "%s", pythonizeMsg(err.Error()))
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// iterValues returns the elements of an iterable, characters for strings.
func iterValues(v starlark.Value) ([]starlark.Value, error) {
	switch x := v.(type) {
	case starlark.String:
		s := string(x)
		out := make([]starlark.Value, 0, len(s))
		for _, r := range s {
			out = append(out, starlark.String(string(r)))
		}
		return out, nil
	case starlark.Tuple:
		return x, nil
	case *starlark.List:
		out := make([]starlark.Value, x.Len())
		for i := range out {
			out[i] = x.Index(i)
		}
		return out, nil
	case starlark.Iterable:
		if s, ok := x.(starlark.Sequence); ok && s.Len() > maxValueLen {
			return nil, limitErr("sequence of %d items exceeds the limit of %d", s.Len(), maxValueLen)
		}
		it := x.Iterate()
		defer it.Done()
		var out []starlark.Value
		var e starlark.Value
		for it.Next(&e) {
			out = append(out, e)
			if len(out) > maxValueLen {
				return nil, limitErr("sequence exceeds the limit of %d items", maxValueLen)
			}
		}
		return out, nil
	}
	return nil, pyErr(excTypeError, "'%s' object is not iterable", typeOf(v).name)
}

// ---- type constructors ----

func cInt(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value = starlark.MakeInt(0)
	var base starlark.Value
	if err := unpack("int", args, kwargs, "x?", &x, "base?", &base); err != nil {
		return nil, err
	}
	if base != nil {
		s, ok := x.(starlark.String)
		if !ok {
			return nil, pyErr(excTypeError, "int() can't convert non-string with explicit base")
		}
		b, _ := starlark.AsInt32(base)
		return parseIntStr(string(s), b)
	}
	switch v := x.(type) {
	case starlark.Int:
		return v, nil
	case starlark.Bool:
		if v {
			return starlark.MakeInt(1), nil
		}
		return starlark.MakeInt(0), nil
	case starlark.Float:
		f := float64(v)
		if math.IsInf(f, 0) {
			return nil, pyErr(excOverflowError, "cannot convert float infinity to integer")
		}
		if math.IsNaN(f) {
			return nil, pyErr(excValueError, "cannot convert float NaN to integer")
		}
		return starlark.NumberToInt(starlark.Float(math.Trunc(f)))
	case starlark.String:
		return parseIntStr(string(v), 10)
	case *decimalValue:
		return starlark.MakeBigInt(v.truncInt()), nil
	}
	return nil, pyErr(excTypeError, "int() argument must be a string, a bytes-like object or a real number, not '%s'", typeOf(x).name)
}

func parseIntStr(s string, base int) (starlark.Value, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	lower := strings.ToLower(s)
	if base == 0 || base == 16 || base == 8 || base == 2 {
		switch {
		case strings.HasPrefix(lower, "0x") && (base == 0 || base == 16):
			s, base = s[2:], 16
		case strings.HasPrefix(lower, "0o") && (base == 0 || base == 8):
			s, base = s[2:], 8
		case strings.HasPrefix(lower, "0b") && (base == 0 || base == 2):
			s, base = s[2:], 2
		case base == 0:
			base = 10
		}
	}
	bad := func() error {
		return pyErr(excValueError, "invalid literal for int() with base %d: %s", base, strRepr(orig))
	}
	if base < 2 || base > 36 {
		return nil, pyErr(excValueError, "int() base must be >= 2 and <= 36, or 0")
	}
	if s == "" || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return nil, bad()
	}
	if len(s) > maxIntDigits && base == 10 {
		return nil, pyErr(excValueError, "Exceeds the limit (%d digits) for integer string conversion: value has %d digits", maxIntDigits, len(s))
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(s, "_", ""), base)
	if !ok {
		return nil, bad()
	}
	if neg {
		n.Neg(n)
	}
	return starlark.MakeBigInt(n), nil
}

func cFloat(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value = starlark.Float(0)
	if err := unpack("float", args, kwargs, "x?", &x); err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case starlark.Float:
		return v, nil
	case starlark.Int:
		f, _ := starlark.AsFloat(v)
		return starlark.Float(f), nil
	case starlark.Bool:
		if v {
			return starlark.Float(1), nil
		}
		return starlark.Float(0), nil
	case starlark.String:
		s := strings.TrimSpace(string(v))
		switch strings.ToLower(strings.TrimLeft(s, "+-")) {
		case "inf", "infinity":
			if strings.HasPrefix(s, "-") {
				return starlark.Float(math.Inf(-1)), nil
			}
			return starlark.Float(math.Inf(1)), nil
		case "nan":
			return starlark.Float(math.NaN()), nil
		}
		clean := s
		if strings.Contains(s, "_") {
			if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
				return nil, pyErr(excValueError, "could not convert string to float: %s", strRepr(string(v)))
			}
			clean = strings.ReplaceAll(s, "_", "")
		}
		if strings.ContainsAny(strings.ToLower(clean), "xpn") {
			return nil, pyErr(excValueError, "could not convert string to float: %s", strRepr(string(v)))
		}
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, pyErr(excValueError, "could not convert string to float: %s", strRepr(string(v)))
		}
		return starlark.Float(f), nil
	case *decimalValue:
		return starlark.Float(v.float()), nil
	}
	return nil, pyErr(excTypeError, "float() argument must be a string or a real number, not '%s'", typeOf(x).name)
}

func cStr(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return starlark.String(""), nil
	}
	if b, ok := args[0].(starlark.Bytes); ok && (len(args) > 1 || len(kwargs) > 0) {
		return starlark.String(string(b)), nil
	}
	if len(args) > 1 {
		return nil, pyErr(excTypeError, "str() takes at most 1 argument (%d given)", len(args))
	}
	return starlark.String(pyStr(args[0])), nil
}

func cBytes(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return starlark.Bytes(""), nil
	}
	if s, ok := args[0].(starlark.String); ok {
		return starlark.Bytes(s), nil
	}
	return nil, pyErr(excTypeError, "bytes() accepts a string and an encoding in scripts")
}

func cBool(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value = starlark.False
	if err := unpack("bool", args, kwargs, "x?", &x); err != nil {
		return nil, err
	}
	return x.Truth(), nil
}

func cList(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("list", args, kwargs, "iterable?", &x); err != nil {
		return nil, err
	}
	if x == nil {
		return starlark.NewList(nil), nil
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	return starlark.NewList(append([]starlark.Value(nil), elems...)), nil
}

func cTuple(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("tuple", args, kwargs, "iterable?", &x); err != nil {
		return nil, err
	}
	if x == nil {
		return starlark.Tuple(nil), nil
	}
	if t, ok := x.(starlark.Tuple); ok {
		return t, nil
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	return starlark.Tuple(append([]starlark.Value(nil), elems...)), nil
}

func cDict(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 1 {
		return nil, pyErr(excTypeError, "dict expected at most 1 argument, got %d", len(args))
	}
	d := starlark.NewDict(len(kwargs))
	if len(args) == 1 {
		switch src := args[0].(type) {
		case starlark.IterableMapping:
			for _, kv := range src.Items() {
				if err := d.SetKey(kv[0], kv[1]); err != nil {
					return nil, err
				}
			}
		default:
			elems, err := iterValues(src)
			if err != nil {
				return nil, err
			}
			for i, e := range elems {
				pair, err := iterValues(e)
				if err != nil || len(pair) != 2 {
					return nil, pyErr(excValueError, "dictionary update sequence element #%d has the wrong length", i)
				}
				if err := d.SetKey(pair[0], pair[1]); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, kv := range kwargs {
		if err := d.SetKey(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func cSet(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("set", args, kwargs, "iterable?", &x); err != nil {
		return nil, err
	}
	s := starlark.NewSet(0)
	if x == nil {
		return s, nil
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if err := s.Insert(e); err != nil {
			return nil, pyErr(excTypeError, "%s", pythonizeMsg(err.Error()))
		}
	}
	return s, nil
}

func cType(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 || len(kwargs) > 0 {
		return nil, pyErr(excTypeError, "type() takes 1 argument in scripts")
	}
	return typeOf(args[0]), nil
}

func bFromkeys(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var keys starlark.Value
	var value starlark.Value = starlark.None
	if err := unpack("fromkeys", args, kwargs, "iterable", &keys, "value?", &value); err != nil {
		return nil, err
	}
	elems, err := iterValues(keys)
	if err != nil {
		return nil, err
	}
	d := starlark.NewDict(len(elems))
	for _, k := range elems {
		if err := d.SetKey(k, value); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// ---- functions ----

func bAbs(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("abs", args, kwargs, "x", &x); err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case starlark.Int:
		if v.Sign() < 0 {
			return starlark.MakeInt(0).Sub(v), nil
		}
		return v, nil
	case starlark.Float:
		return starlark.Float(math.Abs(float64(v))), nil
	case starlark.Bool:
		if v {
			return starlark.MakeInt(1), nil
		}
		return starlark.MakeInt(0), nil
	case interface{ abs() starlark.Value }:
		return v.abs(), nil
	}
	return nil, pyErr(excTypeError, "bad operand type for abs(): '%s'", typeOf(x).name)
}

func bAll(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("all", args, kwargs, "iterable", &x); err != nil {
		return nil, err
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if !e.Truth() {
			return starlark.False, nil
		}
	}
	return starlark.True, nil
}

func bAny(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("any", args, kwargs, "iterable", &x); err != nil {
		return nil, err
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if e.Truth() {
			return starlark.True, nil
		}
	}
	return starlark.False, nil
}

func intArg(name string, v starlark.Value) (*big.Int, error) {
	switch v := v.(type) {
	case starlark.Int:
		return v.BigInt(), nil
	case starlark.Bool:
		if v {
			return big.NewInt(1), nil
		}
		return big.NewInt(0), nil
	}
	return nil, pyErr(excTypeError, "'%s' object cannot be interpreted as an integer", typeOf(v).name)
}

func radix(name, prefix string, base int) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := unpack(name, args, kwargs, "x", &x); err != nil {
			return nil, err
		}
		n, err := intArg(name, x)
		if err != nil {
			return nil, err
		}
		sign := ""
		if n.Sign() < 0 {
			sign = "-"
			n = new(big.Int).Neg(n)
		}
		return starlark.String(sign + prefix + n.Text(base)), nil
	}
}

var (
	bBin = radix("bin", "0b", 2)
	bOct = radix("oct", "0o", 8)
	bHex = radix("hex", "0x", 16)
)

func bCallable(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("callable", args, kwargs, "x", &x); err != nil {
		return nil, err
	}
	_, ok := x.(starlark.Callable)
	return starlark.Bool(ok), nil
}

func bChr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var i int
	if err := unpack("chr", args, kwargs, "i", &i); err != nil {
		return nil, err
	}
	if i < 0 || i > unicode.MaxRune {
		return nil, pyErr(excValueError, "chr() arg not in range(0x110000)")
	}
	return starlark.String(string(rune(i))), nil
}

func bOrd(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("ord", args, kwargs, "c", &x); err != nil {
		return nil, err
	}
	s, ok := x.(starlark.String)
	if !ok {
		return nil, pyErr(excTypeError, "ord() expected string of length 1, but %s found", typeOf(x).name)
	}
	if n := utf8.RuneCountInString(string(s)); n != 1 {
		return nil, pyErr(excTypeError, "ord() expected a character, but string of length %d found", n)
	}
	r, _ := utf8.DecodeRuneInString(string(s))
	return starlark.MakeInt(int(r)), nil
}

func bDir(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("dir", args, kwargs, "x", &x); err != nil {
		return nil, err
	}
	var names []string
	if ha, ok := x.(starlark.HasAttrs); ok {
		names = ha.AttrNames()
	}
	sort.Strings(names)
	out := make([]starlark.Value, len(names))
	for i, n := range names {
		out[i] = starlark.String(n)
	}
	return starlark.NewList(out), nil
}

func bDivmod(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, y starlark.Value
	if err := unpack("divmod", args, kwargs, "a", &x, "b", &y); err != nil {
		return nil, err
	}
	q, err := starlark.Binary(syntax.SLASHSLASH, x, y)
	if err != nil {
		return nil, err
	}
	r, err := starlark.Binary(syntax.PERCENT, x, y)
	if err != nil {
		return nil, err
	}
	return starlark.Tuple{q, r}, nil
}

func bEnumerate(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	start := 0
	if err := unpack("enumerate", args, kwargs, "iterable", &x, "start?", &start); err != nil {
		return nil, err
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	out := make([]starlark.Value, len(elems))
	for i, e := range elems {
		out[i] = starlark.Tuple{starlark.MakeInt(start + i), e}
	}
	return starlark.NewList(out), nil
}

func bFilter(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn, x starlark.Value
	if err := unpack("filter", args, kwargs, "function", &fn, "iterable", &x); err != nil {
		return nil, err
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	var out []starlark.Value
	for _, e := range elems {
		keep := e.Truth()
		if fn != starlark.None {
			r, err := starlark.Call(th, fn, starlark.Tuple{e}, nil)
			if err != nil {
				return nil, err
			}
			keep = r.Truth()
		}
		if keep {
			out = append(out, e)
		}
	}
	return starlark.NewList(out), nil
}

func bMap(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 2 {
		return nil, pyErr(excTypeError, "map() must have at least two arguments.")
	}
	var lists [][]starlark.Value
	n := -1
	for _, it := range args[1:] {
		elems, err := iterValues(it)
		if err != nil {
			return nil, err
		}
		lists = append(lists, elems)
		if n < 0 || len(elems) < n {
			n = len(elems)
		}
	}
	out := make([]starlark.Value, n)
	for i := 0; i < n; i++ {
		call := make(starlark.Tuple, len(lists))
		for j := range lists {
			call[j] = lists[j][i]
		}
		r, err := starlark.Call(th, args[0], call, nil)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return starlark.NewList(out), nil
}

func bFormat(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	spec := ""
	if err := unpack("format", args, kwargs, "value", &x, "format_spec?", &spec); err != nil {
		return nil, err
	}
	s, err := formatValue(x, spec)
	return starlark.String(s), err
}

func checkDunder(name string) error {
	if strings.HasPrefix(name, "__") && strings.HasSuffix(name, "__") && name != "__name__" {
		return pyErr(excAttributeError, "access to '%s' is not allowed in scripts", name)
	}
	return nil
}

func bGetattr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, def starlark.Value
	var name string
	if err := unpack("getattr", args, kwargs, "object", &x, "name", &name, "default?", &def); err != nil {
		return nil, err
	}
	if err := checkDunder(name); err != nil {
		return nil, err
	}
	v, err := getAttrPatched(x, name)
	if err != nil && def != nil {
		return def, nil
	}
	return v, err
}

func bHasattr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	var name string
	if err := unpack("hasattr", args, kwargs, "object", &x, "name", &name); err != nil {
		return nil, err
	}
	if checkDunder(name) != nil {
		return starlark.False, nil
	}
	_, err := getAttrPatched(x, name)
	return starlark.Bool(err == nil), nil
}

func bHash(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("hash", args, kwargs, "x", &x); err != nil {
		return nil, err
	}
	h, err := x.Hash()
	if err != nil {
		return nil, pyErr(excTypeError, "unhashable type: '%s'", typeOf(x).name)
	}
	return starlark.MakeUint64(uint64(h)), nil
}

func classInfo(v starlark.Value) ([]*pyType, error) {
	switch t := v.(type) {
	case *pyType:
		return []*pyType{t}, nil
	case starlark.Tuple:
		var out []*pyType
		for _, e := range t {
			ts, err := classInfo(e)
			if err != nil {
				return nil, err
			}
			out = append(out, ts...)
		}
		return out, nil
	case starlark.NoneType:
		return []*pyType{noneType}, nil
	}
	return nil, pyErr(excTypeError, "isinstance() arg 2 must be a type, a tuple of types, or a union")
}

func bIsinstance(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, t starlark.Value
	if err := unpack("isinstance", args, kwargs, "obj", &x, "class_or_tuple", &t); err != nil {
		return nil, err
	}
	ts, err := classInfo(t)
	if err != nil {
		return nil, err
	}
	for _, c := range ts {
		if isInstance(x, c) {
			return starlark.True, nil
		}
	}
	return starlark.False, nil
}

func bIssubclass(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, t starlark.Value
	if err := unpack("issubclass", args, kwargs, "cls", &x, "class_or_tuple", &t); err != nil {
		return nil, err
	}
	c, ok := x.(*pyType)
	if !ok {
		return nil, pyErr(excTypeError, "issubclass() arg 1 must be a class")
	}
	ts, err := classInfo(t)
	if err != nil {
		return nil, err
	}
	for _, p := range ts {
		if c.isSubclass(p) || p == objectType {
			return starlark.True, nil
		}
	}
	return starlark.False, nil
}

func bLen(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 || len(kwargs) > 0 {
		return nil, pyErr(excTypeError, "len() takes exactly one argument (%d given)", len(args))
	}
	if s, ok := args[0].(starlark.String); ok {
		return starlark.MakeInt(utf8.RuneCountInString(string(s))), nil
	}
	if n := starlark.Len(args[0]); n >= 0 {
		return starlark.MakeInt(n), nil
	}
	return nil, pyErr(excTypeError, "object of type '%s' has no len()", typeOf(args[0]).name)
}

func minMax(name string, less syntax.Token) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var key, def starlark.Value
		for _, kv := range kwargs {
			switch string(kv[0].(starlark.String)) {
			case "key":
				key = kv[1]
			case "default":
				def = kv[1]
			default:
				return nil, pyErr(excTypeError, "%s() got an unexpected keyword argument '%s'", name, kv[0].(starlark.String))
			}
		}
		var elems []starlark.Value
		switch len(args) {
		case 0:
			return nil, pyErr(excTypeError, "%s expected at least 1 argument, got 0", name)
		case 1:
			var err error
			if elems, err = iterValues(args[0]); err != nil {
				return nil, err
			}
		default:
			elems = args
		}
		if len(elems) == 0 {
			if def != nil {
				return def, nil
			}
			return nil, pyErr(excValueError, "%s() arg is an empty sequence", name)
		}
		best := elems[0]
		bestKey := best
		if key != nil && key != starlark.None {
			k, err := starlark.Call(th, key, starlark.Tuple{best}, nil)
			if err != nil {
				return nil, err
			}
			bestKey = k
		}
		for _, e := range elems[1:] {
			k := e
			if key != nil && key != starlark.None {
				var err error
				if k, err = starlark.Call(th, key, starlark.Tuple{e}, nil); err != nil {
					return nil, err
				}
			}
			better, err := compareValues(less, k, bestKey)
			if err != nil {
				return nil, err
			}
			if better {
				best, bestKey = e, k
			}
		}
		return best, nil
	}
}

var (
	bMin = minMax("min", syntax.LT)
	bMax = minMax("max", syntax.GT)
)

// compareValues compares like Python, bools counting as ints.
func compareValues(op syntax.Token, x, y starlark.Value) (bool, error) {
	x, y = boolToInt(x), boolToInt(y)
	if c, ok := mixedDecimalCmp(x, y); ok {
		return threeway(op, c), nil
	}
	ok, err := starlark.Compare(op, x, y)
	if err != nil {
		return false, pyErr(excTypeError, "'%s' not supported between instances of '%s' and '%s'", op, typeOf(x).name, typeOf(y).name)
	}
	return ok, nil
}

func boolToInt(v starlark.Value) starlark.Value {
	if b, ok := v.(starlark.Bool); ok {
		if b {
			return starlark.MakeInt(1)
		}
		return starlark.MakeInt(0)
	}
	return v
}

func bPow(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, y, m starlark.Value
	if err := unpack("pow", args, kwargs, "base", &x, "exp", &y, "mod?", &m); err != nil {
		return nil, err
	}
	if m != nil && m != starlark.None {
		xb, err1 := intArg("pow", x)
		yb, err2 := intArg("pow", y)
		mb, err3 := intArg("pow", m)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, pyErr(excTypeError, "pow() 3rd argument not allowed unless all arguments are integers")
		}
		if mb.Sign() == 0 {
			return nil, pyErr(excValueError, "pow() 3rd argument cannot be 0")
		}
		if yb.Sign() < 0 {
			return nil, pyErr(excValueError, "pow() negative exponent with modulus is not supported in scripts")
		}
		r := new(big.Int).Exp(xb, yb, mb)
		if r.Sign() != 0 && mb.Sign() < 0 {
			r.Add(r, mb)
		}
		return starlark.MakeBigInt(r), nil
	}
	return power(x, y)
}

func bPrint(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return starlark.None, nil
}

func bRepr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack(b.Name(), args, kwargs, "x", &x); err != nil {
		return nil, err
	}
	return starlark.String(pyRepr(x)), nil
}

func bReversed(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("reversed", args, kwargs, "sequence", &x); err != nil {
		return nil, err
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	out := make([]starlark.Value, len(elems))
	for i, e := range elems {
		out[len(elems)-1-i] = e
	}
	return starlark.NewList(out), nil
}

func bRound(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, nd starlark.Value
	if err := unpack("round", args, kwargs, "number", &x, "ndigits?", &nd); err != nil {
		return nil, err
	}
	x = boolToInt(x)
	hasND := nd != nil && nd != starlark.None
	digits := 0
	if hasND {
		n, err := starlark.AsInt32(nd)
		if err != nil {
			return nil, pyErr(excTypeError, "'%s' object cannot be interpreted as an integer", typeOf(nd).name)
		}
		digits = n
	}
	switch v := x.(type) {
	case starlark.Int:
		if !hasND || digits >= 0 {
			return v, nil
		}
		// round half to even at 10**-digits
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-digits)), nil)
		q, r := new(big.Int).QuoRem(v.BigInt(), p, new(big.Int))
		r2 := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
		if c := r2.Cmp(p); c > 0 || c == 0 && q.Bit(0) == 1 {
			if v.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		return starlark.MakeBigInt(q.Mul(q, p)), nil
	case starlark.Float:
		f := float64(v)
		if !hasND {
			if math.IsInf(f, 0) {
				return nil, pyErr(excOverflowError, "cannot convert float infinity to integer")
			}
			if math.IsNaN(f) {
				return nil, pyErr(excValueError, "cannot convert float NaN to integer")
			}
			return starlark.NumberToInt(starlark.Float(math.RoundToEven(f)))
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return v, nil
		}
		if digits >= 0 {
			if digits > 300 {
				return v, nil
			}
			// Correctly rounded decimal text, as Python's round does.
			r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', digits, 64), 64)
			return starlark.Float(r), nil
		}
		p := math.Pow(10, float64(-digits))
		return starlark.Float(math.RoundToEven(f/p) * p), nil
	case *decimalValue:
		return v.round(hasND, digits)
	}
	return nil, pyErr(excTypeError, "type %s doesn't define __round__ method", typeOf(x).name)
}

func bSorted(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, key starlark.Value
	reverse := false
	if err := unpack("sorted", args, kwargs, "iterable", &x, "key?", &key, "reverse?", &reverse); err != nil {
		return nil, err
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	out, err := sortValues(th, elems, key, reverse)
	if err != nil {
		return nil, err
	}
	return starlark.NewList(out), nil
}

// sortValues is a stable sort with Python's key and reverse semantics.
func sortValues(th *starlark.Thread, elems []starlark.Value, key starlark.Value, reverse bool) ([]starlark.Value, error) {
	out := append([]starlark.Value(nil), elems...)
	keys := out
	if key != nil && key != starlark.None {
		keys = make([]starlark.Value, len(out))
		for i, e := range out {
			k, err := starlark.Call(th, key, starlark.Tuple{e}, nil)
			if err != nil {
				return nil, err
			}
			keys[i] = k
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	op := syntax.LT
	if reverse {
		op = syntax.GT
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if cmpErr != nil {
			return false
		}
		ok, err := compareValues(op, keys[idx[a]], keys[idx[b]])
		if err != nil {
			cmpErr = err
		}
		return ok
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	res := make([]starlark.Value, len(out))
	for i, j := range idx {
		res[i] = out[j]
	}
	return res, nil
}

func bSum(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	var start starlark.Value = starlark.MakeInt(0)
	if err := unpack("sum", args, kwargs, "iterable", &x, "start?", &start); err != nil {
		return nil, err
	}
	if _, ok := start.(starlark.String); ok {
		return nil, pyErr(excTypeError, "sum() can't sum strings [use ''.join(seq) instead]")
	}
	elems, err := iterValues(x)
	if err != nil {
		return nil, err
	}
	acc := boolToInt(start)
	for _, e := range elems {
		if _, ok := e.(starlark.String); ok {
			return nil, pyErr(excTypeError, "unsupported operand type(s) for +: '%s' and 'str'", typeOf(acc).name)
		}
		if acc, err = addValues(acc, boolToInt(e)); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func bZip(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var lists [][]starlark.Value
	n := -1
	for _, it := range args {
		elems, err := iterValues(it)
		if err != nil {
			return nil, err
		}
		lists = append(lists, elems)
		if n < 0 || len(elems) < n {
			n = len(elems)
		}
	}
	if n < 0 {
		n = 0
	}
	out := make([]starlark.Value, n)
	for i := 0; i < n; i++ {
		t := make(starlark.Tuple, len(lists))
		for j := range lists {
			t[j] = lists[j][i]
		}
		out[i] = t
	}
	return starlark.NewList(out), nil
}

// ---- operators ----

func addValues(x, y starlark.Value) (starlark.Value, error) {
	if a, ok := x.(starlark.Int); ok {
		if b, ok := y.(starlark.Int); ok {
			return a.Add(b), nil
		}
	}
	switch x.(type) {
	case starlark.String, starlark.Bytes, *starlark.List, starlark.Tuple:
		if n := starlark.Len(x) + starlark.Len(y); n > maxValueLen && starlark.Len(y) >= 0 {
			return nil, limitErr("result of + with %d items exceeds the limit of %d", n, maxValueLen)
		}
	}
	v, err := starlark.Binary(syntax.PLUS, boolToInt(x), boolToInt(y))
	if err != nil {
		return nil, err
	}
	return v, nil
}

func hAdd(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	switch x := args[0].(type) {
	case starlark.String, starlark.Bytes, *starlark.List, starlark.Tuple:
		if n := starlark.Len(x) + starlark.Len(args[1]); n <= maxValueLen && starlark.Len(args[1]) >= 0 {
			if err := charge(th, sizeOfItems(x, int64(n))); err != nil {
				return nil, err
			}
		}
	}
	return addValues(args[0], args[1])
}

func hMul(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y := args[0], args[1]
	if a, ok := x.(starlark.Int); ok {
		if b, ok := y.(starlark.Int); ok {
			// Small factors cannot overflow the limit: skip the big.Int
			// copies BitLen needs.
			if ai, ok := a.Int64(); ok && ai > -1<<31 && ai < 1<<31 {
				if bi, ok := b.Int64(); ok && bi > -1<<31 && bi < 1<<31 {
					return starlark.MakeInt64(ai * bi), nil
				}
			}
			if a.BigInt().BitLen()+b.BigInt().BitLen() > maxIntBits {
				return nil, limitErr("integer result exceeds %d bits", maxIntBits)
			}
			return a.Mul(b), nil
		}
	}
	seq, n := x, y
	if _, ok := y.(starlark.Int); !ok {
		seq, n = y, x
	}
	if k, ok := n.(starlark.Int); ok {
		switch seq.(type) {
		case starlark.String, starlark.Bytes, *starlark.List, starlark.Tuple:
			c, _ := k.Int64()
			if c > 0 && int64(starlark.Len(seq))*c > maxValueLen {
				return nil, limitErr("result of * with %d items exceeds the limit of %d", int64(starlark.Len(seq))*c, maxValueLen)
			}
			if err := charge(th, sizeOfItems(seq, int64(starlark.Len(seq))*c)); err != nil {
				return nil, err
			}
		}
	}
	return starlark.Binary(syntax.STAR, boolToInt(x), boolToInt(y))
}

func hMod(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if s, ok := args[0].(starlark.String); ok {
		r, err := percentFormat(string(s), args[1])
		if err != nil {
			return nil, err
		}
		return starlark.String(r), nil
	}
	return starlark.Binary(syntax.PERCENT, boolToInt(args[0]), boolToInt(args[1]))
}

func hPow(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return power(args[0], args[1])
}

// power is Python's x ** y.
func power(x, y starlark.Value) (starlark.Value, error) {
	x, y = boolToInt(x), boolToInt(y)
	if d, ok := x.(*decimalValue); ok {
		return d.pow(y)
	}
	if a, ok := x.(starlark.Int); ok {
		if b, ok := y.(starlark.Int); ok {
			if b.Sign() >= 0 {
				e, ok := b.Int64()
				base := a.BigInt()
				if bl := base.BitLen(); !ok || (bl > 1 && int64(bl)*e > maxIntBits) {
					return nil, limitErr("integer result of ** exceeds %d bits", maxIntBits)
				}
				return starlark.MakeBigInt(new(big.Int).Exp(base, big.NewInt(e), nil)), nil
			}
			if a.Sign() == 0 {
				return nil, pyErr(excZeroDivisionError, "0.0 cannot be raised to a negative power")
			}
		}
	}
	fx, ok1 := numberAsFloat(x)
	fy, ok2 := numberAsFloat(y)
	if !ok1 || !ok2 {
		return nil, pyErr(excTypeError, "unsupported operand type(s) for ** or pow(): '%s' and '%s'", typeOf(x).name, typeOf(y).name)
	}
	if fx == 0 && fy < 0 {
		return nil, pyErr(excZeroDivisionError, "0.0 cannot be raised to a negative power")
	}
	if fx < 0 && fy != math.Trunc(fy) {
		return nil, pyErr(excValueError, "negative number cannot be raised to a fractional power in scripts")
	}
	r := math.Pow(fx, fy)
	if math.IsInf(r, 0) && !math.IsInf(fx, 0) {
		return nil, pyErr(excOverflowError, "(34, 'Numerical result out of range')")
	}
	return starlark.Float(r), nil
}

func hChk(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := checkSize(args[0]); err != nil {
		return nil, err
	}
	return starlark.None, nil
}

func hFstr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var sb strings.Builder
	sb.WriteString(string(args[0].(starlark.String)))
	for i := 1; i+3 < len(args); i += 4 {
		v := args[i]
		conv := string(args[i+1].(starlark.String))
		spec := string(args[i+2].(starlark.String))
		switch conv {
		case "r", "a":
			v = starlark.String(pyRepr(v))
		case "s":
			v = starlark.String(pyStr(v))
		}
		s, err := formatValue(v, spec)
		if err != nil {
			return nil, err
		}
		sb.WriteString(s)
		sb.WriteString(string(args[i+3].(starlark.String)))
		if sb.Len() > maxValueLen {
			return nil, limitErr("f-string exceeds the size limit")
		}
	}
	return starlark.String(sb.String()), nil
}

func hSet(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return cSet(th, args, nil)
}

func hDictmerge(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	d := starlark.NewDict(0)
	for _, a := range args {
		m, ok := a.(starlark.IterableMapping)
		if !ok {
			return nil, pyErr(excTypeError, "'%s' object is not a mapping", typeOf(a).name)
		}
		for _, kv := range m.Items() {
			if err := d.SetKey(kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

func hTolist(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	elems, err := iterValues(args[0])
	if err != nil {
		return nil, err
	}
	return starlark.NewList(append([]starlark.Value(nil), elems...)), nil
}

// hIter makes strings iterable (by character) for for-loops and comprehensions.
func hIter(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	switch x := args[0].(type) {
	case starlark.String:
		elems, _ := iterValues(x)
		return starlark.Tuple(elems), nil
	case starlark.Iterable:
		return x, nil
	}
	return nil, pyErr(excTypeError, "'%s' object is not iterable", typeOf(args[0]).name)
}

func hEnter(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if th.CallStackDepth() > 2*maxCallDepth {
		return nil, limitErr("maximum recursion depth exceeded")
	}
	return starlark.None, nil
}

// ---- indexing ----

func hIndex(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return indexValue(args[0], args[1])
}

// indexValue is Python's x[i] (strings by character).
func indexValue(x, i starlark.Value) (starlark.Value, error) {
	switch v := x.(type) {
	case starlark.String:
		n, err := indexInt(i, "string")
		if err != nil {
			return nil, err
		}
		s := string(v)
		if isASCII(s) {
			if n < 0 {
				n += len(s)
			}
			if n < 0 || n >= len(s) {
				return nil, pyErr(excIndexError, "string index out of range")
			}
			return v[n : n+1], nil
		}
		rs := []rune(s)
		if n < 0 {
			n += len(rs)
		}
		if n < 0 || n >= len(rs) {
			return nil, pyErr(excIndexError, "string index out of range")
		}
		return starlark.String(string(rs[n])), nil
	case starlark.Mapping:
		r, found, err := v.Get(i)
		if err != nil {
			if strings.Contains(err.Error(), "unhashable") {
				return nil, pyErr(excTypeError, "unhashable type: '%s'", typeOf(i).name)
			}
			return nil, err
		}
		if !found {
			return nil, &raised{exc: newExc(excKeyError, i)}
		}
		return r, nil
	case starlark.Indexable:
		what := typeOf(x).name
		n, err := indexInt(i, what)
		if err != nil {
			return nil, err
		}
		l := v.Len()
		if n < 0 {
			n += l
		}
		if n < 0 || n >= l {
			return nil, pyErr(excIndexError, "%s index out of range", what)
		}
		return v.Index(n), nil
	}
	return nil, pyErr(excTypeError, "'%s' object is not subscriptable", typeOf(x).name)
}

func indexInt(i starlark.Value, what string) (int, error) {
	switch v := boolToInt(i).(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n > math.MaxInt32 || n < math.MinInt32 {
			return 0, pyErr(excIndexError, "cannot fit 'int' into an index-sized integer")
		}
		return int(n), nil
	}
	return 0, pyErr(excTypeError, "%s indices must be integers or slices, not %s", what, typeOf(i).name)
}

// sliceIndices resolves Python slice bounds for a sequence of length n.
func sliceIndices(n int, lo, hi, step starlark.Value) (int, int, int, error) {
	st := 1
	if step != starlark.None {
		s, err := indexInt(step, "slice")
		if err != nil {
			return 0, 0, 0, err
		}
		if s == 0 {
			return 0, 0, 0, pyErr(excValueError, "slice step cannot be zero")
		}
		st = s
	}
	bound := func(v starlark.Value, def int) (int, error) {
		if v == starlark.None {
			return def, nil
		}
		i, err := indexInt(v, "slice")
		if err != nil {
			return 0, pyErr(excTypeError, "slice indices must be integers or None")
		}
		if i < 0 {
			i += n
			if i < 0 {
				if st < 0 {
					return -1, nil
				}
				return 0, nil
			}
		}
		if i >= n {
			if st < 0 {
				return n - 1, nil
			}
			return n, nil
		}
		return i, nil
	}
	var start, end int
	var err error
	if st > 0 {
		if start, err = bound(lo, 0); err != nil {
			return 0, 0, 0, err
		}
		if end, err = bound(hi, n); err != nil {
			return 0, 0, 0, err
		}
	} else {
		if start, err = bound(lo, n-1); err != nil {
			return 0, 0, 0, err
		}
		if end, err = bound(hi, -1); err != nil {
			return 0, 0, 0, err
		}
	}
	return start, end, st, nil
}

func hSlice(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return sliceValue(args[0], args[1], args[2], args[3])
}

func sliceValue(x, lo, hi, step starlark.Value) (starlark.Value, error) {
	if s, ok := x.(starlark.String); ok && !isASCII(string(s)) {
		rs := []rune(string(s))
		start, end, st, err := sliceIndices(len(rs), lo, hi, step)
		if err != nil {
			return nil, err
		}
		var out []rune
		for i := start; (st > 0 && i < end) || (st < 0 && i > end); i += st {
			out = append(out, rs[i])
		}
		return starlark.String(string(out)), nil
	}
	sl, ok := x.(starlark.Sliceable)
	if !ok {
		return nil, pyErr(excTypeError, "'%s' object is not subscriptable", typeOf(x).name)
	}
	start, end, st, err := sliceIndices(sl.Len(), lo, hi, step)
	if err != nil {
		return nil, err
	}
	if st > 0 && end < start {
		end = start
	}
	if st < 0 && end > start {
		end = start
	}
	return sl.Slice(start, end, st), nil
}

// sliceKey is a slice object used by del x[a:b].
type sliceKey struct{ lo, hi, step starlark.Value }

func (s *sliceKey) String() string        { return "slice" }
func (s *sliceKey) Type() string          { return "slice" }
func (s *sliceKey) Freeze()               {}
func (s *sliceKey) Truth() starlark.Bool  { return true }
func (s *sliceKey) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: 'slice'") }

func hMkslice(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return &sliceKey{args[0], args[1], args[2]}, nil
}

func hDelitem(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, k := args[0], args[1]
	switch v := x.(type) {
	case *starlark.Dict:
		_, found, err := v.Delete(k)
		if err != nil {
			return nil, pyErr(excTypeError, "%s", pythonizeMsg(err.Error()))
		}
		if !found {
			return nil, &raised{exc: newExc(excKeyError, k)}
		}
		return starlark.None, nil
	case *starlark.List:
		elems, _ := iterValues(v)
		var keep []starlark.Value
		if s, ok := k.(*sliceKey); ok {
			start, end, st, err := sliceIndices(len(elems), s.lo, s.hi, s.step)
			if err != nil {
				return nil, err
			}
			drop := map[int]bool{}
			for i := start; (st > 0 && i < end) || (st < 0 && i > end); i += st {
				drop[i] = true
			}
			for i, e := range elems {
				if !drop[i] {
					keep = append(keep, e)
				}
			}
		} else {
			n, err := indexInt(k, "list")
			if err != nil {
				return nil, err
			}
			if n < 0 {
				n += len(elems)
			}
			if n < 0 || n >= len(elems) {
				return nil, pyErr(excIndexError, "list assignment index out of range")
			}
			keep = append(append(keep, elems[:n]...), elems[n+1:]...)
		}
		if err := v.Clear(); err != nil {
			return nil, pyErr(excRuntimeError, "%s", err.Error())
		}
		for _, e := range keep {
			v.Append(e)
		}
		return starlark.None, nil
	}
	return nil, pyErr(excTypeError, "'%s' object doesn't support item deletion", typeOf(x).name)
}

// ---- names ----

// localsBox holds the locals of a function that try statements assign.
type localsBox struct{ m map[string]starlark.Value }

func (l *localsBox) String() string        { return "<locals>" }
func (l *localsBox) Type() string          { return "locals" }
func (l *localsBox) Freeze()               {}
func (l *localsBox) Truth() starlark.Bool  { return true }
func (l *localsBox) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: locals") }

func (l *localsBox) Get(k starlark.Value) (starlark.Value, bool, error) {
	name := string(k.(starlark.String))
	if v, ok := l.m[name]; ok {
		return v, true, nil
	}
	return nil, false, pyErr(excUnboundLocalError, "cannot access local variable '%s' where it is not associated with a value", name)
}

func (l *localsBox) SetKey(k, v starlark.Value) error {
	if err := checkSize(v); err != nil {
		return err
	}
	l.m[string(k.(starlark.String))] = v
	return nil
}

func hLocals(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return &localsBox{m: map[string]starlark.Value{}}, nil
}

func hDel(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := string(args[1].(starlark.String))
	switch box := args[0].(type) {
	case *namespace:
		if err := box.del(name); err != nil {
			return nil, err
		}
	case *localsBox:
		if _, ok := box.m[name]; !ok {
			return nil, pyErr(excUnboundLocalError, "cannot access local variable '%s' where it is not associated with a value", name)
		}
		delete(box.m, name)
	}
	return starlark.None, nil
}

func hUnbind(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := string(args[1].(starlark.String))
	switch box := args[0].(type) {
	case *namespace:
		_ = box.del(name)
	case *localsBox:
		delete(box.m, name)
	}
	return starlark.None, nil
}

// hIs is Python's "is": identity for mutable objects, equality for values
// (whose identity CPython does not define either).
func hIs(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y := args[0], args[1]
	switch a := x.(type) {
	case starlark.Tuple:
		c, ok := y.(starlark.Tuple)
		return starlark.Bool(ok && len(a) == len(c) && (len(a) == 0 || &a[0] == &c[0])), nil
	case starlark.NoneType, starlark.Bool, starlark.Int, starlark.Float, starlark.String, starlark.Bytes:
		if typeOf(x) != typeOf(y) {
			return starlark.False, nil
		}
		eq, err := starlark.Equal(x, y)
		return starlark.Bool(eq && err == nil), nil
	}
	if _, ok := y.(starlark.Tuple); ok {
		return starlark.False, nil
	}
	return starlark.Bool(x == y), nil
}

// hUnpack splits an iterable for a starred assignment: before items, a
// list of the middle, after items.
func hUnpack(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	elems, err := iterValues(args[0])
	if err != nil {
		return nil, pyErr(excTypeError, "cannot unpack non-iterable %s object", typeOf(args[0]).name)
	}
	before, _ := starlark.AsInt32(args[1])
	after, _ := starlark.AsInt32(args[2])
	if len(elems) < before+after {
		return nil, pyErr(excValueError, "not enough values to unpack (expected at least %d, got %d)", before+after, len(elems))
	}
	out := make(starlark.Tuple, 0, before+after+1)
	out = append(out, elems[:before]...)
	out = append(out, starlark.NewList(append([]starlark.Value(nil), elems[before:len(elems)-after]...)))
	out = append(out, elems[len(elems)-after:]...)
	return out, nil
}
