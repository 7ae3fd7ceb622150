package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Typeahead gives the suggestions of a form's typeahead field from the
// connector proxy (cmd/web adapts internal/connectors): a JSON list of
// records, or ErrNoTypeahead when no proxy is configured.
type Typeahead interface {
	Typeahead(ctx context.Context, category, prefix string, limit int) (json.RawMessage, error)
}

// localTypeahead answers from the typeahead data stores (*store.Store):
// the category's records whose search term starts with prefix, ignoring
// case, and false when the category has no entries.
type localTypeahead interface {
	Typeahead(ctx context.Context, category, prefix string, limit int) (json.RawMessage, bool, error)
}

// ErrNoTypeahead is what a Typeahead returns without a connector proxy.
var ErrNoTypeahead = errors.New("no connector proxy is configured")

// apiTypeahead answers GET /api/typeahead/{category}?prefix=&limit=, the
// suggestions of a form's typeahead field (web/static/js/forms.js). It
// forwards the question to the configured connector proxy's
// GET /v1/type-ahead/{category}?prefix=&limit= (SpiffArena's
// connector_proxy_controller.typeahead) and answers with the proxy's JSON
// list of records as it is, unless a typeahead data store holds the
// category. limit defaults to 100, which is also the most.
//
// Without a connector proxy (WAYMARK_CONNECTOR_PROXY_URL) the answer is
// 503 with an error saying so; when the proxy fails or answers something
// that is not a JSON list, 502. Unlike SpiffArena, which answers [] then,
// the field can tell the user that suggestions are unavailable.
func (s *Server) apiTypeahead(w http.ResponseWriter, r *http.Request) error {
	category := r.PathValue("category")
	if category == "" {
		return fmt.Errorf("typeahead without a category: %w", errBadRequest)
	}
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return fmt.Errorf("typeahead limit %q: %w", l, errBadRequest)
		}
		limit = min(n, 100)
	}
	// A category a typeahead data store holds answers from the database,
	// as SpiffArena's local typeahead does; any other goes to the proxy.
	if local, ok := s.db.(localTypeahead); ok {
		records, found, err := local.Typeahead(r.Context(), category, r.URL.Query().Get("prefix"), limit)
		if err != nil {
			return err
		}
		if found {
			return writeJSON(w, http.StatusOK, records)
		}
	}
	var records json.RawMessage
	var err error
	if s.typeahead == nil {
		err = ErrNoTypeahead
	} else {
		records, err = s.typeahead.Typeahead(r.Context(), category, r.URL.Query().Get("prefix"), limit)
	}
	switch {
	case errors.Is(err, ErrNoTypeahead):
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"error":   "No connector proxy",
			"message": "Suggestions come from a connector proxy, and none is configured (WAYMARK_CONNECTOR_PROXY_URL).",
		})
	case err != nil:
		st := state(r)
		s.log.Warn("typeahead: connector proxy failed", "request_id", st.id, "category", category, "err", err)
		return writeJSON(w, http.StatusBadGateway, map[string]any{
			"error":      "Connector proxy failed",
			"message":    "The connector proxy did not give suggestions for " + category + ".",
			"request_id": st.id,
		})
	}
	return writeJSON(w, http.StatusOK, records)
}
