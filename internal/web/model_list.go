package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// modelList shows the model repository.
func (s *Server) modelList(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "Models", templates.SectionModels)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.ModelsPage(templates.ModelsView{Base: b, Dir: s.cfg.ModelsDir}), nil)
}
