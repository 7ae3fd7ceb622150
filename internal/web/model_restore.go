package web

import (
	"fmt"
	"net/http"
)

// modelRestore brings back a deleted model as it was when it was deleted.
func (s *Server) modelRestore(w http.ResponseWriter, r *http.Request) error {
	return s.restoreDeleted(w, r, true)
}

// restoreDeleted restores the deleted model or group {id} and shows it;
// a refusal goes back to the page of the group it was deleted from.
func (s *Server) restoreDeleted(w http.ResponseWriter, r *http.Request, isModel bool) error {
	r = withAuthor(r)
	id := pathID(r)
	n, err := s.models.RestoreDeleted(r.Context(), id)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return s.flashRedirect(w, r, "Not restored: "+msg, s.groupURL(id[:max(lastSlash(id), 0)]))
		}
		return err
	}
	msg := fmt.Sprintf("Restored with %d files.", n)
	if isModel {
		return s.flashRedirect(w, r, msg, s.modelURL(id))
	}
	return s.flashRedirect(w, r, msg, s.groupURL(id))
}
