package web

import (
	"encoding/json"
	"errors"
	"net/http"
)

// errSignInRequired answers JSON requests that come without a session.
var errSignInRequired = errors.New("sign-in required")

// jsonAPI adapts a handlerFunc for the JSON endpoints the modeler calls: a
// returned error becomes {"message": ..., "request_id": ...} with the status
// from the error table, logged once like page errors.
func (s *Server) jsonAPI(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if state(r).user == nil {
			writeAPIJSON(w, http.StatusUnauthorized, map[string]string{"message": "Sign in first."})
			return
		}
		err := h(w, r)
		if err == nil {
			return
		}
		k := classify(err)
		st := state(r)
		s.log.Log(r.Context(), k.level, "request failed",
			"request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", k.status, "err", err)
		writeAPIJSON(w, k.status, map[string]string{"message": k.message, "request_id": st.id})
	})
}

// writeAPIJSON writes v as the JSON response body.
func writeAPIJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "private, no-cache")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}
