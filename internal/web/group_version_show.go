package web

import "net/http"

// groupVersionShow shows one saved version of a group's settings, or a
// diff (?against=N or ?against=current).
func (s *Server) groupVersionShow(w http.ResponseWriter, r *http.Request) error {
	h, err := s.groupSubject(r)
	if err != nil {
		return err
	}
	return s.renderVersion(w, r, h)
}
