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

// ReadModelFile serves a file from memory while it is unchanged, and reads
// it again after a save through Waymark and after an edit on disk that
// changes its size or time, without waiting for a Refresh.
func TestReadModelFileCache(t *testing.T) {
	ctx := WithAuthor(context.Background(), "alice")
	r, _, dir := smallRepo(t)
	const id, name = "finance/approve", "approve.bpmn"
	read := func() string {
		t.Helper()
		b, err := r.ReadModelFile(ctx, id, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := read()
	if _, ok := r.state().files.Load(filepath.Join(dir, "finance", "approve", name)); !ok {
		t.Fatal("the file was not kept")
	}
	b, _ := r.ReadModelFile(ctx, id, name)
	b[0] = '!' // a caller's copy
	if read() != first {
		t.Fatal("a caller's change reached the kept file")
	}
	saved := diagram("approve_invoice", "approve_expense", "approve_travel")
	if _, err := r.SaveFile(ctx, id, name, []byte(saved), false); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != saved {
		t.Error("a save did not reach ReadModelFile")
	}
	outside := diagram("approve_invoice", "approve_expense", "approve_outside_longer")
	writeFile(t, filepath.Join(dir, "finance", "approve", name), outside)
	if got := read(); got != outside {
		t.Error("an edit on disk did not reach ReadModelFile")
	}
	if _, err := r.ReadModelFile(ctx, id, "../hr/x.bpmn"); err == nil {
		t.Error("a path outside the model was read")
	}
}

// A loaded model is checked against its folder and diagrams only: an edit
// on disk of one of its diagrams reaches the next load without a Refresh,
// an edit of a form file, which the model does not read, keeps the parsed
// model.
func TestLoadModelStampsDiagramsOnly(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	model := filepath.Join(dir, "finance", "invoice")
	writeFile(t, filepath.Join(model, "form-schema.json"), `{"type": "object"}`)
	load := func() *spec.Library {
		t.Helper()
		lib, _, err := r.LoadModel(ctx, "finance/invoice")
		if err != nil {
			t.Fatal(err)
		}
		return lib
	}
	first := load()
	if again := load(); again != first {
		t.Fatal("an unchanged model was parsed again")
	}
	writeFile(t, filepath.Join(model, "form-schema.json"), `{"type": "object", "properties": {"n": {"type": "integer"}}}`)
	if afterForm := load(); afterForm != first {
		t.Error("an edit of a form file made the model be parsed again")
	}
	writeFile(t, filepath.Join(model, "invoice.bpmn"), diagram("invoice_main>approve_invoice", "invoice_extra"))
	afterDiagram := load()
	if afterDiagram == first || afterDiagram.Process("invoice_extra") == nil {
		t.Error("an edit of the diagram on disk did not reach the next load")
	}
}
