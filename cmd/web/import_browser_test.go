package main

import (
	"archive/zip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// sampleRepo is SpiffArena's sample repository (read-only test data).
const sampleRepo = "../../../shared/corpus/sample-process-models"

// zipSampleRepo zips the sample repository, as a user zipping its
// checkout would, into a file of its own.
func zipSampleRepo(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(sampleRepo); err != nil {
		t.Fatalf("sample repository not found at %s: %v", sampleRepo, err)
	}
	out := filepath.Join(t.TempDir(), "sample-process-models.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(sampleRepo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(sampleRepo, p)
		w, err := zw.Create(filepath.ToSlash(rel))
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
	return out
}

// TestImportSampleRepositoryInBrowser: SpiffArena's sample repository,
// uploaded as a zip on the models page, is refused with every problem
// listed at once (file, line, element); uploaded again with drafts
// accepted, everything safe is imported, the drafts are listed with links
// to their files and the two files carrying XML entities are left out.
func TestImportSampleRepositoryInBrowser(t *testing.T) {
	zipFile := zipSampleRepo(t)
	vars := withPermissions(t)
	vars["WAYMARK_MODELS_DIR"] = filepath.Join(t.TempDir(), "models")
	vars["WAYMARK_EXAMPLES"] = "false"
	ta := startApp(t, vars)
	alice := newChrome(t)
	alice.signIn(t, ta.url, "alice", "alice-secret")

	upload := func(drafts bool) {
		alice.run(t, chromedp.Navigate(ta.url+"/models"), chromedp.WaitVisible(`#upload-files`),
			chromedp.SetUploadFiles(`#upload-files`, []string{zipFile}))
		if drafts {
			alice.run(t, chromedp.Click(`form.upload input[name="draft"]`))
		}
		alice.run(t, chromedp.Click(`form.upload button[type="submit"]`), chromedp.WaitVisible(`#upload-report`))
	}
	type row struct {
		File, Line, Element, Problem string
		LeftOut, Link                bool
	}
	rows := func() []row {
		var out []row
		alice.eval(t, `[...document.querySelectorAll("#upload-report tbody tr")].map(tr => {
			const body = tr.parentElement, cells = tr.querySelectorAll("td");
			return {File: body.dataset.file, Line: cells[0].textContent.trim(), Element: cells[1].textContent.trim(),
				Problem: cells[2].textContent.trim(), LeftOut: body.classList.contains("upload-left-out"),
				Link: !!body.querySelector("th a")};
		})`, &out)
		return out
	}
	has := func(rs []row, want row) bool {
		for _, r := range rs {
			if r.File == want.File && r.Line == want.Line && r.Element == want.Element && strings.Contains(r.Problem, want.Problem) && r.LeftOut == want.LeftOut {
				return true
			}
		}
		return false
	}
	files := func(rs []row, leftOut bool) map[string]bool {
		out := map[string]bool{}
		for _, r := range rs {
			if r.LeftOut == leftOut {
				out[r.File] = true
			}
		}
		return out
	}
	hostile := []string{"misc/service-tests/testing-sec/test/test.bpmn", "misc/test/a102/invoice.bpmn"}

	// Without drafts: refused, every problem on one page.
	upload(false)
	var heading string
	alice.run(t, chromedp.Text(`#upload-report-heading`, &heading))
	if !strings.Contains(heading, "nothing was changed") {
		t.Errorf("heading %q", heading)
	}
	refused := rows()
	for _, want := range []row{
		{File: "misc/test/a102/invoice.bpmn", Line: "2", Problem: "<!ENTITY", LeftOut: true},
		{File: "misc/service-tests/testing-sec/test/test.bpmn", Line: "1", Problem: "external entities", LeftOut: true},
		{File: "misc/test/e2e-7/E2E-7.json", Line: "29", Problem: "not valid JSON"},
		{File: "misc/test/e2e-7/E2E-7.bpmn", Line: "22", Element: "Activity_0pnm76c", Problem: "calledElement"},
		{File: "misc/test/submit-invoice/submit-invoice1.bpmn", Line: "3", Element: "Proccess_tlws0al", Problem: "also defined in"},
	} {
		if !has(refused, want) {
			t.Errorf("the refusal does not list %+v", want)
		}
	}
	if n := len(files(refused, false)); n < 20 {
		t.Errorf("%d files with problems listed at once, want the twenty-odd of the sample repository", n)
	}
	if left := files(refused, true); len(left) != 2 || !left[hostile[0]] || !left[hostile[1]] {
		t.Errorf("files marked not imported: %v, want %v", left, hostile)
	}
	var tree int
	alice.run(t, chromedp.Navigate(ta.url+"/models"), chromedp.WaitVisible(`#upload-files`))
	alice.eval(t, `document.querySelectorAll('li.tree-group, li.tree-model').length`, &tree)
	if tree != 0 {
		t.Errorf("the refused upload left %d groups and models", tree)
	}

	// With drafts: imported, the drafts listed with links, the hostile
	// files left out.
	upload(true)
	var summary string
	alice.run(t, chromedp.Text(`#upload-report-heading`, &heading), chromedp.Text(`#upload-summary`, &summary))
	if heading != "Uploaded with problems" || !strings.Contains(summary, "saved as drafts") || !strings.Contains(summary, "2 files not imported") {
		t.Errorf("heading %q, summary %q", heading, summary)
	}
	imported := rows()
	if left := files(imported, true); len(left) != 2 || !left[hostile[0]] || !left[hostile[1]] {
		t.Errorf("files not imported: %v, want %v", left, hostile)
	}
	if len(files(imported, false)) != len(files(refused, false)) {
		t.Errorf("%d drafts listed, the refusal listed %d files with problems", len(files(imported, false)), len(files(refused, false)))
	}
	for _, r := range imported {
		if !r.LeftOut && !r.Link {
			t.Errorf("draft %s has no link to its file", r.File)
			break
		}
	}
	shot(t, alice, "upload-report.png", "")
	for _, h := range hostile {
		if _, err := os.Stat(filepath.Join(vars["WAYMARK_MODELS_DIR"], h)); err == nil {
			t.Errorf("%s was written", h)
		}
	}
	// The draft's link opens its file.
	var fileName string
	alice.run(t, chromedp.Click(`#upload-report tbody[data-file="misc/test/e2e-7/E2E-7.json"] th a`), chromedp.WaitVisible(`h1`),
		chromedp.Text(`h1`, &fileName))
	if !strings.Contains(fileName, "E2E-7.json") {
		t.Errorf("the draft's link opened %q", fileName)
	}
	if _, err := os.Stat(filepath.Join(vars["WAYMARK_MODELS_DIR"], "misc/category_number_one/category.json")); err != nil {
		t.Errorf("category.json not kept: %v", err)
	}
}
