package web

import (
	"net/http"
	"path"
)

// modelDownload sends a model's files as a zip file.
func (s *Server) modelDownload(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r)
	if _, err := s.models.Model(id); err != nil {
		return err
	}
	return s.sendZip(w, id, path.Base(id)+".zip")
}
