package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// sessionDelete signs the user out: the server-side session is deleted,
// so the cookie is worthless even if a copy of it survives.
func (s *Server) sessionDelete(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	providerID, idToken := st.session.Provider()
	if err := s.sessions.SignOut(r.Context(), st.session); err != nil {
		return err
	}
	if st.user != nil {
		if err := s.audit.Record(r.Context(), auth.AuditRecord{Event: auth.EventSignOut, Username: st.user.Username, ClientIP: st.clientIP}); err != nil {
			return err
		}
	}
	st.session.SetFlash("You have signed out.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	if done, err := s.oidcSignOut(w, r, providerID, idToken); done || err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/sign-in"))
	return nil
}
