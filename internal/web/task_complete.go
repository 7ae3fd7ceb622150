package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// maxUploadBytes limits one uploaded file.
const maxUploadBytes = 20 << 20

// taskComplete submits a task's form. The data is decoded and validated
// against the form's schema on the server; errors come back beside their
// fields with what the user typed (422). Add/remove/reorder buttons and
// "Update form" re-render the form without completing. Uploaded files are
// stored and the task data holds their references.
func (s *Server) taskComplete(w http.ResponseWriter, r *http.Request) error {
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	a := actor(r)
	page, err := s.runner.TaskFor(r.Context(), a, id, task, "complete")
	if err != nil {
		return err
	}
	if page.Task.FormSchema == "" {
		if err := s.runner.CompleteTask(r.Context(), a, id, task, nil); err != nil {
			return err
		}
		return s.flashRedirect(w, r, s.completedMessage(r, page.Task.Name, id), s.afterTask(r, id))
	}
	v, form, err := s.taskView(w, r, page)
	if err != nil {
		return err
	}
	if form == nil {
		return fmt.Errorf("task %d of instance %d: %s: %w", task, id, v.Problem, errBadRequest)
	}
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil && err != http.ErrNotMultipart {
		return fmt.Errorf("task form: %v: %w", err, errBadRequest)
	}
	files, err := forms.FormFiles(r.MultipartForm, maxUploadBytes)
	if err != nil {
		v.Form.Form = form.WithErrors([]forms.FieldError{{Message: err.Error()}})
		return s.render(w, r, http.StatusUnprocessableEntity, templates.TaskPage(v), nil)
	}
	data, uploads, err := form.Decode(r.PostForm, files)
	if err != nil {
		return fmt.Errorf("task form: %v: %w", err, errBadRequest)
	}
	if action := forms.Action(r.PostForm); action != "" {
		if data, err = form.Apply(data, action); err != nil {
			return fmt.Errorf("task form action %q: %v: %w", action, err, errBadRequest)
		}
		v.Form.Form = form.WithValues(data)
		return s.render(w, r, http.StatusOK, templates.TaskPage(v), nil)
	}
	if errs := form.Validate(data); len(errs) > 0 {
		v.Form.Form = form.WithValues(data).WithErrors(errs)
		return s.render(w, r, http.StatusUnprocessableEntity, templates.TaskPage(v), nil)
	}
	stored := make([]store.TaskFile, 0, len(uploads))
	for _, u := range uploads {
		stored = append(stored, store.TaskFile{Field: u.Path, Name: u.Name, MimeType: mimeOf(u.Ref), Digest: u.Digest, Content: u.Data})
	}
	if err := s.runner.CompleteTaskWithFiles(r.Context(), a, id, task, data, stored); err != nil {
		return err
	}
	return s.flashRedirect(w, r, s.completedMessage(r, page.Task.Name, id), s.afterTask(r, id))
}

// completedMessage tells the user their task is done, and what became of
// the instance.
func (s *Server) completedMessage(r *http.Request, name string, id int64) string {
	if name == "" {
		name = "Task"
	}
	return fmt.Sprintf("“%s” completed.", name) + s.instanceOutcome(r, id)
}

// afterTask is where a completed task leads: the user's next task in the
// same instance, else the inbox with the next task ready for them open
// beside the list, else the inbox.
func (s *Server) afterTask(r *http.Request, instanceID int64) string {
	a := actor(r)
	if next, err := s.runner.NextTask(r.Context(), a, instanceID); err == nil && next > 0 {
		return s.prefix.URL(fmt.Sprintf("/tasks/%d/%d", instanceID, next))
	}
	if s.work != nil {
		q := store.InboxQuery{View: store.InboxMine, Viewer: a.Viewer(), Groups: a.Groups, Limit: 1}
		if tasks, _, err := s.work.InboxTasks(r.Context(), q); err == nil && len(tasks) > 0 {
			return s.prefix.URL(fmt.Sprintf("/inbox?open=%d-%d", tasks[0].InstanceID, tasks[0].TaskID))
		}
	}
	return s.prefix.URL("/inbox")
}

// mimeOf reads the media type from a file reference (data:<type>;...).
func mimeOf(ref string) string {
	t, _, _ := strings.Cut(strings.TrimPrefix(ref, "data:"), ";")
	return t
}
