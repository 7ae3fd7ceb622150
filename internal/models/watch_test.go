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
// and changes made through Repo are not rescanned again. (The server's
// periodic check is in the two-process PostgreSQL test of cmd/web.)
func TestCheckTreeFindsChangesBeside(t *testing.T) {
	r, _, dir := smallRepo(t)
	ctx := context.Background()
	check := func(when string, want bool) {
		t.Helper()
		if rescanned, err := r.CheckTree(ctx); err != nil || rescanned != want {
			t.Fatalf("%s: rescanned %v (%v), want %v", when, rescanned, err, want)
		}
	}
	check("a tree as scanned", false)
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
	check("after a copy", true)
	if m, err := r.Model("hr/leave"); err != nil || m.DisplayName != "Leave" {
		t.Fatalf("copied model: %v, %v", m, err)
	}
	if search("leave_request") != 1 {
		t.Error("the copied model's process is not in the index")
	}
	check("after the rescan", false)

	// A diagram edited in place: same size, later modification time.
	p := filepath.Join(dir, "hr", "leave", "leave.bpmn")
	writeFile(t, p, diagram("leave_reqxest")) // as long as leave_request
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	check("after an edit", true)
	if search("leave_request") != 0 || search("leave_reqxest") != 1 {
		t.Error("the edited diagram's process is not what the index holds")
	}

	// Hidden folders are not the repository's.
	writeFile(t, filepath.Join(dir, ".git", "FETCH_HEAD"), "abc")
	check("after a change under .git", false)

	// A save through Repo rescans at once; the check finds nothing more.
	if _, err := r.SaveFile(ctx, "hr/leave", "leave.bpmn", []byte(diagram("leave_request")), false); err != nil {
		t.Fatal(err)
	}
	check("after a save through the repository", false)

	// A model removed by hand.
	if err := os.RemoveAll(filepath.Join(dir, "hr", "leave")); err != nil {
		t.Fatal(err)
	}
	check("after a removal", true)
	if _, err := r.Model("hr/leave"); err == nil {
		t.Error("the removed model is still known")
	}
	if search("leave_request") != 0 {
		t.Error("the removed model's process is still in the index")
	}
}

// BenchmarkTreeStampCorpus: one check of an unchanged tree, the SpiffArena
// corpus (117 models), as the server makes every WAYMARK_MODELS_RESCAN.
func BenchmarkTreeStampCorpus(b *testing.B) {
	r, _ := openRepo(b, copyCorpus(b))
	ctx := context.Background()
	for b.Loop() {
		if rescanned, err := r.CheckTree(ctx); err != nil || rescanned {
			b.Fatal(rescanned, err)
		}
	}
}
