package main

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
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
	// A data directory that does not exist yet is created, as serve does.
	data := filepath.Join(t.TempDir(), "data")
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

// TestUploadReportPages: a zip of groups and models uploaded into a group
// lists its problems by file on the group's page; a model's zip with a
// hostile file and drafts accepted imports the rest and names what it left
// out.
func TestUploadReportPages(t *testing.T) {
	dir := brokenFormRepo(t)
	ta, alice, _ := startModels(t, dir)
	token := sessionToken(t, alice, ta.url)
	hostile := `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>`
	z := zipBytes(t, map[string]string{
		"extra/process_model.json": `{"display_name": "Extra"}`,
		"extra/extra.bpmn":         strings.Replace(formTaskBPMN, `order_process`, `extra_process`, 1),
		"extra/bad.json":           "{\n  oops\n}",
		"extra/evil.dmn":           hostile,
		"category.json":            `{"display_name": "kept"}`,
	})
	resp, doc := multipartUpload(t, alice, ta.url+"/process-groups/shop/upload", token, map[string][]byte{"extra.zip": z}, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc, "#upload-report-heading"); got != "The upload was refused; nothing was changed" {
		t.Errorf("heading %q", got)
	}
	if doc.Find(`#upload-report tbody.upload-left-out[data-file="shop/extra/evil.dmn"]`).Length() != 1 ||
		doc.Find(`#upload-report tbody.upload-draft[data-file="shop/extra/bad.json"]`).Length() != 1 {
		t.Errorf("report rows: %q", text(doc, "#upload-report tbody"))
	}
	if got := text(doc, `#upload-report tbody[data-file="shop/extra/bad.json"] td:first-of-type`); got != "2" {
		t.Errorf("bad.json line %q", got)
	}

	resp, doc = multipartUpload(t, alice, ta.url+"/process-groups/shop/upload", token, map[string][]byte{"extra.zip": z}, map[string]string{"draft": "1"})
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#upload-summary"); !strings.Contains(got, "1 file saved as drafts") || !strings.Contains(got, "1 file not imported") {
		t.Errorf("summary %q", got)
	}
	if href, _ := doc.Find(`#upload-report tbody[data-file="shop/extra/bad.json"] th a`).Attr("href"); href != "/process-models/shop:extra/files/bad.json" {
		t.Errorf("draft link %q", href)
	}
	for f, want := range map[string]bool{"shop/category.json": true, "shop/extra/bad.json": true, "shop/extra/evil.dmn": false} {
		if _, err := os.Stat(filepath.Join(dir, f)); (err == nil) != want {
			t.Errorf("%s on disk: %v, want %v", f, err == nil, want)
		}
	}

	// Into a model: the flash names what was left out.
	mz := zipBytes(t, map[string]string{"notes.md": "# notes", "evil.bpmn": hostile})
	resp, _ = multipartUpload(t, alice, ta.url+"/process-models/shop:order/upload", token, map[string][]byte{"m.zip": mz}, map[string]string{"draft": "1"})
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, alice, ta.url+resp.Header.Get("Location"))
	if got := text(doc, ".flash"); !strings.Contains(got, "Not imported: shop/order/evil.bpmn:1: XML with a document type declaration") {
		t.Errorf("flash %q", got)
	}
}

func zipBytes(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
