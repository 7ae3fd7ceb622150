package script

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// corpusDir finds ../shared/corpus/sample-process-models next to the
// repository (the module root is three levels above this package).
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "corpus", "sample-process-models")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("shared test data is missing: expected the corpus at %s (next to the repository)", dir)
	}
	return dir
}

type corpusItem struct {
	where string // file and element
	src   string
	expr  bool
}

// collectCorpus extracts script-task scripts, pre/post scripts and sequence
// flow conditions. etree never resolves entities or DTDs: a file that needs
// them fails to parse and is skipped.
func collectCorpus(t *testing.T, dir string) (items []corpusItem, skipped []string) {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".bpmn") {
			return nil
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(path); err != nil {
			skipped = append(skipped, path+": "+err.Error())
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		for _, el := range doc.FindElements("//*") {
			id := el.SelectAttrValue("id", "")
			switch el.Tag {
			case "scriptTask":
				for _, s := range el.ChildElements() {
					if s.Tag == "script" && strings.TrimSpace(s.Text()) != "" {
						items = append(items, corpusItem{where: rel + " " + id + " script", src: s.Text()})
					}
				}
			case "preScript", "postScript":
				if strings.TrimSpace(el.Text()) != "" {
					owner := ""
					if p := el.Parent(); p != nil && p.Parent() != nil {
						owner = p.Parent().SelectAttrValue("id", "")
					}
					items = append(items, corpusItem{where: rel + " " + owner + " " + el.Tag, src: el.Text()})
				}
			case "sequenceFlow":
				for _, c := range el.ChildElements() {
					if c.Tag == "conditionExpression" && strings.TrimSpace(c.Text()) != "" {
						items = append(items, corpusItem{where: rel + " " + id + " condition", src: c.Text(), expr: true})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return items, skipped
}

func TestCorpusCompiles(t *testing.T) {
	items, skipped := collectCorpus(t, corpusDir(t))
	for _, s := range skipped {
		t.Logf("skipped (not valid XML for etree): %s", s)
	}
	if len(items) == 0 {
		t.Fatal("no scripts or conditions found in the corpus")
	}
	var failures []string
	for _, it := range items {
		var err error
		if it.expr {
			_, err = CompileExpr(it.where, it.src)
		} else {
			_, err = Compile(it.where, it.src)
		}
		if err != nil {
			failures = append(failures, err.Error())
		}
	}
	ok := len(items) - len(failures)
	pct := 100 * float64(ok) / float64(len(items))
	t.Logf("%d of %d parsed (%.1f%%)", ok, len(items), pct)
	for _, f := range failures {
		t.Logf("failed: %s", f)
	}
	if pct < 97 {
		t.Errorf("only %.1f%% of corpus scripts compile; want at least 97%%", pct)
	}
}
