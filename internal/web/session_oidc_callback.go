package web

import (
	"net/http"
)

// sessionOIDCCallback completes a sign-in when the provider sends the
// browser back.
func (s *Server) sessionOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return errPageNotFound
	}
	id := r.PathValue("provider")
	in, err := s.oidc.Finish(w, r, id, s.oidcCallbackURL(id))
	if err != nil {
		return s.oidcSignInFailed(w, r, err)
	}
	st := state(r)
	st.session.SignIn(in.User.ID)
	st.session.SetProvider(id, in.IDToken)
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	st.user = &in.User
	s.log.Info("signed in", "request_id", st.id, "username", in.User.Username, "provider", id, "client_ip", st.clientIP)
	redirect(w, r, s.afterSignIn(localPath(in.Next)))
	return nil
}
