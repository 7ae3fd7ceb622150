package models

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// TestLoadModelCache checks that a model is parsed once while the
// repository stays as it is, and parsed again after each kind of change:
// a save, a restore of an earlier version, a move, and a refresh after an
// edit outside Waymark.
func TestLoadModelCache(t *testing.T) {
	ctx := WithAuthor(context.Background(), "alice")
	r, _, dir := smallRepo(t)
	load := func(id string) (*spec.Library, string) {
		t.Helper()
		lib, primary, err := r.LoadModel(ctx, id)
		if err != nil {
			t.Fatalf("LoadModel %s: %v", id, err)
		}
		return lib, primary
	}
	first, _ := load("finance/approve")
	if again, _ := load("finance/approve"); again != first {
		t.Fatal("an unchanged model was loaded again")
	}
	if first.Process("approve_travel") != nil {
		t.Fatal("approve_travel before it was added")
	}

	if _, err := r.SaveFile(ctx, "finance/approve", "approve.bpmn", []byte(diagram("approve_invoice", "approve_expense", "approve_travel")), false); err != nil {
		t.Fatal(err)
	}
	saved, _ := load("finance/approve")
	if saved == first || saved.Process("approve_travel") == nil {
		t.Fatal("a save did not reach the loaded model")
	}

	if _, err := r.Restore(ctx, "finance/approve", "approve.bpmn", 1); err != nil {
		t.Fatal(err)
	}
	restored, _ := load("finance/approve")
	if restored == saved || restored.Process("approve_travel") != nil {
		t.Fatal("a restore did not reach the loaded model")
	}

	if err := r.MoveModel(ctx, "finance/approve", "hr/approve"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.LoadModel(ctx, "finance/approve"); err == nil {
		t.Fatal("the moved model still loads under its old id")
	}
	moved, _ := load("hr/approve")
	if moved.Process("approve_expense") == nil {
		t.Fatal("the moved model lost its processes")
	}

	writeFile(t, filepath.Join(dir, "hr", "approve", "approve.bpmn"), diagram("approve_invoice", "approve_expense", "approve_outside"))
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if refreshed, _ := load("hr/approve"); refreshed.Process("approve_outside") == nil {
		t.Fatal("an edit outside Waymark did not reach the loaded model after Refresh")
	}
}
