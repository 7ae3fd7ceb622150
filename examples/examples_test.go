package examples

import (
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// bpmnFile is the part of a BPMN file the checks below need.
type bpmnFile struct {
	Processes []struct {
		ID        string `xml:"id,attr"`
		UserTasks []struct {
			ID         string `xml:"id,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"extensionElements>properties>property"`
		} `xml:"userTask"`
	} `xml:"process"`
}

type processModel struct {
	DisplayName      string `json:"display_name"`
	PrimaryFileName  string `json:"primary_file_name"`
	PrimaryProcessID string `json:"primary_process_id"`
}

// TestModelsAreConsistent checks the demo tree the way SpiffArena reads it:
// every model names an existing primary file and process, form files exist
// and are JSON, and process ids are unique across the repository.
func TestModelsAreConsistent(t *testing.T) {
	models := Models()
	seenProcess := map[string]string{}
	var modelDirs []string
	err := fs.WalkDir(models, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case path.Base(p) == "process_model.json":
			modelDirs = append(modelDirs, path.Dir(p))
		case strings.HasSuffix(p, ".json"):
			b, err := fs.ReadFile(models, p)
			if err != nil {
				return err
			}
			if !json.Valid(b) {
				t.Errorf("%s: not valid JSON", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(modelDirs) == 0 {
		t.Fatal("no process models found")
	}
	for _, dir := range modelDirs {
		t.Run(dir, func(t *testing.T) {
			if _, err := fs.Stat(models, path.Join(path.Dir(dir), "process_group.json")); err != nil {
				t.Errorf("model is not inside a process group: %v", err)
			}
			var pm processModel
			b, err := fs.ReadFile(models, path.Join(dir, "process_model.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &pm); err != nil {
				t.Fatal(err)
			}
			if pm.DisplayName == "" {
				t.Error("no display_name")
			}
			bpmns, _ := fs.Glob(models, path.Join(dir, "*.bpmn"))
			foundPrimary := false
			for _, f := range bpmns {
				raw, err := fs.ReadFile(models, f)
				if err != nil {
					t.Fatal(err)
				}
				var doc bpmnFile
				if err := xml.Unmarshal(raw, &doc); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				for _, p := range doc.Processes {
					if other, dup := seenProcess[p.ID]; dup {
						t.Errorf("process id %s in %s and %s", p.ID, other, f)
					}
					seenProcess[p.ID] = f
					if path.Base(f) == pm.PrimaryFileName && p.ID == pm.PrimaryProcessID {
						foundPrimary = true
					}
					for _, task := range p.UserTasks {
						for _, prop := range task.Properties {
							if prop.Name != "formJsonSchemaFilename" && prop.Name != "formUiSchemaFilename" {
								continue
							}
							if _, err := fs.Stat(models, path.Join(dir, prop.Value)); err != nil {
								t.Errorf("%s: task %s names missing form file %s", f, task.ID, prop.Value)
							}
						}
					}
				}
			}
			if !foundPrimary {
				t.Errorf("primary process %s not found in %s", pm.PrimaryProcessID, pm.PrimaryFileName)
			}
		})
	}
}

func TestSeed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "models")
	copied, err := Seed(dir)
	if err != nil || !copied {
		t.Fatalf("first Seed = %v, %v", copied, err)
	}
	file := filepath.Join(dir, "examples", "process_group.json")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("seeded tree: %v", err)
	}
	if err := os.WriteFile(file, []byte(`{"display_name": "Mine"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	copied, err = Seed(dir)
	if err != nil || copied {
		t.Errorf("second Seed = %v, %v; want no copy", copied, err)
	}
	if b, _ := os.ReadFile(file); string(b) != `{"display_name": "Mine"}` {
		t.Errorf("an existing repository was overwritten: %s", b)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".models-seed-*"))
	if len(leftovers) > 0 {
		t.Errorf("staging directories left behind: %v", leftovers)
	}
}
