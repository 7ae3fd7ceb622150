package web

import (
	"net/http"
	"strconv"
	"strings"
)

// processJSON is one result of GET /api/processes/search.
type processJSON struct {
	ProcessID   string `json:"process_id"`
	DisplayName string `json:"display_name"`
	ModelID     string `json:"model_id"`
	File        string `json:"file"`
	Rank        int    `json:"rank"`
}

// apiProcessSearch is call-activity search for the modeler:
// ?q=TEXT&limit=N, best first (rank 1 exact id, 2 prefix, 3 substring).
// An empty q lists the first N processes by display name.
func (s *Server) apiProcessSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	matches, err := s.models.SearchProcesses(r.Context(), q, limit)
	if err != nil {
		return err
	}
	out := make([]processJSON, 0, len(matches))
	for _, m := range matches {
		out = append(out, processJSON{m.ProcessID, m.DisplayName, m.ModelID, m.File, m.Rank})
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiModelCallers lists the processes, in any model, whose call
// activities call a process of the model.
func (s *Server) apiModelCallers(w http.ResponseWriter, r *http.Request) error {
	callers, err := s.models.Callers(r.Context(), pathID(r))
	if err != nil {
		return err
	}
	out := make([]processJSON, 0, len(callers))
	for _, m := range callers {
		out = append(out, processJSON{ProcessID: m.ProcessID, DisplayName: m.DisplayName, ModelID: m.ModelID, File: m.File})
	}
	return writeJSON(w, http.StatusOK, out)
}
