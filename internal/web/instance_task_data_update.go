package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// maxTaskDataForm bounds the JSON an operator may post as a task's data.
const maxTaskDataForm = 4 << 20

// instanceTaskDataUpdate replaces the data of a live or failed task with
// the JSON object in the form's "data" field (typically before a retry),
// and shows the instance again. The event log records the data before and
// after.
func (s *Server) instanceTaskDataUpdate(w http.ResponseWriter, r *http.Request) error {
	id, taskID, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTaskDataForm)
	data, err := taskDataJSON([]byte(r.FormValue("data")))
	if err != nil {
		return err
	}
	if err := s.runner.SetTaskData(r.Context(), actor(r), id, taskID, data); err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Data of task %d saved. Retry or skip the task to move the instance on.", taskID), s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}

// taskDataJSON reads task data: one JSON object, numbers kept exact.
func taskDataJSON(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil {
		return nil, badInput("The task data must be a JSON object like {\"amount\": 42}: %v.", err)
	}
	if dec.More() {
		return nil, badInput("The task data must be one JSON object; there is more after it.")
	}
	if data == nil {
		return nil, badInput("The task data must be a JSON object, not null.")
	}
	return data, nil
}
