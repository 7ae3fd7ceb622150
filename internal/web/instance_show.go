package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

const timeLayout = "2006-01-02 15:04:05"

// statePriority decides an element's colour when several of its tasks ran:
// an error shows over a live task, a live task over a completed one.
var statePriority = map[string]int{"": 0, "CANCELLED": 1, "COMPLETED": 2, "WAITING": 3, "STARTED": 4, "READY": 5, "ERROR": 6}

func showTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// instanceShow shows one instance: facts, error, path taken, tasks with
// their data, what it waits for, and its event log.
func (s *Server) instanceShow(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	taskPage := 1
	if n, err := strconv.Atoi(r.URL.Query().Get("tasks")); err == nil && n > 0 {
		taskPage = n
	}
	p, err := s.runner.InstancePageOf(r.Context(), actor(r), id, taskPage)
	if err != nil {
		return err
	}
	in := p.Instance
	b, err := s.base(w, r, fmt.Sprintf("Instance %d", id), templates.SectionInstances)
	if err != nil {
		return err
	}
	v := templates.InstanceView{Base: b, ID: id, Process: in.ProcessName, Model: in.ModelID, Status: in.Status, StartedBy: in.StartedBy,
		Started: showTime(in.StartedAt), Updated: showTime(in.UpdatedAt), Ended: showTime(in.EndedAt), Problem: p.Problem,
		StatesURL: s.prefix.URL(fmt.Sprintf("/api/instances/%d/states", id))}
	if s.models != nil {
		if modelID, file, err := s.models.ProcessLocation(in.ProcessID); err == nil {
			v.DiagramURL = s.fileURL(modelID, file) + "/raw"
			v.DiagramCSS = s.asset("bpmn-js-spiff/dist/viewer.css")
			v.Base.Scripts = append(v.Base.Scripts, s.asset("bpmn-js-spiff/dist/viewer.js"))
			marks := map[string]string{}
			for _, t := range p.Tasks {
				if statePriority[t.State] > statePriority[marks[t.ElementID]] {
					marks[t.ElementID] = t.State
				}
			}
			b, err := json.Marshal(marks)
			if err != nil {
				return err
			}
			v.DiagramMarks = string(b)
		}
	}
	// A suspended instance may have been suspended by its failure (the
	// model's fault_or_suspend_on_exception): its error is shown too.
	if in.Status == store.StatusError || in.Status == store.StatusSuspended && in.ErrorElement != "" {
		v.Error = &templates.InstanceError{Element: in.ErrorElement, Where: in.ErrorWhere, Line: in.ErrorLine, Message: in.ErrorMessage}
	}
	keys := make([]string, 0, len(p.Metadata))
	for k := range p.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v.Metadata = append(v.Metadata, [2]string{k, metadataText(p.Metadata[k])})
	}
	for _, st := range p.Path {
		v.Path = append(v.Path, templates.PathStep{ElementID: st.ElementID, Name: st.Name, Kind: st.Kind, Repeat: st.Repeat})
	}
	if p.TaskPages > 0 {
		v.TaskTotal, v.TaskPage, v.TaskPages = p.TaskTotal, p.TaskPage, p.TaskPages
		pageURL := func(n int) string { return s.prefix.URL(fmt.Sprintf("/instances/%d?tasks=%d#tasks-title", id, n)) }
		if p.TaskPage > 1 {
			v.PrevTasksURL = pageURL(p.TaskPage - 1)
		}
		if p.TaskPage < p.TaskPages {
			v.NextTasksURL = pageURL(p.TaskPage + 1)
		}
	}
	open := in.Status != store.StatusCompleted && in.Status != store.StatusTerminated
	if open && s.can(r, "create", fmt.Sprintf("/process-instance-migrate/%s/%d", urlID(in.ModelID), id)) {
		v.MigrateURL = s.prefix.URL(fmt.Sprintf("/instances/%d/migrate", id))
	}
	if s.can(r, "create", "/process-instance-migrate/"+urlID(in.ModelID)) {
		v.MigrateAllURL = s.prefix.URL("/process-models/" + urlID(in.ModelID) + "/migrate")
	}
	for _, t := range p.Tasks {
		it := templates.InstanceTask{ID: t.ID, Element: t.ElementID, Name: t.Name, Kind: t.Kind, Lane: t.Lane, State: t.State,
			Data: t.Data, Updated: showTime(t.Updated), Error: t.Error}
		if p.TaskPages > 0 {
			it.LoadURL = s.prefix.URL(fmt.Sprintf("/instances/%d/tasks/%d/data", id, t.ID))
		}
		if t.Human && (t.State == "READY" || t.State == "COMPLETED") {
			it.URL = s.prefix.URL(fmt.Sprintf("/tasks/%d/%d", id, t.ID))
		}
		if in.Status != store.StatusTerminated {
			s.repairURLs(r, &it, in.ModelID, id, open)
		}
		v.Tasks = append(v.Tasks, it)
		if t.Kind == "serviceTask" && t.State == "STARTED" {
			// A call in flight, or accepted by a connector proxy that
			// answers later through its callback.
			v.Waiting = append(v.Waiting, [2]string{"the service call's answer", t.ElementID})
		}
	}
	v.EventsTotal = len(p.Events)
	if len(p.Events) > runner.TaskPageSize {
		p.Events = p.Events[len(p.Events)-runner.TaskPageSize:]
	}
	for _, e := range p.Events {
		v.Events = append(v.Events, templates.InstanceEvent{At: showTime(e.At), Event: e.Event, Element: e.ElementID, User: e.Username, Detail: e.Detail})
	}
	for _, t := range p.Timers {
		v.Timers = append(v.Timers, [2]string{t.ElementID, showTime(t.DueAt)})
	}
	if s.work != nil {
		files, err := s.work.InstanceTaskFiles(r.Context(), id)
		if err != nil {
			return err
		}
		for _, f := range files {
			v.Files = append(v.Files, templates.InstanceFile{Name: f.Name, URL: s.prefix.URL(fmt.Sprintf("/instances/%d/files/%s", id, f.Digest)),
				TaskID: f.TaskID, Field: f.Field, Size: f.Size, UploadedBy: f.UploadedBy, At: showTime(f.CreatedAt)})
		}
	}
	corr := correlationText(p.Correlations)
	for _, m := range p.Waiting {
		what := m.Kind + " " + m.Name
		if m.Kind == "message" && corr != "" {
			what += " with " + corr
		}
		v.Waiting = append(v.Waiting, [2]string{what, m.ElementID})
	}
	// Each button shows when the permission its route checks allows it
	// (routeAccess: create on /process-instance-suspend/{model}/{id}, …).
	action := func(name, path string) string {
		if !s.can(r, "create", fmt.Sprintf("/%s/%s/%d", path, urlID(in.ModelID), id)) {
			return ""
		}
		return s.prefix.URL(fmt.Sprintf("/instances/%d/%s", id, name))
	}
	suspend := func() string { return action("suspend", "process-instance-suspend") }
	terminate := func() string { return action("terminate", "process-instance-terminate") }
	switch in.Status {
	case store.StatusRunning:
		v.SuspendURL, v.TerminateURL = suspend(), terminate()
	case store.StatusError:
		v.SuspendURL, v.RetryURL, v.TerminateURL = suspend(), action("retry", "process-instance-reset"), terminate()
	case store.StatusSuspended:
		v.ResumeURL, v.TerminateURL = action("resume", "process-instance-resume"), terminate()
	}
	return s.render(w, r, http.StatusOK, templates.InstancePage(v), nil)
}

// correlationText shows correlation values as "prop = value, ..." sorted
// by property, values as JSON.
func correlationText(c map[string]any) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		b, err := json.Marshal(c[k])
		if err != nil {
			b = []byte(fmt.Sprint(c[k]))
		}
		parts = append(parts, k+" = "+string(b))
	}
	return strings.Join(parts, ", ")
}

// repairURLs offers a task's repairs that its state allows and the user's
// permissions grant (a completed instance only reset), checked against the targets of their routes
// (routeAccess): update on /task-data/…, create on /task-complete/… (skip)
// and on /process-instance-reset/….
func (s *Server) repairURLs(r *http.Request, it *templates.InstanceTask, model string, id int64, open bool) {
	target := func(path string) string { return fmt.Sprintf("/%s/%s/%d/%d", path, urlID(model), id, it.ID) }
	url := func(action string) string {
		return s.prefix.URL(fmt.Sprintf("/instances/%d/tasks/%d/%s", id, it.ID, action))
	}
	switch it.State {
	case "READY", "ERROR", "WAITING", "STARTED":
		if !open {
			return
		}
		if s.can(r, "update", target("task-data")) {
			it.DataURL = url("data")
		}
		if (it.State == "READY" || it.State == "ERROR") && s.can(r, "create", target("task-complete")) {
			it.SkipURL = url("skip")
		}
	case "COMPLETED":
		if s.can(r, "create", target("process-instance-reset")) {
			it.ResetURL = url("reset")
		}
	}
}
