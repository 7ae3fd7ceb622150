package web

import (
	"net/http"
	"net/url"
)

// groupDelete deletes a group and everything in it; the content of its
// files is recorded in the history first, so the parent's page can offer
// to restore it.
func (s *Server) groupDelete(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	if _, err := s.models.Group(id); err != nil {
		return err
	}
	if err := s.models.DeleteGroup(r.Context(), id); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.refusePost(w, r, s.groupURL(id), msg, func() error { return s.renderGroup(w, r, id, http.StatusUnprocessableEntity, msg) })
		}
		return err
	}
	parent := ""
	if i := lastSlash(id); i >= 0 {
		parent = id[:i]
	}
	// The parent's page says what was deleted, with a link to restore it
	// (a flash message cannot hold a link).
	redirect(w, r, s.groupURL(parent)+"?deleted="+url.QueryEscape(id)+"#deleted-notice")
	return nil
}

func lastSlash(id string) int {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return i
		}
	}
	return -1
}
