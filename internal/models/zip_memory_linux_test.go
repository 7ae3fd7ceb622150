// Linux only (the file name says so): the peak resident set is read from
// /proc/self/status.

package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestZipUploadMemory uploads eight zips of 16 MiB entries at once in a
// child process and reads its peak resident set (VmHWM): entries stream
// to disk and are checked one at a time, so the peak stays under 200 MB
// where holding the unpacked entries would take 384 MB and more.
func TestZipUploadMemory(t *testing.T) {
	if os.Getenv("WAYMARK_ZIP_CHILD") == "1" {
		zipChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestZipUploadMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "WAYMARK_ZIP_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var before, peak, written int
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ZIPMEM "); ok {
			if _, err := fmt.Sscan(v, &before, &peak, &written); err != nil {
				t.Fatalf("child output %q: %v", line, err)
			}
		}
	}
	if peak == 0 {
		t.Fatalf("child printed no figures:\n%s", out)
	}
	t.Logf("peak RSS %d MiB (%d MiB before the uploads), %d files written", peak>>20, before>>20, written)
	if written != 8*4 {
		t.Errorf("%d files written, want 32 (eight models of four files)", written)
	}
	if peak > 200<<20 {
		t.Errorf("peak RSS %d MiB for eight concurrent uploads, want under 200 MiB", peak>>20)
	}
}

func zipChild(t *testing.T) {
	ctx := context.Background()
	r, _ := openRepo(t, filepath.Join(t.TempDir(), "models"))
	zips := make([][]byte, 8)
	for i := range zips {
		zips[i] = bigZip(t, i)
	}
	runtime.GC()
	before := peakRSS(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	written := 0
	var errs []error
	for i := range zips {
		wg.Go(func() {
			res, err := r.UploadZip(ctx, "", zips[i], UploadOptions{})
			mu.Lock()
			defer mu.Unlock()
			written += len(res.Written)
			errs = append(errs, err)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ZIPMEM %d %d %d\n", before, peakRSS(t), written)
}

// peakRSS is the process's peak resident set in bytes (VmHWM).
func peakRSS(t testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
