package web

import "net/http"

// signalSend throws a signal from outside (POST /api/v1/signals/{name},
// body {"payload": {...}}): it reaches every instance waiting for it and
// starts every model with that signal start event. It answers with how
// many instances it reached.
func (s *Server) signalSend(w http.ResponseWriter, r *http.Request) error {
	payload, err := eventPayload(w, r)
	if err != nil {
		return err
	}
	d, err := s.runner.Send(r.Context(), actor(r), "signal", r.PathValue("name"), payload)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"signal": r.PathValue("name"), "instances_reached": d.Reached})
}
