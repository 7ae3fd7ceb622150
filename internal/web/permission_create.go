package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// permissionCreate adds a permission rule in the app; it is checked as a
// rule of the permissions file would be and is in force at once.
func (s *Server) permissionCreate(w http.ResponseWriter, r *http.Request) error {
	form := templates.RuleForm{
		Name:    r.PostFormValue("name"),
		Groups:  r.PostFormValue("groups"),
		Users:   r.PostFormValue("users"),
		Actions: r.PostFormValue("actions"),
		URI:     r.PostFormValue("uri"),
	}
	rule, err := s.rules.AddRule(r.Context(), store.PermissionRule{
		Name: form.Name, Groups: splitList(form.Groups), Users: splitList(form.Users), Actions: splitList(form.Actions),
		URI: form.URI, CreatedBy: state(r).user.Username, CreatedAt: s.now(),
	})
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderPermissions(w, r, http.StatusUnprocessableEntity, accountMessage(err), form)
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventRuleAdded, "", ruleSummary(rule)); err != nil {
		return err
	}
	return s.afterRuleChange(w, r, "Rule "+auth.AppRulePrefix+rule.Name+" was added.")
}

// afterRuleChange shows a flash message on the rules page.
func (s *Server) afterRuleChange(w http.ResponseWriter, r *http.Request, msg string) error {
	st := state(r)
	st.session.SetFlash(msg)
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/admin/permissions"))
	return nil
}

// ruleSummary is a rule in one line for the audit log.
func ruleSummary(r store.PermissionRule) string {
	return auth.AppRulePrefix + r.Name + ": groups [" + strings.Join(r.Groups, ", ") + "] users [" + strings.Join(r.Users, ", ") +
		"] actions [" + strings.Join(r.Actions, ", ") + "] uri " + r.URI
}

// splitList splits a comma-separated form field.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// sortedRuleNames returns the names of rules in order.
func sortedRuleNames(m map[string]auth.Rule) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
