package script

import (
	"errors"
	"testing"
)

// FuzzCompile checks that no source makes the front-end panic and that
// every failure is a *Error; compiled programs also run without panicking.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"x = x + 1", "if a:\n    b = f'{c:>{w}}'\nelse:\n    del d['k']",
		"try:\n  x\nexcept (A, B) as e:\n  raise\nfinally:\n  pass",
		"def f(a, *b, c=1, **d):\n    global g\n    return [i for i in b if i]",
		"s = '''a\n{b}'''\nt = rb'\\d'\nu = 0x1f + 1_000 + 1e-3",
		"a, *b = c = [1, 2]\nwhile a < 3:\n    a += 1\nelse:\n    pass",
		"lambda: (yield)", "f'{'", "x = [1,\n", "\tif x:\n  y", "a = b = ", "0 < x <= f(y) < 3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile("fuzz", src)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Compile error %T is not *Error: %v", err, err)
			}
		} else {
			_, err := p.Exec(&Env{MaxSteps: 10000, Now: testClock}, map[string]any{"x": int64(1)})
			var se *Error
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("Exec error %T is not *Error: %v", err, err)
			}
		}
		if _, err := CompileExpr("fuzz", src); err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("CompileExpr error %T is not *Error: %v", err, err)
			}
		}
	})
}
