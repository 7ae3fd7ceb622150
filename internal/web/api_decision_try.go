package web

import (
	"encoding/json"
	"errors"
	"net/http"
)

// maxDecisionXMLBytes bounds the DMN document the editor sends.
const maxDecisionXMLBytes = 4 << 20

// apiDecisionTry answers the decision editor's test panel: POST
// /api/decisions/try {"file", "xml", "decision", "inputs": [one text per
// input column]} evaluates the decision of the document as the editor holds
// it and answers {"hits", "used", "result", "unchecked"} (rule ids), or 422
// {"message"} naming what is wrong. Nothing is stored.
func (s *Server) apiDecisionTry(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		File     string   `json:"file"`
		XML      string   `json:"xml"`
		Decision string   `json:"decision"`
		Inputs   []string `json:"inputs"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDecisionXMLBytes))
	if err := dec.Decode(&req); err != nil {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "The request body must be JSON {\"xml\", \"decision\", \"inputs\"}: " + err.Error()})
	}
	if s.trier == nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Decision tables cannot be evaluated on this server."})
	}
	name := req.File
	if name == "" {
		name = "decisions.dmn"
	}
	trial, err := s.trier.TryDecisionXML(name, []byte(req.XML), req.Decision, req.Inputs)
	if errors.Is(err, ErrTrial) {
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": err.Error()})
	}
	if err != nil {
		return err
	}
	var result any
	if err := json.Unmarshal([]byte(trial.Result), &result); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"hits": nonEmpty(trial.HitIDs), "used": nonEmpty(trial.UsedIDs), "result": result, "unchecked": nonEmpty(trial.Unchecked),
	})
}

func nonEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
