package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/models"
)

// modelSettingsShow shows a model's settings page: process_model.json's
// fields, moving and deleting.
func (s *Server) modelSettingsShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderModelSettings(w, r, pathID(r), http.StatusOK, "")
}

// renderModelSettings shows the model's settings page as saved, with
// errMsg.
func (s *Server) renderModelSettings(w http.ResponseWriter, r *http.Request, id string, status int, errMsg string) error {
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	return s.renderModelForm(w, r, m, models.InputOf(m), status, errMsg)
}
