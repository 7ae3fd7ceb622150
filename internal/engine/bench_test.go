package engine_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var benchClock = fixedClock{time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}

// benchLibrary parses one of the shared benchmark diagrams.
func benchLibrary(b testing.TB, name string) *spec.Library {
	b.Helper()
	path := filepath.Join("..", "..", "..", "shared", "conformance", "bench", name)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("the shared benchmark diagrams are missing (expected %s next to the repository): %v", path, err)
	}
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: name, Data: data})
	if err != nil {
		b.Fatal(err)
	}
	return lib
}

// runBench starts one instance per op and runs it to completion.
func runBench(b *testing.B, file, process string, data map[string]any) {
	lib := benchLibrary(b, file)
	env := engine.Env{Clock: benchClock}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in, err := engine.Start(lib, engine.StartOptions{Process: process, Data: data}, env)
		if err != nil {
			b.Fatal(err)
		}
		if in.Status() != engine.Done {
			b.Fatalf("instance did not complete: %v %v", in.Status(), in.Err())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
}

func BenchmarkSeq10(b *testing.B)   { runBench(b, "seq10.bpmn", "seq10", map[string]any{"x": int64(1)}) }
func BenchmarkPar10(b *testing.B)   { runBench(b, "par10.bpmn", "par10", nil) }
func BenchmarkLoop100(b *testing.B) { runBench(b, "loop100.bpmn", "loop100", nil) }
func BenchmarkMI50(b *testing.B)    { runBench(b, "mi50.bpmn", "mi50", nil) }

// BenchmarkSnapshotPar10 serialises and restores a completed par10 instance.
func BenchmarkSnapshotPar10(b *testing.B) {
	lib := benchLibrary(b, "par10.bpmn")
	env := engine.Env{Clock: benchClock}
	in, err := engine.Start(lib, engine.StartOptions{Process: "par10"}, env)
	if err != nil || in.Status() != engine.Done {
		b.Fatalf("par10 did not complete: %v", err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := in.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := engine.Restore(lib, data, env); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
}
