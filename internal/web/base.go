package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/static"
	"github.com/waymark-bpm/waymark/web/templates"
)

// base builds the Base every page view embeds: the one place that decides
// title, user, flash, CSRF token, URL prefix and assets. It may set the
// session cookie, so call it before writing the response.
func (s *Server) base(w http.ResponseWriter, r *http.Request, title, section string) (templates.Base, error) {
	b := templates.Base{
		Title:      title,
		Section:    section,
		Prefix:     s.prefix,
		Stylesheet: s.asset("css/app.css"),
		Scripts:    []string{s.asset("js/htmx.min.js"), s.asset("js/address.js")},
	}
	if r.Method == http.MethodPost {
		b.Address = s.pageAddress(r)
	}
	st := state(r)
	if st.user != nil {
		b.User = &templates.User{Name: st.user.Name(), IsAdmin: s.can(r, "read", "/admin"),
			Inbox: s.can(r, "read", "/tasks"), Instances: s.can(r, "read", "/process-instances/for-me")}
		if s.work != nil {
			a := actor(r)
			// A failed count leaves the badge off; the page itself works.
			if n, err := s.work.InboxBadge(r.Context(), a.Viewer()); err == nil {
				b.InboxCount = n
			}
		}
	}
	if st.session == nil {
		// Outside the session layers (an early rejection): no forms work
		// there anyway.
		return b, nil
	}
	token, created := st.session.CSRFToken()
	b.CSRFToken = token
	flash, took := st.session.TakeFlash()
	b.Flash = flash
	alert, tookAlert := st.session.TakeAlert()
	b.Alert = alert
	if created || took || tookAlert {
		if err := s.sessions.Save(w, r, st.session); err != nil {
			return b, err
		}
	}
	return b, nil
}

// asset returns the URL of an embedded static file.
func (s *Server) asset(name string) string {
	return s.prefix.URL("/static/" + static.Path(name))
}
