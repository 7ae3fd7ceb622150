package forms_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/forms"
)

var taskDataVarRe = regexp.MustCompile(`options_from_task_data_var:([A-Za-z_][A-Za-z0-9_]*)`)

// TestCorpusForms renders every *-schema.json form of the sample models
// (with its -uischema.json when there is one) with empty task data. A form
// that fills choices from task data (options_from_task_data_var) must
// refuse empty data as SpiffArena does, naming the variable, and render
// once the variable is there.
func TestCorpusForms(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models")
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("the shared test data must sit next to the repository (../shared/corpus): %v", err)
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), "-schema.json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *-schema.json files in the corpus")
	}
	rendered, withUI, withVars := 0, 0, 0
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			schema, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			uiPath := strings.TrimSuffix(path, "-schema.json") + "-uischema.json"
			ui, err := os.ReadFile(uiPath)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			data := map[string]any{}
			if vars := taskDataVarRe.FindAllStringSubmatch(string(schema), -1); vars != nil {
				_, err := forms.ParseFiles(rel, schema, uiPath, ui, data)
				if !errors.Is(err, forms.ErrMissingTaskDataVar) || !strings.Contains(err.Error(), vars[0][1]) {
					t.Fatalf("empty data: err = %v, want a missing-variable error naming %s", err, vars[0][1])
				}
				for _, v := range vars {
					data[v[1]] = []any{map[string]any{"value": "one", "label": "One"}, map[string]any{"value": "two", "label": "Two"}}
				}
				withVars++
			}
			f, err := forms.ParseFiles(rel, schema, uiPath, ui, data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			html, doc := render(t, f)
			if doc.Find("form input, form select, form textarea").Length() < 2 {
				t.Errorf("rendered no fields:\n%s", html)
			}
			if len(f.Fields()) == 0 {
				t.Error("no fields")
			}
			_ = f.Validate(map[string]any{})
			rendered++
			if ui != nil {
				withUI++
			}
		})
	}
	t.Logf("corpus: rendered %d of %d *-schema.json forms (%d with a UI schema, %d filled from task data)", rendered, len(files), withUI, withVars)
}
