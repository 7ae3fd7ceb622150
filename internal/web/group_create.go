package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
)

// groupCreate creates a process group inside the group named by the form
// field parent ("" for the top level).
func (s *Server) groupCreate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	parent := strings.TrimSpace(r.PostFormValue("parent"))
	id := strings.TrimSpace(r.PostFormValue("id"))
	if parent != "" {
		id = parent + "/" + id
	}
	in := models.GroupInput{DisplayName: r.PostFormValue("display_name"), Description: r.PostFormValue("description")}
	if err := s.models.CreateGroup(r.Context(), id, in); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.groupURL(parent), msg, func() error { return s.renderGroup(w, r, parent, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	return s.flashRedirect(w, r, "Group created.", s.groupURL(id))
}
