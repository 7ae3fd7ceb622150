package web

import "net/http"

// modelDelete deletes a model and its files; their history is kept.
func (s *Server) modelDelete(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	if err := s.models.DeleteModel(r.Context(), id); err != nil {
		return err
	}
	parent := ""
	if i := lastSlash(id); i >= 0 {
		parent = id[:i]
	}
	return s.flashRedirect(w, r, "Model “"+m.DisplayName+"” deleted.", s.groupURL(parent))
}
