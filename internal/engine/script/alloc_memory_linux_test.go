// Linux only (the file name says so): the peak resident set is read from
// /proc/self/status.

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

// TestAllocationBudgetMemory runs the thirty-list script three times at
// once in a child process and reads the child's peak resident set (VmHWM):
// with the budget each run stops at 64 MiB, so the peak stays far below
// the gigabytes the runs would reach without it; afterwards the heap is
// back near where it started.
func TestAllocationBudgetMemory(t *testing.T) {
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
