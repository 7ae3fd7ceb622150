package engine_test

import (
	"fmt"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// Growth curves (docs/PERFORMANCE.md): how one step, a fan-out and a
// multi-instance activity cost as the instance grows.

// BenchmarkLoopStep completes the user task of a loop that has already run
// n iterations: the cost of one step late in a long instance.
func BenchmarkLoopStep(b *testing.B) {
	lib := parseBytes(b, "loop.bpmn", []byte(userLoop))
	for _, n := range []int{100, 400, 1600} {
		b.Run(fmt.Sprintf("after=%d", n), func(b *testing.B) {
			in, err := engine.Start(lib, engine.StartOptions{Process: "loop", Data: map[string]any{"n": 0, "limit": 1 << 30}}, engine.Env{})
			if err != nil {
				b.Fatal(err)
			}
			step := func() {
				ready := in.ReadyHuman()
				if err := in.Complete(ready[0].ID, nil); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < n; i++ {
				step()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
		})
	}
}

// BenchmarkFanOut runs a parallel split into n script tasks and their join.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{100, 1000, 4000} {
		lib := parseBytes(b, "wide.bpmn", wideJoin("parallelGateway", n))
		b.Run(fmt.Sprintf("branches=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := engine.Start(lib, engine.StartOptions{Process: "wide"}, engine.Env{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMultiInstanceSnapshot runs an n-item multi-instance activity to
// the user task after it and snapshots the instance; it reports the
// snapshot's size.
func BenchmarkMultiInstanceSnapshot(b *testing.B) {
	for _, seq := range []bool{false, true} {
		lib := parseBytes(b, "mi.bpmn", []byte(miProcess(seq)))
		for _, n := range []int{100, 1000, 10000} {
			items := make([]any, n)
			for i := range items {
				items[i] = int64(i)
			}
			name := "parallel"
			if seq {
				name = "sequential"
			}
			b.Run(fmt.Sprintf("%s/items=%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				var size int
				for i := 0; i < b.N; i++ {
					in, err := engine.Start(lib, engine.StartOptions{Process: "mi", Data: map[string]any{"items": items}}, engine.Env{})
					if err != nil {
						b.Fatal(err)
					}
					snap, err := in.Snapshot()
					if err != nil {
						b.Fatal(err)
					}
					size = len(snap)
				}
				b.ReportMetric(float64(size), "snapshot-bytes")
			})
		}
	}
}
