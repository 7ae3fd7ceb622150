package web

import (
	"net/http"
	"net/url"
	"strings"
)

// refusedPostBack is where a refused form post goes back to (post,
// redirect, get): the page the form was on, taken from the Referer that
// the same-origin referrer policy sends with every form post. The browser
// then shows the reason on that page at its own GET address, so reload,
// back and bookmarks work. It is "" (render the error where it happened)
// for anything but a page's form post refused with a 4xx: server errors,
// htmx and script requests, a request without a session, and a Referer
// that is not a page of this site or is the address that was posted to.
func (s *Server) refusedPostBack(r *http.Request, k errorKind) string {
	if r.Method != http.MethodPost || k.status < 400 || k.status > 499 || r.Header.Get("HX-Request") == "true" {
		return ""
	}
	// A script's fetch is not a form post: browsers mark navigations, and
	// only those, with Sec-Fetch-Mode: navigate.
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" && mode != "navigate" {
		return ""
	}
	if st := state(r); st == nil || st.session == nil || s.sessions == nil {
		return ""
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Path == "" {
		return ""
	}
	if pub := s.cfg.BaseURL; pub != nil && ref.Host != "" && !strings.EqualFold(ref.Host, pub.Host) && !strings.EqualFold(ref.Host, r.Host) {
		return ""
	}
	to := ref.EscapedPath()
	if !strings.HasPrefix(to+"/", string(s.prefix)+"/") || to == s.prefix.URL(r.URL.EscapedPath()) {
		return ""
	}
	if ref.RawQuery != "" {
		to += "?" + ref.RawQuery
	}
	return localPath(to)
}

// maxAlertBytes bounds a refusal carried to the next page in the session
// cookie; a longer one (an upload's list of problems) is shown where it
// happened instead, since a cookie holds about 4 KB.
const maxAlertBytes = 1500

// refusePost answers a refused form post: back to the form's page (to), with
// msg shown there as an alert (post, redirect, get). When msg is too long
// for the session cookie, inline renders it at the post's address instead.
func (s *Server) refusePost(w http.ResponseWriter, r *http.Request, to, msg string, inline func() error) error {
	st := state(r)
	if len(msg) > maxAlertBytes || st == nil || st.session == nil || s.sessions == nil {
		return inline()
	}
	st.session.SetAlert(msg)
	if err := s.sessions.Save(w, r, st.session); err != nil {
		s.log.Warn("refusal does not fit the session; shown in place", "path", r.URL.Path, "err", err)
		return inline()
	}
	redirect(w, r, to)
	return nil
}

// pageAddress is the GET address of the page a form post belongs to: the
// post's own path when a page answers GET there (a settings form posting
// to its page), else the nearest parent path that does
// (/tasks/1/2/complete belongs to /tasks/1/2, /models/upload to /models).
func (s *Server) pageAddress(r *http.Request) string {
	p := r.URL.Path
	for s.pages != nil && strings.HasPrefix(p, "/") && p != "/" {
		get := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}, Host: r.Host}
		if _, pattern := s.pages.Handler(get); strings.HasPrefix(pattern, http.MethodGet+" ") {
			return s.prefix.URL(p)
		}
		p = p[:strings.LastIndex(p, "/")]
	}
	return s.prefix.URL("/")
}
