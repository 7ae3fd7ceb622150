package web

import (
	"net/http"
	"strconv"
)

// modelFileRaw sends a file's content as plain bytes (as a download, so the
// browser never renders it as a page).
func (s *Server) modelFileRaw(w http.ResponseWriter, r *http.Request) error {
	data, err := s.models.ReadFile(pathID(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeModelFile(w, r.PathValue("name"), data)
	return nil
}

func writeModelFile(w http.ResponseWriter, name string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", modelFileContentType(name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	// Model files are user content: opened directly in a browser, an XML
	// file could carry XHTML script. The sandbox policy runs nothing.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

func modelFileContentType(name string) string {
	switch {
	case hasSuffixASCIIFold(name, ".json"):
		return "application/json; charset=utf-8"
	case hasSuffixASCIIFold(name, ".bpmn"), hasSuffixASCIIFold(name, ".dmn"), hasSuffixASCIIFold(name, ".xml"):
		return "application/xml; charset=utf-8"
	case hasSuffixASCIIFold(name, ".md"), hasSuffixASCIIFold(name, ".txt"):
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

func hasSuffixASCIIFold(s, suffix string) bool {
	return len(s) >= len(suffix) && equalFoldASCII(s[len(s)-len(suffix):], suffix)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
