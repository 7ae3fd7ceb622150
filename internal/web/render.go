package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
)

// render writes page, or fragment when htmx asked for one (fragment may be
// nil for pages without one). The component renders into a buffer first,
// so a failing template gives a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, fragment templ.Component) error {
	varyOnHTMX(w)
	c := page
	if fragment != nil && isFragmentRequest(r) {
		c = fragment
	}
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data; keep them out of shared caches and
	// revalidate on every visit. A page showing a secret once has set
	// no-store already.
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}
