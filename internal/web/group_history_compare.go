package web

import "net/http"

// groupHistoryCompare answers the compare form of a group's settings
// history with the page showing that diff.
func (s *Server) groupHistoryCompare(w http.ResponseWriter, r *http.Request) error {
	h, err := s.groupSubject(r)
	if err != nil {
		return err
	}
	return s.redirectCompare(w, r, h)
}
