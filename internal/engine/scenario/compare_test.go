package scenario

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// result builds a Result from its expected.json form.
func result(t *testing.T, js string) *Result {
	t.Helper()
	var r Result
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestCompare(t *testing.T) {
	const base = `{"status":"completed","trace":["s","a","b","e"],"ready":[],"waiting":[],"data":{"x":1,"l":[1,{"k":true}],"m":{"n":"v"}}}`
	cases := []struct {
		name   string
		actual string
		want   []string // each must occur in one difference, in order
	}{
		{"identical", base, nil},
		{"numbers compare by value, lists by order and content",
			`{"status":"completed","trace":["s","a","b","e"],"ready":[],"waiting":[],"data":{"x":1.0,"l":[1.0,{"k":true}],"m":{"n":"v"}}}`, nil},
		{"status differs: nothing else is compared",
			`{"status":"error","error_task":"a","error":"boom","trace":[],"ready":[],"waiting":[],"data":{}}`, []string{`status: expected "completed", got "error" (error: boom)`}},
		{"a missing key, a different value and an extra key",
			`{"status":"completed","trace":["s","a","b","e"],"ready":[],"waiting":[],"data":{"l":[1,{"k":1}],"m":{"n":"v"},"extra":2}}`,
			[]string{`data["l"]: expected [1,{"k":true}], got [1,{"k":1}]`, `data["x"]: missing (expected 1)`, `data["extra"]: not expected, got 2`}},
		{"a completion too many in the trace",
			`{"status":"completed","trace":["s","a","a","b","e"],"ready":[],"waiting":[],"data":{"x":1,"l":[1,{"k":true}],"m":{"n":"v"}}}`,
			[]string{"trace: expected [s a b e], got [s a a b e]"}},
		{"ready tasks differ",
			`{"status":"completed","trace":["s","a","b","e"],"ready":["u"],"waiting":[],"data":{"x":1,"l":[1,{"k":true}],"m":{"n":"v"}}}`,
			[]string{"ready: expected [], got [u]"}},
		{"nested maps are compared whole",
			`{"status":"completed","trace":["s","a","b","e"],"ready":[],"waiting":[],"data":{"x":1,"l":[1,{"k":true}],"m":{"n":"v","o":1}}}`,
			[]string{`data["m"]: expected {"n":"v"}, got {"n":"v","o":1}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Compare(result(t, base), result(t, c.actual))
			if len(got) != len(c.want) {
				t.Fatalf("differences %q, want %d", got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("difference %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
	t.Run("an expected error needs an error", func(t *testing.T) {
		exp := result(t, `{"status":"error","error_task":"a","error":"boom","trace":[],"ready":[],"waiting":[],"data":{}}`)
		got := Compare(exp, result(t, `{"status":"error","error_task":"b","trace":[],"ready":[],"waiting":[],"data":{}}`))
		if !slices.Equal(got, []string{`error_task: expected "a", got "b"`, "error: expected an error message, got none"}) {
			t.Errorf("differences %q", got)
		}
	})
	t.Run("ready and waiting are multisets", func(t *testing.T) {
		exp := result(t, `{"status":"waiting","trace":[],"ready":["u","v","u"],"waiting":["w"],"data":{}}`)
		if got := Compare(exp, result(t, `{"status":"waiting","trace":[],"ready":["v","u","u"],"waiting":["w"],"data":{}}`)); len(got) != 0 {
			t.Errorf("differences %q for the same tasks in another order", got)
		}
		if got := Compare(exp, result(t, `{"status":"waiting","trace":[],"ready":["v","u"],"waiting":["w"],"data":{}}`)); len(got) != 1 {
			t.Errorf("differences %q, want one for a missing duplicate", got)
		}
	})
	t.Run("an empty expected data map is still compared", func(t *testing.T) {
		exp := result(t, `{"status":"completed","trace":[],"ready":[],"waiting":[],"data":{}}`)
		if got := Compare(exp, result(t, `{"status":"completed","trace":[],"ready":[],"waiting":[],"data":{"x":1}}`)); len(got) != 1 {
			t.Errorf("differences %q, want the extra key", got)
		}
	})
}

func TestDropFromTrace(t *testing.T) {
	got, err := DropFromTrace([]string{"s", "sub", "a", "sub", "e"}, []string{"sub", "e"})
	if err != nil || !slices.Equal(got, []string{"s", "a", "sub"}) {
		t.Errorf("DropFromTrace = %v, %v; want one completion of each dropped", got, err)
	}
	if _, err := DropFromTrace([]string{"s"}, []string{"ghost"}); err == nil || !strings.Contains(err.Error(), `"ghost"`) {
		t.Errorf("dropping an id the trace lacks: err = %v", err)
	}
}
