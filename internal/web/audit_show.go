package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

// auditShow is the audit log, newest first, optionally of one username.
func (s *Server) auditShow(w http.ResponseWriter, r *http.Request) error {
	q := store.AuditQuery{Username: strings.TrimSpace(r.URL.Query().Get("user")), Limit: auditPageSize}
	if before := r.URL.Query().Get("before"); before != "" {
		n, err := strconv.ParseInt(before, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("before %q: %w", before, errBadRequest)
		}
		q.Before = n
	}
	entries, err := s.audit.Entries(r.Context(), q)
	if err != nil {
		return err
	}
	b, err := s.base(w, r, "Audit log", templates.SectionAdmin)
	if err != nil {
		return err
	}
	v := templates.AuditView{Base: b, Username: q.Username, Rows: auditRows(entries)}
	if len(entries) == auditPageSize {
		older := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].ID, 10)}}
		if q.Username != "" {
			older.Set("user", q.Username)
		}
		v.Older = s.prefix.URL("/admin/audit?" + older.Encode())
	}
	return s.render(w, r, http.StatusOK, templates.AuditPage(v), nil)
}
