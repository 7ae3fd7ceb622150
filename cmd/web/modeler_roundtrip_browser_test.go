package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

const spiffNS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

// spiffItems lists every spiffworkflow element and attribute of a BPMN
// document as comparable strings: the owning element's id, the path of
// spiffworkflow names from it, attributes and text.
func spiffItems(t testing.TB, name, xml string) []string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatalf("%s: parse: %v", name, err)
	}
	var out []string
	var walk func(e *etree.Element, owner, path string)
	walk = func(e *etree.Element, owner, path string) {
		ns := e.NamespaceURI()
		if ns != spiffNS {
			if id := e.SelectAttrValue("id", ""); id != "" {
				owner = id
			}
			path = ""
			for _, a := range e.Attr {
				if a.NamespaceURI() == spiffNS {
					out = append(out, fmt.Sprintf("%s @%s=%q", owner, a.Key, a.Value))
				}
			}
		} else {
			path += "/" + e.Tag
			var attrs []string
			for _, a := range e.Attr {
				if a.Space == "xmlns" || a.Key == "xmlns" {
					continue
				}
				attrs = append(attrs, fmt.Sprintf("%s=%q", a.Key, a.Value))
			}
			sort.Strings(attrs)
			text := e.Text()
			if len(e.ChildElements()) > 0 {
				text = strings.TrimSpace(text)
			}
			out = append(out, fmt.Sprintf("%s %s [%s] %q", owner, path, strings.Join(attrs, " "), text))
		}
		for _, c := range e.ChildElements() {
			walk(c, owner, path)
		}
	}
	walk(doc.Root(), "", "")
	sort.Strings(out)
	return out
}

// isBPMN reports whether src's root element is BPMN definitions.
func isBPMN(src string) bool {
	doc := etree.NewDocument()
	if doc.ReadFromString(src) != nil || doc.Root() == nil {
		return false
	}
	return doc.Root().Tag == "definitions" && doc.Root().NamespaceURI() == "http://www.omg.org/spec/BPMN/20100524/MODEL"
}

// TestModelerRoundTripCorpus opens every BPMN file of the SpiffArena
// sample repository in the modeler and saves it back: the spiffworkflow
// elements and attributes must all come back with the same text.
func TestModelerRoundTripCorpus(t *testing.T) {
	root, files := corpusFiles(t)
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	c.openModeler(t, ta.url, "roundtrip/corpus", "corpus.bpmn")

	total, refused := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		rel, _ := filepath.Rel(root, f)
		var res struct {
			XML   string `json:"xml"`
			Error string `json:"error"`
		}
		arg, _ := json.Marshal(src)
		c.eval(t, `(async () => {
			try {
				const m = window.waymarkModeler.modeler;
				await m.importSpiff(`+string(arg)+`);
				return {xml: await m.exportSpiff()};
			} catch (e) { return {error: String(e && e.message || e)}; }
		})()`, &res)
		if !isBPMN(src) {
			// The corpus holds XXE probes named .bpmn; the modeler must
			// refuse them, not show an empty diagram.
			if res.Error == "" {
				t.Errorf("%s: not a BPMN document, but the modeler opened it", rel)
			}
			refused++
			continue
		}
		if res.Error != "" {
			t.Errorf("%s: the modeler could not open it: %s", rel, res.Error)
			continue
		}
		want := spiffItems(t, rel, src)
		got := spiffItems(t, rel+" (saved)", res.XML)
		total += len(want)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: spiffworkflow content changed by open+save (-before +after):\n%s", rel, d)
		}
	}
	t.Logf("%d files (%d refused as not BPMN), %d spiffworkflow elements and attributes compared", len(files), refused, total)
	if total == 0 {
		t.Error("the corpus has no spiffworkflow content to compare")
	}
}

// corpusFiles lists the BPMN documents of the SpiffArena sample repository.
func corpusFiles(t testing.TB) (root string, files []string) {
	t.Helper()
	root = filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".bpmn") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus at %s: %d files, %v", root, len(files), err)
	}
	return root, files
}

// TestModelerRoundTripCorpusSaved saves a sample of the corpus through the
// page and the file API: the files richest in spiffworkflow content are
// put in the repository, opened in the modeler, saved with the Save button
// (as a draft when the server finds problems), and the files on disk must
// keep every spiffworkflow element and attribute.
func TestModelerRoundTripCorpusSaved(t *testing.T) {
	root, all := corpusFiles(t)
	type sample struct {
		rel, src string
		items    []string
	}
	var samples []sample
	for _, f := range all {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !isBPMN(string(b)) {
			continue
		}
		rel, _ := filepath.Rel(root, f)
		samples = append(samples, sample{rel, string(b), spiffItems(t, rel, string(b))})
	}
	sort.SliceStable(samples, func(i, j int) bool { return len(samples[i].items) > len(samples[j].items) })
	samples = samples[:8]

	files := map[string]string{"roundtrip/process_group.json": `{"display_name": "Round trip"}`}
	for i, s := range samples {
		model := fmt.Sprintf("roundtrip/m%02d", i)
		files[model+"/process_model.json"] = `{"display_name": "` + model + `"}`
		files[model+"/"+filepath.Base(s.rel)] = s.src
	}
	ta, c := startWithModels(t, t.TempDir(), files)
	for i, s := range samples {
		t.Run(s.rel, func(t *testing.T) {
			model, name := fmt.Sprintf("roundtrip/m%02d", i), filepath.Base(s.rel)
			path := filepath.Join(ta.app.cfg.ModelsDir, "roundtrip", fmt.Sprintf("m%02d", i), name)
			before, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			c.openModeler(t, ta.url, model, url.PathEscape(name))
			c.run(t, chromedp.Click(`[data-action="save"]`))
			c.waitFor(t, "the save answer", `/^(Saved|Not saved)/.test(document.querySelector('[data-status]').textContent)`)
			var status string
			c.eval(t, `document.querySelector('[data-status]').textContent`, &status)
			if strings.HasPrefix(status, "Not saved") {
				c.run(t, chromedp.Click(`[data-action="save-draft"]`))
				c.waitFor(t, "the draft save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)
			}
			after, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !after.ModTime().After(before.ModTime()) && os.SameFile(before, after) {
				t.Fatalf("the file was not written by the save (%s)", status)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(s.items, spiffItems(t, s.rel+" (saved)", string(b))); d != "" {
				t.Errorf("spiffworkflow content changed by open+save through the API (-before +after):\n%s", d)
			}
			t.Logf("%d spiffworkflow elements and attributes kept (%s)", len(s.items), status)
		})
	}
}
