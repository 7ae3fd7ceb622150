package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// permissionList shows the permission rules of the file and of the app,
// with the form to add one.
func (s *Server) permissionList(w http.ResponseWriter, r *http.Request) error {
	return s.renderPermissions(w, r, http.StatusOK, "", templates.RuleForm{})
}

// renderPermissions shows the rules page; msg and form come back after a
// refused add-rule form.
func (s *Server) renderPermissions(w http.ResponseWriter, r *http.Request, status int, msg string, form templates.RuleForm) error {
	b, err := s.base(w, r, "Permission rules", templates.SectionAdmin)
	if err != nil {
		return err
	}
	v := templates.PermissionsView{Base: b, PermissionsFile: s.cfg.PermissionsFile, Error: msg, Form: form}
	file := s.rules.File()
	for _, name := range sortedRuleNames(file.Rules) {
		fr := file.Rules[name]
		v.FileRules = append(v.FileRules, templates.RuleRow{Name: name, Groups: fr.Groups, Users: fr.Users, Actions: fr.RuleActions(), URI: fr.URI})
	}
	for _, ar := range s.rules.AppRules() {
		v.AppRules = append(v.AppRules, templates.RuleRow{ID: ar.ID, Name: ar.Name, Groups: ar.Groups, Users: ar.Users,
			Actions: ar.Actions, URI: ar.URI, CreatedBy: ar.CreatedBy})
	}
	return s.render(w, r, status, templates.PermissionsPage(v), nil)
}
