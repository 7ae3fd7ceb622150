package web

import (
	"context"
	"fmt"
	"net/http"
)

// ConnectorParam is one parameter of a connector operator.
type ConnectorParam struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

// ConnectorCommand is an operator a service task may call.
type ConnectorCommand struct {
	ID         string           `json:"id"`
	Parameters []ConnectorParam `json:"parameters"`
}

// Connectors lists the operators service tasks can call: the built-in ones
// and those of the connector proxy (cmd/web adapts internal/connectors).
type Connectors interface {
	Commands(ctx context.Context) ([]ConnectorCommand, error)
}

// apiConnectorCommands answers GET /api/connectors/commands, the modeler's
// operator list: [{"id", "parameters": [{"id", "type", "required"}]}].
func (s *Server) apiConnectorCommands(w http.ResponseWriter, r *http.Request) error {
	if s.connectors == nil {
		return writeJSON(w, http.StatusOK, []ConnectorCommand{})
	}
	cmds, err := s.connectors.Commands(r.Context())
	if err != nil {
		return fmt.Errorf("list connector commands: %w", err)
	}
	if cmds == nil {
		cmds = []ConnectorCommand{}
	}
	for i := range cmds {
		if cmds[i].Parameters == nil {
			cmds[i].Parameters = []ConnectorParam{}
		}
	}
	return writeJSON(w, http.StatusOK, cmds)
}
