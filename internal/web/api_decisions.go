package web

import (
	"net/http"
	"strconv"
	"strings"
)

// decisionJSON is one result of GET /api/decisions/search.
type decisionJSON struct {
	DecisionID string `json:"decision_id"`
	Name       string `json:"name"`
	ModelID    string `json:"model_id"`
	File       string `json:"file"`
}

// apiDecisionSearch finds decision tables by id or name for the business
// rule task picker.
func (s *Server) apiDecisionSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	found, err := s.models.SearchDecisions(r.Context(), q, limit)
	if err != nil {
		return err
	}
	out := make([]decisionJSON, 0, len(found))
	for _, d := range found {
		out = append(out, decisionJSON{d.DecisionID, d.Name, d.ModelID, d.File})
	}
	return writeJSON(w, http.StatusOK, out)
}
