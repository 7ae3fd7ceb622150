package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
)

// processJSON is one result of GET /api/processes/search: where the
// process is defined, how well it matched, the BPMN element kinds it
// contains and the messages and signals (by name) it throws and catches.
type processJSON struct {
	ProcessID      string   `json:"process_id"`
	DisplayName    string   `json:"display_name"`
	ModelID        string   `json:"model_id"`
	File           string   `json:"file"`
	Rank           int      `json:"rank"`
	Kinds          []string `json:"kinds"`
	MessagesThrown []string `json:"messages_thrown"`
	MessagesCaught []string `json:"messages_caught"`
	SignalsThrown  []string `json:"signals_thrown"`
	SignalsCaught  []string `json:"signals_caught"`
}

// callerJSON is a process whose call activities call the process asked
// about.
type callerJSON struct {
	ProcessID   string `json:"process_id"`
	DisplayName string `json:"display_name"`
	ModelID     string `json:"model_id"`
	File        string `json:"file"`
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
		out = append(out, processJSON{
			ProcessID: m.ProcessID, DisplayName: m.DisplayName, ModelID: m.ModelID, File: m.File, Rank: m.Rank,
			Kinds: jsonList(m.Kinds), MessagesThrown: jsonList(m.MessagesThrown), MessagesCaught: jsonList(m.MessagesCaught),
			SignalsThrown: jsonList(m.SignalsThrown), SignalsCaught: jsonList(m.SignalsCaught),
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiProcessCallers lists the processes, in any model, whose call
// activities call the process {id}, with their model and file. A process
// id the repository does not define may still have callers (broken
// calls), so an unknown id answers with its callers too, often none.
func (s *Server) apiProcessCallers(w http.ResponseWriter, r *http.Request) error {
	callers, err := s.models.CallersOf(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, callersJSON(callers))
}

// apiModelCallers lists the processes, in any model, whose call
// activities call a process of the model.
func (s *Server) apiModelCallers(w http.ResponseWriter, r *http.Request) error {
	callers, err := s.models.Callers(r.Context(), pathID(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, callersJSON(callers))
}

func callersJSON(ms []models.ProcessMatch) []callerJSON {
	out := make([]callerJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, callerJSON{ProcessID: m.ProcessID, DisplayName: m.DisplayName, ModelID: m.ModelID, File: m.File})
	}
	return out
}

// jsonList makes a nil list an empty one, so JSON shows [] rather than null.
func jsonList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
