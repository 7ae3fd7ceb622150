package script

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testClock = func() time.Time { return time.Date(2026, 1, 5, 9, 30, 15, 0, time.UTC) }

// execCase runs src on data; the result must equal data overlaid with
// want, minus the keys in gone.
type execCase struct {
	name string
	src  string
	data map[string]any
	want map[string]any
	gone []string
}

func runExecCases(t *testing.T, cases []execCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.name, tc.src)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := p.Exec(&Env{Now: testClock}, tc.data)
			if err != nil {
				t.Fatalf("Exec: %v\n%s", err, p.c.direct.gen)
			}
			want := map[string]any{}
			for k, v := range tc.data {
				want[k] = v
			}
			for k, v := range tc.want {
				want[k] = v
			}
			for _, k := range tc.gone {
				delete(want, k)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("result (-want +got):\n%s", d)
			}
		})
	}
}

func TestExecNamespace(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "read and assign", src: "x = x + 1", data: map[string]any{"x": int64(1)}, want: map[string]any{"x": int64(2)}},
		{name: "augmented", src: "x += 1\nx *= 3", data: map[string]any{"x": int64(1)}, want: map[string]any{"x": int64(6)}},
		{name: "untouched keys kept", src: "y = 1", data: map[string]any{"a": "b", "n": nil}, want: map[string]any{"y": int64(1)}},
		{name: "del name", src: "del x\ndel(y)", data: map[string]any{"x": int64(1), "y": "z"}, gone: []string{"x", "y"}},
		{name: "del then assign", src: "del x\nx = 5", data: map[string]any{"x": int64(1)}, want: map[string]any{"x": int64(5)}},
		{name: "function replaces a data key", src: "def x():\n    return 1", data: map[string]any{"x": int64(1), "y": int64(2)}, gone: []string{"x"}},
		{name: "many keys", src: "k = 1\ndel a", data: map[string]any{"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0, "e": 5.0, "f": 6.0, "g": 7.0, "h": 8.0}, want: map[string]any{"k": int64(1)}, gone: []string{"a"}},
		{name: "del dict key", src: `del d["k"]`, data: map[string]any{"d": map[string]any{"k": int64(1), "j": int64(2)}}, want: map[string]any{"d": map[string]any{"j": int64(2)}}},
		{name: "del list index", src: "del l[0]\ndel l[-1]", data: map[string]any{"l": []any{int64(1), int64(2), int64(3), int64(4)}}, want: map[string]any{"l": []any{int64(2), int64(3)}}},
		{name: "del list slice", src: "del l[1:3]", data: map[string]any{"l": []any{int64(1), int64(2), int64(3), int64(4)}}, want: map[string]any{"l": []any{int64(1), int64(4)}}},
		{name: "del predefined module", src: "t = time.time()\ndel time", want: map[string]any{"t": float64(testClock().Unix())}},
		{name: "in-place change of data list", src: "items.append('c')", data: map[string]any{"items": []any{"a"}}, want: map[string]any{"items": []any{"a", "c"}}},
		{name: "nested in-place change", src: "d['inner']['n'] += 1", data: map[string]any{"d": map[string]any{"inner": map[string]any{"n": int64(1)}}}, want: map[string]any{"d": map[string]any{"inner": map[string]any{"n": int64(2)}}}},
		{name: "multiple targets", src: "a = b = c['k'] = 3", data: map[string]any{"c": map[string]any{}}, want: map[string]any{"a": int64(3), "b": int64(3), "c": map[string]any{"k": int64(3)}}},
		{name: "tuple unpacking", src: "a, b = 1, 2\na, b = b, a\n(c, d), e = [3, 4], 5", want: map[string]any{"a": int64(2), "b": int64(1), "c": int64(3), "d": int64(4), "e": int64(5)}},
		{name: "starred assignment", src: "first, *rest = [1, 2, 3]\n*init, last = 'abc'\na, *m, z = (1, 2)", want: map[string]any{
			"first": int64(1), "rest": []any{int64(2), int64(3)}, "init": []any{"a", "b"}, "last": "c", "a": int64(1), "m": []any{}, "z": int64(2),
		}},
		{name: "existence checks with vars and globals", src: "a = 'should_escalate' in vars() or 'should_escalate' in globals()\nb = 'x' in locals()\nc = globals().get('x')\nn = len([k for k in vars() if k == 'x'])", data: map[string]any{"x": int64(1)}, want: map[string]any{"a": false, "b": true, "c": int64(1), "n": int64(1)}},
		{name: "loop variable is global", src: "for i in range(3):\n    pass", want: map[string]any{"i": int64(2)}},
		{name: "semicolons and backslash", src: "a = 1; b = 2\nc = a + \\\n    b", want: map[string]any{"a": int64(1), "b": int64(2), "c": int64(3)}},
		{name: "annotated assignment", src: "n: int = 4\nm: str", want: map[string]any{"n": int64(4)}},
		{name: "indented as a whole", src: "\n    a = 1\n    if a:\n        b = 2\n", want: map[string]any{"a": int64(1), "b": int64(2)}},
		{name: "tabs", src: "s = 0\nfor c in 'ab1':\n\tif c.isdigit():\n\t\ts = 1\n\t\tbreak\ndel c", want: map[string]any{"s": int64(1)}},
		{name: "windows newlines", src: "s = \"\"\"a\r\nb\"\"\"\r\nif s:\r\n    n = 1\r\n", want: map[string]any{"s": "a\nb", "n": int64(1)}},
		{name: "global statement", src: "count = 0\ndef bump():\n    global count\n    count += 1\nbump()\nbump()", want: map[string]any{"count": int64(2)}},
		{name: "function reads globals at call time", src: "def f():\n    return rate * 2\nrate = 3\nr = f()", want: map[string]any{"rate": int64(3), "r": int64(6)}},
		{name: "closure", src: "def make(n):\n    def add(x):\n        return x + n\n    return add\nr = make(2)(3)", want: map[string]any{"r": int64(5)}},
		{name: "recursion", src: "def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\nr = fact(20)", want: map[string]any{"r": int64(2432902008176640000)}},
		{name: "default and keyword arguments", src: "def f(a, b=2, *rest, c=5, **kw):\n    return [a, b, list(rest), c, sorted(kw)]\nr = f(1, c=7, z=1, y=2)\nr2 = f(1, 2, 3, 4)", want: map[string]any{
			"r":  []any{int64(1), int64(2), []any{}, int64(7), []any{"y", "z"}},
			"r2": []any{int64(1), int64(2), []any{int64(3), int64(4)}, int64(5), []any{}},
		}},
		{name: "star arguments", src: "def f(*a, **k):\n    return [list(a), k]\nargs = [1, 2]\nopts = {'x': 1}\nr = f(0, *args, 3, **opts)", want: map[string]any{
			"args": []any{int64(1), int64(2)}, "opts": map[string]any{"x": int64(1)},
			"r": []any{[]any{int64(0), int64(1), int64(2), int64(3)}, map[string]any{"x": int64(1)}},
		}},
		{name: "functions and modules dropped", src: "import json\ndef f():\n    return 1\ng = lambda: 2\nT = int\nr = f() + g()", want: map[string]any{"r": int64(3)}},
		{name: "while else and for else", src: "n = 0\nwhile n < 3:\n    n += 1\nelse:\n    w = 'done'\nfor i in [1, 2]:\n    if i == 2:\n        break\nelse:\n    f = 'no'\n", want: map[string]any{"n": int64(3), "w": "done", "i": int64(2)}},
		{name: "continue", src: "out = []\nfor i in range(5):\n    if i % 2:\n        continue\n    out.append(i)", want: map[string]any{"out": []any{int64(0), int64(2), int64(4)}, "i": int64(4)}},
	})
}

func TestExecOperators(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "true and floor division", src: "a = 7 / 2\nb = 7 // 2\nc = -7 // 2\nd = 6 / 3\ne = -7 % 3", want: map[string]any{"a": 3.5, "b": int64(3), "c": int64(-4), "d": 2.0, "e": int64(2)}},
		{name: "power", src: "a = 2 ** 10\nb = 2 ** -1\nc = 2.0 ** 3\nd = 10 ** 20\ne = -2 ** 2\nx = 3\nx **= 2", want: map[string]any{"a": int64(1024), "b": 0.5, "c": 8.0, "d": 1e20, "e": int64(-4), "x": int64(9)}},
		{name: "is None", src: "a = x is None\nb = y is not None\nc = z is True\nd = z is False", data: map[string]any{"x": nil, "y": nil, "z": true}, want: map[string]any{"a": true, "b": false, "c": true, "d": false}},
		{name: "in and not in", src: "a = 'ell' in 'hello'\nb = 'k' in d\nc = 3 not in [1, 2]\nd2 = 'z' not in 'abc'", data: map[string]any{"d": map[string]any{"k": int64(1)}}, want: map[string]any{"a": true, "b": true, "c": true, "d2": true}},
		{name: "chained comparison", src: "a = 0 < x <= 5\nb = 0 < x < 1\nc = 1 < len([1, 2, 3]) < 5 > 2", data: map[string]any{"x": int64(5)}, want: map[string]any{"a": true, "b": false, "c": true}},
		{name: "ternary and boolean operators", src: "a = 'big' if n > 10 else 'small'\nb = n and 'yes'\nc = 0 or None or 'last'\nd = not n", data: map[string]any{"n": int64(20)}, want: map[string]any{"a": "big", "b": "yes", "c": "last", "d": false}},
		{name: "integer products, small and big", src: "a = 46341 * 46341\nb = -2147483647 * 2147483647\nc = 2147483648 * 2147483648\nd = -7 * 6\ne = True * 5", want: map[string]any{
			"a": int64(2147488281), "b": int64(-4611686014132420609), "c": int64(4611686018427387904), "d": int64(-42), "e": int64(5)}},
		{name: "string concatenation and repetition", src: "a = 'a' + 'b' * 3\nb = [0] * 3\nc = 3 * 'x'", want: map[string]any{"a": "abbb", "b": []any{int64(0), int64(0), int64(0)}, "c": "xxx"}},
		{name: "bool arithmetic", src: "a = True + True\nb = sum([True, False, True])\nc = [True, 1, 2].count(1)", want: map[string]any{"a": int64(2), "b": int64(2), "c": int64(2)}},
		{name: "list comprehension", src: "r = [x * 2 for x in range(5) if x % 2 == 0]", want: map[string]any{"r": []any{int64(0), int64(4), int64(8)}}},
		{name: "nested comprehension", src: "r = [(i, j) for i in range(3) for j in range(i)]", want: map[string]any{"r": []any{[]any{int64(1), int64(0)}, []any{int64(2), int64(0)}, []any{int64(2), int64(1)}}}},
		{name: "dict comprehension", src: "r = {k: v for k, v in d.items() if v}", data: map[string]any{"d": map[string]any{"a": int64(1), "b": int64(0)}}, want: map[string]any{"r": map[string]any{"a": int64(1)}}},
		{name: "set comprehension and set literal", src: "s = {x % 3 for x in range(6)}\nt = {1, 2} | {3}\nn = len(s)", want: map[string]any{"s": "{0, 1, 2}", "t": "{1, 2, 3}", "n": int64(3)}},
		{name: "generator argument", src: "total = sum(x['n'] for x in rows)\nok = any(x['n'] > 1 for x in rows)", data: map[string]any{"rows": []any{map[string]any{"n": int64(1)}, map[string]any{"n": int64(2)}}}, want: map[string]any{"total": int64(3), "ok": true}},
		{name: "comprehension variable does not leak", src: "r = [x for x in [1]]", want: map[string]any{"r": []any{int64(1)}}},
		{name: "lambda sort key", src: "rows.sort(key=lambda r: r['age'], reverse=True)\nnames = [r['name'] for r in rows]", data: map[string]any{"rows": []any{map[string]any{"name": "a", "age": int64(30)}, map[string]any{"name": "b", "age": int64(40)}}}, want: map[string]any{
			"rows":  []any{map[string]any{"name": "b", "age": int64(40)}, map[string]any{"name": "a", "age": int64(30)}},
			"names": []any{"b", "a"},
		}},
		{name: "tuple becomes list", src: "t = (1, 'a')\ne = ()", want: map[string]any{"t": []any{int64(1), "a"}, "e": []any{}}},
		{name: "dict with int keys", src: "d = {1: 'a', None: 'b', True: 'c'}", want: map[string]any{"d": map[string]any{"1": "a", "null": "b", "true": "c"}}},
		{name: "big ints", src: "a = 2 ** 64\nb = -(2 ** 63)", want: map[string]any{"a": 1.8446744073709552e19, "b": int64(-9223372036854775808)}},
		{name: "unicode strings", src: "n = len(s)\nc = s[1]\nr = s[::-1]\nu = s.upper()\ni = s.find('l')\nsub = s[1:3]", data: map[string]any{"s": "héllo"}, want: map[string]any{"n": int64(5), "c": "é", "r": "olléh", "u": "HÉLLO", "i": int64(2), "sub": "él"}},
		{name: "negative indexes and slices", src: "a = l[-1]\nb = l[1:]\nc = l[::2]\nd = 'abcdef'[-3:]", data: map[string]any{"l": []any{int64(1), int64(2), int64(3)}}, want: map[string]any{"a": int64(3), "b": []any{int64(2), int64(3)}, "c": []any{int64(1), int64(3)}, "d": "def"}},
		{name: "string iteration", src: "chars = []\nfor c in 'ab':\n    chars.append(c)\nl = list('xy')\nj = ''.join(reversed('abc'))", want: map[string]any{"chars": []any{"a", "b"}, "c": "b", "l": []any{"x", "y"}, "j": "cba"}},
	})
}

func TestExecFormatting(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "f-string specs", src: `a = f"{amount:.2f}"
b = f"{name!r}"
c = f"{d['k']}"
e = f"{amount:>10,.1f}|"
g = f"{n:05d} {n:x} {n:#b}"
h = f"{{literal}} {n}"
i = f"{amount=}"
w = 8
j = f"{name:^{w}}|"
k = f"{0.125:.0%}"`, data: map[string]any{"amount": 1234.5, "name": "Ada", "d": map[string]any{"k": "v"}, "n": int64(42)}, want: map[string]any{
			"a": "1234.50", "b": "'Ada'", "c": "v", "e": "   1,234.5|", "g": "00042 2a 0b101010",
			"h": "{literal} 42", "i": "amount=1234.5", "w": int64(8), "j": "  Ada   |", "k": "12%",
		}},
		{name: "str.format specs", src: `a = "{:,}".format(1234567)
b = "{:0>2}".format(5)
c = "{:0,.2f}".format(1234.5)
d = "{} and {}".format("x", "y")
e = "{1}{0}".format("a", "b")
f = "{name} is {age}".format(name="Ada", age=36)
g = "{0[k]} {1.year}".format({"k": 1}, datetime(2026, 1, 5))
h = "{:<5}|{:^5}|{:>5}".format("a", "b", "c")
i = "{:+d} {: d}".format(5, 5)
j = "{:e}".format(12345.678)
k = "{:g} {:g}".format(0.00001, 123456789.0)
l = "{!r}".format("x")`, want: map[string]any{
			"a": "1,234,567", "b": "05", "c": "1,234.50", "d": "x and y", "e": "ba", "f": "Ada is 36",
			"g": "1 2026", "h": "a    |  b  |    c", "i": "+5  5", "j": "1.234568e+04", "k": "1e-05 1.23457e+08", "l": "'x'",
		}},
		{name: "percent formatting", src: `a = "%s is %d years" % ("Ada", 36)
b = "%.2f" % 3.14159
c = "%5s|%-5s|" % ("a", "b")
d = "%(n)s=%(v)05.1f" % {"n": "x", "v": 2.5}
e = "%x %o %e %%" % (255, 8, 1500.0)
f = "%s" % [1, 'a']
g = "%r" % "q"
h = "%d" % 3.9
i = "%d|%d|%d|%i" % (-42, 0, True, 12345678901234567890123)
j = "%3d|%-3d|%03d|%+d" % (7, 7, 7, 7)`, want: map[string]any{
			"a": "Ada is 36 years", "b": "3.14", "c": "    a|b    |", "d": "x=002.5", "e": "ff 10 1.500000e+03 %",
			"f": "[1, 'a']", "g": "'q'", "h": "3", "i": "-42|0|1|12345678901234567890123", "j": "  7|7  |007|+7",
		}},
		{name: "str and repr of containers", src: `a = str([1, 'a', None, True, 1.5])
b = str({'k': (1,)})
c = repr("it's")
d = str(1e16) + " " + str(1e-5) + " " + str(0.1 + 0.2) + " " + str(2.0)`, want: map[string]any{
			"a": "[1, 'a', None, True, 1.5]", "b": "{'k': (1,)}", "c": `"it's"`, "d": "1e+16 1e-05 0.30000000000000004 2.0",
		}},
		{name: "currency format script", src: `curAmount_str = "{:0,.2f}".format(curAmount)
if curThousandsSeparator == ".":
    main_currency, fractional_currency = curAmount_str.split(".")[0], curAmount_str.split(".")[1]
    new_main_currency = main_currency.replace(",", ".")
    curAmount_str = new_main_currency + "," + fractional_currency
curAmount_str = curSymbol + " " * 1 + curAmount_str`, data: map[string]any{"curAmount": 1234567.891, "curThousandsSeparator": ".", "curSymbol": "€"}, want: map[string]any{
			"curAmount_str": "€ 1.234.567,89", "main_currency": "1,234,567", "fractional_currency": "89", "new_main_currency": "1.234.567",
		}},
	})
}

func TestExecBuiltins(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "numbers", src: `a = round(2.5)
b = round(3.5)
c = round(2.675, 2)
d = round(1234, -2)
e = abs(-3.5)
f = int("0x1f", 16) + int(" 42 ") + int(3.9) + int("101", 2)
g = float("1e3") + float(2)
h = pow(2, 10, 1000)
i = divmod(17, 5)
j = hex(255) + oct(8) + bin(5)
k = chr(97) + str(ord("b"))
l = round(-0.5)
m = round(1.005, 2)`, want: map[string]any{
			"a": int64(2), "b": int64(4), "c": 2.67, "d": int64(1200), "e": 3.5, "f": int64(31 + 42 + 3 + 5),
			"g": 1002.0, "h": int64(24), "i": []any{int64(3), int64(2)}, "j": "0xff0o100b101", "k": "a98", "l": int64(0), "m": 1.0,
		}},
		{name: "min max sorted", src: `a = min(3, 1, 2)
b = max([1, 5, 3])
c = max(["aa", "b"], key=len)
d = min([], default=0)
e = sorted([3, 1, 2], reverse=True)
f = sorted(["b", "A", "c"], key=lambda s: s.lower())
g = max({"a": 1, "b": 2})`, want: map[string]any{
			"a": int64(1), "b": int64(5), "c": "aa", "d": int64(0), "e": []any{int64(3), int64(2), int64(1)}, "f": []any{"A", "b", "c"}, "g": "b",
		}},
		{name: "iteration helpers", src: `a = list(enumerate(["x", "y"], start=1))
b = list(zip([1, 2, 3], "ab"))
c = all([1, True]) and not any([0, ""])
d = list(map(lambda x: x * 2, [1, 2]))
e = list(filter(None, [0, 1, "", "a"]))
f = list(range(0, 10, 3))
g = dict(zip(["a", "b"], [1, 2]))
h = dict(a=1)
i = list(reversed([1, 2]))
j = sum([0.5, 1.5], 1)`, want: map[string]any{
			"a": []any{[]any{int64(1), "x"}, []any{int64(2), "y"}}, "b": []any{[]any{int64(1), "a"}, []any{int64(2), "b"}},
			"c": true, "d": []any{int64(2), int64(4)}, "e": []any{int64(1), "a"}, "f": []any{int64(0), int64(3), int64(6), int64(9)},
			"g": map[string]any{"a": int64(1), "b": int64(2)}, "h": map[string]any{"a": int64(1)}, "i": []any{int64(2), int64(1)}, "j": 3.0,
		}},
		{name: "types", src: `a = isinstance(1, int) and isinstance(True, int) and isinstance(1.0, float)
b = isinstance("s", (int, str)) and isinstance({}, dict) and isinstance([], list) and isinstance((), tuple)
c = isinstance(None, type(None)) and not isinstance(1, bool)
d = type(1).__name__ + type("").__name__ + type([]).__name__ + type(None).__name__
e = type(x) == str
f = hasattr("s", "upper") and not hasattr("s", "nope")
g = callable(len) and not callable(1)`, data: map[string]any{"x": "s"}, want: map[string]any{
			"a": true, "b": true, "c": true, "d": "intstrlistNoneType", "e": true, "f": true, "g": true,
		}},
		{name: "string methods", src: `a = "7".zfill(3) + "-5".zfill(4)
b = "ab".center(6, "*") + "|" + "ab".ljust(4) + "|" + "ab".rjust(4, ".")
c = "Straße".casefold() + " " + "aBc".swapcase()
d = "a\tb".expandtabs(4)
e = " x ".strip() + ",".join(["a", "b"]) + "a-b-c".split("-", 1)[1]
f = "hello world".title() + " " + "abc".capitalize()
g = "abcabc".count("b") + "abc".index("c") + "abc".rfind("z")
h = "12".isdigit() and "1.5".replace(".", "").isnumeric() and "ab".isalpha()
i = "x=1".partition("=")[2] + "a b".split()[1]
j = "Report.PDF".lower().endswith((".pdf", ".doc"))
k = str.upper("q") + "{}".format(1)`, want: map[string]any{
			"a": "007-005", "b": "**ab**|ab  |..ab", "c": "strasse AbC", "d": "a   b", "e": "xa,bb-c",
			"f": "Hello World Abc", "g": int64(2 + 2 - 1), "h": true, "i": "1b", "j": true, "k": "Q1",
		}},
		{name: "list and dict methods", src: `l = [3, 1, 2]
l.sort()
l.reverse()
c = l.copy()
c.append(9)
i = l.index(2)
l.insert(0, 7)
p = l.pop()
d = {"a": 1}
d.setdefault("b", 2)
d.update({"c": 3}, e=5)
v = d.pop("a") + d.get("zz", 10)
items = sorted(d.items())
keys = list(d.keys())
dc = d.copy()
dc["new"] = 1
fk = dict.fromkeys(["x", "y"], 0)`, want: map[string]any{
			"l": []any{int64(7), int64(3), int64(2)}, "c": []any{int64(3), int64(2), int64(1), int64(9)}, "i": int64(1), "p": int64(1),
			"d": map[string]any{"b": int64(2), "c": int64(3), "e": int64(5)}, "v": int64(11),
			"items": []any{[]any{"b", int64(2)}, []any{"c", int64(3)}, []any{"e", int64(5)}}, "keys": []any{"b", "c", "e"},
			"dc": map[string]any{"b": int64(2), "c": int64(3), "e": int64(5), "new": int64(1)}, "fk": map[string]any{"x": int64(0), "y": int64(0)},
		}},
		{name: "join and extend take any iterable", src: "s = '-'.join('abc')\nn = ', '.join(str(i) for i in range(3))\nl = [1]\nl.extend('ab')", want: map[string]any{"s": "a-b-c", "n": "0, 1, 2", "l": []any{int64(1), "a", "b"}}},
		{name: "identity", src: "a = [1]\nb = a\nsame = b is a\ncopy = sorted(a) is a\nnot_same = a[:] is not a\nnone = None is None", want: map[string]any{"a": []any{int64(1)}, "b": []any{int64(1)}, "same": true, "copy": false, "not_same": true, "none": true}},
		{name: "print is discarded", src: "print('hello', 1)\nx = 1", want: map[string]any{"x": int64(1)}},
	})
}

func TestExecTry(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "name error caught", src: "try:\n  whichGrouping\nexcept NameError:\n  whichGrouping = ''", want: map[string]any{"whichGrouping": ""}},
		{name: "defined value passes", src: "try:\n  whichGrouping\nexcept NameError:\n  whichGrouping = ''", data: map[string]any{"whichGrouping": "g"}},
		{name: "else and finally", src: "log = []\ntry:\n    x = 1\nexcept Exception:\n    log.append('except')\nelse:\n    log.append('else')\nfinally:\n    log.append('finally')", want: map[string]any{"log": []any{"else", "finally"}, "x": int64(1)}},
		{name: "exception object", src: "try:\n    raise ValueError('bad amount')\nexcept (KeyError, ValueError) as e:\n    msg = str(e)\n    kind = type(e).__name__\n    args = list(e.args)", want: map[string]any{"msg": "bad amount", "kind": "ValueError", "args": []any{"bad amount"}}},
		{name: "key error from dict", src: "try:\n    d['missing']\nexcept KeyError as e:\n    m = str(e)", data: map[string]any{"d": map[string]any{}}, want: map[string]any{"m": "'missing'"}},
		{name: "zero division and index", src: "r = []\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    r.append('zero')\ntry:\n    [][1]\nexcept IndexError:\n    r.append('index')\ntry:\n    int('x')\nexcept ValueError as e:\n    r.append(str(e))\ntry:\n    1 + 'a'\nexcept TypeError:\n    r.append('type')\ntry:\n    None.x\nexcept AttributeError:\n    r.append('attr')", want: map[string]any{"r": []any{"zero", "index", "invalid literal for int() with base 10: 'x'", "type", "attr"}}},
		{name: "base class catches", src: "try:\n    {}['k']\nexcept LookupError:\n    a = 1\ntry:\n    1 // 0\nexcept ArithmeticError:\n    b = 2\ntry:\n    raise RuntimeError('x')\nexcept:\n    c = 3", want: map[string]any{"a": int64(1), "b": int64(2), "c": int64(3)}},
		{name: "nested and re-raise", src: "try:\n    try:\n        raise KeyError('k')\n    except KeyError:\n        inner = 1\n        raise\nexcept Exception as e:\n    outer = repr(e)", want: map[string]any{"inner": int64(1), "outer": "KeyError('k')"}},
		{name: "break and continue inside try", src: "out = []\nfor i in range(5):\n    try:\n        if i == 1:\n            continue\n        if i == 3:\n            break\n        out.append(i)\n    finally:\n        out.append('f')", want: map[string]any{"out": []any{int64(0), "f", "f", int64(2), "f", "f"}, "i": int64(3)}},
		{name: "return inside try in function", src: "def parse(s):\n    try:\n        v = int(s)\n        return v * 2\n    except ValueError:\n        return -1\n    finally:\n        seen.append(s)\nseen = []\nr = [parse('4'), parse('x')]", want: map[string]any{"seen": []any{"4", "x"}, "r": []any{int64(8), int64(-1)}}},
		{name: "locals assigned in try inside function", src: "def f():\n    total = 0\n    for x in [1, 'a', 2]:\n        try:\n            total += x\n        except TypeError:\n            bad = x\n    return [total, bad]\nr = f()", want: map[string]any{"r": []any{int64(3), "a"}}},
		{name: "assert passes", src: "assert 1 == 1, 'never'\nok = True", want: map[string]any{"ok": true}},
		{name: "assertion error caught", src: "try:\n    assert x > 5, 'too small'\nexcept AssertionError as e:\n    m = str(e)", data: map[string]any{"x": int64(1)}, want: map[string]any{"m": "too small"}},
	})
}

// TestExecWith checks that ExecWith(data, name, value) behaves as Exec on a
// copy of data with name set to value.
func TestExecWith(t *testing.T) {
	base := map[string]any{"items": []any{int64(1), int64(2)}, "x": int64(3)}
	cases := []struct {
		name, src, key string
		value          any
	}{
		{name: "read", src: "result = item * item", key: "item", value: int64(7)},
		{name: "untouched", src: "y = 1", key: "item", value: "s"},
		{name: "assign", src: "item = item + 1", key: "item", value: int64(1)},
		{name: "del", src: "del item", key: "item", value: int64(1)},
		{name: "del then assign", src: "del item\nitem = 2", key: "item", value: int64(1)},
		{name: "container changed in place", src: "item.append(3)", key: "item", value: []any{int64(1)}},
		{name: "overrides data", src: "y = x", key: "x", value: int64(9)},
		{name: "vars", src: "names = sorted(vars().keys())\nhas = 'item' in vars()", key: "item", value: int64(1)},
		{name: "shadows a built-in", src: "r = type + 1", key: "type", value: int64(1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.name, tc.src)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			env := &Env{Now: testClock}
			copied := map[string]any{tc.key: tc.value}
			for k, v := range base {
				if k != tc.key {
					copied[k] = v
				}
			}
			want, err := p.Exec(env, copied)
			if err != nil {
				t.Fatalf("Exec: %v", err)
			}
			got, err := p.ExecWith(env, base, tc.key, tc.value)
			if err != nil {
				t.Fatalf("ExecWith: %v", err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("ExecWith differs from Exec on a copy (-Exec +ExecWith):\n%s", d)
			}
		})
	}
}
