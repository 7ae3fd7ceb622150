package web

import (
	"encoding/json"
	"errors"
	"net/http"
)

// SandboxRun is a test run of a diagram as it is in the editor: the BPMN
// text, the process to start, the start data and the steps taken so far
// (the conformance scenario format: complete a task with data, deliver a
// message or signal, advance the virtual clock). Each request replays the
// whole run, so the server keeps no state and writes nothing.
type SandboxRun struct {
	// Model is the diagram's model (from the URL): its DMN files come
	// along.
	Model     string            `json:"-"`
	File      string            `json:"file"`
	XML       string            `json:"xml"`
	Process   string            `json:"process"`
	StartTime string            `json:"start_time"`
	Data      map[string]any    `json:"data"`
	Steps     []json.RawMessage `json:"steps"`
	// Services are recorded service-task responses by operator name.
	Services map[string]any `json:"services"`
	// LiveServices lets the run call the real connector for an operator
	// without a recorded response; the answer comes back among the
	// result's recorded_services for the next replay to use. It needs the
	// update permission on the model: the calls have real effects.
	LiveServices bool `json:"live_services"`
}

// Sandbox runs test runs with the engine (cmd/web wires it).
type Sandbox interface {
	RunSandbox(run SandboxRun) (any, error)
}

// ErrSandbox marks a run the analyst can fix (a step naming a task that is
// not ready, a diagram the engine refuses); its message is shown.
var ErrSandbox = errors.New("the test run cannot go on")

// maxSandboxBytes bounds a test run request (the diagram and the steps).
const maxSandboxBytes = 8 << 20

// maxSandboxSteps bounds the steps one run replays.
const maxSandboxSteps = 500

// apiSandboxRun answers POST /api/process-models/{id}/sandbox/run with the
// run's state after
// its steps: status, trace, ready and waiting elements, data, the virtual
// clock; 422 {"message"} when a step cannot be taken.
func (s *Server) apiSandboxRun(w http.ResponseWriter, r *http.Request) error {
	var run SandboxRun
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSandboxBytes))
	if err := dec.Decode(&run); err != nil {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "The request body must be JSON {\"file\", \"xml\", \"process\", \"steps\": [...]}: " + err.Error()})
	}
	run.Model = pathID(r)
	if target := "/process-models/" + urlID(run.Model); run.LiveServices && !s.can(r, "update", target) {
		return &PermissionError{Action: "update", Target: target}
	}
	if len(run.Steps) > maxSandboxSteps {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "A test run takes at most 500 steps."})
	}
	if s.sandbox == nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Test runs are not available on this server."})
	}
	res, err := s.sandbox.RunSandbox(run)
	if errors.Is(err, ErrSandbox) {
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": err.Error()})
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
