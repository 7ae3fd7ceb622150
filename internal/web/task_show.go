package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// taskShow shows a task with its instructions and form. Only the task's
// potential owners may open it (403 for everyone else, logged). A task
// that is not open shows its form read-only.
func (s *Server) taskShow(w http.ResponseWriter, r *http.Request) error {
	if _, err := strconv.Atoi(r.PathValue("task")); err != nil {
		return s.taskShowByElement(w, r)
	}
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	page, err := s.runner.Task(r.Context(), actor(r), id, task)
	if err != nil {
		return err
	}
	v, form, err := s.taskView(w, r, page)
	if err != nil {
		return err
	}
	if form != nil {
		if !page.CanComplete {
			form = form.ReadOnly()
		}
		v.Form.Form = form
	}
	return s.render(w, r, http.StatusOK, templates.TaskPage(v), templates.TaskDetail(v))
}

// taskShowByElement sends /tasks/{instance}/{element id} on to the
// element's open task: script helpers (get_url_for_task_with_bpmn_identifier)
// link to a task before the instance reaches it.
func (s *Server) taskShowByElement(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("instance"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("instance id %q: %w", r.PathValue("instance"), errPageNotFound)
	}
	element := r.PathValue("task")
	tasks, err := s.work.InstanceHumanTasks(r.Context(), id)
	if err != nil {
		return err
	}
	open := 0
	for _, t := range tasks {
		if t.ElementID == element && t.State == store.TaskOpen && t.TaskID > open {
			open = t.TaskID
		}
	}
	if open == 0 {
		return fmt.Errorf("instance %d has no open task %q: %w", id, element, errPageNotFound)
	}
	redirect(w, r, s.prefix.URL(fmt.Sprintf("/tasks/%d/%d", id, open)))
	return nil
}

// taskView builds the task page around a task, and parses its form (nil
// when the task has none or its files cannot be used; v.Problem says why).
func (s *Server) taskView(w http.ResponseWriter, r *http.Request, page runner.TaskPage) (templates.TaskView, *forms.Form, error) {
	b, err := s.base(w, r, page.Task.Name, templates.SectionInbox)
	if err != nil {
		return templates.TaskView{}, nil, err
	}
	v, form := s.taskViewWith(b, r, page)
	return v, form, nil
}

// taskViewWith is taskView on a page whose Base is built (the inbox with
// the task open beside its list).
func (s *Server) taskViewWith(b templates.Base, r *http.Request, page runner.TaskPage) (templates.TaskView, *forms.Form) {
	t := page.Task
	taskURL := fmt.Sprintf("/tasks/%d/%d", t.InstanceID, t.TaskID)
	v := templates.TaskView{Base: b, InstanceID: t.InstanceID, TaskID: t.TaskID, Name: t.Name, Process: t.ProcessName, ModelID: t.ModelID,
		Lane: t.Lane, WaitingFor: t.WaitingFor, ClaimedBy: t.ClaimedBy, State: t.State, CompletedBy: t.CompletedBy,
		InstanceURL: s.prefix.URL(fmt.Sprintf("/instances/%d", t.InstanceID)), ButtonLabel: "Continue"}
	if t.Kind == "userTask" {
		v.ButtonLabel = "Submit"
	}
	me := actor(r).Username
	switch {
	case t.State != store.TaskOpen:
		v.Notice = "This task is " + t.State + "; its form is shown read-only."
	case t.InstanceStatus != store.StatusRunning:
		v.Notice = "The instance is " + t.InstanceStatus + "; the task cannot be completed until it runs again."
	case t.ClaimedBy != "" && t.ClaimedBy != me:
		v.Notice = "The task is claimed by " + t.ClaimedBy + "."
	}
	if page.CanComplete {
		v.CompleteURL = s.prefix.URL(taskURL + "/complete")
		switch t.ClaimedBy {
		case "":
			if s.sharedTask(r, t.InstanceID, t.TaskID) {
				v.ClaimURL = s.prefix.URL(taskURL + "/claim")
			}
		case me:
			v.ReleaseURL = s.prefix.URL(taskURL + "/release")
		}
	}
	v.InstructionsHTML = instructionsHTML(t.ElementID, t.Instructions, page.Data)
	if t.FormSchema == "" {
		if data, err := json.MarshalIndent(page.Data, "", "  "); err == nil {
			v.Data = string(data)
		}
		return v, nil
	}
	form, err := s.loadForm(r.Context(), t, page.Data)
	if err != nil {
		// No Submit: the server would refuse the post. The page says what
		// is wrong and what to do, and offers the fix to who may make it.
		v.Problem, v.CompleteURL = err.Error(), ""
		var fe *formError
		if errors.As(err, &fe) {
			what := "fix the file " + fe.file
			if fe.missing {
				what = "create the file " + fe.file + " in the model (or correct the task's form file name in the modeler)"
			}
			v.ProblemHelp = "The task cannot be completed until its form is fixed. Someone who edits the model " + fe.model + " must " + what + "; then reload this page."
			t := "/process-models/" + urlID(fe.model) + "/files"
			if fe.missing && s.can(r, "create", t) {
				v.ProblemFixURL, v.ProblemFixLabel = s.fileURL(fe.model, fe.file), "Create "+fe.file
			} else if !fe.missing && s.can(r, "update", t+"/"+fe.file) {
				v.ProblemFixURL, v.ProblemFixLabel = s.fileURL(fe.model, fe.file), "Open "+fe.file
			}
		}
		return v, nil
	}
	v.FormsScript = s.asset("js/forms.js")
	v.Form = &templates.FormView{Action: s.prefix.URL(taskURL + "/complete"), CSRFToken: b.CSRFToken, SubmitDefault: v.ButtonLabel}
	return v, form
}

// loadForm reads and parses a task's form files with its data. The error
// names the file and is meant for the page.
// The files come from the model of the task's process (a called process
// keeps its forms in its own model). A task with a variableName has its
// form filled from that variable, where its submission goes; the schema
// files are still rendered with the whole task data.
func (s *Server) loadForm(ctx context.Context, t store.HumanTask, data map[string]any) (*forms.Form, error) {
	model := t.FormModelID
	if model == "" {
		model = t.ModelID
	}
	read := func(name, what string) ([]byte, error) {
		data, err := s.runner.ReadModelFile(ctx, model, name)
		switch {
		case errors.Is(err, store.ErrNotFound) || errors.Is(err, errPageNotFound):
			return nil, &formError{msg: fmt.Sprintf("The %s %s is missing from the model %s.", what, name, model), model: model, file: name, missing: true}
		case err != nil:
			return nil, fmt.Errorf("The %s %s of the model %s cannot be read: %v", what, name, model, err)
		}
		return data, nil
	}
	schema, err := read(t.FormSchema, "form file")
	if err != nil {
		return nil, err
	}
	var ui []byte
	if t.FormUISchema != "" {
		if ui, err = read(t.FormUISchema, "UI schema file"); err != nil {
			return nil, err
		}
	}
	form, err := forms.ParseFiles(t.FormSchema, schema, t.FormUISchema, ui, data)
	if err != nil {
		file := t.FormSchema
		if t.FormUISchema != "" && strings.HasPrefix(err.Error(), t.FormUISchema+":") {
			file = t.FormUISchema
		}
		return nil, &formError{msg: fmt.Sprintf("The form of this task cannot be shown: %v", err), model: model, file: file}
	}
	if t.VariableName != "" {
		if v, ok := data[t.VariableName].(map[string]any); ok {
			form = form.WithValues(v)
		}
	}
	return form.WithFileLinks(s.prefix.URL(fmt.Sprintf("/instances/%d/files/", t.InstanceID))), nil
}

// formError is a task's form that cannot be shown, with the model file to
// fix: missing, or not a form (invalid JSON, JSON Schema or template).
type formError struct {
	msg         string
	model, file string
	missing     bool
}

func (e *formError) Error() string { return e.msg }
