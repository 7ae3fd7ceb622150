package forms_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/forms"
)

var taskDataVarRe = regexp.MustCompile(`options_from_task_data_var:([A-Za-z_][A-Za-z0-9_]*)`)

// corpusRoot is SpiffArena's sample-process-models repository, shared
// next to this one (../shared/corpus).
var corpusRoot = filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models")

// knownBadCorpusFiles are form files that the corpus's own BPMN files name
// but that SpiffArena could not load either: a file missing from the model
// folder, or one that is not JSON. Each must fail for its reason; a listed
// file that starts to load fails the test, so that the list stays true.
var knownBadCorpusFiles = map[string]string{
	"misc/test/submit-invoice/Submit-the-invoice_JSONSchema.json": "missing",
	"misc/test/submit-invoice/Submit-the-invoice_UISchema.json":   "missing",
	// The "definitions" object is never closed.
	"misc/test/e2e-7/E2E-7.json": "invalid JSON",
}

// corpusForm is one schema / UI-schema pair that user tasks name, with the
// BPMN files and elements that name it.
type corpusForm struct {
	dir, schema, ui string
	users           []string
}

// corpusFormPairs reads every BPMN file of the corpus and returns the form
// pairs its tasks name through spiffworkflow:property formJsonSchemaFilename
// and formUiSchemaFilename, once per model folder, and the tasks whose
// schema property is present but empty (tasks without a form).
func corpusFormPairs(t *testing.T, root string) (pairs []*corpusForm, empty []string) {
	t.Helper()
	byKey := map[string]*corpusForm{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".bpmn") {
			return err
		}
		props, err := bpmnFormProperties(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, path)
		dir := filepath.Dir(rel)
		for _, p := range props {
			user := rel + "#" + p.element
			if p.schema == "" {
				empty = append(empty, user)
				continue
			}
			key := dir + "\x00" + p.schema + "\x00" + p.ui
			if byKey[key] == nil {
				byKey[key] = &corpusForm{dir: dir, schema: p.schema, ui: p.ui}
				pairs = append(pairs, byKey[key])
			}
			byKey[key].users = append(byKey[key].users, user)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pairs, empty
}

type formProperties struct {
	element, schema, ui string
}

// bpmnFormProperties returns, per element, the form file names of its
// spiffworkflow:property children (found under the nearest ancestor with an
// id).
func bpmnFormProperties(path string) ([]formProperties, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	// Some samples test entity handling (XXE); undefined entities are
	// passed through as text here.
	dec.Strict = false
	var ids []string // the id of each open element ("" when it has none)
	var out []formProperties
	index := map[string]int{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			id := ""
			var name, value string
			for _, a := range e.Attr {
				switch a.Name.Local {
				case "id":
					id = a.Value
				case "name":
					name = a.Value
				case "value":
					value = a.Value
				}
			}
			ids = append(ids, id)
			if e.Name.Local != "property" || (name != "formJsonSchemaFilename" && name != "formUiSchemaFilename") {
				continue
			}
			owner := ""
			for i := len(ids) - 1; i >= 0; i-- {
				if ids[i] != "" {
					owner = ids[i]
					break
				}
			}
			i, ok := index[owner]
			if !ok {
				i = len(out)
				index[owner] = i
				out = append(out, formProperties{element: owner})
			}
			if name == "formJsonSchemaFilename" {
				out[i].schema = strings.TrimSpace(value)
			} else {
				out[i].ui = strings.TrimSpace(value)
			}
		case xml.EndElement:
			ids = ids[:len(ids)-1]
		}
	}
}

// TestCorpusForms renders every form that a user task of the sample models
// names (schema and UI-schema file from the task's Spiff properties) with
// empty task data, and validates an empty submission. A form that fills
// choices from task data (options_from_task_data_var) must refuse empty
// data as SpiffArena does, naming the variable, and render once the
// variable is there. Files that are missing or not JSON in the corpus
// itself are reported by name and must be the ones knownBadCorpusFiles
// lists.
func TestCorpusForms(t *testing.T) {
	if _, err := os.Stat(corpusRoot); err != nil {
		t.Fatalf("the sample models are missing, so no corpus form was checked: %s does not exist. "+
			"The shared test data (../shared/corpus/sample-process-models) must sit next to the repository.", corpusRoot)
	}
	pairs, empty := corpusFormPairs(t, corpusRoot)
	if len(pairs) == 0 {
		t.Fatal("no BPMN file in the corpus names a form (formJsonSchemaFilename)")
	}
	rendered, unloadable, withUI, withVars := 0, 0, 0, 0
	bad := map[string]string{} // corpus file -> what is wrong
	for _, p := range pairs {
		name := filepath.Join(p.dir, p.schema)
		t.Run(name, func(t *testing.T) {
			read := func(file string) []byte {
				if file == "" {
					return nil
				}
				rel := filepath.ToSlash(filepath.Join(p.dir, file))
				b, err := os.ReadFile(filepath.Join(corpusRoot, p.dir, file))
				if errors.Is(err, fs.ErrNotExist) {
					bad[rel] = "missing"
					t.Logf("%s is named by %s but is missing", rel, strings.Join(p.users, ", "))
					return nil
				}
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			schema, ui := read(p.schema), read(p.ui)
			if schema == nil || (p.ui != "" && ui == nil) {
				unloadable++
				return
			}
			data := map[string]any{}
			if vars := taskDataVarRe.FindAllStringSubmatch(string(schema), -1); vars != nil {
				_, err := forms.ParseFiles(p.schema, schema, p.ui, ui, data)
				if err != nil && strings.Contains(err.Error(), "not valid JSON") {
					bad[filepath.ToSlash(name)] = "invalid JSON"
					unloadable++
					t.Logf("%s is not valid JSON: %v", name, err)
					return
				}
				if !errors.Is(err, forms.ErrMissingTaskDataVar) || !strings.Contains(err.Error(), vars[0][1]) {
					t.Fatalf("empty data: err = %v, want a missing-variable error naming %s", err, vars[0][1])
				}
				for _, v := range vars {
					data[v[1]] = []any{map[string]any{"value": "one", "label": "One"}, map[string]any{"value": "two", "label": "Two"}}
				}
				withVars++
			}
			f, err := forms.ParseFiles(p.schema, schema, p.ui, ui, data)
			if err != nil && strings.Contains(err.Error(), "not valid JSON") {
				file := p.schema
				if !strings.HasPrefix(err.Error(), p.schema) {
					file = p.ui
				}
				bad[filepath.ToSlash(filepath.Join(p.dir, file))] = "invalid JSON"
				unloadable++
				t.Logf("%s is not valid JSON: %v", filepath.Join(p.dir, file), err)
				return
			}
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
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("an empty submission panics: %v", r)
					}
				}()
				_ = f.Validate(map[string]any{})
				decoded, _, err := f.Decode(url.Values{}, nil)
				if err != nil {
					t.Errorf("decode an empty submission: %v", err)
				}
				_ = f.Validate(decoded)
			}()
			rendered++
			if ui != nil {
				withUI++
			}
		})
	}
	t.Run("known bad files", func(t *testing.T) {
		for _, file := range slices.Sorted(maps.Keys(bad)) {
			want, ok := knownBadCorpusFiles[file]
			if !ok {
				t.Errorf("%s is %s, and is not listed in knownBadCorpusFiles", file, bad[file])
			} else if want != bad[file] {
				t.Errorf("%s is %s, but knownBadCorpusFiles says %s", file, bad[file], want)
			}
		}
		for _, file := range slices.Sorted(maps.Keys(knownBadCorpusFiles)) {
			if _, ok := bad[file]; !ok {
				t.Errorf("%s is listed in knownBadCorpusFiles (%s) but loads now: remove it from the list", file, knownBadCorpusFiles[file])
			}
		}
	})
	if !t.Failed() && rendered+unloadable != len(pairs) {
		t.Errorf("%d pairs rendered and %d not loadable, but %d pairs: some were skipped", rendered, unloadable, len(pairs))
	}
	var badList []string
	for _, file := range slices.Sorted(maps.Keys(bad)) {
		badList = append(badList, file+" ("+bad[file]+")")
	}
	t.Logf("corpus: %d form pairs named by user tasks; rendered %d (%d with a UI schema, %d filled from task data); %d pairs not loadable because of %d bad corpus files: %s; %d tasks name an empty form file (no form)",
		len(pairs), rendered, withUI, withVars, unloadable, len(bad), strings.Join(badList, ", "), len(empty))
}
