package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// adminShow lists users and groups, with the form to add a user.
func (s *Server) adminShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdmin(w, r, http.StatusOK, "", templates.AdminUser{})
}

// renderAdmin shows the admin page; msg and typed come back after a
// refused add-user form.
func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, status int, msg string, typed templates.AdminUser) error {
	users, err := s.db.Users(r.Context())
	if err != nil {
		return err
	}
	groups, err := s.db.Groups(r.Context())
	if err != nil {
		return err
	}
	b, err := s.base(w, r, "Admin", templates.SectionAdmin)
	if err != nil {
		return err
	}
	v := templates.AdminView{Base: b, PermissionsFile: s.cfg.PermissionsFile, Error: msg, NewUser: typed}
	for _, u := range users {
		v.Users = append(v.Users, templates.AdminUser{ID: u.ID, Username: u.Username, Name: u.DisplayName, Email: u.Email,
			Source: u.Source, Disabled: !u.DisabledAt.IsZero()})
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, templates.AdminGroup{Name: g.Name, Members: g.Members})
	}
	return s.render(w, r, status, templates.AdminPage(v), nil)
}
