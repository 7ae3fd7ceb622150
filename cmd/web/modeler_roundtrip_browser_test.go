package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
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
	root := filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models")
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".bpmn") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus at %s: %d files, %v", root, len(files), err)
	}
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
