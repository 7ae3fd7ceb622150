package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/internal/store"
)

// apiTask is a task as the JSON API shows it.
type apiTask struct {
	InstanceID    int64          `json:"process_instance_id"`
	TaskID        int            `json:"task_id"`
	ElementID     string         `json:"task_name"`
	Title         string         `json:"task_title"`
	Type          string         `json:"task_type"`
	Lane          string         `json:"lane,omitempty"`
	AssignedGroup string         `json:"assigned_user_group_identifier,omitempty"`
	WaitingFor    string         `json:"waiting_for"`
	ModelID       string         `json:"process_model_identifier"`
	Process       string         `json:"process_model_display_name"`
	State         string         `json:"state"`
	ClaimedBy     string         `json:"claimed_by,omitempty"`
	StartedBy     string         `json:"process_initiator_username"`
	Created       time.Time      `json:"created_at"`
	Updated       time.Time      `json:"updated_at"`
	Data          map[string]any `json:"data,omitempty"`
	FormSchema    string         `json:"form_schema_filename,omitempty"`
	UISchema      string         `json:"form_ui_schema_filename,omitempty"`
	CanComplete   *bool          `json:"can_complete,omitempty"`
}

func toAPITask(t store.HumanTask) apiTask {
	return apiTask{InstanceID: t.InstanceID, TaskID: t.TaskID, ElementID: t.ElementID, Title: t.Name, Type: t.Kind, Lane: t.Lane,
		AssignedGroup: t.AssignedGroup, WaitingFor: t.WaitingFor, ModelID: t.ModelID, Process: t.ProcessName, State: t.State,
		ClaimedBy: t.ClaimedBy, StartedBy: t.InstanceStartedBy, Created: t.CreatedAt, Updated: t.UpdatedAt,
		FormSchema: t.FormSchema, UISchema: t.FormUISchema}
}

// apiTaskList returns the signed-in user's tasks of one inbox view
// (?view=mine|groups|started|completed, &page=), with the inbox page's
// filters (process, group, after, before, q).
func (s *Server) apiTaskList(w http.ResponseWriter, r *http.Request) error {
	page := pageParam(r)
	query, err := inboxQuery(r, actor(r), 100)
	if err != nil {
		return err
	}
	res, err := s.work.Inbox(r.Context(), query)
	if err != nil {
		return fmt.Errorf("%v: %w", err, errBadRequest)
	}
	out := make([]apiTask, 0, len(res.Tasks))
	for _, t := range res.Tasks {
		out = append(out, toAPITask(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out, "pagination": map[string]any{"count": len(out), "total": res.Total, "page": page, "per_page": 100,
		"total_at_least": res.AtLeast, "next": res.Next}})
	return nil
}

// apiTaskShow returns one task with its data.
func (s *Server) apiTaskShow(w http.ResponseWriter, r *http.Request) error {
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	page, err := s.runner.Task(r.Context(), actor(r), id, task)
	if err != nil {
		return err
	}
	t := toAPITask(page.Task)
	t.Data = page.Data
	t.CanComplete = &page.CanComplete
	writeJSON(w, http.StatusOK, t)
	return nil
}

// apiTaskComplete completes a task with the JSON body as form data. A task
// with a form is validated against its schema first (422 with the errors).
func (s *Server) apiTaskComplete(w http.ResponseWriter, r *http.Request) error {
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	a := actor(r)
	page, err := s.runner.TaskFor(r.Context(), a, id, task, "complete")
	if err != nil {
		return err
	}
	data := map[string]any{}
	if r.ContentLength != 0 {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 10<<20))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return fmt.Errorf("task data must be a JSON object: %v: %w", err, errBadRequest)
		}
	}
	var undefined []string
	var form *forms.Form
	if page.Task.FormSchema != "" {
		if form, err = s.loadForm(r.Context(), page.Task, page.Data); err != nil {
			return fmt.Errorf("%v: %w", err, errBadRequest)
		}
		undefined = form.UndefinedKeys(data)
	} else {
		for k := range data {
			undefined = append(undefined, k)
		}
		slices.Sort(undefined)
	}
	if len(undefined) > 0 {
		errs := make([]map[string]string, 0, len(undefined))
		for _, k := range undefined {
			errs = append(errs, map[string]string{"path": k, "message": "is not a field of the form"})
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error_code": "undefined_fields", "error": "Invalid task data",
			"message": undefinedMessage(undefined), "errors": errs})
		return nil
	}
	if form != nil {
		if errs := form.Validate(data); len(errs) > 0 {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error_code": "invalid", "error": "Invalid task data",
				"message": "The task data does not fit the form.", "errors": fieldErrors(errs)})
			return nil
		}
	}
	if err := s.runner.CompleteTaskPage(r.Context(), a, page, data, nil); err != nil {
		return err
	}
	writeJSONBytes(w, http.StatusOK, jsonOK)
	return nil
}

func fieldErrors(errs []forms.FieldError) []map[string]string {
	out := make([]map[string]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, map[string]string{"path": e.Path, "message": e.Message})
	}
	return out
}
