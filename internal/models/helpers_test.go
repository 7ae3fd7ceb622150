package models

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/waymark-bpm/waymark/internal/store"
)

// corpusDir is the SpiffArena sample repository (read-only).
const corpusDir = "../../../shared/corpus/sample-process-models"

// copyCorpus copies the corpus into a temporary folder, since tests write.
func copyCorpus(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Fatalf("corpus not found at %s: %v", corpusDir, err)
	}
	dst := filepath.Join(t.TempDir(), "models")
	if err := copyTree(corpusDir, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openRepo(t testing.TB, dir string) (*Repo, *store.Store) {
	t.Helper()
	st := openStore(t)
	r, err := Open(context.Background(), dir, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r, st
}

// snapshotDir returns every file under dir (hidden staging excluded) with
// its content, to prove a refused change left nothing behind.
func snapshotDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if d.Name() == stagingDir {
				return filepath.SkipDir
			}
			out[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}
