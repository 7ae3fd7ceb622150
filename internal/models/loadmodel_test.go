package models

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

const lmHead = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
`

// lmProcess is a process of one task, or of one call activity when calls
// is set.
func lmProcess(id, calls string) string {
	task := `<bpmn:task id="` + id + `_t"/>`
	if calls != "" {
		task = `<bpmn:callActivity id="` + id + `_t" calledElement="` + calls + `"/>`
	}
	return `<bpmn:process id="` + id + `" isExecutable="true"><bpmn:startEvent id="` + id + `_s"/>
  <bpmn:sequenceFlow id="` + id + `_f" sourceRef="` + id + `_s" targetRef="` + id + `_t"/>` + task + `
  <bpmn:sequenceFlow id="` + id + `_f2" sourceRef="` + id + `_t" targetRef="` + id + `_e"/><bpmn:endEvent id="` + id + `_e"/></bpmn:process>
`
}

// brokenFile has a reachable defect: script task x+"t" does not parse.
func brokenFile(pid, x string) string {
	return lmHead + `<bpmn:process id="` + pid + `" isExecutable="true"><bpmn:startEvent id="` + x + `s"/>
  <bpmn:sequenceFlow id="` + x + `f" sourceRef="` + x + `s" targetRef="` + x + `t"/><bpmn:scriptTask id="` + x + `t"><bpmn:script>x = (</bpmn:script></bpmn:scriptTask>
</bpmn:process></bpmn:definitions>`
}

// TestLoadModelNeedsOnlyItsFiles: a model loads when the files its primary
// process needs are sound, whatever its other files hold; a problem in a
// needed file (the primary one, or one defining a process it calls) is
// returned against that file.
func TestLoadModelNeedsOnlyItsFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	model := func(id, primaryFile, primaryID string, files map[string]string) {
		writeFile(t, filepath.Join(dir, "g", id, "process_model.json"),
			`{"display_name": "`+id+`", "primary_file_name": "`+primaryFile+`", "primary_process_id": "`+primaryID+`"}`)
		for name, content := range files {
			writeFile(t, filepath.Join(dir, "g", id, name), content)
		}
	}
	writeFile(t, filepath.Join(dir, "g", "process_group.json"), `{"display_name": "G"}`)
	model("sibling", "main.bpmn", "main", map[string]string{
		"main.bpmn":   lmHead + lmProcess("main", "") + `</bpmn:definitions>`,
		"broken.bpmn": brokenFile("broken", "b"),
	})
	model("calls-broken", "main.bpmn", "main2", map[string]string{
		"main.bpmn":   lmHead + lmProcess("main2", "broken2") + `</bpmn:definitions>`,
		"broken.bpmn": brokenFile("broken2", "c"),
	})
	model("primary-broken", "main.bpmn", "broken3", map[string]string{
		"main.bpmn":  brokenFile("broken3", "d"),
		"other.bpmn": lmHead + lmProcess("other3", "") + `</bpmn:definitions>`,
	})
	r, _ := openRepo(t, dir)

	lib, primary, err := r.LoadModel(ctx, "g/sibling")
	if err != nil {
		t.Fatalf("a broken sibling file blocks the model: %v", err)
	}
	if primary != "main" || lib.Process("broken") != nil {
		t.Errorf("primary %q, broken process loaded: %v", primary, lib.Process("broken") != nil)
	}
	// The sibling's problem stays reported against its file.
	f, err := r.File("g/sibling", "broken.bpmn")
	if err != nil || len(f.Problems) != 1 || f.Problems[0].Element != "bt" {
		t.Errorf("problems of the broken sibling: %+v %v", f.Problems, err)
	}

	for _, c := range []struct{ model, file, element string }{
		{"g/calls-broken", "g/calls-broken/broken.bpmn", "ct"},
		{"g/primary-broken", "g/primary-broken/main.bpmn", "dt"},
	} {
		_, _, err := r.LoadModel(ctx, c.model)
		var pe *ProblemsError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want its problems", c.model, err)
			continue
		}
		if len(pe.Problems) != 1 || pe.Problems[0].File != c.file || pe.Problems[0].Element != c.element {
			t.Errorf("%s: problems %+v, want one in %s on %s", c.model, pe.Problems, c.file, c.element)
		}
	}
}
