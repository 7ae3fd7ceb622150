package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// groupShow shows a process group: its groups and models, and the forms
// that change it.
func (s *Server) groupShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderGroup(w, r, pathID(r), http.StatusOK, "")
}

func (s *Server) renderGroup(w http.ResponseWriter, r *http.Request, id string, status int, errMsg string) error {
	return s.renderGroupReport(w, r, id, status, errMsg, nil)
}

// renderGroupReport is renderGroup with what an upload found.
func (s *Server) renderGroupReport(w http.ResponseWriter, r *http.Request, id string, status int, errMsg string, rep *templates.UploadReport) error {
	if id == "" {
		return s.renderModelTreeReport(w, r, status, errMsg, rep)
	}
	g, err := s.models.Group(id)
	if err != nil {
		return err
	}
	b, err := s.base(w, r, g.DisplayName, templates.SectionModels)
	if err != nil {
		return err
	}
	deleted, err := s.deletedItems(r.Context(), id)
	if err != nil {
		return err
	}
	v := templates.GroupView{Base: b, Group: s.groupNode(g, false), Crumbs: s.groupCrumbs(id, false), Error: errMsg, Report: rep,
		HistoryURL: s.groupURL(id) + "/history", Deleted: deleted, JustDeleted: r.URL.Query().Get("deleted"), Can: s.groupCan(r, id)}
	return s.render(w, r, status, templates.GroupPage(v), nil)
}
