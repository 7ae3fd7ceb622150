package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// typeaheadClient asks the connector proxy for suggestions. A form waits
// for the answer while the user types, so it must come quickly.
var typeaheadClient = &http.Client{Timeout: 10 * time.Second}

// typeaheadMaxBytes bounds the proxy's answer.
const typeaheadMaxBytes = 4 << 20

// apiTypeahead answers GET /api/typeahead/{category}?prefix=&limit=, the
// suggestions of a form's typeahead field (web/static/js/forms.js). It
// forwards the question to the configured connector proxy's
// GET /v1/type-ahead/{category}?prefix=&limit= (SpiffArena's
// connector_proxy_controller.typeahead) and answers with the proxy's JSON
// list of records as it is. limit defaults to 100, which is also the most.
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
	if s.cfg.ConnectorProxyURL == "" {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"error":   "No connector proxy",
			"message": "Suggestions come from a connector proxy, and none is configured (WAYMARK_CONNECTOR_PROXY_URL).",
		})
	}
	q := url.Values{"prefix": {r.URL.Query().Get("prefix")}, "limit": {strconv.Itoa(limit)}}
	target := s.cfg.ConnectorProxyURL + "/v1/type-ahead/" + url.PathEscape(category) + "?" + q.Encode()
	records, err := s.proxyTypeahead(r, target)
	if err != nil {
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

// proxyTypeahead fetches target and returns its body, which must be a JSON
// list.
func (s *Server) proxyTypeahead(r *http.Request, target string) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := typeaheadClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, typeaheadMaxBytes+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s answered %s", target, resp.Status)
	}
	if len(body) > typeaheadMaxBytes {
		return nil, fmt.Errorf("%s answered more than %d bytes", target, typeaheadMaxBytes)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("%s answered something that is not a JSON list: %w", target, err)
	}
	if list == nil {
		return json.RawMessage("[]"), nil
	}
	return json.RawMessage(body), nil
}
