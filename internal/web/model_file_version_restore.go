package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// modelFileVersionRestore writes a saved version back as the file's content (a new
// version in the history).
func (s *Server) modelFileVersionRestore(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id, name := pathID(r), r.PathValue("name")
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		return errPageNotFound
	}
	res, err := s.models.Restore(r.Context(), id, name, version)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return s.flashRedirect(w, r, "Not restored: "+msg, s.fileURL(id, name)+"/history")
		}
		return err
	}
	msg := fmt.Sprintf("Version %d restored.", version)
	if len(res.Problems) > 0 {
		msg += fmt.Sprintf(" It has %d problems today; see below.", len(res.Problems))
	}
	return s.flashRedirect(w, r, msg, s.fileURL(id, name))
}
