package web

import "net/http"

// groupVersionRestore writes a saved version of a group's settings back
// (a new version); a group that is gone comes back, empty.
func (s *Server) groupVersionRestore(w http.ResponseWriter, r *http.Request) error {
	h, err := s.groupSubject(r)
	if err != nil {
		return err
	}
	return s.restoreVersion(w, r, h)
}
