package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/instructions"
)

// markdownPreviewMaxChars bounds the text a preview renders.
const markdownPreviewMaxChars = 100_000

// apiMarkdownPreview answers POST /api/markdown/preview (form field
// "markdown") with {"html": …}: the preview of a form's markdown field
// (web/static/js/forms.js). The Markdown is rendered and sanitised by
// internal/instructions, the same XSS boundary as task instructions; no
// Jinja runs over what the user typed.
func (s *Server) apiMarkdownPreview(w http.ResponseWriter, r *http.Request) error {
	md := r.PostFormValue("markdown")
	if len(md) > markdownPreviewMaxChars {
		return fmt.Errorf("markdown preview of %d bytes: %w", len(md), errBadRequest)
	}
	html, err := instructions.Markdown(md)
	if err != nil {
		return fmt.Errorf("markdown preview: %w", err)
	}
	return writeJSON(w, http.StatusOK, map[string]string{"html": string(html)})
}
