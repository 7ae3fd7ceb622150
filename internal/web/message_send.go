package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxEventBody bounds the JSON body of a message or signal sent from
// outside.
const maxEventBody = 1 << 20

// apiProcessInstance is the instance a message reached, as SpiffArena's
// message API answers it.
type apiProcessInstance struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// messageSend delivers a message from outside (SpiffArena's
// POST /v1.0/messages/{name}, body {"payload": {...}}): it reaches the
// instance waiting for it with matching correlation values, or starts a
// model with that message start event, and answers with that instance.
func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	payload, err := eventPayload(w, r)
	if err != nil {
		return err
	}
	d, err := s.runner.Send(r.Context(), actor(r), "message", name, payload)
	if err != nil {
		return err
	}
	if d.InstanceID == 0 {
		// Kept for its time to live until a receiver appears.
		return writeJSON(w, http.StatusAccepted, map[string]any{"process_instance": nil, "kept": true})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"process_instance": apiProcessInstance{ID: d.InstanceID, Status: d.Status}})
}

// badPayload is a refused message or signal body, named for the sender.
type badPayload struct{ msg string }

func (e *badPayload) Error() string       { return e.msg }
func (e *badPayload) UserMessage() string { return e.msg }
func (e *badPayload) Unwrap() error       { return errBadRequest }

// eventPayload reads {"payload": {...}} (an empty body is an empty
// payload).
func eventPayload(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	if strings.TrimSpace(r.PathValue("name")) == "" {
		return nil, &badPayload{"The message or signal name is empty."}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &badPayload{fmt.Sprintf("The body is larger than %d bytes.", maxEventBody)}
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if strings.TrimSpace(string(body)) == "" {
		return map[string]any{}, nil
	}
	var in struct {
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &badPayload{"The body is not a JSON object of the form {\"payload\": {...}}: " + err.Error()}
	}
	if len(in.Payload) == 0 || string(in.Payload) == "null" {
		return map[string]any{}, nil
	}
	var payload map[string]any
	if err := json.Unmarshal(in.Payload, &payload); err != nil {
		return nil, &badPayload{"\"payload\" must be a JSON object: " + err.Error()}
	}
	return payload, nil
}
