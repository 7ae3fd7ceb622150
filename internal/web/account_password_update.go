package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// accountPasswordUpdate changes the user's own password. Every other
// session of the user ends; this one stays.
func (s *Server) accountPasswordUpdate(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	err := s.accounts.ChangePassword(r.Context(), st.user.ID, r.PostFormValue("current"), r.PostFormValue("password"), st.session.ID())
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.audit.Record(r.Context(), auth.AuditRecord{Event: auth.EventPasswordChanged, Username: st.user.Username, ClientIP: st.clientIP}); err != nil {
		return err
	}
	st.session.SetFlash("Your password was changed. Other sessions were signed out.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/account"))
	return nil
}

// accountMessage is the part of an auth.ErrInvalid error meant for people:
// what follows "invalid: ".
func accountMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, auth.ErrInvalid.Error()+": "); i >= 0 {
		msg = msg[i+len(auth.ErrInvalid.Error())+2:]
	}
	if msg == "" {
		return "Refused."
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}
