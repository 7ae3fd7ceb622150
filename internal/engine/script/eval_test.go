package script

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEval(t *testing.T) {
	data := map[string]any{
		"amount": int64(1500), "status": "approved", "items": []any{"a", "b"},
		"user": map[string]any{"name": "Ada", "groups": []any{"finance"}}, "flag": nil,
	}
	cases := []struct {
		name string
		src  string
		want any
	}{
		{"comparison", "amount > 1000", true},
		{"string equality", `status == "approved"`, true},
		{"membership", `"finance" in user["groups"]`, true},
		{"not with parentheses", "not(flag)", true},
		{"is None", "flag is None", true},
		{"arithmetic", "amount * 2 // 3", int64(1000)},
		{"timer literal", `"PT1H"`, "PT1H"},
		{"list expression", "[i.upper() for i in items]", []any{"A", "B"}},
		{"dict payload", `{"amount": amount, "who": user["name"]}`, map[string]any{"amount": int64(1500), "who": "Ada"}},
		{"len", "len(items)", int64(2)},
		{"surrounding whitespace", "\n   amount >= 1500\n  ", true},
		{"multi-line in brackets", "(amount > 1\n and status)", "approved"},
		{"datetime value becomes str", "datetime(2026, 1, 5, 9)", "2026-01-05 09:00:00"},
		{"ternary", `"high" if amount > 1000 else "low"`, "high"},
		{"tuple becomes list", "1, 2", []any{int64(1), int64(2)}},
		{"dmn style", "100 <= amount <= 2000", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := CompileExpr(tc.name, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Eval(nil, data)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			b, err := e.EvalBool(nil, data)
			if err != nil {
				t.Fatal(err)
			}
			if b != Truthy(got) {
				t.Errorf("EvalBool = %v, Truthy(Eval) = %v", b, Truthy(got))
			}
		})
	}
}

func TestSource(t *testing.T) {
	p, _ := Compile("p", "x = 1\n")
	e, _ := CompileExpr("e", " x > 1 ")
	if p.Source() != "x = 1\n" || e.Source() != " x > 1 " {
		t.Errorf("Source() = %q, %q", p.Source(), e.Source())
	}
}

func TestHostEnvironment(t *testing.T) {
	var gotArgs []any
	var gotKw map[string]any
	env := &Env{
		Now: testClock,
		Funcs: map[string]Func{
			"get_current_user": func(args []any, kw map[string]any) (any, error) {
				return map[string]any{"username": "ada", "id": int64(7)}, nil
			},
			"record": func(args []any, kw map[string]any) (any, error) {
				gotArgs, gotKw = args, kw
				return nil, nil
			},
			"get_localtime": func(args []any, kw map[string]any) (any, error) {
				return time.Date(2026, 1, 5, 4, 30, 0, 0, time.FixedZone("EST", -5*3600)), nil
			},
			"typed": func(args []any, kw map[string]any) (any, error) {
				return []map[string]string{{"id": "1"}, {"id": "2"}}, nil
			},
			"fail": func(args []any, kw map[string]any) (any, error) {
				return nil, errors.New("secret store unavailable")
			},
		},
		Globals: map[string]any{"data_object": map[string]any{"limit": int64(10)}},
	}
	p, err := Compile("host", `user = get_current_user()["username"]
record(1, "a", [datetime(2026, 1, 1)], flag=True)
local = get_localtime().strftime("%H:%M %Z")
over = data_object["limit"] < 20
ids = [r["id"] for r in typed()]
try:
    fail()
except Exception as e:
    why = str(e)`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Exec(env, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"user": "ada", "local": "04:30 EST", "over": true, "ids": []any{"1", "2"}, "why": "secret store unavailable"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("data (-want +got)\n%s", d)
	}
	if d := cmp.Diff([]any{int64(1), "a", []any{"2026-01-01 00:00:00"}}, gotArgs); d != "" {
		t.Errorf("args (-want +got)\n%s", d)
	}
	if d := cmp.Diff(map[string]any{"flag": true}, gotKw); d != "" {
		t.Errorf("kwargs (-want +got)\n%s", d)
	}
	e, err := CompileExpr("cond", "data_object['limit'] > 5")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.EvalBool(env, nil); err != nil || !ok {
		t.Errorf("condition over Env.Globals = %v, %v", ok, err)
	}
}

// A data key may shadow a built-in name, as in Python's exec namespace.
func TestDataShadowsBuiltin(t *testing.T) {
	p, err := Compile("shadow", "kind = type\nn = len(items)\nis_invoice = type == 'invoice'")
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Exec(nil, map[string]any{"type": "invoice", "items": []any{int64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "invoice", "items": []any{int64(1)}, "kind": "invoice", "n": int64(1), "is_invoice": true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	// Without the shadowing key the same program uses the built-in.
	got, err = p.Exec(nil, map[string]any{"items": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	if got["is_invoice"] != false || got["n"] != int64(0) {
		t.Errorf("built-in run = %v", got)
	}
}

func TestExecDoesNotMutateInput(t *testing.T) {
	build := func() map[string]any {
		return map[string]any{
			"list":  []any{int64(1), map[string]any{"k": "v"}},
			"dict":  map[string]any{"inner": []any{"a"}, "n": int64(1)},
			"count": int64(1),
			"gone":  "x",
		}
	}
	data := build()
	p, err := Compile("mutate", `list.append(2)
list[1]["k"] = "changed"
dict["inner"].append("b")
dict["n"] += 1
del dict["n"]
count += 1
del gone
alias = list
alias.pop(0)`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Exec(nil, data)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(build(), data); d != "" {
		t.Errorf("input changed (-before +after)\n%s", d)
	}
	want := map[string]any{
		"list":  []any{map[string]any{"k": "changed"}, int64(2)},
		"alias": []any{map[string]any{"k": "changed"}, int64(2)},
		"dict":  map[string]any{"inner": []any{"a", "b"}},
		"count": int64(2),
	}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("output (-want +got)\n%s", d)
	}
	// Globals stay untouched too.
	g := map[string]any{"obj": []any{int64(1)}}
	env := &Env{Globals: g}
	q, _ := Compile("globals", "obj.append(2)\nn = len(obj)")
	out, err = q.Exec(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]any{"obj": []any{int64(1)}}, g); d != "" {
		t.Errorf("globals changed: %s", d)
	}
	if d := cmp.Diff(map[string]any{"n": int64(2)}, out); d != "" {
		t.Errorf("globals are not returned: %s", d)
	}
}

func TestDeterministicClock(t *testing.T) {
	p, err := Compile("clock", "from datetime import date\nnow = datetime.now()\nd = date.today()\nts = time.time()\ndue = now + timedelta(days=2)")
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC) }
	first, err := p.Exec(&Env{Now: clock}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		again, err := p.Exec(&Env{Now: clock}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(first, again); d != "" {
			t.Fatalf("run %d differs:\n%s", i, d)
		}
	}
	want := map[string]any{"now": "2030-06-01 12:00:00", "d": "2030-06-01", "ts": 1906545600.0, "due": "2030-06-03 12:00:00"}
	if d := cmp.Diff(want, first); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestRandomWithSeed(t *testing.T) {
	p, err := Compile("random", "import random\nr = [random.randint(1, 100) for _ in range(5)]\nc = random.choice('abc')")
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(42)
	a, err := p.Exec(&Env{RandomSeed: &seed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Exec(&Env{RandomSeed: &seed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("same seed, different results:\n%s", d)
	}
}

func TestConcurrentRuns(t *testing.T) {
	p, err := Compile("concurrent", "total = 0\nfor i in range(n):\n    total += i\ntry:\n    missing\nexcept NameError:\n    caught = True\nlabel = f'{total:,}'")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				n := int64(g*10 + i)
				out, err := p.Exec(nil, map[string]any{"n": n})
				if err != nil {
					errs <- err
					return
				}
				if want := n * (n - 1) / 2; out["total"] != want || out["caught"] != true {
					errs <- fmt.Errorf("n=%d: got %v", n, out)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTruthyAndToPython(t *testing.T) {
	truthy := []struct {
		v    any
		want bool
	}{
		{nil, false}, {false, false}, {true, true}, {int64(0), false}, {int64(3), true}, {0.0, false},
		{"", false}, {"x", true}, {[]any{}, false}, {[]any{nil}, true}, {map[string]any{}, false}, {map[string]any{"a": nil}, true},
	}
	for _, tc := range truthy {
		if got := Truthy(tc.v); got != tc.want {
			t.Errorf("Truthy(%#v) = %v", tc.v, got)
		}
	}
	py := []struct {
		v    any
		want string
	}{
		{nil, "None"}, {true, "True"}, {int64(3), "3"}, {2.0, "2.0"}, {"it's", "it's"},
		{[]any{"a", int64(1), nil}, "['a', 1, None]"}, {map[string]any{"b": 1.5, "a": false}, "{'a': False, 'b': 1.5}"},
		{time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), "2026-01-05 09:00:00+00:00"}, {90 * time.Minute, "1:30:00"},
	}
	for _, tc := range py {
		if got := ToPython(tc.v); got != tc.want {
			t.Errorf("ToPython(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
