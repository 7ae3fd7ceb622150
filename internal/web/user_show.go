package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// userShow is the admin's page about one user: groups, effective
// permissions, password, sessions, status and recent activity.
func (s *Server) userShow(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	return s.renderUser(w, r, id, http.StatusOK, "")
}

// userID reads {id} from the path.
func userID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("user id %q: %w", r.PathValue("id"), errBadRequest)
	}
	return id, nil
}

// renderUser shows a user's admin page with an optional error.
func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, id int64, status int, msg string) error {
	ctx := r.Context()
	su, err := s.db.UserByID(ctx, id)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(ctx, id)
	if err != nil {
		return err
	}
	memberships, err := s.db.UserMemberships(ctx, id)
	if err != nil {
		return err
	}
	rows, err := s.sessionRows(r, id, state(r).session.ID())
	if err != nil {
		return err
	}
	entries, err := s.audit.Entries(ctx, store.AuditQuery{Username: u.Username, Limit: 20})
	if err != nil {
		return err
	}
	b, err := s.base(w, r, u.Username, templates.SectionAdmin)
	if err != nil {
		return err
	}
	v := templates.UserView{
		Base: b,
		User: templates.AdminUser{ID: u.ID, Username: u.Username, Name: u.DisplayName, Email: u.Email, Source: su.Source,
			Disabled: u.Disabled},
		MustChange:     u.MustChangePassword,
		CanSetPassword: su.Source != store.SourceFile,
		IsSelf:         state(r).user.ID == u.ID,
		Error:          msg,
		Sessions:       rows,
		Audit:          auditRows(entries),
	}
	for _, m := range memberships {
		v.Groups = append(v.Groups, templates.UserGroup{Name: m.Group, Local: m.Source == store.SourceLocal})
	}
	if s.rules != nil {
		for _, g := range auth.UserGrants(s.rules.Current(), u) {
			v.Grants = append(v.Grants, templates.Grant{Action: g.Action, URI: g.Target, Deny: g.Deny, Rule: g.Rule, Via: g.Via})
		}
	}
	return s.render(w, r, status, templates.UserPage(v), nil)
}

func auditRows(entries []store.AuditEntry) []templates.AuditRow {
	rows := make([]templates.AuditRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, templates.AuditRow{ID: e.ID, At: e.At, Event: e.Event, Username: e.Username, Actor: e.Actor,
			ClientIP: e.ClientIP, Detail: e.Detail})
	}
	return rows
}
