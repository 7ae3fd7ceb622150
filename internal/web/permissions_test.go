package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// registeredRoutes reads routes.go and returns the pattern of every
// Handle and HandleFunc call on the page mux.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
			return true
		}
		recv, ok := sel.X.(*ast.Ident)
		if !ok || recv.Name != "pages" {
			return true // the app and root muxes: static files and probes
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok {
			t.Errorf("a route in routes.go is not a string literal: %T", call.Args[0])
			return true
		}
		p, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		patterns = append(patterns, p)
		return true
	})
	if len(patterns) < 50 {
		t.Fatalf("found only %d routes in routes.go", len(patterns))
	}
	return patterns
}

// TestEveryRouteHasAccessRule walks every route registered in routes.go:
// each must have a row in routeAccess, and each row a route.
func TestEveryRouteHasAccessRule(t *testing.T) {
	routes := registeredRoutes(t)
	for _, p := range routes {
		if _, ok := routeAccess[p]; !ok {
			t.Errorf("route %q has no row in routeAccess", p)
		}
	}
	for p := range routeAccess {
		if !slices.Contains(routes, p) {
			t.Errorf("routeAccess row %q is not a route in routes.go", p)
		}
	}
	// Every target must resolve with the pattern's own path values.
	for p, a := range routeAccess {
		for _, c := range append(a.rules, derefs(a.mine, a.extra)...) {
			if !slices.Contains([]string{"create", "read", "update", "delete"}, c.action) {
				t.Errorf("%s: action %q", p, c.action)
			}
			if !strings.HasPrefix(c.target, "/") {
				t.Errorf("%s: target %q", p, c.target)
			}
			for _, name := range placeholders(c.target) {
				if name != "model" && !strings.HasPrefix(name, "form:") && !strings.Contains(p, "{"+name+"}") {
					t.Errorf("%s: target %q names {%s}, which the route does not have", p, c.target, name)
				}
			}
		}
	}
}

func derefs(cs ...*check) []check {
	var out []check
	for _, c := range cs {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		out = append(out, s[i+1:i+j])
		s = s[i+j+1:]
	}
}

func TestPathValuesAndTargets(t *testing.T) {
	// An escaped slash stays inside its value, as the mux reads it.
	if got := pathValues("POST /process-models/{id}/delete", "/process-models/finance%2Fexpense/delete"); got["id"] != "finance/expense" {
		t.Errorf("escaped slash: %v", got)
	}
	vals := pathValues("GET /process-models/{id}/files/{name}", "/process-models/finance:expense/files/a%20b.bpmn")
	if diff := cmp.Diff(map[string]string{"id": "finance:expense", "name": "a b.bpmn"}, vals); diff != "" {
		t.Errorf("path values (-want +got):\n%s", diff)
	}
	r := httptest.NewRequest("POST", "/process-groups", strings.NewReader(url.Values{"parent": {"finance/travel"}, "id": {"trips"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := &resolver{r: r, vals: vals}
	got, err := res.target("/process-groups/{form:parent+id}")
	if err != nil || got != "/process-groups/finance:travel:trips" {
		t.Errorf("form target %q, %v", got, err)
	}
	got, err = res.target("/process-models/{id}/files/{name}")
	if err != nil || got != "/process-models/finance:expense/files/a b.bpmn" {
		t.Errorf("path target %q, %v", got, err)
	}
}
