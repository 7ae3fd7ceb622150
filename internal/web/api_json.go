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
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "private, no-cache")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}
