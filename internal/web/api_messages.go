package web

import (
	"encoding/json"
	"net/http"
)

// messageJSON is one message of GET /api/process-models/{id}/messages, in
// the shape SpiffArena's message-model list has, which the modeler reads.
type messageJSON struct {
	Identifier            string                    `json:"identifier"`
	Location              string                    `json:"location"`
	CorrelationProperties []correlationPropertyJSON `json:"correlation_properties"`
	Schema                json.RawMessage           `json:"schema,omitempty"`
}

type correlationPropertyJSON struct {
	Identifier          string `json:"identifier"`
	RetrievalExpression string `json:"retrieval_expression"`
}

// apiModelMessages lists the messages the model's process groups define
// (process_group.json "messages", nearest group first): {"messages": [...]}.
// The modeler offers them on message events and tasks.
func (s *Server) apiModelMessages(w http.ResponseWriter, r *http.Request) error {
	out := []messageJSON{}
	for _, m := range s.models.Messages(pathID(r)) {
		mj := messageJSON{Identifier: m.Identifier, Location: m.Location, Schema: m.Schema, CorrelationProperties: []correlationPropertyJSON{}}
		for _, cp := range m.CorrelationProperties {
			mj.CorrelationProperties = append(mj.CorrelationProperties, correlationPropertyJSON{cp.Identifier, cp.RetrievalExpression})
		}
		out = append(out, mj)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}
