package archtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/waymark-bpm/waymark"

// rule is one row of the allow table.
//
// This table is a statement of policy, copied from DESIGN.md. Do not change
// it to make the build pass: change it together with the design, or change
// the import.
type rule struct {
	// allow lists the project packages the package may import directly
	// ("*" for any). Everything else in the module is refused.
	allow []string
	// denyImports are packages (stdlib or third party) it must not import
	// directly.
	denyImports []string
	// denyDeps are packages it must not reach at all, through any chain of
	// imports.
	denyDeps []string
	// testsOnly packages may be imported by test files only.
	testsOnly bool
}

var engineOnly = []string{"internal/engine", "internal/engine/spec", "internal/engine/dmn", "internal/engine/script", "internal/engine/bpmn"}

var policy = map[string]rule{
	"internal/engine/script": {denyDeps: []string{"net", "net/http", "os/exec", "database/sql"}},
	"internal/engine/dmn":    {allow: []string{"internal/engine/script"}},
	// spec may import dmn, which parses its own XML, so the XML rule is on
	// spec's own imports.
	"internal/engine/spec": {
		allow:       []string{"internal/engine/dmn", "internal/engine/script"},
		denyImports: []string{"encoding/xml", "github.com/beevik/etree"},
	},
	"internal/engine/bpmn": {allow: []string{"internal/engine/spec", "internal/engine/dmn", "internal/engine/script"}},
	"internal/engine": {
		allow:       []string{"internal/engine/spec", "internal/engine/dmn", "internal/engine/script"},
		denyImports: []string{"os"},
		denyDeps:    []string{module + "/internal/engine/bpmn", "net/http", "database/sql"},
	},
	"internal/engine/enginetest": {
		allow:     []string{"internal/engine", "internal/engine/bpmn", "internal/engine/spec"},
		testsOnly: true,
	},
	// The scenario runner behind the conformance corpus (DESIGN.md's
	// engine/enginetest role); `web run --scenario` uses it, so it is not
	// test-only.
	"internal/engine/scenario": {allow: []string{"internal/engine", "internal/engine/bpmn", "internal/engine/spec", "internal/engine/dmn", "internal/engine/script"}},

	"internal/store": {},
	// Starts a real PostgreSQL server for the tests of store and cmd/web.
	"internal/pgtest":     {testsOnly: true},
	"internal/config":     {},
	"internal/connectors": {},
	// The Prometheus collectors: a leaf that web serves and cmd/web wires
	// into the store and the runner through their observer interfaces.
	"internal/metrics": {},
	// forms and instructions both render SpiffArena's Jinja templates over
	// task data, so the template engine is a leaf of its own beside them.
	"internal/jinja":        {},
	"internal/forms":        {allow: []string{"internal/jinja"}},
	"internal/instructions": {allow: []string{"internal/jinja"}},

	"internal/runner":  {allow: []string{"internal/engine", "internal/engine/spec", "internal/store", "internal/connectors", "internal/secrets"}},
	"internal/models":  {allow: []string{"internal/engine/bpmn", "internal/engine/spec", "internal/engine/dmn", "internal/store"}},
	"internal/auth":    {allow: []string{"internal/store"}},
	"internal/secrets": {allow: []string{"internal/store"}},
	// A real OpenID provider (zitadel/oidc's certified op) for sign-in tests.
	"internal/auth/oidctest": {testsOnly: true},

	"internal/web": {
		allow: []string{"internal/runner", "internal/models", "internal/forms", "internal/auth", "internal/secrets",
			"internal/instructions", "internal/store", "internal/config", "internal/metrics", "web/templates", "web/static"},
		denyImports: []string{"database/sql"},
	},
	"web/templates": {allow: []string{"internal/forms"}},
	// Leaves beside the table: embedded assets and the demo model tree.
	"web/static": {},
	"examples":   {},

	"cmd/web":           {allow: []string{"*"}},
	"internal/archtest": {},
}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Module     *struct{ Path string }
}

// listPackages runs `go list -deps` over the module and returns its own
// packages keyed by path relative to the module root.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Deps,Module", module+"/...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		pkgs[rel(p.ImportPath)] = p
	}
	return pkgs
}

func rel(importPath string) string {
	if importPath == module {
		return "."
	}
	return strings.TrimPrefix(importPath, module+"/")
}

func isProject(importPath string) bool {
	return importPath == module || strings.HasPrefix(importPath, module+"/")
}

func TestImportPolicy(t *testing.T) {
	pkgs := listPackages(t)
	if _, ok := pkgs["cmd/web"]; !ok {
		t.Fatal("go list did not report cmd/web; the listing is broken")
	}
	for _, v := range violations(pkgs, policy) {
		t.Error(v)
	}
	for name, r := range policy {
		if !strings.HasPrefix(name, "internal/engine") || name == "internal/engine/scenario" || name == "internal/engine/enginetest" {
			continue
		}
		for _, a := range r.allow {
			if !slices.Contains(engineOnly, a) {
				t.Errorf("policy table: %s may import %s, outside the engine", name, a)
			}
		}
	}
}

// violations checks every package against the table.
func violations(pkgs map[string]pkg, policy map[string]rule) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(pkgs)) {
		p := pkgs[name]
		r, ok := policy[name]
		if !ok {
			out = append(out, name+" is not in the allow table; add a row (and the matching line to DESIGN.md)")
			continue
		}
		for _, imp := range p.Imports {
			if isProject(imp) && !slices.Contains(r.allow, "*") && !slices.Contains(r.allow, rel(imp)) {
				out = append(out, name+" imports "+rel(imp)+", which the allow table does not permit")
			}
			if slices.Contains(r.denyImports, imp) {
				out = append(out, name+" imports "+imp+", which it must not")
			}
		}
		for _, dep := range p.Deps {
			if slices.Contains(r.denyDeps, dep) {
				out = append(out, name+" depends on "+dep+" (through its imports), which it must not")
			}
		}
		if r.testsOnly {
			for _, other := range slices.Sorted(maps.Keys(pkgs)) {
				if slices.Contains(pkgs[other].Imports, module+"/"+name) {
					out = append(out, other+" imports "+name+", which is for tests only")
				}
			}
		}
	}
	return out
}

// TestViolationsFindsBreaches feeds the checker made-up packages that break
// each kind of rule, so a checker that stopped checking would fail here.
func TestViolationsFindsBreaches(t *testing.T) {
	pkgs := map[string]pkg{
		"internal/web":               {Imports: []string{module + "/internal/engine", "database/sql"}},
		"internal/engine/script":     {Deps: []string{"fmt", "net/http"}},
		"internal/engine":            {Imports: []string{"os"}},
		"internal/engine/enginetest": {},
		"internal/runner":            {Imports: []string{module + "/internal/engine/enginetest"}},
		"internal/newthing":          {},
		"cmd/web":                    {Imports: []string{module + "/internal/engine"}},
	}
	got := violations(pkgs, policy)
	want := []string{
		"internal/engine imports os, which it must not",
		"internal/engine/script depends on net/http (through its imports), which it must not",
		"internal/newthing is not in the allow table; add a row (and the matching line to DESIGN.md)",
		"internal/runner imports internal/engine/enginetest, which the allow table does not permit",
		"internal/runner imports internal/engine/enginetest, which is for tests only",
		"internal/web imports internal/engine, which the allow table does not permit",
		"internal/web imports database/sql, which it must not",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n got %q\nwant %q", got, want)
	}
}

// TestEngineReadsNoClock rejects time.Now( in the engine runtime's non-test
// files: time comes from the injected clock.
func TestEngineReadsNoClock(t *testing.T) {
	calls, err := clockCalls(filepath.Join("..", "engine"))
	if errors.Is(err, fs.ErrNotExist) {
		return // the engine does not exist yet; nothing to check
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		t.Errorf("%s calls time.Now(); use the injected clock", c)
	}
}

func TestClockCallsFindsThem(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"run.go":      "package engine\n\n// Never call time.Now() here.\nfunc f() { _ = time.Now() }\n",
		"run_test.go": "package engine\n\nfunc g() { _ = time.Now() }\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	calls, err := clockCalls(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "run.go") + ":4"}; !slices.Equal(calls, want) {
		t.Errorf("clockCalls = %q, want %q", calls, want)
	}
}

// clockCalls returns file:line of every time.Now( in the non-test Go files
// of dir (not its subdirectories). Comment lines are skipped so that the
// rule can be written down where it applies.
func clockCalls(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var calls []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1024*1024), 1024*1024)
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(text, "//") && strings.Contains(text, "time.Now(") {
				calls = append(calls, fmt.Sprintf("%s:%d", path, line))
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return calls, nil
}
