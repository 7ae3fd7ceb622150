package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// modelFileHistory lists every saved version of a file (who, when, size, hash).
// It works for deleted files too, so they can be restored.
func (s *Server) modelFileHistory(w http.ResponseWriter, r *http.Request) error {
	id, name := pathID(r), r.PathValue("name")
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	versions, err := s.models.History(r.Context(), id, name)
	if err != nil {
		return err
	}
	b, err := s.base(w, r, "History of "+name, templates.SectionModels)
	if err != nil {
		return err
	}
	v := templates.FileHistoryView{Base: b, ModelID: id, Name: name, FileURL: s.fileURL(id, name),
		Crumbs: s.fileCrumbs(m, name)}
	for _, ver := range versions {
		v.Versions = append(v.Versions, s.versionRow(id, name, ver))
	}
	return s.render(w, r, http.StatusOK, templates.FileHistoryPage(v), nil)
}

func (s *Server) fileCrumbs(m *models.Model, name string) []templates.Crumb {
	return append(s.groupCrumbs(m.ID, false),
		templates.Crumb{Name: m.DisplayName, URL: s.modelURL(m.ID)},
		templates.Crumb{Name: name, URL: s.fileURL(m.ID, name)})
}

func (s *Server) versionRow(modelID, name string, v models.Version) templates.VersionRow {
	return templates.VersionRow{Version: v.Version, Author: v.Author, Action: v.Action, Size: v.Size,
		SHA256: v.SHA256, Created: v.Created, URL: fmt.Sprintf("%s/history/%d", s.fileURL(modelID, name), v.Version)}
}
