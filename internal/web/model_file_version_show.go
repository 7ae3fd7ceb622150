package web

import "net/http"

// modelFileVersionShow shows one saved version of a file; with ?against=N
// the line diff from version N to it, with ?against=current the diff from
// it to the file as it is now.
func (s *Server) modelFileVersionShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderVersion(w, r, s.fileSubject(r))
}
