package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// Who may read /metrics: a signed-in admin, always; a scraper that sends
// "Authorization: Bearer <WAYMARK_METRICS_TOKEN>", when that token is set.
// Nobody else: the counts reveal how busy the processes are and the route
// table. The token route sits beside /healthz, outside the base path and
// the session layers, so Prometheus needs no cookie or CSRF token.

// metricsShow serves the metrics page to a signed-in admin.
func (s *Server) metricsShow(w http.ResponseWriter, r *http.Request) error {
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}

// metricsScrape serves /metrics at the root to a bearer of the metrics
// token; any other request goes on to next (the admin page).
func (s *Server) metricsScrape(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	h := s.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Hashes of equal length keep the comparison's time independent
		// of the token's length as well as its content.
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if ok && s.cfg.MetricsToken != "" && subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// countRequests records every request's route pattern, status and
// duration. The pattern comes from the muxes the request is routed
// through, never the raw path, so the number of label values stays the
// number of routes.
func (s *Server) countRequests(app, pages *http.ServeMux) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if s.metrics == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			code := rec.status
			if code == 0 {
				code = http.StatusOK
			}
			route := state(r).route // matched already by authorize
			if route == "" {
				route = routeOf(app, pages, r)
			}
			s.metrics.ObserveRequest(route, code, time.Since(start))
		})
	}
}

// routeOf is the registered pattern that serves r ("GET /tasks/{instance}/{task}"),
// or "unmatched".
func routeOf(app, pages *http.ServeMux, r *http.Request) string {
	_, pattern := app.Handler(r)
	if pattern == "/" {
		_, pattern = pages.Handler(r)
	}
	if pattern == "" {
		return "unmatched"
	}
	return pattern
}
