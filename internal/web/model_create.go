package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
)

// modelCreate creates a process model in the group named by the form.
func (s *Server) modelCreate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	group := strings.TrimSpace(r.PostFormValue("group"))
	id := strings.TrimSpace(r.PostFormValue("id"))
	if group != "" {
		id = group + "/" + id
	}
	in := models.ModelInput{DisplayName: r.PostFormValue("display_name"), Description: r.PostFormValue("description")}
	if err := s.models.CreateModel(r.Context(), id, in); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.groupURL(group), msg, func() error { return s.renderGroup(w, r, group, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	return s.flashRedirect(w, r, "Model created.", s.modelURL(id))
}
