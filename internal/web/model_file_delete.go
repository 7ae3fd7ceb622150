package web

import "net/http"

// modelFileDelete removes a file from a model; its history keeps the content.
func (s *Server) modelFileDelete(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id, name := pathID(r), r.PathValue("name")
	if err := s.models.DeleteFile(r.Context(), id, name); err != nil {
		if msg, ok := userMessage(err); ok {
			return s.renderFile(w, r, id, name, nil, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return s.flashRedirect(w, r, "File “"+name+"” deleted; its history keeps every version.", s.modelURL(id))
}
