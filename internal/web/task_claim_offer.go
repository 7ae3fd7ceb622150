package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// claimOnlyWhenShared takes the Claim button off the inbox rows of tasks
// that only one person could take: claiming keeps a task from others, and
// there is nobody else.
func (s *Server) claimOnlyWhenShared(r *http.Request, rows []templates.InboxTask) error {
	var keys []store.TaskKey
	for _, t := range rows {
		if t.ClaimURL != "" {
			keys = append(keys, store.TaskKey{InstanceID: t.InstanceID, TaskID: t.TaskID})
		}
	}
	if len(keys) == 0 || s.work == nil {
		return nil
	}
	n, err := s.work.TaskCandidates(r.Context(), keys)
	if err != nil {
		return err
	}
	for i, t := range rows {
		if t.ClaimURL != "" && n[store.TaskKey{InstanceID: t.InstanceID, TaskID: t.TaskID}] <= 1 {
			rows[i].ClaimURL = ""
		}
	}
	return nil
}

// sharedTask reports whether more than one person could take the task, so
// that claiming it means something. When the count cannot be read, Claim
// stays offered, as before.
func (s *Server) sharedTask(r *http.Request, instanceID int64, taskID int) bool {
	if s.work == nil {
		return true
	}
	k := store.TaskKey{InstanceID: instanceID, TaskID: taskID}
	n, err := s.work.TaskCandidates(r.Context(), []store.TaskKey{k})
	if err != nil {
		s.log.Warn("count task candidates", "instance", instanceID, "task", taskID, "err", err)
		return true
	}
	return n[k] > 1
}
