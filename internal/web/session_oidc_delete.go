package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// oidcSignOut sends a user who signed in through a provider on to sign out
// there too (RP-initiated logout), once the Waymark session has ended. It
// reports false when there is nothing to do at a provider; a provider that
// cannot be reached is logged and skipped, so signing out of Waymark
// always works.
func (s *Server) oidcSignOut(w http.ResponseWriter, r *http.Request, providerID, idToken string) (bool, error) {
	if s.oidc == nil || providerID == "" {
		return false, nil
	}
	target, err := s.oidc.EndSessionURL(r.Context(), providerID, idToken, strings.TrimRight(s.cfg.BaseURL.String(), "/")+"/sign-in")
	if err != nil {
		s.log.Warn("sign-out at provider skipped", "request_id", state(r).id, "provider", providerID, "err", err)
		return false, nil
	}
	if target == "" {
		return false, nil
	}
	name := providerID
	for _, p := range s.oidc.Providers() {
		if p.ID == providerID {
			name = p.Name
		}
	}
	// Not s.base: it would take the "signed out" flash meant for the
	// sign-in page the provider returns to.
	b := templates.Base{Title: "Signing out", Prefix: s.prefix, Stylesheet: s.asset("css/app.css")}
	return true, s.render(w, r, http.StatusOK, templates.SignOutProviderPage(templates.SignOutProviderView{Base: b, Provider: name, URL: target}), nil)
}
