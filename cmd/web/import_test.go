package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand: `web import` reads a SpiffArena repository folder
// with the checks of a zip upload. Without -drafts it lists every problem
// (file:line: element: message) and imports nothing; with -drafts it
// imports everything safe and leaves out the files with XML entities; a
// link in the folder refuses the whole import.
func TestImportCommand(t *testing.T) {
	data := t.TempDir()
	modelsDir := filepath.Join(data, "models")
	vars := map[string]string{"WAYMARK_DATA_DIR": data, "WAYMARK_MODELS_DIR": modelsDir, "WAYMARK_EXAMPLES": "false"}
	webImport := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"web", "import"}, args...), &out, &errOut, func(k string) string { return vars[k] })
		return code, out.String(), errOut.String()
	}
	entries := func() int {
		es, _ := os.ReadDir(modelsDir)
		return len(es)
	}

	code, out, errOut := webImport(sampleRepo)
	if code != 1 || !strings.Contains(errOut, "nothing was imported; -drafts imports everything that is safe") {
		t.Errorf("without -drafts: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"misc/test/a102/invoice.bpmn:2: XML with a document type declaration or entities (<!ENTITY) is refused: external entities could read files of the server (not imported)\n",
		"misc/service-tests/testing-sec/test/test.bpmn:1: ",
		"misc/test/e2e-7/E2E-7.json:29: not valid JSON",
		"misc/test/e2e-7/E2E-7.bpmn:22: Activity_0pnm76c: call activity has no calledElement",
		"misc/test/submit-invoice/submit-invoice.bpmn:3: Proccess_tlws0al: process id \"Proccess_tlws0al\" is also defined in misc/demo/admin-demo-1/submit-invoice.bpmn",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if n := entries(); n != 0 {
		t.Errorf("a refused import left %d entries in the repository", n)
	}

	code, out, errOut = webImport("-drafts", sampleRepo)
	if code != 0 || !strings.Contains(out, "saved as drafts, 2 not imported\n") {
		t.Fatalf("with -drafts: exit %d, stdout tail %q, stderr %q", code, out[max(0, len(out)-200):], errOut)
	}
	for _, f := range []string{"misc/category_number_one/category.json", "README.md", "misc/test/e2e-7/E2E-7.json", "misc/demo/admin-demo-1/submit-invoice.bpmn"} {
		want, _ := os.ReadFile(filepath.Join(sampleRepo, f))
		if got, err := os.ReadFile(filepath.Join(modelsDir, f)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s not imported as it was (%v)", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(modelsDir, "misc/test/a102/invoice.bpmn")); err == nil {
		t.Error("the file with XML entities was imported")
	}

	linked := filepath.Join(t.TempDir(), "linked")
	os.MkdirAll(filepath.Join(linked, "x"), 0o755)
	os.WriteFile(filepath.Join(linked, "x", "process_model.json"), []byte(`{"display_name": "X"}`), 0o644)
	if err := os.Symlink("/etc/passwd", filepath.Join(linked, "x", "passwd.json")); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = webImport("-drafts", "-into", "misc", linked)
	if code != 1 || !strings.Contains(errOut, `"x/passwd.json" is a symbolic link`) {
		t.Errorf("a link: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(modelsDir, "misc", "x")); err == nil {
		t.Error("a refused import wrote its model")
	}
}
