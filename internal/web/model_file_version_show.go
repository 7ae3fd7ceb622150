package web

import (
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/web/templates"
)

// modelFileVersionShow shows one saved version of a file, or with ?against=N the
// line diff from version N to it.
func (s *Server) modelFileVersionShow(w http.ResponseWriter, r *http.Request) error {
	id, name := pathID(r), r.PathValue("name")
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		return errPageNotFound
	}
	ver, err := s.models.VersionContent(r.Context(), id, name, version)
	if err != nil {
		return err
	}
	v := templates.VersionView{ModelID: id, Name: name, FileURL: s.fileURL(id, name),
		Version: s.versionRow(id, name, ver), Crumbs: s.fileCrumbs(m, name)}
	if a := r.URL.Query().Get("against"); a != "" {
		against, err := strconv.Atoi(a)
		if err != nil || against < 1 {
			return errPageNotFound
		}
		lines, err := s.models.Diff(r.Context(), id, name, against, version)
		if err != nil {
			return err
		}
		v.Against = against
		for _, l := range lines {
			v.Diff = append(v.Diff, templates.DiffRow{Op: string(l.Op), Text: l.Text, OldLine: l.OldLine, NewLine: l.NewLine})
		}
	} else {
		v.Content = string(ver.Content)
	}
	b, err := s.base(w, r, name+" version "+strconv.Itoa(version), templates.SectionModels)
	if err != nil {
		return err
	}
	v.Base = b
	return s.render(w, r, http.StatusOK, templates.VersionPage(v), nil)
}
