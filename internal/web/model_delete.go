package web

import (
	"net/http"
	"net/url"
)

// modelDelete deletes a model and its files; their content is recorded in
// the history first, so the group page can offer to restore it.
func (s *Server) modelDelete(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	if _, err := s.models.Model(id); err != nil {
		return err
	}
	if err := s.models.DeleteModel(r.Context(), id); err != nil {
		return err
	}
	parent := ""
	if i := lastSlash(id); i >= 0 {
		parent = id[:i]
	}
	// The group page says what was deleted, with a link to restore it
	// (a flash message cannot hold a link).
	redirect(w, r, s.groupURL(parent)+"?deleted="+url.QueryEscape(id)+"#deleted-notice")
	return nil
}
