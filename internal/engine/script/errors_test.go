package script

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		expr bool
		data map[string]any
		env  *Env
		want Error // Msg compared by prefix when wantPrefix
		pref bool
	}{
		{name: "name error line", src: "a = 1\nb = 2\nc = foo", want: Error{Line: 3, Col: 5, Msg: "name 'foo' is not defined", Kind: KindRuntime, Type: "NameError"}},
		{name: "key error", src: "d = {}\nx = d['k']", want: Error{Line: 2, Msg: "KeyError: 'k'", Kind: KindRuntime, Type: "KeyError"}},
		{name: "zero division", src: "\n\nx = 1 / 0", want: Error{Line: 3, Msg: "ZeroDivisionError: division by zero", Kind: KindRuntime, Type: "ZeroDivisionError"}},
		{name: "type error", src: "a = 1\nb = a + 'two'", want: Error{Line: 2, Msg: "TypeError: unsupported operand type(s) for +: 'int' and 'str'", Kind: KindRuntime, Type: "TypeError"}},
		{name: "str concat", src: "b = 'a' + 1", want: Error{Line: 1, Msg: `TypeError: can only concatenate str (not "int") to str`, Kind: KindRuntime, Type: "TypeError"}},
		{name: "attribute error", src: "x = 'a'\nx.nope()", want: Error{Line: 2, Msg: "AttributeError: 'str' object has no attribute 'nope'", Kind: KindRuntime, Type: "AttributeError"}},
		{name: "index error", src: "l = []\nl[3]", want: Error{Line: 2, Msg: "IndexError: list index out of range", Kind: KindRuntime, Type: "IndexError"}},
		{name: "raise with message", src: "if True:\n    raise ValueError('amount too high')", want: Error{Line: 2, Msg: "amount too high", Kind: KindRuntime, Type: "ValueError"}},
		{name: "raise exception class", src: "raise Exception('stop here')", want: Error{Line: 1, Msg: "stop here", Kind: KindRuntime, Type: "Exception"}},
		{name: "raise bare class", src: "raise KeyError", want: Error{Line: 1, Msg: "KeyError", Kind: KindRuntime, Type: "KeyError"}},
		{name: "error inside function reports inner line", src: "def f(x):\n    return x['missing']\n\ny = f({})", want: Error{Line: 2, Msg: "KeyError: 'missing'", Kind: KindRuntime, Type: "KeyError"}},
		{name: "re-raised keeps first line", src: "try:\n    x = {}['a']\nexcept KeyError:\n    raise", want: Error{Line: 2, Msg: "KeyError: 'a'", Kind: KindRuntime, Type: "KeyError"}},
		{name: "int conversion", src: "n = int('12a')", want: Error{Line: 1, Msg: "ValueError: invalid literal for int() with base 10: '12a'", Kind: KindRuntime, Type: "ValueError"}},
		{name: "del undefined", src: "del nothing", want: Error{Line: 1, Msg: "name 'nothing' is not defined", Kind: KindRuntime, Type: "NameError"}},
		{name: "unbound local", src: "def f():\n    y = x\n    x = 1\nf()", want: Error{Line: 2, Msg: "cannot access local variable 'x' where it is not associated with a value", Kind: KindRuntime, Type: "UnboundLocalError"}},
		{name: "multi-line expression", src: "d = {\n  'a': 1,\n  'b': missing,\n}", want: Error{Line: 3, Msg: "name 'missing' is not defined", Kind: KindRuntime, Type: "NameError"}},
		{name: "condition error", src: "amount > limit", expr: true, data: map[string]any{"amount": int64(1)}, want: Error{Line: 1, Col: 10, Msg: "name 'limit' is not defined", Kind: KindRuntime, Type: "NameError"}},
		{name: "comparing str and int", src: "'a' < 1", expr: true, want: Error{Line: 1, Msg: "TypeError: '<' not supported between instances of 'str' and 'int'", Kind: KindRuntime, Type: "TypeError"}},
		{name: "no clock", src: "now = datetime.now()", env: &Env{}, want: Error{Line: 1, Msg: "RuntimeError: no clock: the script environment provides no current time", Kind: KindRuntime, Type: "RuntimeError"}},

		{name: "syntax missing colon", src: "if x\n    y = 1", want: Error{Line: 1, Col: 5, Msg: "expected ':'", Kind: KindSyntax}},
		{name: "syntax catch is not python", src: "try:\n  x\ncatch NameError:\n  x = 1", want: Error{Line: 3, Col: 1, Msg: "expected 'except' or 'finally' block", Kind: KindSyntax}},
		{name: "syntax unexpected indent", src: "a = 1\n  b = 2", want: Error{Line: 2, Col: 3, Msg: "unexpected indent", Kind: KindSyntax}},
		{name: "syntax bad dedent", src: "if a:\n    b = 1\n  c = 2", want: Error{Line: 3, Col: 3, Msg: "unindent does not match any outer indentation level", Kind: KindSyntax}},
		{name: "syntax unterminated string", src: "a = 1\ns = 'abc", want: Error{Line: 2, Col: 5, Msg: "unterminated string literal (detected at line 2)", Kind: KindSyntax}},
		{name: "syntax unclosed bracket", src: "x = [1,\n2", want: Error{Line: 2, Col: 2, Msg: "unexpected EOF: unclosed bracket", Kind: KindSyntax}},
		{name: "syntax return outside function", src: "return 1", want: Error{Line: 1, Col: 1, Msg: "'return' outside function", Kind: KindSyntax}},
		{name: "syntax break outside loop", src: "x = 1\nbreak", want: Error{Line: 2, Col: 1, Msg: "'break' outside loop", Kind: KindSyntax}},
		{name: "syntax assign to literal", src: "1 = x", want: Error{Line: 1, Col: 1, Msg: "cannot assign to literal", Kind: KindSyntax}},
		{name: "syntax class", src: "class A:\n    pass", want: Error{Line: 1, Col: 1, Msg: "class definitions are not supported in scripts", Kind: KindSyntax}},
		{name: "syntax with", src: "with x:\n    pass", want: Error{Line: 1, Col: 1, Msg: "'with' statements are not supported in scripts", Kind: KindSyntax}},
		{name: "syntax f-string", src: "s = f'{x'", want: Error{Line: 1, Col: 7, Msg: "f-string: expecting '}'", Kind: KindSyntax}},
		{name: "syntax in f-string expression", src: "s = f'{x +}'", want: Error{Line: 1, Col: 11, Msg: "invalid syntax", Kind: KindSyntax}},
		{name: "syntax condition", src: "amount >", expr: true, want: Error{Line: 1, Col: 9, Msg: "invalid syntax", Kind: KindSyntax}},
		{name: "syntax condition with statement", src: "x = 1", expr: true, want: Error{Line: 1, Col: 3, Msg: "invalid syntax", Kind: KindSyntax}},
		{name: "syntax leading zero", src: "x = 007", want: Error{Line: 1, Col: 5, Msg: "leading zeros in decimal integer literals are not permitted", Kind: KindSyntax}},
		{name: "syntax python 2 print", src: "print 'x'", want: Error{Line: 1, Col: 7, Msg: "invalid syntax", Kind: KindSyntax}},
		{name: "reserved internal name", src: "__w_ns = 1", want: Error{Line: 1, Col: 1, Msg: `names starting with "__w_" are reserved`, Kind: KindSyntax}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = &Env{Now: testClock}
			}
			var err error
			if tc.expr {
				var e *Expr
				if e, err = CompileExpr("Flow_1 condition", tc.src); err == nil {
					_, err = e.Eval(env, tc.data)
				}
			} else {
				var p *Program
				if p, err = Compile("Activity_1 script", tc.src); err == nil {
					_, err = p.Exec(env, tc.data)
				}
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *script.Error", err, err)
			}
			got := *se
			got.Name = ""
			if tc.want.Col == 0 {
				got.Col = 0
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	p, err := Compile("Activity_1 script", "a = 1\nb = 2\nc = foo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Exec(nil, nil)
	if got, want := err.Error(), "Activity_1 script: line 3: name 'foo' is not defined"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestSandbox(t *testing.T) {
	cases := []struct {
		name string
		src  string
		env  *Env
		kind string
		msg  string // substring
	}{
		{name: "open", src: "s = open('/etc/passwd').read()", kind: KindRuntime, msg: "open() is not available in scripts (no file access)"},
		{name: "import os", src: "import os\nos.system('ls')", kind: KindRuntime, msg: "module 'os' is not available in scripts"},
		{name: "from os import", src: "from os import path", kind: KindRuntime, msg: "module 'os' is not available in scripts"},
		{name: "import os.path", src: "import os.path", kind: KindRuntime, msg: "module 'os.path' is not available in scripts"},
		{name: "import subprocess", src: "import subprocess", kind: KindRuntime, msg: "module 'subprocess' is not available in scripts"},
		{name: "unknown module", src: "import numpy", kind: KindRuntime, msg: "module 'numpy' is not available"},
		{name: "random without seed", src: "import random", kind: KindRuntime, msg: "no random seed is configured"},
		{name: "dunder import", src: "m = __import__('os')", kind: KindRuntime, msg: "__import__() is not available in scripts"},
		{name: "eval", src: "eval('1')", kind: KindRuntime, msg: "eval() is not available in scripts"},
		{name: "exec", src: "exec('x = 1')", kind: KindRuntime, msg: "exec() is not available in scripts"},
		{name: "dunder attribute", src: "c = ().__class__", kind: KindSyntax, msg: "access to '__class__' is not allowed in scripts"},
		{name: "getattr dunder", src: "c = getattr((), '__class__')", kind: KindRuntime, msg: "access to '__class__' is not allowed in scripts"},
		{name: "load statement", src: "load('x.star', 'y')", kind: KindRuntime, msg: "name 'load' is not defined"},
		{name: "infinite loop", src: "while True:\n    pass", env: &Env{MaxSteps: 100_000}, kind: KindLimit, msg: "exceeded the limit of 100000 steps"},
		{name: "infinite loop default limit", src: "n = 0\nwhile True:\n    n += 1", kind: KindLimit, msg: "steps"},
		{name: "deep recursion", src: "def f(n):\n    return f(n + 1)\nf(0)", kind: KindLimit, msg: "maximum recursion depth exceeded"},
		{name: "lambda recursion", src: "f = lambda n: f(n + 1)\nf(0)", kind: KindLimit, msg: "maximum recursion depth exceeded"},
		{name: "recursion is not catchable", src: "def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept Exception:\n    ok = 1", kind: KindLimit, msg: "maximum recursion depth exceeded"},
		{name: "string doubling", src: "s = 'x'\nwhile True:\n    s = s + s", kind: KindLimit, msg: "exceeds the limit"},
		{name: "string doubling in function", src: "def f():\n    s = 'x'\n    while True:\n        s += s\nf()", kind: KindLimit, msg: "exceeds the limit"},
		{name: "string repetition", src: "s = 'x' * 10 ** 10", kind: KindLimit, msg: "exceeds the limit"},
		{name: "list from huge range", src: "l = list(range(10 ** 10))", kind: KindLimit, msg: "exceeds the limit"},
		{name: "huge power", src: "n = 10 ** 10 ** 10", kind: KindLimit, msg: "exceeds"},
		{name: "format width", src: "s = '{:>999999999}'.format(1)", kind: KindLimit, msg: "too large"},
		{name: "costly calls count as steps", src: "while True:\n    s = 'x' * 10000000", env: &Env{MaxSteps: 1_000_000, MaxBytes: 1 << 62}, kind: KindLimit, msg: "steps"},
		{name: "long int string", src: "n = int('9' * 5000)", kind: KindRuntime, msg: "Exceeds the limit (4300 digits)"},
		{name: "wall clock", src: "while True:\n    pass", env: &Env{MaxSteps: 1 << 62, Timeout: 50 * time.Millisecond}, kind: KindLimit, msg: "time limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = &Env{Now: testClock}
			}
			p, err := Compile("sandbox", tc.src)
			if err == nil {
				_, err = p.Exec(env, map[string]any{})
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("want a *script.Error, got %v", err)
			}
			if se.Kind != tc.kind || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("got kind %q msg %q; want kind %q msg containing %q", se.Kind, se.Msg, tc.kind, tc.msg)
			}
		})
	}
}

// TestLimitErrorLine: a script stopped by the step or the time limit is
// reported on a line of the loop that ran away, wherever the limit caught
// it, never on the code before the loop (a constant loop test carries no
// position of its own in Starlark's code).
func TestLimitErrorLine(t *testing.T) {
	limits := []struct {
		name string
		env  *Env
		msg  string
	}{
		{"steps", &Env{MaxSteps: 100_000}, "exceeded the limit of 100000 steps"},
		{"time", &Env{MaxSteps: 1 << 62, Timeout: 30 * time.Millisecond}, "exceeded the time limit of 30ms"},
	}
	scripts := []struct {
		name        string
		src         string
		first, last int // the loop's lines
	}{
		{name: "top-level loop after a call", src: "x = 0\ns = str(x)\nwhile True:\n    x += 1\n    s = 'n'", first: 3, last: 5},
		{name: "loop on one line", src: "x = 1\ny = len('ab')\nwhile True: x += 1", first: 3, last: 3},
		{name: "loop in a function", src: "def spin():\n    n = len('a')\n    while True:\n        n += 1\n\nx = 1\nspin()", first: 3, last: 4},
		{name: "loop with a condition", src: "n = 1\nm = abs(n)\nwhile n > 0:\n    n += 1", first: 3, last: 4},
		{name: "for loop over a long range", src: "n = 0\nk = abs(n)\nfor i in range(10 ** 12):\n    n += i", first: 3, last: 4},
	}
	for _, lim := range limits {
		for _, sc := range scripts {
			t.Run(lim.name+"/"+sc.name, func(t *testing.T) {
				p, err := Compile("Activity_Spin script", sc.src)
				if err != nil {
					t.Fatal(err)
				}
				_, err = p.Exec(lim.env, map[string]any{})
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("want a *script.Error, got %v", err)
				}
				if se.Kind != KindLimit || se.Msg != "script "+lim.msg {
					t.Errorf("kind %q msg %q, want kind %q msg %q", se.Kind, se.Msg, KindLimit, "script "+lim.msg)
				}
				if se.Line < sc.first || se.Line > sc.last {
					t.Errorf("line %d, want a line of the loop (%d-%d)", se.Line, sc.first, sc.last)
				}
				if want := "Activity_Spin script: line "; !strings.HasPrefix(se.Error(), want) {
					t.Errorf("Error() = %q, want it to start with %q", se.Error(), want)
				}
			})
		}
	}
}
