package web

import "net/http"

// apiInstanceStates returns the element ids of an instance by state, for
// colouring its diagram: {"completed":[...],"ready":[...],"waiting":[...],"error":[...]}.
func (s *Server) apiInstanceStates(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	st, err := s.runner.InstanceStates(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
