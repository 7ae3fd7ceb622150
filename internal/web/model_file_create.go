package web

import (
	"net/http"
	"strings"
)

// modelFileCreate adds a new file to a model (a new BPMN file gets a start
// diagram) and opens it.
func (s *Server) modelFileCreate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	if _, err := s.models.CreateFile(r.Context(), id, name, nil); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.modelURL(id), msg, func() error { return s.renderModel(w, r, id, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	return s.flashRedirect(w, r, "File created.", s.fileURL(id, name))
}
