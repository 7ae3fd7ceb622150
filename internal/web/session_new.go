package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// sessionNew shows the sign-in form.
func (s *Server) sessionNew(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if state(r).user != nil {
		http.Redirect(w, r, s.afterSignIn(next), http.StatusSeeOther)
		return nil
	}
	b, err := s.base(w, r, "Sign in", "")
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.SignInPage(templates.SignInView{Base: b, Next: next, Providers: s.oidcProviders(next), NoPassword: !s.cfg.PasswordSignIn}), nil)
}

// afterSignIn is where a successful sign-in leads: the page the user asked
// for, or the inbox.
func (s *Server) afterSignIn(next string) string {
	if next == "" {
		return s.prefix.URL("/inbox")
	}
	return s.prefix.URL(next)
}
