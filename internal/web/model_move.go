package web

import (
	"net/http"
	"strings"
)

// modelMove renames a model or moves it to another group.
func (s *Server) modelMove(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	newID := strings.Trim(strings.TrimSpace(r.PostFormValue("new_id")), "/")
	if err := s.models.MoveModel(r.Context(), id, newID); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.modelURL(id)+"/settings", msg, func() error { return s.renderModelSettings(w, r, id, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	return s.flashRedirect(w, r, "Model moved.", s.modelURL(newID))
}
