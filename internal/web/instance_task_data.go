package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/web/templates"
)

// instanceTaskData shows one task's data, which the page of an instance
// with a long history reads when the task's data is opened.
func (s *Server) instanceTaskData(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	task, err := strconv.Atoi(r.PathValue("task"))
	if err != nil || task <= 0 {
		return fmt.Errorf("task id %q: %w", r.PathValue("task"), errPageNotFound)
	}
	data, err := s.runner.TaskData(r.Context(), actor(r), id, task)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.InstanceTaskData(data), nil)
}
