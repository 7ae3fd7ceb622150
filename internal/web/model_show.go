package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// recentInstancesShown is how many instances a model's overview lists.
const recentInstancesShown = 10

// modelShow shows a process model's overview: Start, the diagram, recent
// instances, files, processes and callers. Its settings have their own
// page (modelSettingsShow).
func (s *Server) modelShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderModel(w, r, pathID(r), http.StatusOK, "")
}

// renderModel shows the model's overview.
func (s *Server) renderModel(w http.ResponseWriter, r *http.Request, id string, status int, errMsg string) error {
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	v, err := s.modelView(w, r, m, models.InputOf(m), errMsg)
	if err != nil {
		return err
	}
	if v.PrimaryFileName != "" && s.hasFile(m, v.PrimaryFileName) {
		v.DiagramURL = s.fileURL(m.ID, v.PrimaryFileName) + "/raw"
		v.DiagramCSS = s.asset("bpmn-js-spiff/dist/viewer.css")
		v.Base.Scripts = append(v.Base.Scripts, s.asset("bpmn-js-spiff/dist/viewer.js"))
	}
	if s.work != nil {
		f := store.InstanceFilter{ModelID: m.ID, Limit: recentInstancesShown}
		if a := actor(r); !a.Admin {
			viewer := a.Viewer()
			f.VisibleTo = &viewer
		}
		rows, total, err := s.work.Instances(r.Context(), f)
		if err != nil {
			return err
		}
		v.RecentTotal = total
		for _, in := range rows {
			v.Recent = append(v.Recent, s.instanceRow(in))
		}
	}
	return s.render(w, r, status, templates.ModelPage(v), nil)
}

// renderModelForm shows the model's settings page with the form holding
// in (what the user typed, when it was refused).
func (s *Server) renderModelForm(w http.ResponseWriter, r *http.Request, m *models.Model, in models.ModelInput, status int, errMsg string) error {
	v, err := s.modelView(w, r, m, in, errMsg)
	if err != nil {
		return err
	}
	v.Base.Title = "Settings: " + m.DisplayName
	return s.render(w, r, status, templates.ModelSettingsPage(v), nil)
}

// hasFile reports whether the model has a file of that name.
func (s *Server) hasFile(m *models.Model, name string) bool {
	for _, f := range m.Files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// modelView is what the overview and the settings page of a model show,
// the settings as in.
func (s *Server) modelView(w http.ResponseWriter, r *http.Request, m *models.Model, in models.ModelInput, errMsg string) (templates.ModelView, error) {
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
		return v, err
	}
	v.Callers = s.processRows(callers)
	deleted, err := s.models.DeletedFiles(ctx, m.ID)
	if err != nil {
		return v, err
	}
	for _, f := range deleted {
		v.DeletedFiles = append(v.DeletedFiles, templates.DeletedFileRow{Path: f.File, HistoryURL: s.fileURL(m.ID, f.File) + "/history",
			When: f.Created, Author: f.Author, Action: f.Action})
	}
	v.JustDeleted = r.URL.Query().Get("deleted")
	v.SettingsURL = v.URL + "/settings"
	v.InstancesURL = s.prefix.URL("/instances?model=" + url.QueryEscape(models.IDToURL(m.ID)))
	b, err := s.base(w, r, m.DisplayName, templates.SectionModels)
	if err != nil {
		return v, err
	}
	v.Base = b
	return v, nil
}

// instanceRow is an instance as the model overview lists it.
func (s *Server) instanceRow(in store.Instance) templates.InstanceRow {
	row := templates.InstanceRow{ID: in.ID, URL: s.prefix.URL(fmt.Sprintf("/instances/%d", in.ID)), Model: in.ModelID,
		Process: in.ProcessName, Status: in.Status, StartedBy: in.StartedBy, Started: in.StartedAt.Format("2006-01-02 15:04")}
	if !in.EndedAt.IsZero() {
		row.Ended = in.EndedAt.Format("2006-01-02 15:04")
	}
	return row
}
