package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/web/templates"
)

// userCreate adds a user kept in the database; the first password must be
// changed at the first sign-in.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	a := auth.NewAccount{
		Username:    r.PostFormValue("username"),
		DisplayName: r.PostFormValue("display_name"),
		Email:       r.PostFormValue("email"),
		Password:    r.PostFormValue("password"),
	}
	u, err := s.accounts.CreateUser(r.Context(), a)
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderAdmin(w, r, http.StatusUnprocessableEntity, accountMessage(err),
			templates.AdminUser{Username: a.Username, Name: a.DisplayName, Email: a.Email})
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventUserCreated, u.Username, ""); err != nil {
		return err
	}
	return s.afterUserChange(w, r, u.ID, "User "+u.Username+" was added.")
}

// adminAudit records an admin's change to a user's account.
func (s *Server) adminAudit(r *http.Request, event, username, detail string) error {
	st := state(r)
	return s.audit.Record(r.Context(), auth.AuditRecord{Event: event, Username: username, Actor: st.user.Username,
		ClientIP: st.clientIP, Detail: detail})
}

// afterUserChange shows a flash message on the user's admin page.
func (s *Server) afterUserChange(w http.ResponseWriter, r *http.Request, id int64, msg string) error {
	st := state(r)
	st.session.SetFlash(msg)
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/admin/users/"+strconv.FormatInt(id, 10)))
	return nil
}
