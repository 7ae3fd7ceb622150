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
// When the proxy fails, Commands returns the operators it still knows (the
// built-in ones) together with the error.
type Connectors interface {
	Commands(ctx context.Context) ([]ConnectorCommand, error)
}

// connectorList is the answer of GET /api/connectors/commands.
type connectorList struct {
	Commands []ConnectorCommand `json:"commands"`
	// Warning says, in words for the analyst, that the list is incomplete.
	Warning string `json:"warning,omitempty"`
}

// proxyDownWarning is what the modeler shows when the connector proxy
// could not list its operators. The cause goes to the log, not the page.
const proxyDownWarning = "The connector proxy could not be reached: only the built-in operators are listed."

// apiConnectorCommands answers GET /api/connectors/commands, the modeler's
// operator list: {"commands": [{"id", "parameters": [{"id", "type",
// "required"}]}], "warning"}. A connector proxy that is down does not take
// the built-in operators with it: they are listed, with a warning.
func (s *Server) apiConnectorCommands(w http.ResponseWriter, r *http.Request) error {
	out := connectorList{Commands: []ConnectorCommand{}}
	if s.connectors == nil {
		return writeJSON(w, http.StatusOK, out)
	}
	cmds, err := s.connectors.Commands(r.Context())
	if err != nil {
		if len(cmds) == 0 {
			return fmt.Errorf("list connector commands: %w", err)
		}
		s.log.WarnContext(r.Context(), "connector proxy: listing operators failed; answering with the built-in ones",
			"request_id", state(r).id, "err", err)
		out.Warning = proxyDownWarning
	}
	for i := range cmds {
		if cmds[i].Parameters == nil {
			cmds[i].Parameters = []ConnectorParam{}
		}
	}
	if cmds != nil {
		out.Commands = cmds
	}
	return writeJSON(w, http.StatusOK, out)
}
