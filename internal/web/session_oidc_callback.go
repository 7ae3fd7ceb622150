package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
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
	if in.User.Disabled {
		return s.oidcSignInFailed(w, r, auth.ErrBadCredentials)
	}
	if err := s.signIn(w, r, in.User, "oidc:"+id, func(x *auth.Session) { x.SetProvider(id, in.IDToken) }); err != nil {
		return err
	}
	redirect(w, r, s.afterSignIn(localPath(in.Next)))
	return nil
}
