package web

import (
	"errors"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/models"
)

// modelFileUpdate saves the editor's text as the file. With problems nothing is
// replaced (the page comes back with the text and the problems) unless
// the user asked for a draft.
func (s *Server) modelFileUpdate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id, name := pathID(r), r.PathValue("name")
	content := r.PostFormValue("content")
	draft := r.PostFormValue("draft") == "1"
	res, err := s.models.SaveFile(r.Context(), id, name, []byte(content), draft)
	var pe *models.ProblemsError
	switch {
	case errors.As(err, &pe):
		return s.renderFile(w, r, id, name, &savedAttempt{content, pe.Problems}, http.StatusUnprocessableEntity,
			"Not saved: the file has problems. Fix them, or save it as a draft.")
	case err != nil:
		if msg, ok := userMessage(err); ok {
			return s.renderFile(w, r, id, name, &savedAttempt{content: content}, http.StatusUnprocessableEntity, "Not saved: "+msg)
		}
		return err
	}
	msg := "Saved."
	if len(res.Problems) > 0 {
		msg = "Saved as a draft with problems."
	}
	return s.flashRedirect(w, r, msg, s.fileURL(id, name))
}
