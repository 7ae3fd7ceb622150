package web

import (
	"net/http"
	"strings"
)

// groupMove renames a group or moves it (with everything in it) elsewhere.
func (s *Server) groupMove(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	newID := strings.Trim(strings.TrimSpace(r.PostFormValue("new_id")), "/")
	if err := s.models.MoveGroup(r.Context(), id, newID); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.groupURL(id), msg, func() error { return s.renderGroup(w, r, id, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	return s.flashRedirect(w, r, "Group moved.", s.groupURL(newID))
}
