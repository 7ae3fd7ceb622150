package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/store"
)

// requestState is what the middleware learns about a request, kept in its
// context as one mutable value so inner layers can fill in what outer ones
// log (the user, for the access log).
type requestState struct {
	id       string
	clientIP string
	session  *auth.Session
	user     *auth.User
	// elevated: the route's permissions let the user see or act on other
	// people's instances and tasks (set by authorize).
	elevated bool
	// route is the pattern authorize matched, for the request metrics
	// (empty when authorize did not run or found no route).
	route string
}

type stateKey struct{}

// state returns the request's state; requests that bypassed requestID get
// an empty one.
func state(r *http.Request) *requestState {
	if st, ok := r.Context().Value(stateKey{}).(*requestState); ok {
		return st
	}
	return &requestState{}
}

// requestID gives every request a random id, returned in X-Request-Id and
// shown on error pages so a user's report can be found in the log.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		st := &requestState{id: hex.EncodeToString(b), clientIP: s.clientIP(r)}
		w.Header().Set("X-Request-Id", st.id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
	})
}

// statusRecorder remembers what was written, for the access log and for
// panic recovery.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.status == 0 {
		sr.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.status == 0 {
		sr.status = http.StatusOK
	}
	n, err := sr.ResponseWriter.Write(b)
	sr.bytes += n
	return n, err
}

func (sr *statusRecorder) Unwrap() http.ResponseWriter { return sr.ResponseWriter }

// accessLog writes one line per request.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if !s.log.Enabled(r.Context(), slog.LevelInfo) {
			return // the arguments below cost a dozen allocations
		}
		st := state(r)
		user := ""
		if st.user != nil {
			user = st.user.Username
		}
		s.log.Info("request",
			"request_id", st.id,
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration", time.Since(start).Round(time.Microsecond).String(),
			"client_ip", st.clientIP,
			"user", user,
		)
	})
}

// recoverPanics turns a panicking handler into a logged 500.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			if rec.status != 0 {
				// Too late for an error page; the log still gets it.
				s.log.Error("panic after response started", "request_id", state(r).id, "err", err)
				return
			}
			s.serveError(rec, r, err)
		}()
		next.ServeHTTP(rec, r)
	})
}

// crossOrigin is the first CSRF layer: browsers label cross-site requests
// (Sec-Fetch-Site, Origin) and unsafe ones are refused. The public origin
// is trusted explicitly, since a proxy that rewrites Host would otherwise
// make same-site requests look cross-origin.
func (s *Server) crossOrigin() func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	origin := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
	if err := cop.AddTrustedOrigin(origin); err != nil {
		// The config package validated the base URL, so this is a bug.
		panic(fmt.Sprintf("web: trusted origin %q: %v", origin, err))
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, errCrossOrigin)
	}))
	return cop.Handler
}

// contentSecurityPolicy allows only this origin's scripts and styles: no
// inline script, no eval, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	names := []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"}
	values := []string{contentSecurityPolicy, "nosniff", "DENY", "same-origin", "same-origin"}
	if s.cfg.BaseURL.Scheme == "https" {
		names = append(names, "Strict-Transport-Security")
		values = append(values, "max-age=31536000")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// One copy of the values per response instead of one slice per
		// header (Header.Set); each header's slice is capped at its one
		// value, so an Add later appends to a copy of its own. The names
		// are in canonical form already.
		vals := slices.Clone(values)
		for i, name := range names {
			h[name] = vals[i : i+1 : i+1]
		}
		next.ServeHTTP(w, r)
	})
}

// withSession loads the cookie session into the request state.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state(r).session = s.sessions.Load(r)
		next.ServeHTTP(w, r)
	})
}

// isUnsafe reports whether the method may change something.
func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// maxRequestBody bounds the body of any unsafe request. Reading the
// csrf_token form field parses the body, so the bound must be in place
// before that: the largest legitimate body is a repository upload
// (models.MaxArchiveSize) with its form fields. Handlers set tighter limits.
const maxRequestBody = 80 << 20

// checkCSRFToken is the second CSRF layer: an unsafe request must carry the
// session's token in the X-CSRF-Token header or the csrf_token form field.
func (s *Server) checkCSRFToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isUnsafe(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
			want, _ := state(r).session.CSRFToken()
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf_token")
			}
			// A session without a token got one just now, so nothing the
			// client sent can match it.
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				s.refuse(w, r, errCSRFToken)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// withUser resolves the session's user from its server-side sign-in. A
// sign-in that was ended or timed out, or whose user was removed or
// disabled, leaves the request signed out and the cookie cleared.
func (s *Server) withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		// The sign-in and its user are read under one auth version.
		ctx := auth.ResolveOnce(r.Context())
		id, cleared, err := s.sessions.Resolve(ctx, st.session)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		if id != 0 {
			u, err := s.accounts.User(ctx, id)
			switch {
			case errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled):
				if err := s.sessions.SignOut(r.Context(), st.session); err != nil {
					s.serveError(w, r, err)
					return
				}
				cleared = true
			case err != nil:
				s.serveError(w, r, err)
				return
			default:
				st.user = &u
			}
		}
		if cleared {
			if err := s.sessions.Save(w, r, st.session); err != nil {
				s.serveError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// signedIn sends people who are not signed in to the sign-in page, which
// brings them back here afterwards.
func (s *Server) signedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := state(r).user
		if u == nil {
			target := s.prefix.URL("/sign-in") + "?next=" + url.QueryEscape(r.URL.RequestURI())
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				redirect(w, r, target)
				return nil
			}
			// Repeating an unsafe request after sign-in would surprise;
			// send the user to sign in without a way back.
			redirect(w, r, s.prefix.URL("/sign-in"))
			return nil
		}
		// A user who must change their password was sent to the form by
		// authorize, which runs before every route.
		return h(w, r)
	}
}

// adminOnly lets only users with read on /admin through.
func (s *Server) adminOnly(h handlerFunc) handlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request) error {
		if !s.can(r, "read", "/admin") {
			return auth.ErrForbidden
		}
		return h(w, r)
	})
}

// localPath returns next when it is a path on this site, else "". It
// guards the post-sign-in redirect against pointing elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// isTrustedProxy reports whether addr belongs to a trusted proxy network.
func (s *Server) isTrustedProxy(addr netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// remoteAddr is the address of the peer that connected.
func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// clientIP is the address of the browser: the peer, or, when the peer is a
// trusted proxy, the right-most X-Forwarded-For entry that is not itself a
// trusted proxy (entries further left can be forged by the client).
func (s *Server) clientIP(r *http.Request) string {
	peer := remoteAddr(r)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if !s.isTrustedProxy(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.isTrustedProxy(a) {
			return a.String()
		}
	}
	return peer.String()
}

// forwarded returns the scheme and host the browser used: from
// X-Forwarded-Proto and X-Forwarded-Host when a trusted proxy sent them,
// else from the connection.
func (s *Server) forwarded(r *http.Request) (scheme, host string) {
	scheme, host = "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if !s.isTrustedProxy(remoteAddr(r)) {
		return scheme, host
	}
	if p := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
		scheme = p
	}
	if h := strings.TrimSpace(r.Header.Get("X-Forwarded-Host")); h != "" {
		host = h
	}
	return scheme, host
}
