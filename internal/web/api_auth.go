package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/store"
)

// bearerToken returns the token of an "Authorization: Bearer" header, and
// whether the request carries one at all.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// bearerOrSession sends API requests (/api and /v1.0, see isAPI) that
// carry a bearer token to tokenAuth and everything else to the
// cookie-session chain. A bearer request is not cookie-authenticated, so it
// needs no CSRF token; its cookies are ignored. Every API route may be
// called either way: a route registered under /api or /v1.0 with the api
// adapter and a routeAccess row gets token authentication, JSON errors and
// its permission check from here, with nothing more to do.
func (s *Server) bearerOrSession(next, session http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := bearerToken(r); ok && s.tokens != nil && isAPI(r) {
			s.tokenAuth(next).ServeHTTP(w, r)
			return
		}
		session.ServeHTTP(w, r)
	})
}

// tokenAuth resolves the bearer token's user into the request state. An
// unknown, revoked or expired token, or one of a disabled user, gets 401
// JSON; the request goes no further.
func (s *Server) tokenAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _ := bearerToken(r)
		// The token and its user are read under one auth version.
		ctx := auth.ResolveOnce(r.Context())
		id, err := s.tokens.Authenticate(ctx, token)
		if errors.Is(err, auth.ErrBadToken) {
			s.tokenRefused(w, r)
			return
		}
		if err != nil {
			s.refuse(w, r, err)
			return
		}
		u, err := s.accounts.User(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
			s.tokenRefused(w, r)
			return
		}
		if err != nil {
			s.refuse(w, r, err)
			return
		}
		// A password to change does not concern a machine client.
		u.MustChangePassword = false
		st := state(r)
		st.user = &u
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		next.ServeHTTP(w, r)
	})
}

func (s *Server) tokenRefused(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	s.log.Info("request failed", "request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", http.StatusUnauthorized, "err", auth.ErrBadToken)
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]any{
		"error_code": "invalid_token",
		"message":    "The API token is unknown, revoked or expired.",
		"request_id": st.id,
	})
}
