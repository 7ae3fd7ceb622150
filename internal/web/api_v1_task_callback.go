package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// maxCallbackBody bounds what a connector proxy may post to a callback.
const maxCallbackBody = 10 << 20

// apiV1TaskCallback answers PUT or POST
// /api/v1/tasks/{instance}/{task}/callback?token=..., where a connector
// proxy that answered a service-task call with 202 posts the result later
// (SpiffArena's /tasks/{process_instance_id}/{task_guid}/callback). The
// body is a command response ({"command_response": {"body": ...}} or
// {"error": {"error_code": ..., "message": ...}}).
//
// No session or API token is needed: the token made for that one call is
// the credential (the URL was given only to the proxy). A wrong token is
// 401, a task no call of which offered a callback 404, a callback answered
// already or a task that no longer waits 409, a body that is no command
// response 400; none of them changes anything. The answer is SpiffArena's
// {"ok": true, "status": "completed", ...}.
func (s *Server) apiV1TaskCallback(w http.ResponseWriter, r *http.Request) error {
	instance, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallbackBody))
	if err != nil {
		return fmt.Errorf("callback body: %v: %w", err, errBadRequest)
	}
	out, err := s.runner.CompleteCallback(r.Context(), instance, task, r.URL.Query().Get("token"), body)
	if err != nil {
		return err
	}
	res := map[string]any{
		"ok":                       true,
		"status":                   "completed",
		"process_model_identifier": out.ModelID,
		"process_instance_id":      out.InstanceID,
		"task_id":                  strconv.Itoa(out.TaskID),
	}
	if out.ErrorCode != "" {
		res["status"], res["error_code"], res["caught"] = "failed", out.ErrorCode, out.Caught
	}
	return writeJSON(w, http.StatusOK, res)
}

// callbackAPI adapts a handler that needs no signed-in user (its request
// carries its own credential) and answers errors as JSON, as api does.
func (s *Server) callbackAPI(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			k := classify(err)
			st := state(r)
			s.log.Log(r.Context(), k.level, "request failed",
				"request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", k.status, "err", err)
			writeJSON(w, k.status, map[string]any{"error_code": errorCode(k.status), "error": k.title, "message": k.message, "request_id": st.id})
		}
	})
}
