package script

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExecBasic(t *testing.T) {
	p, err := Compile("t", "x = x + 1\ny = 'a'")
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"x": int64(1), "k": "v"}
	got, err := p.Exec(&Env{}, in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"x": int64(2), "y": "a", "k": "v"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	e, err := CompileExpr("c", "x > 1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.EvalBool(nil, got)
	if err != nil || !b {
		t.Errorf("EvalBool = %v, %v", b, err)
	}
}
