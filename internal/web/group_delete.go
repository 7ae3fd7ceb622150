package web

import "net/http"

// groupDelete deletes a group and everything in it; the history of its
// files is kept.
func (s *Server) groupDelete(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	g, err := s.models.Group(id)
	if err != nil {
		return err
	}
	if err := s.models.DeleteGroup(r.Context(), id); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.renderGroup(w, r, id, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	parent := ""
	if i := lastSlash(id); i >= 0 {
		parent = id[:i]
	}
	return s.flashRedirect(w, r, "Group “"+g.DisplayName+"” deleted.", s.groupURL(parent))
}

func lastSlash(id string) int {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return i
		}
	}
	return -1
}
