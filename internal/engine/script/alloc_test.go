package script

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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

// TestAllocationBudgetMemory runs the thirty-list script three times at
// once in a child process and reads the child's peak resident set (VmHWM):
// with the budget each run stops at 64 MiB, so the peak stays far below
// the gigabytes the runs would reach without it; afterwards the heap is
// back near where it started.
func TestAllocationBudgetMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	if os.Getenv("WAYMARK_ALLOC_CHILD") == "1" {
		allocChild()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAllocationBudgetMemory$")
	cmd.Env = append(os.Environ(), "WAYMARK_ALLOC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var hwm, heapAfter, refused, rssAfter int
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "ALLOC "); ok {
			if _, err := fmt.Sscan(v, &hwm, &heapAfter, &refused, &rssAfter); err != nil {
				t.Fatalf("child output %q: %v", line, err)
			}
		}
	}
	if hwm == 0 {
		t.Fatalf("child printed no figures:\n%s", out)
	}
	t.Logf("peak RSS %d MiB, RSS after %d MiB, heap in use after %d MiB, %d of 3 runs refused", hwm>>20, rssAfter>>20, heapAfter>>20, refused)
	if refused != 3 {
		t.Errorf("%d of 3 runs refused, want 3", refused)
	}
	// Each run may hold its 64 MiB budget live, and the collector lets the
	// heap grow to twice the live data before it runs (GOGC=100): three
	// runs may peak near 3 × 64 × 2 = 384 MiB, and how close they come
	// depends on when the collector gets the CPU on a busy machine.
	// Without the budget the same three runs took 6 GB.
	if hwm > 512<<20 {
		t.Errorf("peak RSS %d MiB, want under 512 MiB for three budgeted runs", hwm>>20)
	}
	if rssAfter > 96<<20 {
		t.Errorf("RSS after the runs %d MiB, want it back under 96 MiB", rssAfter>>20)
	}
	if heapAfter > 32<<20 {
		t.Errorf("heap in use after the runs %d MiB, want under 32 MiB", heapAfter>>20)
	}
}

func allocChild() {
	p, err := Compile("big", thirtyLists)
	if err != nil {
		fmt.Println("compile:", err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for range 3 {
		wg.Go(func() {
			_, err := p.Exec(nil, map[string]any{})
			var se *Error
			if errors.As(err, &se) && se.Kind == KindLimit {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// The package hands a large run's memory back by itself: wait for the
	// resident set to drop, without collecting here.
	rss := procStatus("VmRSS:")
	for deadline := time.Now().Add(20 * time.Second); rss > 96<<20 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		rss = procStatus("VmRSS:")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("ALLOC %d %d %d %d\n", procStatus("VmHWM:"), ms.HeapInuse, refused, rss)
}

// procStatus is a size from /proc/self/status in bytes: "VmHWM:" the peak
// resident set, "VmRSS:" the current one.
func procStatus(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb << 10
		}
	}
	return -1
}
