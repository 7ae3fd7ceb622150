package script

import (
	"errors"
	"strings"
	"testing"
)

// thirtyLists builds 30 lists of 16 MiB each (1 Mi items of 16 bytes),
// every one under the per-value limit: 480 MiB in all.
const thirtyLists = `keep = []
for i in range(30):
    block = [i] * (1024 * 1024)
    keep.append(block)
n = len(keep)
`

// TestAllocationBudget: a run that builds more than Env.MaxBytes in total is
// refused with a limit error on the line that crossed the budget, whatever
// operation built the values; runs under the budget are unaffected.
func TestAllocationBudget(t *testing.T) {
	small := &Env{MaxBytes: 8 << 20} // the same accounting, less to build
	cases := []struct {
		name string
		src  string
		env  *Env
		line int    // 0: the run must succeed
		msg  string // the message's start, when not the memory limit's
	}{
		{name: "thirty lists of 16 MiB", src: thirtyLists, line: 3},
		{name: "strings by repetition", src: "keep = []\nfor i in range(30):\n    keep.append('x' * (16 << 20))", line: 3},
		{name: "concatenation", src: "s = 'ab' * (1 << 20)\nkeep = []\nfor i in range(100):\n    keep.append(s + s)", line: 4},
		{name: "list()", src: "r = range(1 << 17)\nkeep = [list(r) for i in range(10)]", env: small, line: 2},
		{name: "str.join", src: "parts = ['abcdefgh'] * 1000\nkeep = []\nfor i in range(20000):\n    keep.append(''.join(parts))", line: 4},
		{name: "str.replace", src: "s = 'a' * (1 << 20)\nkeep = []\nfor i in range(10):\n    keep.append(s.replace('a', 'b'))", env: small, line: 4},
		{name: "json.dumps", src: "import json\nd = {'k': 'v' * (4 << 20)}\nkeep = [json.dumps(d) for i in range(20)]", line: 3},
		{name: "dict comprehension items", src: "d = {i: i for i in range(100000)}\nkeep = []\nfor i in range(20):\n    keep.append(d.items())", line: 4},
		{name: "f-string", src: "s = 'x' * (4 << 20)\nkeep = []\nfor i in range(20):\n    keep.append(f'{s}{i}')", line: 4},
		{name: "bytes by repetition", src: "keep = []\nfor i in range(10):\n    keep.append(b'ab' * (4 << 20))", line: 3},
		{name: "sorted()", src: "r = range(1 << 17)\nkeep = [sorted(r) for i in range(10)]", env: small, line: 2},
		{name: "str() of a list", src: "r = list(range(1 << 15))\nkeep = [str(r) for i in range(100)]", env: small, line: 2},
		{name: "%-formatting", src: "s = 'x' * (1 << 20)\nkeep = ['%s!' % s for i in range(100)]", line: 2},
		{name: "set()", src: "keep = [set(range(1 << 15)) for i in range(20)]", env: small, line: 1},
		{name: "list comprehension", src: "keep = []\nfor i in range(100):\n    keep.append([j for j in range(50000)])", env: small, line: 3},
		{name: "dict comprehension", src: "keep = []\nfor i in range(100):\n    keep.append({j: j for j in range(20000)})", env: small, line: 3},
		// Doubling an item or repeating a string in place meets the
		// per-value limit before it builds (it used to build gigabytes).
		{name: "+= on a dict item", src: "d = {'k': 'x'}\nfor i in range(40):\n    d['k'] += d['k']", line: 3, msg: "result of + with 33554432 items exceeds the limit"},
		{name: "*= on a string", src: "s = 'x'\ns *= 100000000", line: 2, msg: "result of * with 100000000 items exceeds the limit"},
		{name: "+= on a dict item under the value limit", src: "d = {'k': 'x' * (1 << 20)}\nkeep = []\nfor i in range(20):\n    d['k'] += 'y'\n    keep.append(d['k'])", env: small, line: 4},
		{name: "+= keeping copies", src: "s = 'x' * (1 << 20)\nkeep = []\nfor i in range(100):\n    keep.append(s)\n    s += 'y'", env: small, line: 5},
		// Charged for the nested values they build, not only the top list.
		{name: "json.loads of many objects", src: "import json\ntext = json.dumps([{'a': i, 'b': 'x'} for i in range(20000)])\nkeep = [json.loads(text) for i in range(10)]", env: small, line: 3},
		{name: "copy.deepcopy", src: "import copy\nrows = [[i, i] for i in range(20000)]\nkeep = [copy.deepcopy(rows) for i in range(15)]", env: small, line: 3},
		{name: "a lower budget", src: "s = 'x' * 2000", env: &Env{MaxBytes: 1000}, line: 1},
		{name: "reading a large value often costs nothing", src: "big = [0] * (1 << 20)\nt = 0\nfor i in range(100):\n    b = big\n    t += len(b) + len(big[0:1])"},
		{name: "list += keeps the list", src: "a = [1]\nb = a\na += (2, 3)\nc = [0]\nd = c\nc *= 3\nn = 0\nfor i in range(100000):\n    n += i\nok = b == [1, 2, 3] and d == [0, 0, 0] and a is b and c is d\nif not ok:\n    fail"},
		{name: "under the budget", src: "s = ''\nfor i in range(1000):\n    s += str(i)\nparts = [s] * 1000\nout = len(''.join(parts))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile("Activity_big script", c.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Exec(c.env, map[string]any{})
			if c.line == 0 {
				if err != nil {
					t.Fatalf("Exec: %v", err)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Exec error = %v, want a limit *Error", err)
			}
			want := c.msg
			if want == "" {
				want = "script exceeded the memory limit of "
			}
			if se.Kind != KindLimit || se.Line != c.line || !strings.HasPrefix(se.Msg, want) {
				t.Errorf("error = %+v, want kind limit, line %d, message starting %q", se, c.line, want)
			}
			if !strings.Contains(se.Error(), "Activity_big script") {
				t.Errorf("Error() = %q, want it to name the script", se.Error())
			}
		})
	}
}

// TestAllocationBudgetNotCatchable: try/except does not swallow the limit.
func TestAllocationBudgetNotCatchable(t *testing.T) {
	p, err := Compile("s", "try:\n    x = 'a' * 5000\nexcept Exception:\n    x = 'caught'")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Exec(&Env{MaxBytes: 4096}, nil)
	var se *Error
	if !errors.As(err, &se) || se.Kind != KindLimit {
		t.Fatalf("Exec error = %v, want a limit error", err)
	}
}
