package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/pgtest"
)

// TestBenchRuns drives a small run in each mode through the real server,
// with starts and inbox reads mixed in, and checks the report: the asked
// number of completions acknowledged, none lost or doubled, no errors,
// and a raw write ceiling measured on the recorded writes.
// On PostgreSQL (-database) the run is the same, without the ceiling,
// which replays on a copy of the SQLite file.
func TestBenchRuns(t *testing.T) {
	for _, run := range []struct{ name, mode, db string }{{"json", "json", ""}, {"form", "form", ""}, {"postgres/form", "form", "postgres"}} {
		t.Run(run.name, func(t *testing.T) {
			var out strings.Builder
			o := benchOptions{mode: run.mode, clients: 4, count: 40, duration: time.Minute, instances: 30, sync: "NORMAL",
				startEvery: 3, inboxEvery: 4, rawUnits: 1000}
			want := []string{"errors by status: none", "; 0 missing, 0 stored more than once", "raw write ceiling: "}
			if run.db == "postgres" {
				o.database = pgtest.NewDatabase(t)
				want = want[:2]
			}
			if err := runBench(context.Background(), &out, t.TempDir(), o); err != nil {
				t.Fatalf("bench: %v\n%s", err, out.String())
			}
			report := out.String()
			t.Log(report)
			for _, want := range want {
				if !strings.Contains(report, want) {
					t.Errorf("report lacks %q", want)
				}
			}
			m := regexp.MustCompile(`check: (\d+) acknowledged completions`).FindStringSubmatch(report)
			if m == nil {
				t.Fatal("no check line")
			}
			// -count caps the completions (reviews and the submits of
			// instances started during the run) at 40, and the seeded
			// and started tasks are more than that.
			if n, _ := strconv.Atoi(m[1]); n != 40 {
				t.Errorf("%d completions acknowledged, want 40", n)
			}
			for _, op := range []string{"start", "inbox"} {
				if !regexp.MustCompile(`(?m)^` + op + ` +[1-9]`).MatchString(report) {
					t.Errorf("no successful %s requests in the report", op)
				}
			}
		})
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-mode", "soap"}, {"-clients", "0"}, {"-sync", "OFF"}, {"-duration", "0s"}, {"-database", "/tmp/waymark.db"}} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"web", "bench"}, args...), &stdout, &stderr, func(string) string { return "" })
		if code != 2 || !strings.Contains(stderr.String(), strings.TrimPrefix(args[0], "-")) {
			t.Errorf("bench %v: exit %d, stderr %q; want 2 and a message naming the flag", args, code, stderr.String())
		}
	}
}
