package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/config"
)

// writeRepo1000 writes a repository of 50 groups of 20 models, each with
// a one-task BPMN file: 1,000 models that may be started.
func writeRepo1000(b *testing.B, dir string) {
	b.Helper()
	for g := range 50 {
		gdir := filepath.Join(dir, fmt.Sprintf("group-%02d", g))
		if err := os.MkdirAll(gdir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(gdir, "process_group.json"), fmt.Appendf(nil, `{"display_name": "Department %02d"}`, g), 0o644); err != nil {
			b.Fatal(err)
		}
		for m := range 20 {
			id := fmt.Sprintf("proc_%02d_%02d", g, m)
			mdir := filepath.Join(gdir, fmt.Sprintf("model-%02d", m))
			if err := os.MkdirAll(mdir, 0o755); err != nil {
				b.Fatal(err)
			}
			bpmn := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_%[1]s" targetNamespace="http://waymark.test/%[1]s">
  <bpmn:process id="%[1]s" name="Request %[1]s" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:manualTask id="task" name="Do it" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`, id)
			pm := fmt.Sprintf(`{"display_name": "Request %02d-%02d", "description": "Asks department %02d for thing %02d.", "primary_file_name": "main.bpmn", "primary_process_id": %q}`, g, m, g, m, id)
			for name, body := range map[string]string{"main.bpmn": bpmn, "process_model.json": pm} {
				if err := os.WriteFile(filepath.Join(mdir, name), []byte(body), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// benchPages1000 benchmarks GET of a page of a 1,000-model repository as a
// signed-in user, reporting the median and 95th percentile of the
// requests' durations.
func benchPages1000(b *testing.B, path string) {
	dir := b.TempDir()
	models := filepath.Join(dir, "models")
	writeRepo1000(b, models)
	perms := filepath.Join(dir, "permissions.yml")
	if err := os.WriteFile(perms, []byte("default_group: everybody\nusers:\n  bench:\n    password: bench-secret\n"+"permissions:\n  basic:\n    groups: [everybody]\n    actions: [all]\n    uri: BASIC\n  start:\n    groups: [everybody]\n    actions: [read, start]\n    uri: PG:ALL\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_DATA_DIR": dir, "WAYMARK_MODELS_DIR": models,
		"WAYMARK_EXAMPLES": "false", "WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_LOG_LEVEL": "error"}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, newLogger(io.Discard, cfg))
	if err != nil {
		b.Fatal(err)
	}
	go a.serve()
	b.Cleanup(func() { a.Close(context.Background()) })
	base := "http://" + a.addr()
	c, _ := benchClient(b, base)
	get := func() {
		resp, err := c.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n < 100_000 {
			b.Fatalf("GET %s: %d, %d bytes", path, resp.StatusCode, n)
		}
	}
	get()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		get()
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(durations[len(durations)/2]), "p50-ms")
	b.ReportMetric(ms(durations[len(durations)*95/100]), "p95-ms")
}

// BenchmarkStartPage1000: the Start new page of 1,000 models.
func BenchmarkStartPage1000(b *testing.B) { benchPages1000(b, "/start") }

// BenchmarkModelTree1000: the models page (the tree) of 1,000 models.
func BenchmarkModelTree1000(b *testing.B) { benchPages1000(b, "/models") }
