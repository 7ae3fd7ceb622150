package web

import (
	"errors"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/web/templates"
)

// signInFailed is shown for an unknown user and a wrong password alike.
const signInFailed = "Incorrect username or password."

// sessionCreate signs a user in with username and password.
func (s *Server) sessionCreate(w http.ResponseWriter, r *http.Request) error {
	username := r.PostFormValue("username")
	next := localPath(r.PostFormValue("next"))
	st := state(r)

	user, err := s.accounts.Authenticate(r.Context(), username, r.PostFormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		s.log.Info("sign-in failed", "request_id", st.id, "username", username, "client_ip", st.clientIP)
		b, err := s.base(w, r, "Sign in", "")
		if err != nil {
			return err
		}
		v := templates.SignInView{Base: b, Username: username, Next: next, Error: signInFailed, Providers: s.oidcProviders(next)}
		return s.render(w, r, http.StatusUnprocessableEntity, templates.SignInPage(v), templates.SignInForm(v))
	}
	if err != nil {
		return err
	}

	st.session.SignIn(user.ID)
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	st.user = &user
	s.log.Info("signed in", "request_id", st.id, "username", user.Username, "client_ip", st.clientIP)
	redirect(w, r, s.afterSignIn(next))
	return nil
}
