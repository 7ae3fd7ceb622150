package dmn

import (
	"errors"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

func TestFEELUnaryTests(t *testing.T) {
	tests := []struct {
		entry string
		match []any
		miss  []any
	}{
		{"[1..10]", []any{int64(1), int64(5), int64(10)}, []any{int64(0), int64(11)}},
		{"(1..10)", []any{int64(2), 9.5}, []any{int64(1), int64(10)}},
		{"]1..10[", []any{int64(2)}, []any{int64(1), int64(10)}},
		{"[1..10)", []any{int64(1)}, []any{int64(10)}},
		{"(1..10]", []any{int64(10)}, []any{int64(1)}},
		{`["a".."c"]`, []any{"b", "a"}, []any{"d"}},
		{"[low..high]", []any{int64(3)}, []any{int64(7)}},
		{"1, 2, 3", []any{int64(1), int64(3)}, []any{int64(4)}},
		{`"gold", "silver"`, []any{"gold", "silver"}, []any{"bronze"}},
		{`"a,b", "c"`, []any{"a,b", "c"}, []any{"a"}},
		{"< 5, > 10", []any{int64(4), int64(11)}, []any{int64(7)}},
		{"[1..3], 7", []any{int64(2), int64(7)}, []any{int64(5)}},
		{"]1..3[, 7", []any{int64(2), int64(7)}, []any{int64(1)}},
		{"not(1, 2)", []any{int64(3)}, []any{int64(1), int64(2)}},
		{`not("gold")`, []any{"silver"}, []any{"gold"}},
		{"not([1..5])", []any{int64(0), int64(6)}, []any{int64(3)}},
		{"not(< 3)", []any{int64(3)}, []any{int64(2)}},
		{"null", []any{nil}, []any{int64(0), ""}},
		{"null, 0", []any{nil, int64(0)}, []any{int64(1)}},
		{"= 4", []any{int64(4)}, []any{int64(5)}},
		{"? > 2, ? < -2", []any{int64(3), int64(-3)}, []any{int64(0)}},
		// Python forms read as before.
		{"[1, 2]", []any{[]any{int64(1), int64(2)}}, []any{int64(1)}},
		{"in [1, 2]", []any{int64(1)}, []any{int64(3)}},
		{"not in (1, 2)", []any{int64(3)}, []any{int64(1)}},
		{">= 5", []any{int64(5)}, []any{int64(4)}},
	}
	for _, tt := range tests {
		d := mustParse(t, table{
			inputs:  []col{{expr: "x"}},
			outputs: []col{{name: "hit"}},
			rules:   [][]string{{tt.entry, "True"}},
		}.xml())
		check := func(v any, want bool) {
			out, err := d.Evaluate(&script.Env{}, map[string]any{"x": v, "low": int64(2), "high": int64(5)})
			if err != nil {
				t.Errorf("%s with x=%v: %v (source %s)", tt.entry, v, err, d.Rules[0].Inputs[0].Source)
				return
			}
			if got := out["hit"] == true; got != want {
				t.Errorf("%s with x=%#v: match %v, want %v (source %s)", tt.entry, v, got, want, d.Rules[0].Inputs[0].Source)
			}
		}
		for _, v := range tt.match {
			check(v, true)
		}
		for _, v := range tt.miss {
			check(v, false)
		}
	}
}

func TestFEELUnaryTestProblems(t *testing.T) {
	for _, entry := range []string{"1, , 2", "[1..]"} {
		_, err := Parse("t.dmn", table{
			inputs:  []col{{expr: "x"}},
			outputs: []col{{name: "hit"}},
			rules:   [][]string{{entry, "True"}},
		}.xml())
		var ps Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].ElementID != "r1_inputEntry_1" || !strings.Contains(ps[0].Error(), entry) {
			t.Errorf("entry %q: %v, want one problem at the entry quoting it", entry, err)
		}
	}
}
