package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// The served OpenAPI document is valid OpenAPI 3.1 (checked against the
// specification's schema by libopenapi-validator) and describes exactly
// the /api/v1 routes of routes.go, method by method.
func TestOpenAPICoversRoutes(t *testing.T) {
	rec := httptest.NewRecorder()
	(&Server{}).apiV1OpenAPI(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	served, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("served %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}

	doc, err := libopenapi.NewDocument(served)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Errorf("OpenAPI version %q, want 3.1", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("invalid OpenAPI document: %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  at %s: %s", se.FieldPath, se.Reason)
			}
		}
	}

	var parsed struct {
		Servers []struct{ URL string }
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(served, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Servers) != 1 || parsed.Servers[0].URL != "/api/v1" {
		t.Fatalf("servers %v, want /api/v1", parsed.Servers)
	}
	var documented []string
	for path, ops := range parsed.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" /api/v1"+path)
		}
	}
	var routes []string
	for _, p := range registeredRoutes(t) {
		if _, path, _ := strings.Cut(p, " "); strings.HasPrefix(path, "/api/v1/") {
			routes = append(routes, p)
		}
	}
	if len(routes) < 10 {
		t.Fatalf("found only %d /api/v1 routes", len(routes))
	}
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %q is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json describes %q, which routes.go does not have", d)
		}
	}
}
