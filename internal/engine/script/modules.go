package script

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"

	"go.starlark.net/starlark"
)

// Importable modules. Each is built once and shared; functions that need
// the run (the clock, the seeded generator) find it through the thread.

type module struct {
	name    string
	members starlark.StringDict
}

func (m *module) String() string        { return "<module '" + m.name + "'>" }
func (m *module) Type() string          { return "module" }
func (m *module) Freeze()               {}
func (m *module) Truth() starlark.Bool  { return true }
func (m *module) Hash() (uint32, error) { return starlark.String(m.name).Hash() }
func (m *module) pyType() *pyType       { return moduleType }
func (m *module) Attr(name string) (starlark.Value, error) {
	if v, ok := m.members[name]; ok {
		return v, nil
	}
	return nil, nil
}
func (m *module) AttrNames() []string { return m.members.Keys() }

var modules = map[string]*module{}

// sandboxed modules get a message saying why they are missing.
var sandboxed = map[string]string{
	"os": "no file, process or environment access", "sys": "no interpreter access",
	"subprocess": "no process access", "shutil": "no file access", "pathlib": "no file access",
	"io": "no file access", "socket": "no network access", "urllib": "no network access",
	"http": "no network access", "requests": "no network access", "builtins": "no interpreter access",
	"importlib": "no dynamic imports", "ctypes": "no memory access", "pickle": "no object loading",
	"threading": "no threads", "multiprocessing": "no processes", "signal": "no signals",
	"uuid": "not deterministic", "secrets": "not deterministic", "glob": "no file access",
	"tempfile": "no file access", "asyncio": "no concurrency",
}

func register(m *module) { modules[m.name] = m }

func fn(name string, f builtinFn) *starlark.Builtin { return starlark.NewBuiltin(name, metered(f)) }

func hImport(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := string(args[0].(starlark.String))
	leaf := bool(args[1].(starlark.Bool))
	top := strings.SplitN(name, ".", 2)[0]
	m, err := lookupModule(th, name)
	if err != nil {
		return nil, err
	}
	if leaf || top == name {
		return m, nil
	}
	return lookupModule(th, top)
}

func lookupModule(th *starlark.Thread, name string) (*module, error) {
	top := strings.SplitN(name, ".", 2)[0]
	if why, ok := sandboxed[top]; ok {
		return nil, pyErr(excModuleNotFoundError, "module '%s' is not available in scripts (%s)", name, why)
	}
	if name == "random" {
		st := stateOf(th)
		if st == nil || st.env == nil || st.env.RandomSeed == nil {
			return nil, pyErr(excModuleNotFoundError, "module 'random' is not available in scripts: runs must be reproducible and no random seed is configured")
		}
	}
	m, ok := modules[name]
	if !ok {
		return nil, pyErr(excModuleNotFoundError, "module '%s' is not available", name)
	}
	return m, nil
}

func hFrom(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	mod, name := string(args[0].(starlark.String)), string(args[1].(starlark.String))
	m, err := lookupModule(th, mod)
	if err != nil {
		return nil, err
	}
	v, ok := m.members[name]
	if !ok {
		return nil, pyErr(excImportError, "cannot import name '%s' from '%s'", name, mod)
	}
	return v, nil
}

// ---- math ----

func mathFn1(name string, f func(float64) float64) *starlark.Builtin {
	return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := unpack(name, args, kwargs, "x", &x); err != nil {
			return nil, err
		}
		fx, ok := numberAsFloat(x)
		if !ok {
			return nil, pyErr(excTypeError, "must be real number, not %s", typeOf(x).name)
		}
		r := f(fx)
		if math.IsNaN(r) && !math.IsNaN(fx) {
			return nil, pyErr(excValueError, "math domain error")
		}
		return starlark.Float(r), nil
	})
}

// mathInt rounds to an int (floor, ceil, trunc).
func mathInt(name string, f func(float64) float64) *starlark.Builtin {
	return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := unpack(name, args, kwargs, "x", &x); err != nil {
			return nil, err
		}
		switch v := boolToInt(x).(type) {
		case starlark.Int:
			return v, nil
		case *decimalValue:
			return v.toIntegral(name)
		}
		fx, ok := numberAsFloat(x)
		if !ok {
			return nil, pyErr(excTypeError, "must be real number, not %s", typeOf(x).name)
		}
		if math.IsInf(fx, 0) || math.IsNaN(fx) {
			return nil, pyErr(excValueError, "cannot convert float %s to integer", floatRepr(fx))
		}
		return starlark.NumberToInt(starlark.Float(f(fx)))
	})
}

func floats(name string, args starlark.Tuple) ([]float64, error) {
	out := make([]float64, len(args))
	for i, a := range args {
		f, ok := numberAsFloat(a)
		if !ok {
			return nil, pyErr(excTypeError, "must be real number, not %s", typeOf(a).name)
		}
		out[i] = f
	}
	return out, nil
}

func initModules() {
	m := &module{name: "math", members: starlark.StringDict{
		"pi": starlark.Float(math.Pi), "e": starlark.Float(math.E), "tau": starlark.Float(2 * math.Pi),
		"inf": starlark.Float(math.Inf(1)), "nan": starlark.Float(math.NaN()),
		"floor": mathInt("floor", math.Floor), "ceil": mathInt("ceil", math.Ceil), "trunc": mathInt("trunc", math.Trunc),
		"sqrt": mathFn1("sqrt", math.Sqrt), "exp": mathFn1("exp", math.Exp), "fabs": mathFn1("fabs", math.Abs),
		"log10": mathFn1("log10", math.Log10), "log2": mathFn1("log2", math.Log2),
		"sin": mathFn1("sin", math.Sin), "cos": mathFn1("cos", math.Cos), "tan": mathFn1("tan", math.Tan),
		"asin": mathFn1("asin", math.Asin), "acos": mathFn1("acos", math.Acos), "atan": mathFn1("atan", math.Atan),
		"degrees": mathFn1("degrees", func(x float64) float64 { return x * 180 / math.Pi }),
		"radians": mathFn1("radians", func(x float64) float64 { return x * math.Pi / 180 }),
		"log": fn("log", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("log", args)
			if err != nil || len(fs) < 1 || len(fs) > 2 {
				if err == nil {
					err = pyErr(excTypeError, "log expected 1 or 2 arguments, got %d", len(fs))
				}
				return nil, err
			}
			if fs[0] <= 0 || len(fs) == 2 && (fs[1] <= 0 || fs[1] == 1) {
				return nil, pyErr(excValueError, "math domain error")
			}
			r := math.Log(fs[0])
			if len(fs) == 2 {
				r /= math.Log(fs[1])
			}
			return starlark.Float(r), nil
		}),
		"pow": fn("pow", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("pow", args)
			if err != nil || len(fs) != 2 {
				if err == nil {
					err = pyErr(excTypeError, "pow expected 2 arguments, got %d", len(fs))
				}
				return nil, err
			}
			return starlark.Float(math.Pow(fs[0], fs[1])), nil
		}),
		"atan2": fn("atan2", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("atan2", args)
			if err != nil || len(fs) != 2 {
				return nil, pyErr(excTypeError, "atan2 expected 2 arguments")
			}
			return starlark.Float(math.Atan2(fs[0], fs[1])), nil
		}),
		"hypot": fn("hypot", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("hypot", args)
			if err != nil {
				return nil, err
			}
			s := 0.0
			for _, f := range fs {
				s += f * f
			}
			return starlark.Float(math.Sqrt(s)), nil
		}),
		"copysign": fn("copysign", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("copysign", args)
			if err != nil || len(fs) != 2 {
				return nil, pyErr(excTypeError, "copysign expected 2 arguments")
			}
			return starlark.Float(math.Copysign(fs[0], fs[1])), nil
		}),
		"fmod": fn("fmod", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("fmod", args)
			if err != nil || len(fs) != 2 {
				return nil, pyErr(excTypeError, "fmod expected 2 arguments")
			}
			if fs[1] == 0 {
				return nil, pyErr(excValueError, "math domain error")
			}
			return starlark.Float(math.Mod(fs[0], fs[1])), nil
		}),
		"isclose": fn("isclose", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var a, c starlark.Value
			var rel, abs starlark.Value = starlark.Float(1e-9), starlark.Float(0)
			if err := unpack("isclose", args, kwargs, "a", &a, "b", &c, "rel_tol?", &rel, "abs_tol?", &abs); err != nil {
				return nil, err
			}
			fs, err := floats("isclose", starlark.Tuple{a, c, rel, abs})
			if err != nil {
				return nil, err
			}
			x, y := fs[0], fs[1]
			if x == y {
				return starlark.True, nil
			}
			if math.IsInf(x, 0) || math.IsInf(y, 0) {
				return starlark.False, nil
			}
			d := math.Abs(x - y)
			return starlark.Bool(d <= math.Max(fs[2]*math.Max(math.Abs(x), math.Abs(y)), fs[3])), nil
		}),
		"isnan": fn("isnan", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("isnan", args)
			if err != nil || len(fs) != 1 {
				return nil, pyErr(excTypeError, "isnan expected 1 argument")
			}
			return starlark.Bool(math.IsNaN(fs[0])), nil
		}),
		"isinf": fn("isinf", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("isinf", args)
			if err != nil || len(fs) != 1 {
				return nil, pyErr(excTypeError, "isinf expected 1 argument")
			}
			return starlark.Bool(math.IsInf(fs[0], 0)), nil
		}),
		"isfinite": fn("isfinite", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("isfinite", args)
			if err != nil || len(fs) != 1 {
				return nil, pyErr(excTypeError, "isfinite expected 1 argument")
			}
			return starlark.Bool(!math.IsInf(fs[0], 0) && !math.IsNaN(fs[0])), nil
		}),
		"gcd": fn("gcd", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			g := new(big.Int)
			for _, a := range args {
				n, err := intArg("gcd", a)
				if err != nil {
					return nil, err
				}
				g.GCD(nil, nil, g, new(big.Int).Abs(n))
			}
			return starlark.MakeBigInt(g), nil
		}),
		"factorial": fn("factorial", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var n int
			if err := unpack("factorial", args, kwargs, "n", &n); err != nil {
				return nil, err
			}
			if n < 0 {
				return nil, pyErr(excValueError, "factorial() not defined for negative values")
			}
			if n > 5000 {
				return nil, limitErr("factorial(%d) is too large", n)
			}
			return starlark.MakeBigInt(new(big.Int).MulRange(1, int64(max(n, 1)))), nil
		}),
		"fsum": fn("fsum", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var it starlark.Value
			if err := unpack("fsum", args, kwargs, "seq", &it); err != nil {
				return nil, err
			}
			elems, err := iterValues(it)
			if err != nil {
				return nil, err
			}
			fs, err := floats("fsum", elems)
			if err != nil {
				return nil, err
			}
			// Exact sum via big.Float, rounded once.
			acc := new(big.Float).SetPrec(2048)
			for _, f := range fs {
				acc.Add(acc, new(big.Float).SetFloat64(f))
			}
			r, _ := acc.Float64()
			return starlark.Float(r), nil
		}),
		"prod": fn("prod", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var it starlark.Value
			var start starlark.Value = starlark.MakeInt(1)
			if err := unpack("prod", args, kwargs, "iterable", &it, "start?", &start); err != nil {
				return nil, err
			}
			elems, err := iterValues(it)
			if err != nil {
				return nil, err
			}
			acc := start
			for _, e := range elems {
				if acc, err = hMul(th, nil, starlark.Tuple{acc, e}, nil); err != nil {
					return nil, err
				}
			}
			return acc, nil
		}),
	}}
	register(m)
	register(&module{name: "time", members: starlark.StringDict{
		"time": fn("time", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			now, err := stateOf(th).now()
			if err != nil {
				return nil, err
			}
			return starlark.Float(float64(now.UnixNano()) / 1e9), nil
		}),
		"sleep": fn("sleep", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return nil, pyErr(excRuntimeError, "time.sleep is not available in scripts; use a timer event to wait")
		}),
	}})
	register(&module{name: "string", members: starlark.StringDict{
		"ascii_letters":   starlark.String("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"ascii_lowercase": starlark.String("abcdefghijklmnopqrstuvwxyz"),
		"ascii_uppercase": starlark.String("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"digits":          starlark.String("0123456789"),
		"hexdigits":       starlark.String("0123456789abcdefABCDEF"),
		"octdigits":       starlark.String("01234567"),
		"punctuation":     starlark.String("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
		"whitespace":      starlark.String(" \t\n\r\x0b\x0c"),
	}})
	register(&module{name: "copy", members: starlark.StringDict{
		"copy": fn("copy", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var x starlark.Value
			if err := unpack("copy", args, kwargs, "x", &x); err != nil {
				return nil, err
			}
			return copyValue(x, false, 0)
		}),
		"deepcopy": fn("deepcopy", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var x starlark.Value
			if err := unpack("deepcopy", args, kwargs, "x", &x); err != nil {
				return nil, err
			}
			v, err := copyValue(x, true, 0)
			if err != nil {
				return nil, err
			}
			// The containers below the top are copies too; strings are shared.
			if err := chargeNested(th, v, false); err != nil {
				return nil, err
			}
			return v, nil
		}),
	}})
	register(&module{name: "random", members: randomMembers()})
	monthNamesList := starlark.Tuple{starlark.String("")}
	monthAbbr := starlark.Tuple{starlark.String("")}
	for _, n := range monthNames {
		monthNamesList = append(monthNamesList, starlark.String(n))
		monthAbbr = append(monthAbbr, starlark.String(n[:3]))
	}
	var dayNamesList, dayAbbr starlark.Tuple
	for _, n := range dayNames {
		dayNamesList = append(dayNamesList, starlark.String(n))
		dayAbbr = append(dayAbbr, starlark.String(n[:3]))
	}
	register(&module{name: "calendar", members: starlark.StringDict{
		"month_name": monthNamesList, "month_abbr": monthAbbr,
		"day_name": dayNamesList, "day_abbr": dayAbbr,
		"isleap": fn("isleap", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var y int
			if err := unpack("isleap", args, kwargs, "year", &y); err != nil {
				return nil, err
			}
			return starlark.Bool(y%4 == 0 && (y%100 != 0 || y%400 == 0)), nil
		}),
		"monthrange": fn("monthrange", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var y, m int
			if err := unpack("monthrange", args, kwargs, "year", &y, "month", &m); err != nil {
				return nil, err
			}
			first, err := buildDate(y, m, 1)
			if err != nil {
				return nil, err
			}
			wd := (int(first.t.Weekday()) + 6) % 7
			return starlark.Tuple{starlark.MakeInt(wd), starlark.MakeInt(daysIn(y, first.t.Month()))}, nil
		}),
		"weekday": fn("weekday", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var y, m, d int
			if err := unpack("weekday", args, kwargs, "year", &y, "month", &m, "day", &d); err != nil {
				return nil, err
			}
			dt, err := buildDate(y, m, d)
			if err != nil {
				return nil, err
			}
			return starlark.MakeInt((int(dt.t.Weekday()) + 6) % 7), nil
		}),
	}})
	// Names SpiffArena's script engine predefines: scripts written for it
	// use them without importing.
	for name, v := range map[string]starlark.Value{
		"datetime": datetimeType, "timedelta": timedeltaType,
		"decimal": modules["decimal"], "json": modules["json"], "re": modules["re"],
		"time": modules["time"], "calendar": modules["calendar"],
	} {
		builtins[name] = v
	}
}

func copyValue(x starlark.Value, deep bool, depth int) (starlark.Value, error) {
	if depth > 100 {
		return nil, pyErr(excRecursionError, "maximum recursion depth exceeded while copying")
	}
	elem := func(v starlark.Value) (starlark.Value, error) {
		if deep {
			return copyValue(v, true, depth+1)
		}
		return v, nil
	}
	switch v := x.(type) {
	case *starlark.List:
		out := make([]starlark.Value, v.Len())
		for i := range out {
			e, err := elem(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return starlark.NewList(out), nil
	case *starlark.Dict:
		d := starlark.NewDict(v.Len())
		for k, e := range v.Entries() {
			c, err := elem(e)
			if err != nil {
				return nil, err
			}
			if err := d.SetKey(k, c); err != nil {
				return nil, err
			}
		}
		return d, nil
	case *starlark.Set:
		s := starlark.NewSet(v.Len())
		for e := range v.Elements() {
			if err := s.Insert(e); err != nil {
				return nil, err
			}
		}
		return s, nil
	case starlark.Tuple:
		if !deep {
			return v, nil
		}
		out := make(starlark.Tuple, len(v))
		for i, e := range v {
			c, err := elem(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return x, nil
}

// ---- random (only with Env.RandomSeed) ----

type pyRandom struct{ r *rand.Rand }

func rng(th *starlark.Thread) *rand.Rand {
	st := stateOf(th)
	if st.rng == nil {
		seed := *st.env.RandomSeed
		st.rng = &pyRandom{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	}
	return st.rng.r
}

func randomMembers() starlark.StringDict {
	return starlark.StringDict{
		"random": fn("random", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Float(rng(th).Float64()), nil
		}),
		"uniform": fn("uniform", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			fs, err := floats("uniform", args)
			if err != nil || len(fs) != 2 {
				return nil, pyErr(excTypeError, "uniform expected 2 arguments")
			}
			return starlark.Float(fs[0] + (fs[1]-fs[0])*rng(th).Float64()), nil
		}),
		"randint": fn("randint", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var lo, hi int
			if err := unpack("randint", args, kwargs, "a", &lo, "b", &hi); err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, pyErr(excValueError, "empty range for randint(%d, %d)", lo, hi)
			}
			return starlark.MakeInt(lo + rng(th).IntN(hi-lo+1)), nil
		}),
		"choice": fn("choice", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var seq starlark.Value
			if err := unpack("choice", args, kwargs, "seq", &seq); err != nil {
				return nil, err
			}
			elems, err := iterValues(seq)
			if err != nil {
				return nil, err
			}
			if len(elems) == 0 {
				return nil, pyErr(excIndexError, "Cannot choose from an empty sequence")
			}
			return elems[rng(th).IntN(len(elems))], nil
		}),
		"shuffle": fn("shuffle", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var l *starlark.List
			if err := unpack("shuffle", args, kwargs, "x", &l); err != nil {
				return nil, err
			}
			elems, _ := iterValues(l)
			rng(th).Shuffle(len(elems), func(i, j int) { elems[i], elems[j] = elems[j], elems[i] })
			return starlark.None, setList(l, elems)
		}),
		"sample": fn("sample", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var seq starlark.Value
			var k int
			if err := unpack("sample", args, kwargs, "population", &seq, "k", &k); err != nil {
				return nil, err
			}
			elems, err := iterValues(seq)
			if err != nil {
				return nil, err
			}
			if k < 0 || k > len(elems) {
				return nil, pyErr(excValueError, "Sample larger than population or is negative")
			}
			perm := rng(th).Perm(len(elems))
			out := make([]starlark.Value, k)
			for i := range out {
				out[i] = elems[perm[i]]
			}
			return starlark.NewList(out), nil
		}),
	}
}
