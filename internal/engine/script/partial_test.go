package script

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExecKeepsAssignmentsBeforeAFailure: a script that fails returns the
// data as it stood at the failing line, with the error, as Python's exec
// leaves its namespace: earlier assignments, deletions and in-place changes
// are there, later ones are not; the input is untouched.
func TestExecKeepsAssignmentsBeforeAFailure(t *testing.T) {
	src := `a = 1
items.append(2)
del gone
if a == 1:
    b = "before"
c = undefined_name
d = "after"`
	p, err := Compile("partial", src)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"items": []any{int64(1)}, "gone": true, "kept": "x"}
	for _, with := range []bool{false, true} {
		var got map[string]any
		if with {
			got, err = p.ExecWith(&Env{}, data, "item", int64(7))
		} else {
			got, err = p.Exec(&Env{}, data)
		}
		if err == nil {
			t.Fatal("the script did not fail")
		}
		want := map[string]any{"a": int64(1), "b": "before", "items": []any{int64(1), int64(2)}, "kept": "x"}
		if with {
			want["item"] = int64(7)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("ExecWith=%v: data after the failure (-want +got):\n%s", with, d)
		}
	}
	if d := cmp.Diff(map[string]any{"items": []any{int64(1)}, "gone": true, "kept": "x"}, data); d != "" {
		t.Errorf("input changed:\n%s", d)
	}
}
