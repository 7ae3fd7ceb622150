package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/web/templates"
)

// errPasswordSignInOff refuses password sign-in when it is switched off.
var errPasswordSignInOff = errors.New("password sign-in is switched off")

// sessionOIDCStart sends the browser to the provider to sign in.
func (s *Server) sessionOIDCStart(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return errPageNotFound
	}
	next := localPath(r.URL.Query().Get("next"))
	if state(r).user != nil {
		redirect(w, r, s.afterSignIn(next))
		return nil
	}
	id := r.PathValue("provider")
	target, err := s.oidc.Begin(w, r, id, s.oidcCallbackURL(id), next)
	if err != nil {
		return s.oidcSignInFailed(w, r, err)
	}
	// A plain redirect also for htmx: the provider's pages are a full
	// navigation away.
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// oidcCallbackURL is the redirect URI registered at the provider.
func (s *Server) oidcCallbackURL(providerID string) string {
	return strings.TrimRight(s.cfg.BaseURL.String(), "/") + "/sign-in/oidc/" + url.PathEscape(providerID) + "/callback"
}

// oidcProviders are the sign-in page's provider buttons.
func (s *Server) oidcProviders(next string) []templates.SignInProvider {
	if s.oidc == nil {
		return nil
	}
	var out []templates.SignInProvider
	for _, p := range s.oidc.Providers() {
		u := s.prefix.URL("/sign-in/oidc/" + url.PathEscape(p.ID))
		if next != "" {
			u += "?next=" + url.QueryEscape(next)
		}
		out = append(out, templates.SignInProvider{ID: p.ID, Name: p.Name, URL: u})
	}
	return out
}

// oidcSignInFailed shows the sign-in page with the reason a sign-in
// through a provider failed: 502 when the provider could not be reached,
// 400 when its answer was refused. Other errors go to the error table.
func (s *Server) oidcSignInFailed(w http.ResponseWriter, r *http.Request, err error) error {
	var se *auth.SignInError
	if errors.Is(err, auth.ErrUnknownProvider) {
		return errPageNotFound
	}
	if !errors.As(err, &se) {
		return err
	}
	st := state(r)
	s.log.Warn("sign-in through provider failed", "request_id", st.id, "client_ip", st.clientIP, "err", err)
	status := http.StatusBadRequest
	if se.Unavailable {
		status = http.StatusBadGateway
	}
	b, berr := s.base(w, r, "Sign in", "")
	if berr != nil {
		return berr
	}
	v := templates.SignInView{Base: b, ProviderError: "Sign-in with " + se.Provider + " failed: " + se.Reason + ".",
		Providers: s.oidcProviders(""), NoPassword: !s.cfg.PasswordSignIn}
	return s.render(w, r, status, templates.SignInPage(v), nil)
}

// passwordSignIn refuses password sign-in when it is switched off.
func (s *Server) passwordSignIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.cfg.PasswordSignIn {
			return errPasswordSignInOff
		}
		return h(w, r)
	}
}
