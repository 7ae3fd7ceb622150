package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// modelShow shows a process model: files, processes, callers, settings.
func (s *Server) modelShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderModel(w, r, pathID(r), http.StatusOK, "")
}

func (s *Server) renderModel(w http.ResponseWriter, r *http.Request, id string, status int, errMsg string) error {
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	return s.renderModelForm(w, r, m, models.InputOf(m), status, errMsg)
}

// renderModelForm shows the model page with the settings form holding in
// (what the user typed, when it was refused).
func (s *Server) renderModelForm(w http.ResponseWriter, r *http.Request, m *models.Model, in models.ModelInput, status int, errMsg string) error {
	ctx := r.Context()
	v := templates.ModelView{
		ID: m.ID, URL: s.modelURL(m.ID), DisplayName: in.DisplayName, Description: in.Description,
		DisplayOrder: in.DisplayOrder, PrimaryFileName: in.PrimaryFileName, PrimaryProcessID: in.PrimaryProcessID,
		ExceptionNotificationAddresses: strings.Join(in.ExceptionNotificationAddresses, "\n"),
		FaultOrSuspendOnException:      in.FaultOrSuspendOnException,
		Crumbs:                         s.groupCrumbs(m.ID, false), Error: errMsg,
		Can: s.modelCan(r, m.ID),
	}
	for _, p := range in.MetadataExtractionPaths {
		v.MetadataExtractionPaths = append(v.MetadataExtractionPaths, templates.MetadataPathRow{Key: p.Key, Path: p.Path})
	}
	for _, f := range m.Files {
		v.Files = append(v.Files, templates.FileRow{Name: f.Name, URL: s.fileURL(m.ID, f.Name), Type: f.Type,
			Size: f.Size, Updated: f.Updated, Problems: len(f.Problems)})
	}
	var procs []models.ProcessMatch
	for _, pid := range s.models.ProcessIDs(m.ID) {
		_, file, _ := s.models.ProcessLocation(pid)
		procs = append(procs, models.ProcessMatch{ProcessID: pid, DisplayName: s.models.ProcessName(pid), ModelID: m.ID, File: file})
	}
	v.Processes = s.processRows(procs)
	callers, err := s.models.Callers(ctx, m.ID)
	if err != nil {
		return err
	}
	v.Callers = s.processRows(callers)
	deleted, err := s.models.DeletedFiles(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, f := range deleted {
		v.DeletedFiles = append(v.DeletedFiles, templates.DeletedFileRow{Path: f.File, HistoryURL: s.fileURL(m.ID, f.File) + "/history",
			When: f.Created, Author: f.Author, Action: f.Action})
	}
	v.JustDeleted = r.URL.Query().Get("deleted")
	b, err := s.base(w, r, m.DisplayName, templates.SectionModels)
	if err != nil {
		return err
	}
	v.Base = b
	return s.render(w, r, status, templates.ModelPage(v), nil)
}
