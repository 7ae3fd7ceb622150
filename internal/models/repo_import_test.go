package models

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// zipDir zips every file under dir, each under prefix.
func zipDir(t testing.TB, dir, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The files of the sample repository an upload refuses even as drafts:
// both carry an XML external-entity payload.
var corpusHostile = []string{"misc/service-tests/testing-sec/test/test.bpmn", "misc/test/a102/invoice.bpmn"}

func problemFiles(ps []Problem, refused bool) []string {
	var out []string
	for _, p := range ps {
		if p.Refused == refused && !slices.Contains(out, p.File) {
			out = append(out, p.File)
		}
	}
	slices.Sort(out)
	return out
}

func hasProblem(ps []Problem, file string, line int, element, msg string) bool {
	for _, p := range ps {
		if p.File == file && (line == 0 || p.Line == line) && (element == "" || p.Element == element) && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

func TestUploadSampleRepository(t *testing.T) {
	ctx := context.Background()
	z := zipDir(t, corpusDir, "")
	dir := filepath.Join(t.TempDir(), "models")
	r, _ := openRepo(t, dir)
	empty := snapshotDir(t, dir)

	// Without drafts: refused, with every problem listed at once.
	_, err := r.UploadZip(ctx, "", z, UploadOptions{})
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("upload without drafts: %v, want the list of problems", err)
	}
	if got := problemFiles(pe.Problems, true); !cmp.Equal(got, corpusHostile) {
		t.Errorf("refused files %v, want %v", got, corpusHostile)
	}
	for _, want := range []struct {
		file    string
		line    int
		element string
		msg     string
	}{
		{"misc/test/a102/invoice.bpmn", 2, "", "<!ENTITY"},
		{"misc/test/e2e-7/E2E-7.json", 29, "", "not valid JSON"},
		{"misc/test/e2e-7/E2E-7.bpmn", 22, "Activity_0pnm76c", "no calledElement"},
		{"misc/test/submit-invoice/submit-invoice.bpmn", 3, "Proccess_tlws0al", "also defined in misc/demo/admin-demo-1/submit-invoice.bpmn"},
		{"misc/test/natalia-test2/process_model.json", 0, "", "primary_process_id"},
	} {
		if !hasProblem(pe.Problems, want.file, want.line, want.element, want.msg) {
			t.Errorf("no problem %+v among the %d listed", want, len(pe.Problems))
		}
	}
	if n := len(problemFiles(pe.Problems, false)); n < 20 {
		t.Errorf("%d files with problems listed, want the twenty-odd of the sample repository", n)
	}
	if diff := cmp.Diff(empty, snapshotDir(t, dir)); diff != "" {
		t.Errorf("a refused upload changed the repository:\n%s", diff)
	}

	// With drafts: everything but the hostile files is imported, as the
	// repository holds it.
	res, err := r.UploadZip(ctx, "", z, UploadOptions{Draft: true})
	if err != nil {
		t.Fatalf("upload with drafts: %v", err)
	}
	if got := problemFiles(res.Refused, true); !cmp.Equal(got, corpusHostile) {
		t.Errorf("refused %v, want %v", got, corpusHostile)
	}
	if !slices.Contains(res.Drafts, "misc/test/e2e-7/E2E-7.json") || !slices.Contains(res.Drafts, "misc/test/submit-invoice/submit-invoice1.bpmn") {
		t.Errorf("drafts %v lack the broken JSON and the clashing diagram", res.Drafts)
	}
	if len(res.Drafts) != len(problemFiles(res.Problems, false)) {
		t.Errorf("%d drafts but %d files with problems", len(res.Drafts), len(problemFiles(res.Problems, false)))
	}
	want := snapshotDir(t, corpusDir)
	for _, h := range corpusHostile {
		delete(want, filepath.FromSlash(h))
	}
	if diff := cmp.Diff(want, snapshotDir(t, dir)); diff != "" {
		t.Errorf("repository after the upload (-sample +imported):\n%s", diff)
	}
	if len(res.Written) != len(want)-countDirs(want) {
		t.Errorf("%d files written, want %d", len(res.Written), len(want)-countDirs(want))
	}
	if _, err := r.Model("misc/category_number_one/workflow_one"); err != nil {
		t.Errorf("a model of the group with category.json: %v", err)
	}

	// Downloaded again, the repository is what was imported, the groups'
	// other files included.
	var out bytes.Buffer
	if err := r.ExportZip(&out, ""); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "again")
	r2, _ := openRepo(t, again)
	if _, err := r2.UploadZip(ctx, "", out.Bytes(), UploadOptions{Draft: true}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, snapshotDir(t, again)); diff != "" {
		t.Errorf("export and import again (-imported +again):\n%s", diff)
	}
}

func countDirs(snap map[string]string) int {
	n := 0
	for k := range snap {
		if strings.HasSuffix(k, "/") {
			n++
		}
	}
	return n
}

func TestUploadKeepsWhatRepositoriesHold(t *testing.T) {
	ctx := context.Background()
	model := `{"display_name": "X", "primary_file_name": "x.bpmn", "primary_process_id": "x_proc"}`
	tests := []struct {
		name    string
		files   map[string]string
		written []string // files on disk afterwards, besides the models'
		refused []string
		drafts  []string
		msg     string // in a problem
	}{
		{"ExtraGroupFiles", map[string]string{
			"g/process_group.json": `{"display_name": "G"}`, "g/category.json": `{"display_name": "C"}`,
			"README.md": "# models", "LICENSE": "text", "g/x/process_model.json": model, "g/x/x.bpmn": diagram("x_proc"),
		}, []string{"LICENSE", "README.md", "g/category.json", "g/process_group.json"}, nil, nil, ""},
		{"HiddenFilesLeftOut", map[string]string{
			".git/config": "[core]", ".git/HEAD": "ref", ".gitignore": "*.tmp", "x/process_model.json": model, "x/x.bpmn": diagram("x_proc"),
		}, nil, []string{".git", ".gitignore"}, nil, "hidden files and folders are not imported (2 files)"},
		{"BareDoctypeIsADraft", map[string]string{
			"x/process_model.json": model, "x/x.bpmn": strings.Replace(diagram("x_proc"), "?>", "?>\n<!DOCTYPE definitions>", 1),
		}, nil, nil, []string{"x/process_model.json", "x/x.bpmn"}, "document type declarations"},
		{"DoctypeWithSubsetRefused", map[string]string{
			"x/process_model.json": model, "x/x.bpmn": diagram("x_proc"),
			"y/process_model.json": `{"display_name": "Y"}`, "y/y.bpmn": `<?xml version="1.0"?><!DOCTYPE d [<!ELEMENT d ANY>]><d/>`,
		}, nil, []string{"y/y.bpmn"}, nil, "<!DOCTYPE"},
		{"ExternalDTDRefused", map[string]string{
			"x/process_model.json": model, "x/x.bpmn": diagram("x_proc"),
			"y/process_model.json": `{"display_name": "Y"}`, "y/y.dmn": `<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1/d.dtd"><d/>`,
		}, nil, []string{"y/y.dmn"}, nil, "external entities"},
		{"DiagramOutsideModel", map[string]string{
			"x/process_model.json": model, "x/x.bpmn": diagram("x_proc"), "g/stray.bpmn": diagram("stray"), "top.dmn": "<x/>",
		}, nil, []string{"g/stray.bpmn", "top.dmn"}, nil, "belongs in a model"},
		{"FolderInsideModel", map[string]string{
			"x/process_model.json": model, "x/x.bpmn": diagram("x_proc"), "x/old/x.bpmn": diagram("x_old"),
		}, nil, []string{"x/old/x.bpmn"}, nil, "files only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "models")
			r, _ := openRepo(t, dir)
			z := zipOf(t, tt.files, "")
			_, err := r.UploadZip(ctx, "", z, UploadOptions{})
			problems := len(tt.refused) > 0 || len(tt.drafts) > 0
			var pe *ProblemsError
			if problems && (!errors.As(err, &pe) || !strings.Contains(pe.Error(), tt.msg)) {
				t.Fatalf("upload without drafts: %v, want problems mentioning %q", err, tt.msg)
			}
			if !problems && err != nil {
				t.Fatalf("upload: %v", err)
			}
			if problems {
				res, err := r.UploadZip(ctx, "", z, UploadOptions{Draft: true})
				if err != nil {
					t.Fatalf("upload with drafts: %v", err)
				}
				if diff := cmp.Diff(tt.refused, problemFiles(res.Refused, true)); diff != "" {
					t.Errorf("refused (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.drafts, res.Drafts); diff != "" {
					t.Errorf("drafts (-want +got):\n%s", diff)
				}
			}
			for _, f := range tt.refused {
				if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
					t.Errorf("refused %s was written", f)
				}
			}
			for _, f := range append(tt.written, "x/x.bpmn") {
				if _, ok := tt.files[f]; !ok && f == "x/x.bpmn" {
					f = "g/x/x.bpmn"
				}
				got, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil || string(got) != tt.files[f] {
					t.Errorf("%s on disk: %q, %v; want it as uploaded", f, got, err)
				}
			}
		})
	}
}

func TestUploadModelFileIntoGroupRefused(t *testing.T) {
	r, _, dir := smallRepo(t)
	before := snapshotDir(t, dir)
	z := zipOf(t, map[string]string{modelFile: `{"display_name": "X"}`, "x.bpmn": diagram("x_proc")}, "")
	_, err := r.UploadZip(context.Background(), "finance", z, UploadOptions{Draft: true})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "would turn the group into a model") {
		t.Errorf("error %v, want the model file refused", err)
	}
	if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
		t.Errorf("refused upload changed the repository:\n%s", diff)
	}
}
