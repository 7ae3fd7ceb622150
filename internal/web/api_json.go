package web

import (
	"encoding/json"
	"net/http"
)

// writeJSON writes v as the JSON response body. It encodes first, so a value
// that cannot be encoded becomes an error before anything is sent.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeJSONBytes(w, status, append(b, '\n'))
}

// jsonOK is the answer of a completion, encoded once: {"ok":true}.
var jsonOK = []byte(`{"ok":true}` + "\n")

// writeJSONBytes writes b, JSON text ending in a newline, as the response
// body.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte) error {
	h := w.Header()
	// As Header.Set does, with one slice for both values (securityHeaders).
	vals := []string{"application/json; charset=utf-8", "private, no-cache"}
	h["Content-Type"] = vals[0:1:1]
	h["Cache-Control"] = vals[1:2:2]
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}
