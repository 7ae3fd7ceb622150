package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// accountSessionDelete ends one of the user's own sessions (another
// browser). A session of someone else is not found.
func (s *Server) accountSessionDelete(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return fmt.Errorf("session id %q: %w", r.PathValue("id"), errBadRequest)
	}
	if err := s.sessions.End(r.Context(), st.user.ID, id); err != nil {
		return err
	}
	if err := s.audit.Record(r.Context(), auth.AuditRecord{Event: auth.EventSessionEnded, Username: st.user.Username,
		ClientIP: st.clientIP, Detail: "session " + strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	st.session.SetFlash("That session was signed out.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/account"))
	return nil
}
