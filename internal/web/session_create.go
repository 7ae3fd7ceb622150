package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/web/templates"
)

// signInFailed is shown for an unknown user and a wrong password alike.
const signInFailed = "Incorrect username or password."

// maxUsernameLength bounds what is throttled and logged for a username.
const maxUsernameLength = 200

// sessionCreate signs a user in with username and password. Attempts are
// throttled per username (known or not) and per client address before the
// password is looked at; every outcome goes to the audit log.
func (s *Server) sessionCreate(w http.ResponseWriter, r *http.Request) error {
	username := strings.TrimSpace(r.PostFormValue("username"))
	if len(username) > maxUsernameLength {
		username = strings.ToValidUTF8(username[:maxUsernameLength], "")
	}
	next := localPath(r.PostFormValue("next"))
	st := state(r)
	ctx := r.Context()

	attempt, err := s.throttle.Begin(ctx, username, st.clientIP)
	if err != nil {
		return err
	}
	if attempt.Wait > 0 {
		detail := "delayed"
		if attempt.Locked {
			detail = "locked"
		}
		s.log.Info("sign-in refused", "request_id", st.id, "username", username, "client_ip", st.clientIP, "reason", detail)
		if err := s.audit.Record(ctx, auth.AuditRecord{Event: auth.EventSignInRefused, Username: username, ClientIP: st.clientIP, Detail: detail}); err != nil {
			return err
		}
		// Whole seconds, rounded up, so the advice is never too early.
		secs := int((attempt.Wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return s.signInFailure(w, r, http.StatusTooManyRequests, username, next, "Too many failed sign-ins. Try again "+inDuration(secs)+".")
	}

	user, err := s.accounts.Authenticate(ctx, username, r.PostFormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		s.log.Info("sign-in failed", "request_id", st.id, "username", username, "client_ip", st.clientIP)
		if err := s.audit.Record(ctx, auth.AuditRecord{Event: auth.EventSignInFailed, Username: username, ClientIP: st.clientIP, Detail: err.Error()}); err != nil {
			return err
		}
		for _, key := range attempt.Locks {
			s.log.Warn("sign-in locked", "request_id", st.id, "key", key, "for", s.cfg.SignInLockFor)
			if err := s.audit.Record(ctx, auth.AuditRecord{Event: auth.EventLocked, Username: username, ClientIP: st.clientIP,
				Detail: fmt.Sprintf("%s locked for %s", key, s.cfg.SignInLockFor)}); err != nil {
				return err
			}
		}
		return s.signInFailure(w, r, http.StatusUnprocessableEntity, username, next, signInFailed)
	}
	if err != nil {
		return err
	}
	if err := s.throttle.Succeeded(ctx, username, st.clientIP); err != nil {
		return err
	}
	if err := s.signIn(w, r, user, "password"); err != nil {
		return err
	}
	if user.MustChangePassword {
		redirect(w, r, s.prefix.URL("/account"))
		return nil
	}
	redirect(w, r, s.afterSignIn(next))
	return nil
}

// signInFailure shows the sign-in form again with a message.
func (s *Server) signInFailure(w http.ResponseWriter, r *http.Request, status int, username, next, msg string) error {
	b, err := s.base(w, r, "Sign in", "")
	if err != nil {
		return err
	}
	v := templates.SignInView{Base: b, Username: username, Next: next, Error: msg, Providers: s.oidcProviders(next)}
	return s.render(w, r, status, templates.SignInPage(v), templates.SignInForm(v))
}

// inDuration words a wait in seconds: "in 5 seconds", "in 15 minutes".
func inDuration(secs int) string {
	switch {
	case secs <= 1:
		return "in a second"
	case secs < 120:
		return fmt.Sprintf("in %d seconds", secs)
	default:
		return fmt.Sprintf("in %d minutes", (secs+59)/60)
	}
}
