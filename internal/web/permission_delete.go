package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// permissionDelete takes a rule added in the app out of force.
func (s *Server) permissionDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return fmt.Errorf("rule id %q: %w", r.PathValue("id"), errBadRequest)
	}
	name, err := s.rules.DeleteRule(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventRuleDeleted, "", auth.AppRulePrefix+name); err != nil {
		return err
	}
	return s.afterRuleChange(w, r, "Rule "+auth.AppRulePrefix+name+" was deleted.")
}
