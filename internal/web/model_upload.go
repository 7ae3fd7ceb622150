package web

import "net/http"

// modelUpload adds files to a model: loose files, or one zip file of them.
func (s *Server) modelUpload(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r)
	if _, err := s.models.Model(id); err != nil {
		return err
	}
	return s.upload(w, r, id, true)
}
