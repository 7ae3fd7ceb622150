package web

import (
	"net/http"
	"net/url"
)

// modelFileDelete removes a file from a model; its history keeps the content.
func (s *Server) modelFileDelete(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id, name := pathID(r), r.PathValue("name")
	if err := s.models.DeleteFile(r.Context(), id, name); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.fileURL(id, name), msg, func() error { return s.renderFile(w, r, id, name, nil, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	// The model page says so, with a link to the file's history (a flash
	// message cannot hold a link).
	redirect(w, r, s.modelURL(id)+"?deleted="+url.QueryEscape(name)+"#deleted-notice")
	return nil
}
