package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// processSearch is call-activity search for pages: an htmx fragment for a
// type-ahead, a page without htmx.
func (s *Server) processSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	matches, err := s.models.SearchProcesses(r.Context(), q, 100)
	if err != nil {
		return err
	}
	matches = s.readableMatches(r, matches, 20)
	b, err := s.base(w, r, "Process search", templates.SectionModels)
	if err != nil {
		return err
	}
	rows := s.processRows(matches)
	v := templates.ProcessSearchView{Base: b, Query: q, Matches: rows}
	return s.render(w, r, http.StatusOK, templates.ProcessSearchPage(v), templates.ProcessSearchResults(b, q, rows))
}
