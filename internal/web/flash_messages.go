package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/store"
)

// instanceOutcome completes a flash message about an action on an
// instance with the state the action left it in, so that a failure the
// action caused is never silent. It says nothing when the state cannot be
// read: the action itself succeeded.
func (s *Server) instanceOutcome(r *http.Request, id int64) string {
	if s.work == nil {
		return ""
	}
	in, err := s.work.InstanceHeader(r.Context(), id)
	if err != nil {
		s.log.Warn("read instance state for the flash message", "instance", id, "err", err)
		return ""
	}
	switch in.Status {
	case store.StatusError:
		where := in.ErrorElement
		if where == "" {
			where = "a task"
		}
		return fmt.Sprintf(" The instance then stopped on an error in %s: see Failed in the inbox.", where)
	case store.StatusCompleted:
		return " The instance is complete."
	}
	return ""
}

// instanceName is how flash messages name an instance: its process name
// and number.
func (s *Server) instanceName(r *http.Request, id int64) string {
	if s.work != nil {
		if in, err := s.work.InstanceHeader(r.Context(), id); err == nil && in.ProcessName != "" {
			return fmt.Sprintf("“%s” (instance #%d)", in.ProcessName, id)
		}
	}
	return fmt.Sprintf("instance #%d", id)
}
