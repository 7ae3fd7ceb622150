package web

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strconv"
)

// groupDownload sends a group, with everything under it, as a zip file.
func (s *Server) groupDownload(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r)
	if _, err := s.models.Group(id); err != nil {
		return err
	}
	return s.sendZip(w, id, path.Base(id)+".zip")
}

// repoDownload sends the whole repository as a zip file.
func (s *Server) repoDownload(w http.ResponseWriter, r *http.Request) error {
	return s.sendZip(w, "", "process-models.zip")
}

// sendZip builds the zip in memory first, so a failure gives an error
// page instead of a truncated download.
func (s *Server) sendZip(w http.ResponseWriter, id, filename string) error {
	var buf bytes.Buffer
	if err := s.models.ExportZip(&buf, id); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "private, no-cache")
	_, err := buf.WriteTo(w)
	return err
}
