package web

import "net/http"

// modelFileHistoryCompare answers the history page's compare form
// (?from=N&to=M, M a version or "current") with the page showing that diff.
func (s *Server) modelFileHistoryCompare(w http.ResponseWriter, r *http.Request) error {
	return s.redirectCompare(w, r, s.fileSubject(r))
}
