package runner_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// startLongrun starts the longrun model with items multi-instance items
// and then completes its looping user task iterations times, each a step
// through the runner stored in the SQLite file. It returns the instance.
func startLongrun(tb testing.TB, e *env, items, iterations int) int64 {
	tb.Helper()
	ctx := context.Background()
	list := make([]any, items)
	for i := range list {
		list[i] = i
	}
	id, err := e.runner.Start(ctx, alice, "group/longrun", "", map[string]any{"items": list, "n": 0, "limit": 1 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	for range iterations {
		completeWork(tb, e, id)
	}
	return id
}

// completeWork completes the open "work" task of the longrun instance.
func completeWork(tb testing.TB, e *env, id int64) {
	tb.Helper()
	ctx := context.Background()
	tasks, err := e.store.InstanceHumanTasks(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	for i := len(tasks) - 1; i >= 0; i-- {
		if h := tasks[i]; h.ElementID == "work" && h.State == "open" {
			if err := e.runner.CompleteTask(ctx, alice, id, h.TaskID, nil); err != nil {
				tb.Fatal(err)
			}
			return
		}
	}
	tb.Fatalf("instance %d has no open work task", id)
}

// cpuTime is the processor time the test process has used (user and
// system, every thread): on a machine shared with other work it says more
// about a step's cost than the wall time does.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStepAfterHistory: one step (completing a user task, through the
// runner, into a SQLite file) of an instance that has a long history: a
// 10,000-item multi-instance activity, or 1,600 iterations of a user-task
// loop. It reports the size of the instance's snapshot and the snapshot
// bytes the step wrote, and the processor time of a step.
func BenchmarkStepAfterHistory(b *testing.B) {
	for _, c := range []struct{ items, iterations int }{{10000, 0}, {1, 1600}, {1, 100}} {
		b.Run(fmt.Sprintf("items=%d/iterations=%d", c.items, c.iterations), func(b *testing.B) {
			e := newBenchEnv(b, "longrun")
			id := startLongrun(b, e, c.items, c.iterations)
			before := e.store.WriteStats()
			cpuBefore := cpuTime(b)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				completeWork(b, e, id)
			}
			b.StopTimer()
			cpu := cpuTime(b) - cpuBefore
			after := e.store.WriteStats()
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/step")
			in := instance(b, e, id)
			b.ReportMetric(float64(len(in.Snapshot)), "snapshot-bytes")
			b.ReportMetric(float64(after.SnapshotBytes-before.SnapshotBytes)/float64(b.N), "written-bytes/step")
		})
	}
}
