package web

import "net/http"

// groupRestore brings back a deleted group, with everything deleted with
// it, as it was when it was deleted.
func (s *Server) groupRestore(w http.ResponseWriter, r *http.Request) error {
	return s.restoreDeleted(w, r, false)
}
