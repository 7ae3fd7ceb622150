package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// instanceList lists process instances.
func (s *Server) instanceList(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "Instances", templates.SectionInstances)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.InstancesPage(templates.InstancesView{Base: b}), nil)
}
