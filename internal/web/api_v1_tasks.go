package web

import (
	"net/http"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// apiV1Task is a human task as the v1 API shows it.
type apiV1Task struct {
	ID            int            `json:"id"`
	InstanceID    int64          `json:"process_instance_id"`
	ElementID     string         `json:"bpmn_identifier"`
	Name          string         `json:"name"`
	Type          string         `json:"type"`
	State         string         `json:"state"`
	Lane          string         `json:"lane,omitempty"`
	AssignedGroup string         `json:"assigned_group,omitempty"`
	Model         string         `json:"model"`
	ClaimedBy     string         `json:"claimed_by,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	Data          map[string]any `json:"data,omitempty"`
	FormSchema    string         `json:"form_schema_filename,omitempty"`
	CanComplete   *bool          `json:"can_complete,omitempty"`
}

func toAPIV1Task(t store.HumanTask) apiV1Task {
	return apiV1Task{ID: t.TaskID, InstanceID: t.InstanceID, ElementID: t.ElementID, Name: t.Name, Type: t.Kind,
		State: t.State, Lane: t.Lane, AssignedGroup: t.AssignedGroup, Model: t.ModelID, ClaimedBy: t.ClaimedBy,
		CreatedAt: t.CreatedAt, FormSchema: t.FormSchema}
}

// apiV1TaskList lists the open tasks the caller may complete (the inbox's
// "mine" view, with its filters and ?page=).
func (s *Server) apiV1TaskList(w http.ResponseWriter, r *http.Request) error {
	query, err := inboxQuery(r, actor(r), 100)
	if err != nil {
		return err
	}
	res, err := s.work.Inbox(r.Context(), query)
	if err != nil {
		return err
	}
	out := make([]apiV1Task, 0, len(res.Tasks))
	for _, t := range res.Tasks {
		out = append(out, toAPIV1Task(t))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": out,
		"pagination": map[string]any{"count": len(out), "total": res.Total, "pages": (res.Total + 99) / 100, "total_at_least": res.AtLeast, "next": res.Next}})
}

// apiV1TaskShow shows one task with the data its form may show.
func (s *Server) apiV1TaskShow(w http.ResponseWriter, r *http.Request) error {
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	page, err := s.runner.Task(r.Context(), actor(r), id, task)
	if err != nil {
		return err
	}
	t := toAPIV1Task(page.Task)
	t.Data = page.Data
	t.CanComplete = &page.CanComplete
	return writeJSON(w, http.StatusOK, t)
}
