package web

import "net/http"

// groupHistory lists every saved version of a group's settings
// (process_group.json), also for a group that is gone.
func (s *Server) groupHistory(w http.ResponseWriter, r *http.Request) error {
	h, err := s.groupSubject(r)
	if err != nil {
		return err
	}
	return s.renderHistory(w, r, h)
}
