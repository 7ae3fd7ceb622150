package web

import (
	"net/http"
	"strings"
)

// modelFileRename renames a file of a model; its history follows.
func (s *Server) modelFileRename(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id, name := pathID(r), r.PathValue("name")
	newName := strings.TrimSpace(r.PostFormValue("new_name"))
	if err := s.models.RenameFile(r.Context(), id, name, newName); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.fileURL(id, name), msg, func() error { return s.renderFile(w, r, id, name, nil, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	return s.flashRedirect(w, r, "File renamed.", s.fileURL(id, newName))
}
