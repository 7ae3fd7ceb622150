package web

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// Errors raised by the web layer itself.
var (
	errPageNotFound = errors.New("no such page")
	errCSRFToken    = errors.New("missing or wrong CSRF token")
	errCrossOrigin  = errors.New("cross-origin request")
	errBadRequest   = errors.New("bad request")
	// errUndefinedFields: a submission carried keys the form does not
	// define.
	errUndefinedFields = errors.New("fields the form does not define")
)

// errorKind is one row of the error table.
type errorKind struct {
	err     error
	status  int
	title   string
	message string
	level   slog.Level
}

// reasonKinds are the errors whose own text says what was refused and
// why, written for the person who sent it (a model without a process, a
// password too short): it replaces the kind's fixed message.
var reasonKinds = []error{models.ErrInvalid, auth.ErrInvalid, runner.ErrInvalid}

// errorKinds maps error kinds to what the user sees and how loudly it is
// logged. The first row whose error matches (errors.Is) wins; anything
// else is a 500.
var errorKinds = []errorKind{
	{errPageNotFound, http.StatusNotFound, "Page not found", "There is no page at this address.", slog.LevelDebug},
	{store.ErrNotFound, http.StatusNotFound, "Not found", "What you asked for does not exist (any more).", slog.LevelDebug},
	{auth.ErrForbidden, http.StatusForbidden, "Not allowed", "Your account may not open this page.", slog.LevelInfo},
	{errCSRFToken, http.StatusForbidden, "Form expired", "The form was out of date or did not come from this site. Go back, reload the page and try again.", slog.LevelWarn},
	{errCrossOrigin, http.StatusForbidden, "Request refused", "This request came from another site and was refused.", slog.LevelWarn},
	{errNotBPMN, http.StatusNotFound, "Not a diagram", "Only BPMN files (.bpmn) open in the modeler.", slog.LevelDebug},
	{auth.ErrInvalid, http.StatusUnprocessableEntity, "Refused", "The change was refused. Go back, check what you entered and try again.", slog.LevelInfo},
	{errNotDMN, http.StatusNotFound, "Not a decision file", "Only DMN files (.dmn) open in the decision editor.", slog.LevelDebug},
	{models.ErrInvalid, http.StatusUnprocessableEntity, "Refused", "The name or content was refused. Go back, check it and try again.", slog.LevelInfo},
	{store.ErrConflict, http.StatusConflict, "Changed meanwhile", "Someone changed this at the same time. Reload the page and try again.", slog.LevelInfo},
	{runner.ErrForbidden, http.StatusForbidden, "Not your task", "This task or instance belongs to other people. Tasks are offered to the groups named like their lanes, or to the people the process names.", slog.LevelWarn},
	{runner.ErrCallbackToken, http.StatusUnauthorized, "Wrong token", "The callback's token is not the one of the call the task waits for.", slog.LevelWarn},
	{runner.ErrInvalidState, http.StatusConflict, "Not possible now", "The task or instance is not in a state that allows this (it may be suspended, finished or in error). Reload the page to see its state.", slog.LevelInfo},
	{runner.ErrInvalid, http.StatusBadRequest, "Cannot do that", "The request names something the process model does not have.", slog.LevelInfo},
	{errPasswordSignInOff, http.StatusForbidden, "Password sign-in is off", "Sign in through one of the providers on the sign-in page.", slog.LevelInfo},
	{errUndefinedFields, http.StatusUnprocessableEntity, "Refused", "Only the form's fields can be submitted; other data is set by the process itself.", slog.LevelWarn},
	{runner.ErrDataTooLarge, http.StatusRequestEntityTooLarge, "Too much data", "The task data is larger than this server stores. Nothing was saved.", slog.LevelInfo},
	{errBadRequest, http.StatusBadRequest, "Bad request", "The address or the form was not understood.", slog.LevelInfo},
}

var internalError = errorKind{nil, http.StatusInternalServerError, "Something went wrong", "The server could not handle this request. If it happens again, tell your administrator the request id below.", slog.LevelError}

func classify(err error) errorKind {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			// An error written for the person who caused it (it names
			// their own variable, never internals) replaces the fixed text.
			var um interface{ UserMessage() string }
			if k.status < 500 && errors.As(err, &um) {
				k.message = um.UserMessage()
			} else if slices.Contains(reasonKinds, k.err) {
				if why := reasonOf(err, k.err); why != "" {
					k.message = why
				}
			}
			return k
		}
	}
	return internalError
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// html adapts a handlerFunc for pages: a returned error becomes an error
// page through the table.
func (s *Server) html(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	})
}

// serveError logs err once and renders the error page for its kind.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	k := classify(err)
	st := state(r)
	s.log.Log(r.Context(), k.level, "request failed",
		"request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", k.status, "err", err)

	if to := s.refusedPostBack(r, k); to != "" {
		st.session.SetAlert(k.title + ". " + k.message)
		if serr := s.sessions.Save(w, r, st.session); serr == nil {
			redirect(w, r, to)
			return
		}
	}
	b, berr := s.base(w, r, k.title, "")
	if berr != nil {
		s.log.Error("build error page", "request_id", st.id, "err", berr)
		http.Error(w, k.message, k.status)
		return
	}
	msg := k.message
	var perr *PermissionError
	if errors.As(err, &perr) {
		msg = refusalMessage(perr)
	}
	v := templates.ErrorView{Base: b, Status: k.status, Message: msg, RequestID: st.id}
	if rerr := s.render(w, r, k.status, templates.ErrorPage(v), templates.ErrorMessage(v)); rerr != nil {
		s.log.Error("render error page", "request_id", st.id, "err", rerr)
		http.Error(w, k.message, k.status)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return errPageNotFound
}

// api adapts a handlerFunc for the JSON API, the one adapter every /api
// route goes through: a request without a signed-in user gets 401, and a
// returned error becomes a JSON error body through the same table as pages.
func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if state(r).user == nil {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Sign in first", "message": "This API needs a signed-in session."})
			return
		}
		if state(r).user.MustChangePassword {
			writeJSON(w, http.StatusForbidden, map[string]any{"error": "Change your password first", "message": "Your password was set by an administrator; change it on your account page."})
			return
		}
		if err := h(w, r); err != nil {
			k := classify(err)
			st := state(r)
			s.log.Log(r.Context(), k.level, "request failed",
				"request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", k.status, "err", err)
			msg := k.message
			var perr *PermissionError
			if errors.As(err, &perr) {
				msg = refusalMessage(perr)
			}
			writeJSON(w, k.status, map[string]any{"error_code": errorCode(k.status), "error": k.title, "message": msg, "request_id": st.id})
		}
	})
}

// reasonOf is the part of err's text that says why sentinel was returned:
// what follows "<sentinel>: " (the repository's and accounts' style), or
// what precedes ": <sentinel>" (the runner's), as a sentence. (A model's
// file problems never reach it: they say their own message.)
func reasonOf(err, sentinel error) string {
	s, mark := err.Error(), sentinel.Error()
	why := ""
	if i := strings.Index(s, mark+": "); i >= 0 {
		why = s[i+len(mark)+2:]
	} else if strings.HasSuffix(s, ": "+mark) {
		why = strings.TrimSuffix(s, ": "+mark)
	}
	why = strings.TrimSpace(why)
	if why == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(why)
	why = string(unicode.ToUpper(r)) + why[size:]
	if !strings.HasSuffix(why, ".") && !strings.HasSuffix(why, "?") && !strings.HasSuffix(why, "!") {
		why += "."
	}
	return why
}
