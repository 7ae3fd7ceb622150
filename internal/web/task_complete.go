package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
		if bad := postedExtras(r, nil, nil); len(bad) > 0 {
			return fmt.Errorf("task %d of instance %d has no form, yet %s was sent: %w", task, id, strings.Join(bad, ", "), errUndefinedFields)
		}
		if err := s.runner.CompleteTask(r.Context(), a, id, task, nil); err != nil {
			return err
		}
		return s.flashRedirect(w, r, s.completedMessage(r, page.Task.Name, id), s.afterTask(r, id))
	}
	// The page (its chrome, the inbox badge, the instructions) is built
	// only when the form is shown again; a successful post redirects.
	form, err := s.loadForm(r.Context(), page.Task, page.Data)
	if err != nil {
		return fmt.Errorf("task %d of instance %d: %s: %w", task, id, err.Error(), errBadRequest)
	}
	show := func(status int, f *forms.Form) error {
		v, _, err := s.taskView(w, r, page)
		if err != nil {
			return err
		}
		if v.Form == nil {
			return fmt.Errorf("task %d of instance %d: %s: %w", task, id, v.Problem, errBadRequest)
		}
		v.Form.Form = f
		return s.render(w, r, status, templates.TaskPage(v), nil)
	}
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil && err != http.ErrNotMultipart {
		return fmt.Errorf("task form: %v: %w", err, errBadRequest)
	}
	files, err := forms.FormFiles(r.MultipartForm, maxUploadBytes)
	if err != nil {
		return show(http.StatusUnprocessableEntity, form.WithErrors([]forms.FieldError{{Message: err.Error()}}))
	}
	data, uploads, err := form.Decode(r.PostForm, files)
	if err != nil {
		return fmt.Errorf("task form: %v: %w", err, errBadRequest)
	}
	if bad := postedExtras(r, form, data); len(bad) > 0 {
		return show(http.StatusUnprocessableEntity, form.WithValues(data).WithErrors([]forms.FieldError{{Message: undefinedMessage(bad)}}))
	}
	if action := forms.Action(r.PostForm); action != "" {
		if data, err = form.Apply(data, action); err != nil {
			return fmt.Errorf("task form action %q: %v: %w", action, err, errBadRequest)
		}
		return show(http.StatusOK, form.WithValues(data))
	}
	if errs := form.Validate(data); len(errs) > 0 {
		return show(http.StatusUnprocessableEntity, form.WithValues(data).WithErrors(errs))
	}
	stored := make([]store.TaskFile, 0, len(uploads))
	for _, u := range uploads {
		stored = append(stored, store.TaskFile{Field: u.Path, Name: u.Name, MimeType: mimeOf(u.Ref), Digest: u.Digest, Content: u.Data})
	}
	if err := s.runner.CompleteTaskPage(r.Context(), a, page, data, stored); err != nil {
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
		// The first task only: a post counts nothing.
		q := store.InboxQuery{View: store.InboxMine, Viewer: a.Viewer(), Groups: a.Groups, Limit: 1, NoTotal: true}
		if res, err := s.work.Inbox(r.Context(), q); err == nil && len(res.Tasks) > 0 {
			return s.prefix.URL(fmt.Sprintf("/inbox?open=%d-%d", res.Tasks[0].InstanceID, res.Tasks[0].TaskID))
		}
	}
	return s.prefix.URL("/inbox")
}

// mimeOf reads the media type from a file reference (data:<type>;...).
func mimeOf(ref string) string {
	t, _, _ := strings.Cut(strings.TrimPrefix(ref, "data:"), ";")
	return t
}

// postedExtras lists the posted fields (and files) that are not fields of
// the form; with no form, every field but the CSRF token.
func postedExtras(r *http.Request, form *forms.Form, data map[string]any) []string {
	values := url.Values{}
	for k, v := range r.PostForm {
		values[k] = v
	}
	if r.MultipartForm != nil {
		for k := range r.MultipartForm.File {
			values[k] = nil
		}
	}
	if form == nil {
		var out []string
		for k := range values {
			if k != "csrf_token" {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	return form.UndefinedFields(values, data, "csrf_token")
}

// undefinedMessage names submitted keys the form does not define.
func undefinedMessage(keys []string) string {
	return "The form has no field " + strings.Join(keys, ", ") + "; only the form's fields can be submitted (other data is set by the process itself)."
}
