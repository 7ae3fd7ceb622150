package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// apiV1Instance is a process instance as the v1 API shows it.
type apiV1Instance struct {
	ID        int64      `json:"id"`
	Model     string     `json:"model"`
	Process   string     `json:"process"`
	Status    string     `json:"status"`
	StartedBy string     `json:"started_by"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	Error     string     `json:"error,omitempty"`
}

func toAPIV1Instance(in store.Instance) apiV1Instance {
	out := apiV1Instance{ID: in.ID, Model: in.ModelID, Process: in.ProcessID, Status: in.Status,
		StartedBy: in.StartedBy, StartedAt: in.StartedAt, Error: in.ErrorMessage}
	if !in.EndedAt.IsZero() {
		e := in.EndedAt
		out.EndedAt = &e
	}
	return out
}

// apiV1InstanceDetail adds what the instance holds and waits for.
type apiV1InstanceDetail struct {
	apiV1Instance
	Data  map[string]any `json:"data"`
	Tasks []apiV1Task    `json:"tasks"`
	// WaitingFor: the human tasks, timers and messages it waits for.
	WaitingFor apiV1Waiting `json:"waiting_for"`
}

type apiV1Waiting struct {
	Tasks    []apiV1Task `json:"tasks"`
	Timers   []string    `json:"timers"`
	Messages []string    `json:"messages"`
}

// apiV1InstanceCreate starts an instance of the model with the body's
// "data" as its first data and answers 201 with the instance.
func (s *Server) apiV1InstanceCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Data    map[string]any `json:"data"`
		Process string         `json:"process"`
	}
	if r.ContentLength != 0 {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 10<<20))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return badInput("The body must be a JSON object like {\"data\": {...}}: %v.", err)
		}
	}
	id, err := s.runner.Start(r.Context(), actor(r), modelIDFromURL(r.PathValue("id")), body.Process, body.Data)
	if err != nil {
		return err
	}
	in, err := s.work.Instance(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.prefix.URL(fmt.Sprintf("/api/v1/process-instances/%d", id)))
	return writeJSON(w, http.StatusCreated, toAPIV1Instance(in))
}

// apiV1InstanceList lists instances as the instances page does: all of
// them for those who may read every instance (or the filtered model's),
// else those the caller started or holds a task in.
func (s *Server) apiV1InstanceList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := positiveParam(r, "page", 1, 1<<30)
	if err != nil {
		return err
	}
	perPage, err := positiveParam(r, "per_page", 50, 500)
	if err != nil {
		return err
	}
	f := store.InstanceFilter{ModelID: modelIDFromURL(strings.TrimSpace(q.Get("model"))), Status: q.Get("status"),
		StartedBy: strings.TrimSpace(q.Get("started_by")), Limit: perPage, Offset: (page - 1) * perPage}
	if f.Status != "" && !slices.Contains(instanceStatuses, f.Status) {
		return badInput("status=%q is not one of %s.", f.Status, strings.Join(instanceStatuses, ", "))
	}
	f.WaitingFor, f.WaitingName = q.Get("waiting"), strings.TrimSpace(q.Get("waiting_name"))
	switch f.WaitingFor {
	case "", "task", "timer", "message", "signal":
	default:
		return badInput("waiting=%q is not one of task, timer, message, signal.", f.WaitingFor)
	}
	a := actor(r)
	if !a.Admin && !(f.ModelID != "" && s.can(r, "read", "/process-instances/"+urlID(f.ModelID))) {
		viewer := a.Viewer()
		f.VisibleTo = &viewer
	}
	rows, total, err := s.work.Instances(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiV1Instance, 0, len(rows))
	for _, in := range rows {
		out = append(out, toAPIV1Instance(in))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": out,
		"pagination": map[string]int{"count": len(out), "total": total, "pages": (total + perPage - 1) / perPage}})
}

// positiveParam reads an integer query parameter between 1 and max.
func positiveParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, badInput("%s=%q must be a whole number from 1 to %d.", name, v, max)
	}
	return n, nil
}

// apiV1InstanceShow shows one instance with its data, tasks and what it
// waits for.
func (s *Server) apiV1InstanceShow(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	p, err := s.runner.Instance(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := apiV1InstanceDetail{apiV1Instance: toAPIV1Instance(p.Instance), Data: p.Data, Tasks: []apiV1Task{},
		WaitingFor: apiV1Waiting{Tasks: []apiV1Task{}, Timers: []string{}, Messages: []string{}}}
	if out.Data == nil {
		out.Data = map[string]any{}
	}
	for _, t := range p.HumanTasks {
		at := toAPIV1Task(t)
		out.Tasks = append(out.Tasks, at)
		if t.State == store.TaskOpen {
			out.WaitingFor.Tasks = append(out.WaitingFor.Tasks, at)
		}
	}
	for _, t := range p.Timers {
		out.WaitingFor.Timers = append(out.WaitingFor.Timers, t.DueAt.UTC().Format(time.RFC3339))
	}
	for _, m := range p.Waiting {
		out.WaitingFor.Messages = append(out.WaitingFor.Messages, m.Kind+":"+m.Name)
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiV1InstanceAction suspends, resumes, terminates or retries an
// instance and answers with it as it is afterwards.
func (s *Server) apiV1InstanceAction(act func(ctx context.Context, a runner.Actor, id int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := instanceID(r)
		if err != nil {
			return err
		}
		if err := act(r.Context(), actor(r), id); err != nil {
			return err
		}
		in, err := s.work.Instance(r.Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, toAPIV1Instance(in))
	}
}

// inputError is a bad request whose text tells the API client what is
// wrong and where; it names only what the client sent.
type inputError struct{ msg string }

func (e inputError) Error() string       { return e.msg }
func (e inputError) Unwrap() error       { return errBadRequest }
func (e inputError) UserMessage() string { return e.msg }

func badInput(format string, args ...any) error {
	return inputError{fmt.Sprintf(format, args...)}
}
