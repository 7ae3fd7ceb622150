package models

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckTreeFindsChangesBeside: files copied in by hand, edited,
// removed, are found by their stamp and rescanned; hidden folders (.git)
// and changes made through Repo are not rescanned again.
func TestCheckTreeFindsChangesBeside(t *testing.T) {
	r, _, dir := smallRepo(t)
	ctx := context.Background()
	if err := r.checkTree(ctx); err != errUnchanged {
		t.Fatalf("a tree as scanned: %v, want unchanged", err)
	}
	search := func(q string) int {
		t.Helper()
		got, err := r.SearchProcesses(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}

	// A model copied in by hand.
	writeFile(t, filepath.Join(dir, "hr", "leave", modelFile), `{"display_name": "Leave"}`)
	writeFile(t, filepath.Join(dir, "hr", "leave", "leave.bpmn"), diagram("leave_request"))
	if _, err := r.Model("hr/leave"); err == nil {
		t.Fatal("the copied model is known before the check")
	}
	if err := r.checkTree(ctx); err != nil {
		t.Fatalf("after a copy: %v, want a rescan", err)
	}
	if m, err := r.Model("hr/leave"); err != nil || m.DisplayName != "Leave" {
		t.Fatalf("copied model: %v, %v", m, err)
	}
	if search("leave_request") != 1 {
		t.Error("the copied model's process is not in the index")
	}
	if err := r.checkTree(ctx); err != errUnchanged {
		t.Fatalf("after the rescan: %v, want unchanged", err)
	}

	// A diagram edited in place: same size, later modification time.
	p := filepath.Join(dir, "hr", "leave", "leave.bpmn")
	writeFile(t, p, diagram("leave_reqxest")) // as long as leave_request
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	if err := r.checkTree(ctx); err != nil {
		t.Fatalf("after an edit: %v, want a rescan", err)
	}
	if search("leave_request") != 0 || search("leave_reqxest") != 1 {
		t.Error("the edited diagram's process is not what the index holds")
	}

	// Hidden folders are not the repository's.
	writeFile(t, filepath.Join(dir, ".git", "FETCH_HEAD"), "abc")
	if err := r.checkTree(ctx); err != errUnchanged {
		t.Fatalf("after a change under .git: %v, want unchanged", err)
	}

	// A save through Repo rescans at once; the check finds nothing more.
	if _, err := r.SaveFile(ctx, "hr/leave", "leave.bpmn", []byte(diagram("leave_request")), false); err != nil {
		t.Fatal(err)
	}
	if err := r.checkTree(ctx); err != errUnchanged {
		t.Fatalf("after a save through the repository: %v, want unchanged", err)
	}

	// A model removed by hand.
	if err := os.RemoveAll(filepath.Join(dir, "hr", "leave")); err != nil {
		t.Fatal(err)
	}
	if err := r.checkTree(ctx); err != nil {
		t.Fatalf("after a removal: %v, want a rescan", err)
	}
	if _, err := r.Model("hr/leave"); err == nil {
		t.Error("the removed model is still known")
	}
	if search("leave_request") != 0 {
		t.Error("the removed model's process is still in the index")
	}
}

// TestWatchRescans: Watch finds a model copied in while it runs and
// reports the rescan.
func TestWatchRescans(t *testing.T) {
	r, _, dir := smallRepo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := make(chan error, 10)
	go r.Watch(ctx, 10*time.Millisecond, func(err error) { reports <- err })
	writeFile(t, filepath.Join(dir, "hr", "leave", modelFile), `{"display_name": "Leave"}`)
	select {
	case err := <-reports:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no rescan reported")
	}
	if _, err := r.Model("hr/leave"); err != nil {
		t.Fatalf("the copied model after the rescan: %v", err)
	}
}

// BenchmarkTreeStampCorpus: one check of an unchanged tree, the SpiffArena
// corpus (117 models), which Watch makes every WAYMARK_MODELS_RESCAN.
func BenchmarkTreeStampCorpus(b *testing.B) {
	r, _ := openRepo(b, copyCorpus(b))
	ctx := context.Background()
	for b.Loop() {
		if err := r.checkTree(ctx); err != errUnchanged {
			b.Fatal(err)
		}
	}
}
