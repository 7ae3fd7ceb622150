package web

import (
	"mime"
	"net/http"
	"strconv"
)

// instanceFileShow sends a file uploaded through a task form of the instance, to
// anyone who may see the instance.
func (s *Server) instanceFileShow(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	if err := s.runner.CheckView(r.Context(), actor(r), id); err != nil {
		return err
	}
	f, err := s.work.TaskFile(r.Context(), id, r.PathValue("digest"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.MimeType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-cache")
	_, err = w.Write(f.Content)
	return err
}
