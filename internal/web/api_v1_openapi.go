package web

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes /api/v1 (OpenAPI 3.1). TestOpenAPICoversRoutes
// keeps it in step with routes.go and validates it.
//
//go:embed openapi.json
var openAPIDocument []byte

// apiV1OpenAPI serves the API's OpenAPI document.
func (s *Server) apiV1OpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}
