package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// urlInfoShow prints what the server believes about its address and about
// the request, to debug reverse-proxy and path-prefix setups. It is for
// admins (read on /debug/url-info): what it tells about the proxy set-up
// helps an attacker too.
func (s *Server) urlInfoShow(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "URL information", "")
	if err != nil {
		return err
	}
	scheme, host := s.forwarded(r)
	seen := scheme + "://" + host
	want := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
	match := "yes"
	if !strings.EqualFold(seen, want) {
		match = fmt.Sprintf("no: the browser used %s, WAYMARK_BASE_URL says %s", seen, want)
	}
	header := func(name string) string {
		if v := r.Header.Get(name); v != "" {
			return v
		}
		return "(none)"
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	st := state(r)
	v := templates.URLInfoView{Base: b, Facts: []templates.Fact{
		{Label: "Public base URL (WAYMARK_BASE_URL)", Value: s.cfg.BaseURL.String()},
		{Label: "Path prefix", Value: string(s.prefix)},
		{Label: "Sign-in page", Value: s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host + s.prefix.URL("/sign-in")},
		{Label: "Request as the browser sent it", Value: seen + r.RequestURI},
		{Label: "Origin matches the base URL", Value: match},
		{Label: "Peer address", Value: r.RemoteAddr},
		{Label: "Peer is a trusted proxy", Value: yesNo(s.isTrustedProxy(remoteAddr(r)))},
		{Label: "Client IP", Value: st.clientIP},
		{Label: "Host header", Value: r.Host},
		{Label: "X-Forwarded-For", Value: header("X-Forwarded-For")},
		{Label: "X-Forwarded-Proto", Value: header("X-Forwarded-Proto")},
		{Label: "X-Forwarded-Host", Value: header("X-Forwarded-Host")},
	}}
	return s.render(w, r, http.StatusOK, templates.URLInfoPage(v), nil)
}
