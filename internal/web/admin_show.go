package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// adminShow lists users and groups.
func (s *Server) adminShow(w http.ResponseWriter, r *http.Request) error {
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
	v := templates.AdminView{Base: b, PermissionsFile: s.cfg.PermissionsFile}
	for _, u := range users {
		v.Users = append(v.Users, templates.AdminUser{Username: u.Username, Name: u.DisplayName, Email: u.Email, Source: u.Source})
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, templates.AdminGroup{Name: g.Name, Members: g.Members})
	}
	return s.render(w, r, http.StatusOK, templates.AdminPage(v), nil)
}
