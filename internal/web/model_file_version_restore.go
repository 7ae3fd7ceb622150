package web

import "net/http"

// modelFileVersionRestore writes a saved version back as the file's content
// (a new version in the history). For a file of a model that is gone, the
// model comes back first with its last recorded settings.
func (s *Server) modelFileVersionRestore(w http.ResponseWriter, r *http.Request) error {
	return s.restoreVersion(w, r, s.fileSubject(r))
}
