package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// signIn starts a server-side session for a user whose identity is
// established (password checked, or an identity provider's token
// verified): it issues a fresh session token and CSRF token, writes the
// cookie and records the sign-in in the audit log. method says how the
// user proved who they are ("password", or a provider's name). Each of
// extra may add to the new session before its cookie is written (an
// identity provider's sign-out details). It does not write the response
// body; the caller redirects.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, user auth.User, method string, extra ...func(*auth.Session)) error {
	st := state(r)
	if err := s.sessions.SignIn(r.Context(), st.session, user.ID, st.clientIP, r.UserAgent()); err != nil {
		return err
	}
	for _, f := range extra {
		f(st.session)
	}
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	st.user = &user
	s.log.Info("signed in", "request_id", st.id, "username", user.Username, "client_ip", st.clientIP, "method", method)
	return s.audit.Record(r.Context(), auth.AuditRecord{Event: auth.EventSignIn, Username: user.Username,
		ClientIP: st.clientIP, Detail: method})
}
