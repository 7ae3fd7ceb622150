package web

import (
	"encoding/json"
	"net/http"
	"strings"
)

// ScriptCheck is the result of checking a script or expression.
type ScriptCheck struct {
	OK      bool   `json:"ok"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message,omitempty"`
}

// ScriptChecker parses scripts with the engine's script package (cmd/web
// wires it: internal/web does not import the engine). kind is "script"
// (statements) or "expression".
type ScriptChecker interface {
	CheckScript(kind, src string) ScriptCheck
}

// maxScriptBytes bounds what the check endpoint reads.
const maxScriptBytes = 1 << 20

// apiScriptCheck answers POST /api/scripts/check {"script", "kind"} with
// {"ok", "line", "message"}.
func (s *Server) apiScriptCheck(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Script string `json:"script"`
		Kind   string `json:"kind"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxScriptBytes))
	if err := dec.Decode(&req); err != nil {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "The request body must be JSON {\"script\": \"...\", \"kind\": \"script\"|\"expression\"}: " + err.Error()})
	}
	if req.Kind == "" {
		req.Kind = "script"
	}
	if req.Kind != "script" && req.Kind != "expression" {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "kind must be \"script\" or \"expression\", not \"" + req.Kind + "\""})
	}
	if strings.TrimSpace(req.Script) == "" {
		return writeJSON(w, http.StatusOK, ScriptCheck{OK: true})
	}
	if s.scripts == nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Script checking is not available on this server."})
	}
	return writeJSON(w, http.StatusOK, s.scripts.CheckScript(req.Kind, req.Script))
}
