package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// accountPasswordUpdate changes the user's own password. Every other
// session of the user ends; this one stays. Checking the current password
// is throttled like signing in, with the same counters: a stolen session
// must not become a way to guess the password fast.
func (s *Server) accountPasswordUpdate(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	ctx := r.Context()
	attempt, err := s.throttle.Begin(ctx, st.user.Username, st.clientIP)
	if err != nil {
		return err
	}
	if attempt.Wait > 0 {
		secs := int((attempt.Wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return s.renderAccount(w, r, http.StatusTooManyRequests, "Too many wrong passwords. Try again "+inDuration(secs)+".")
	}
	err = s.accounts.ChangePassword(ctx, st.user.ID, r.PostFormValue("current"), r.PostFormValue("password"), st.session.ID())
	if errors.Is(err, auth.ErrInvalid) {
		if !errors.Is(err, auth.ErrWrongPassword) {
			// Only a wrong current password counts as a failure.
			if err := s.throttle.Succeeded(ctx, st.user.Username, st.clientIP); err != nil {
				return err
			}
		} else if err := s.audit.Record(ctx, auth.AuditRecord{Event: auth.EventSignInFailed, Username: st.user.Username,
			ClientIP: st.clientIP, Detail: "wrong current password on the account page"}); err != nil {
			return err
		}
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.throttle.Succeeded(ctx, st.user.Username, st.clientIP); err != nil {
		return err
	}
	if err := s.audit.Record(ctx, auth.AuditRecord{Event: auth.EventPasswordChanged, Username: st.user.Username, ClientIP: st.clientIP}); err != nil {
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
