package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestModelIndex(t *testing.T) { forEachDialect(t, testModelIndex) }

func testModelIndex(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	procs := []IndexedProcess{
		{ProcessID: "approve", DisplayName: "Approve invoice", ModelID: "finance/approve", File: "a.bpmn",
			Kinds: []string{"startEvent", "userTask"}, MessagesCaught: []string{"paid"}, SignalsThrown: []string{"done"}},
		{ProcessID: "invoice", DisplayName: "Invoice", ModelID: "finance/invoice", File: "i.bpmn", Calls: []string{"approve"}},
	}
	decisions := []IndexedDecision{{DecisionID: "rates", Name: "Rates", ModelID: "finance/approve", File: "r.dmn"}}
	if err := s.ReplaceModelIndex(ctx, procs, decisions); err != nil {
		t.Fatal(err)
	}
	t.Run("ProcessRow", func(t *testing.T) {
		got, err := s.IndexedProcessByID(ctx, "approve")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(procs[0], got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if _, err := s.IndexedProcessByID(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
	})
	t.Run("Callers", func(t *testing.T) {
		got, err := s.ProcessCallers(ctx, []string{"approve", "other"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ProcessID != "invoice" || got[0].ModelID != "finance/invoice" {
			t.Errorf("callers: %+v", got)
		}
	})
	t.Run("Decisions", func(t *testing.T) {
		got, err := s.SearchDecisions(ctx, "RAT", 5)
		if err != nil || len(got) != 1 || got[0] != decisions[0] {
			t.Errorf("decisions: %+v %v", got, err)
		}
	})
	t.Run("DuplicateRefusedWhole", func(t *testing.T) {
		err := s.ReplaceModelIndex(ctx, []IndexedProcess{{ProcessID: "x", ModelID: "m", File: "f"}, {ProcessID: "x", ModelID: "n", File: "g"}}, nil)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate ids: %v", err)
		}
		if n, _ := s.IndexedProcessCount(ctx); n != 2 {
			t.Errorf("a refused replace changed the index: %d rows", n)
		}
	})
}

func TestFileHistory(t *testing.T) { forEachDialect(t, testFileHistory) }

func testFileHistory(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	v1, err := s.AddFileVersion(ctx, "a/b", "f.json", "alice", "save", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := s.AddFileVersion(ctx, "a/b", "f.json", "bob", "save", []byte("two!"))
	sum := sha256.Sum256([]byte("two!"))
	if v1.Version != 1 || v2.Version != 2 || v2.Size != 4 || v2.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("versions: %+v %+v", v1, v2)
	}
	// Moving a group re-keys the models under it, and only those.
	s.AddFileVersion(ctx, "a/bc", "g.json", "alice", "save", []byte("x"))
	s.AddFileVersion(ctx, "ab/c", "g.json", "alice", "save", []byte("x"))
	if err := s.MoveHistory(ctx, "a", "z/a", true); err != nil {
		t.Fatal(err)
	}
	list, _ := s.FileVersions(ctx, "z/a/b", "f.json")
	if len(list) != 2 || list[0].Version != 2 || list[0].Author != "bob" || list[0].Content != nil {
		t.Errorf("after the move: %+v", list)
	}
	if list, _ := s.FileVersions(ctx, "z/a/bc", "g.json"); len(list) != 1 {
		t.Errorf("sibling model not moved: %+v", list)
	}
	if list, _ := s.FileVersions(ctx, "ab/c", "g.json"); len(list) != 1 {
		t.Errorf("a model outside the group moved: %+v", list)
	}
	if err := s.MoveFileHistory(ctx, "z/a/b", "f.json", "z/a/b", "h.json"); err != nil {
		t.Fatal(err)
	}
	got, err := s.FileVersionContent(ctx, "z/a/b", "h.json", 1)
	if err != nil || string(got.Content) != "one" || got.Author != "alice" {
		t.Errorf("content of version 1: %+v %v", got, err)
	}
	if _, err := s.FileVersionContent(ctx, "z/a/b", "h.json", 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}

	// Moving onto a place with history (something deleted there) numbers
	// the moved versions after it; a model move leaves the ids under it.
	s.AddFileVersion(ctx, "old", "f.json", "alice", "delete", []byte("deleted"))
	s.AddFileVersion(ctx, "new", "f.json", "bob", "create", []byte("new 1"))
	s.AddFileVersion(ctx, "new", "f.json", "bob", "save", []byte("new 2"))
	s.AddFileVersion(ctx, "new/x", "f.json", "bob", "save", []byte("stale"))
	if err := s.MoveHistory(ctx, "new", "old", false); err != nil {
		t.Fatal(err)
	}
	list, _ = s.FileVersions(ctx, "old", "f.json")
	var merged []string
	for _, v := range list {
		c, _ := s.FileVersionContent(ctx, "old", "f.json", v.Version)
		merged = append(merged, fmt.Sprintf("%d %s", v.Version, c.Content))
	}
	if diff := cmp.Diff([]string{"3 new 2", "2 new 1", "1 deleted"}, merged); diff != "" {
		t.Errorf("merged history (-want +got):\n%s", diff)
	}
	if list, _ := s.FileVersions(ctx, "new/x", "f.json"); len(list) != 1 {
		t.Errorf("a model move took the ids under it: %+v", list)
	}
}

func TestDeletedFiles(t *testing.T) { forEachDialect(t, testDeletedFiles) }

func testDeletedFiles(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	s.AddFileVersion(ctx, "g/m", "a.bpmn", "alice", "save", []byte("a1"))
	s.AddFileVersion(ctx, "g/m", "b.json", "alice", "delete", []byte("b"))
	s.AddFileVersion(ctx, "g/m", "c.json", "alice", "delete", []byte("c"))
	s.AddFileVersion(ctx, "g/m", "c.json", "alice", "restore", []byte("c"))
	s.AddFileVersion(ctx, "gx", "d.json", "alice", "delete", []byte("d"))
	// A model deleted whole: all its files in one transaction.
	vs, err := s.AddFileVersions(ctx, []NewFileVersion{
		{ModelID: "g/m", File: "a.bpmn", Author: "bob", Action: "delete-model", Content: []byte("a1")},
		{ModelID: "g/m", File: "process_model.json", Author: "bob", Action: "delete-model", Content: []byte("{}")},
	})
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[0].Size != 2 {
		t.Fatalf("AddFileVersions: %+v %v", vs, err)
	}
	names := func(list []FileVersion) []string {
		var out []string
		for _, v := range list {
			out = append(out, fmt.Sprintf("%s/%s %s", v.ModelID, v.File, v.Action))
		}
		return out
	}
	tests := []struct {
		id      string
		subtree bool
		want    []string
	}{
		{"g/m", false, []string{"g/m/a.bpmn delete-model", "g/m/b.json delete", "g/m/process_model.json delete-model"}},
		{"g", false, nil},
		{"g", true, []string{"g/m/a.bpmn delete-model", "g/m/b.json delete", "g/m/process_model.json delete-model"}},
		{"", true, []string{"g/m/a.bpmn delete-model", "g/m/b.json delete", "g/m/process_model.json delete-model", "gx/d.json delete"}},
	}
	for _, tt := range tests {
		got, err := s.DeletedFiles(ctx, tt.id, tt.subtree)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, names(got)); diff != "" {
			t.Errorf("DeletedFiles(%q, %v) (-want +got):\n%s", tt.id, tt.subtree, diff)
		}
	}
	// An empty file is recorded as empty content.
	v, err := s.AddFileVersion(ctx, "h", "empty.md", "alice", "create", nil)
	if err != nil || v.Size != 0 {
		t.Errorf("empty file: %+v %v", v, err)
	}
}
