package models

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestProcessesStartedBy finds the processes a message or signal starts
// across the repository, and follows a model's file being removed.
func TestProcessesStartedBy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "g", "process_group.json"), `{"display_name": "G"}`)
	for _, m := range []struct{ id, file, proc string }{
		{"sender", "sender.bpmn", "sender"}, {"receiver", "receiver.bpmn", "receiver"},
	} {
		data, err := os.ReadFile(filepath.Join("..", "runner", "testdata", "msg"+m.id, m.file))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "g", m.id, "process_model.json"),
			`{"display_name": "`+m.id+`", "primary_file_name": "`+m.file+`", "primary_process_id": "`+m.proc+`"}`)
		writeFile(t, filepath.Join(dir, "g", m.id, m.file), string(data))
	}
	r, _ := openRepo(t, dir)

	procs, err := r.ProcessesStartedBy(ctx, "message", "order_request")
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) != 1 || procs[0].ID != "receiver" || procs[0].File != "g/receiver/receiver.bpmn" {
		t.Fatalf("started by order_request: %v, want the receiver process in g/receiver", procs)
	}
	// The reply is caught by a receive task, not a start event.
	if procs, err := r.ProcessesStartedBy(ctx, "message", "order_reply"); err != nil || len(procs) != 0 {
		t.Fatalf("started by order_reply: %v, %v; want none", procs, err)
	}
	if procs, err := r.ProcessesStartedBy(ctx, "signal", "order_request"); err != nil || len(procs) != 0 {
		t.Fatalf("started by signal order_request: %v, %v; want none (it is a message)", procs, err)
	}
	if procs, err := r.ProcessesStartedBy(ctx, "timer", ""); err != nil || len(procs) != 0 {
		t.Fatalf("timer starts: %v, %v; want none", procs, err)
	}
	if _, err := r.ProcessesStartedBy(ctx, "error", "x"); err == nil {
		t.Fatal("kind error was accepted")
	}

	if err := os.Remove(filepath.Join(dir, "g", "receiver", "receiver.bpmn")); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if procs, err := r.ProcessesStartedBy(ctx, "message", "order_request"); err != nil || len(procs) != 0 {
		t.Fatalf("after removing the receiver: %v, %v; want none", procs, err)
	}
}

// BenchmarkProcessesStartedByCorpus: one look-up of the timer start events
// over the SpiffArena sample repository (what every scheduler tick does).
func BenchmarkProcessesStartedByCorpus(b *testing.B) {
	r, _ := openRepo(b, copyCorpus(b))
	ctx := context.Background()
	procs, err := r.ProcessesStartedBy(ctx, "timer", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := r.ProcessesStartedBy(ctx, "timer", ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(r.state().procs)), "processes")
	b.ReportMetric(float64(len(procs)), "timer-started")
}
