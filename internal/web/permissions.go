package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/web/templates"
)

// routeAccess is the one table that says what each route needs: every
// pattern registered in routes.go has a row (a test checks both ways), and
// a route without a row is refused.
//
// A rule is an action and a target written as SpiffArena writes the
// matching API path, so that a SpiffArena permissions file grants the same
// here. Placeholders in targets:
//
//	{id} {name} {version} {instance} {task} {category}  the path values
//	{model}       the model of the instance named by {id} or {instance}
//	{form:a+b}    form fields a and b joined with ':' (ids in URL form)
//
// Group and model ids in targets use ':' for '/', as URLs here do.
var routeAccess = map[string]access{
	// Signing in and out, the home redirect and unknown pages need nobody.
	"GET /{$}":            public(),
	"GET /sign-in":        public(),
	"POST /sign-in":       public(),
	"POST /sign-out":      public(),
	"/":                   public(),
	"GET /debug/url-info": need("read /debug/url-info"),
	"GET /admin":          need("read /admin"),

	// Sign-in through an OpenID Connect provider needs nobody; one's own
	// account page (sessions, password) needs only to be signed in.
	"GET /sign-in/oidc/{provider}":          public(),
	"GET /sign-in/oidc/{provider}/callback": public(),
	"GET /account":                          signedIn(),
	"POST /account/password":                signedIn(),
	"POST /account/sessions/{id}/delete":    signedIn(),
	// One's own API tokens; everyone's on the admin page.
	"POST /account/api-tokens":          signedIn(),
	"POST /account/api-tokens/delete":   signedIn(),
	"GET /admin/secrets":                need("read /secrets"),
	"POST /admin/secrets":               need("create /secrets"),
	"POST /admin/secrets/{name}/delete": need("delete /secrets/{name}"),
	"GET /admin/api-tokens":             need("read /api-tokens"),
	"POST /admin/api-tokens":            need("create /api-tokens"),
	"POST /admin/api-tokens/delete":     need("delete /api-tokens"),

	// User administration, the audit log and rules added in the app.
	"POST /admin/users":                      need("create /users"),
	"GET /admin/users/{id}":                  need("read /users/{id}"),
	"POST /admin/users/{id}/disable":         need("update /users/{id}"),
	"POST /admin/users/{id}/enable":          need("update /users/{id}"),
	"POST /admin/users/{id}/password":        need("update /users/{id}"),
	"POST /admin/users/{id}/groups":          need("update /users/{id}"),
	"POST /admin/users/{id}/groups/delete":   need("update /users/{id}"),
	"POST /admin/users/{id}/sessions/delete": need("update /users/{id}"),
	// Metrics for admins in the browser; scrapers use the bearer token at
	// the root /metrics, outside this table.
	"GET /metrics":                        need("read /metrics"),
	"GET /admin/audit":                    need("read /audit-log"),
	"GET /admin/permissions":              need("read /permissions"),
	"POST /admin/permissions":             need("create /permissions"),
	"POST /admin/permissions/{id}/delete": need("delete /permissions/{id}"),

	// The inbox and tasks (BASIC). Task ownership is the runner's check;
	// task-assign rights let a user release other people's claims.
	"GET /inbox":                             need("read /tasks"),
	"GET /tasks/{instance}/{task}":           need("read /tasks/{instance}/{task}"),
	"POST /tasks/{instance}/{task}/complete": need("update /tasks/{instance}/{task}"),
	"POST /tasks/{instance}/{task}/claim":    need("update /tasks/{instance}/{task}"),
	"POST /tasks/{instance}/{task}/release":  need("update /tasks/{instance}/{task}").elevate("create /task-assign/{model}/{instance}"),
	"GET /api/tasks":                         need("read /tasks"),
	"GET /api/tasks/{instance}/{task}":       need("read /tasks/{instance}/{task}"),
	"POST /api/tasks/{instance}/{task}":      need("update /tasks/{instance}/{task}"),

	// Messages and signals from outside (SpiffArena's /messages target).
	"POST /api/v1/messages/{name}": need("create /messages/{name}"),
	"POST /v1.0/messages/{name}":   need("create /messages/{name}"),
	"POST /api/v1/signals/{name}":  need("create /signals/{name}"),

	// Instances: read on the model's instances shows any of them; the
	// for-me path (BASIC) shows those the user started or has a task in.
	"GET /instances":                     need("read /process-instances/for-me").elevate("read /process-instances"),
	"GET /instances/{id}":                need("read /process-instances/{model}/{id}").forMe("read /process-instances/for-me/{model}/{id}"),
	"GET /instances/{id}/files/{digest}": need("read /process-instances/{model}/{id}").forMe("read /process-instances/for-me/{model}/{id}"),
	"GET /api/instances/{id}/states":     need("read /process-instances/{model}/{id}").forMe("read /process-instances/for-me/{model}/{id}"),
	"POST /instances/{id}/suspend":       need("create /process-instance-suspend/{model}/{id}").manages(),
	"POST /instances/{id}/resume":        need("create /process-instance-resume/{model}/{id}").manages(),
	"POST /instances/{id}/terminate":     need("create /process-instance-terminate/{model}/{id}").manages(),
	"POST /instances/{id}/retry":         need("create /process-instance-reset/{model}/{id}").manages(),
	"POST /process-models/{id}/start":    need("create /process-instances/{id}"),

	// Repairs of an instance, each with SpiffArena's own target so its
	// permission files carry over: editing task data (update /task-data),
	// skipping (create /task-complete: complete without running),
	// resetting to a task and migrating. The migration dry run needs the
	// migrate permission too: it is that action's first step. Migrating all
	// instances of a model is on the model's id.
	"POST /instances/{instance}/tasks/{task}/data":                 need("update /task-data/{model}/{instance}/{task}").manages(),
	"POST /instances/{instance}/tasks/{task}/skip":                 need("create /task-complete/{model}/{instance}/{task}").manages(),
	"POST /instances/{instance}/tasks/{task}/reset":                need("create /process-instance-reset/{model}/{instance}/{task}").manages(),
	"GET /instances/{id}/migrate":                                  need("create /process-instance-migrate/{model}/{id}").manages(),
	"POST /instances/{id}/migrate":                                 need("create /process-instance-migrate/{model}/{id}").manages(),
	"GET /process-models/{id}/migrate":                             need("create /process-instance-migrate/{id}").manages(),
	"POST /process-models/{id}/migrate":                            need("create /process-instance-migrate/{id}").manages(),
	"PUT /api/v1/process-instances/{instance}/tasks/{task}/data":   need("update /task-data/{model}/{instance}/{task}").manages(),
	"POST /api/v1/process-instances/{instance}/tasks/{task}/skip":  need("create /task-complete/{model}/{instance}/{task}").manages(),
	"POST /api/v1/process-instances/{instance}/tasks/{task}/reset": need("create /process-instance-reset/{model}/{instance}/{task}").manages(),
	"GET /api/v1/process-instances/{id}/migrate":                   need("create /process-instance-migrate/{model}/{id}").manages(),
	"POST /api/v1/process-instances/{id}/migrate":                  need("create /process-instance-migrate/{model}/{id}").manages(),
	"GET /api/v1/process-models/{id}/migrate":                      need("create /process-instance-migrate/{id}").manages(),
	"POST /api/v1/process-models/{id}/migrate":                     need("create /process-instance-migrate/{id}").manages(),

	// One task's data, read on demand on the page of a long instance.
	"GET /instances/{id}/tasks/{task}/data": need("read /process-instances/{model}/{id}").forMe("read /process-instances/for-me/{model}/{id}"),

	// The model repository. The tree lists only what the user may read.
	"GET /models": signedIn(),
	// The page lists only what the user may start.
	"GET /start":                                          signedIn(),
	"GET /process-models/{id}/settings":                   need("read /process-models/{id}"),
	"POST /process-models/{id}/settings":                  need("update /process-models/{id}"),
	"GET /models/download":                                need("read /process-groups"),
	"POST /models/upload":                                 need("create /process-groups"),
	"GET /process-search":                                 need("read /processes"),
	"POST /process-groups":                                need("create /process-groups/{form:parent+id}"),
	"GET /process-groups/{id}":                            need("read /process-groups/{id}"),
	"POST /process-groups/{id}":                           need("update /process-groups/{id}"),
	"POST /process-groups/{id}/move":                      need("update /process-groups/{id}", "create /process-groups/{form:new_id}"),
	"POST /process-groups/{id}/delete":                    need("delete /process-groups/{id}"),
	"GET /process-groups/{id}/download":                   need("read /process-groups/{id}"),
	"POST /process-groups/{id}/upload":                    need("update /process-groups/{id}"),
	"POST /process-groups/{id}/restore":                   need("update /process-groups/{id}"),
	"GET /process-groups/{id}/history":                    need("read /process-groups/{id}"),
	"GET /process-groups/{id}/history/compare":            need("read /process-groups/{id}"),
	"GET /process-groups/{id}/history/{version}":          need("read /process-groups/{id}"),
	"POST /process-groups/{id}/history/{version}/restore": need("update /process-groups/{id}"),
	"POST /process-models":                                need("create /process-models/{form:group+id}"),
	"GET /process-models/{id}":                            need("read /process-models/{id}"),
	"POST /process-models/{id}":                           need("update /process-models/{id}"),
	"POST /process-models/{id}/move":                      need("update /process-models/{id}", "create /process-models/{form:new_id}"),
	"POST /process-models/{id}/delete":                    need("delete /process-models/{id}"),
	"GET /process-models/{id}/download":                   need("read /process-models/{id}"),
	"POST /process-models/{id}/upload":                    need("update /process-models/{id}"),
	"POST /process-models/{id}/restore":                   need("update /process-models/{id}"),
	"POST /process-models/{id}/files":                     need("create /process-models/{id}/files"),
	"GET /process-models/{id}/files/{name}":               need("read /process-models/{id}/files/{name}"),
	"POST /process-models/{id}/files/{name}":              need("update /process-models/{id}/files/{name}"),
	"GET /process-models/{id}/files/{name}/raw":           need("read /process-models/{id}/files/{name}"),
	// The modeler is an editor: it opens for those who may save.
	"GET /process-models/{id}/files/{name}/modeler": need("update /process-models/{id}/files/{name}"),
	// The decision editor is an editor too; trying a table and previewing
	// a form read the model and change nothing.
	"GET /process-models/{id}/files/{name}/decision-editor":            need("update /process-models/{id}/files/{name}"),
	"POST /process-models/{id}/files/{name}/decisions/{decision}/try":  need("read /process-models/{id}/files/{name}"),
	"POST /process-models/{id}/files/{name}/preview":                   need("read /process-models/{id}/files/{name}"),
	"POST /process-models/{id}/files/{name}/rename":                    need("update /process-models/{id}/files/{name}"),
	"POST /process-models/{id}/files/{name}/delete":                    need("delete /process-models/{id}/files/{name}"),
	"GET /process-models/{id}/files/{name}/history":                    need("read /process-models/{id}/files/{name}"),
	"GET /process-models/{id}/files/{name}/history/compare":            need("read /process-models/{id}/files/{name}"),
	"GET /process-models/{id}/files/{name}/history/{version}":          need("read /process-models/{id}/files/{name}"),
	"POST /process-models/{id}/files/{name}/history/{version}/restore": need("update /process-models/{id}/files/{name}"),

	// The JSON API of the modeler.
	"GET /api/processes/search":                 need("read /processes"),
	"GET /api/processes/{id}/callers":           need("read /processes/callers/{id}"),
	"GET /api/decisions/search":                 need("read /processes"),
	"GET /api/process-models/{id}/files":        need("read /process-models/{id}/files"),
	"POST /api/process-models/{id}/files":       need("create /process-models/{id}/files"),
	"GET /api/process-models/{id}/files/{name}": need("read /process-models/{id}/files/{name}"),
	"PUT /api/process-models/{id}/files/{name}": need("update /process-models/{id}/files/{name}"),
	"GET /api/process-models/{id}/callers":      need("read /process-models/{id}"),
	"GET /api/process-models/{id}/messages":     need("read /process-models/{id}"),
	"GET /api/process-models/{id}/data-stores":  need("read /process-models/{id}"),
	"GET /api/connectors/commands":              need("read /service-tasks"),
	"GET /api/typeahead/{category}":             need("read /connector-proxy/typeahead/{category}"),

	// The machine API (api_v1_*.go): the same rules as the pages.
	"GET /api/v1/openapi.json":                           public(),
	"GET /api/v1/process-models":                         signedIn(), // lists only what the caller may read
	"GET /api/v1/process-models/{id}":                    need("read /process-models/{id}"),
	"POST /api/v1/process-models/{id}/process-instances": need("create /process-instances/{id}"),
	"GET /api/v1/process-instances":                      need("read /process-instances/for-me").elevate("read /process-instances"),
	"GET /api/v1/process-instances/{id}":                 need("read /process-instances/{model}/{id}").forMe("read /process-instances/for-me/{model}/{id}"),
	"POST /api/v1/process-instances/{id}/suspend":        need("create /process-instance-suspend/{model}/{id}").manages(),
	"POST /api/v1/process-instances/{id}/resume":         need("create /process-instance-resume/{model}/{id}").manages(),
	"POST /api/v1/process-instances/{id}/terminate":      need("create /process-instance-terminate/{model}/{id}").manages(),
	"POST /api/v1/process-instances/{id}/retry":          need("create /process-instance-reset/{model}/{id}").manages(),
	"GET /api/v1/tasks":                                  need("read /tasks"),
	"GET /api/v1/tasks/{instance}/{task}":                need("read /tasks/{instance}/{task}"),
	"POST /api/v1/tasks/{instance}/{task}":               need("update /tasks/{instance}/{task}"),
	// Secrets as on the admin page: names and dates only, never values.
	"GET /api/v1/secrets":           need("read /secrets"),
	"POST /api/v1/secrets":          need("create /secrets"),
	"PUT /api/v1/secrets/{name}":    need("update /secrets/{name}"),
	"DELETE /api/v1/secrets/{name}": need("delete /secrets/{name}"),
	// A connector proxy's answer to a call it accepted: the token made for
	// that call is the credential (runner.CompleteCallback checks it).
	"PUT /api/v1/tasks/{instance}/{task}/callback":  public(),
	"POST /api/v1/tasks/{instance}/{task}/callback": public(),

	// Checking a script and previewing Markdown read nothing stored and
	// change nothing; the modeler and task forms use them.
	"POST /api/scripts/check":      signedIn(),
	"POST /api/scripts/unit-tests": signedIn(),
	"POST /api/decisions/try":      signedIn(),
	// A test run in the editor runs the unsaved diagram in memory with the
	// model's files; it writes nothing.
	"POST /api/process-models/{id}/sandbox/run":  need("read /process-models/{id}"),
	"POST /api/process-models/{id}/sandbox/form": need("read /process-models/{id}"),
	"POST /api/markdown/preview":                 signedIn(),
}

// access is one row of routeAccess.
type access struct {
	// level is who may pass at all; rules only count at levelRule.
	level accessLevel
	// rules must all be allowed.
	rules []check
	// mine, when rules are refused, is tried instead: it lets the user
	// reach instances they started or have a task in, which the runner
	// then checks.
	mine *check
	// extra, when allowed, lets the runner treat the user as entitled to
	// other people's instances and tasks (the runner's Admin actor).
	extra *check
	// manager: passing rules is itself that entitlement (instance
	// actions, which the runner otherwise leaves to the starter).
	manager bool
}

type accessLevel int

const (
	levelPublic accessLevel = iota
	levelSignedIn
	levelRule
)

// check is one action on one target template.
type check struct{ action, target string }

func parseCheck(s string) check {
	action, target, ok := strings.Cut(s, " ")
	if !ok {
		panic("web: access rule " + s + " has no target")
	}
	return check{action, target}
}

func public() access   { return access{level: levelPublic} }
func signedIn() access { return access{level: levelSignedIn} }

func need(rules ...string) access {
	a := access{level: levelRule}
	for _, r := range rules {
		a.rules = append(a.rules, parseCheck(r))
	}
	return a
}

func (a access) forMe(rule string) access {
	c := parseCheck(rule)
	a.mine = &c
	return a
}

func (a access) manages() access {
	a.manager = true
	return a
}

func (a access) elevate(rule string) access {
	c := parseCheck(rule)
	a.extra = &c
	return a
}

// PermissionError is a refusal naming the permission that was missing.
type PermissionError struct {
	Action, Target string
	// Rule is the DENY rule that took the permission away, if one did.
	Rule string
}

func (e *PermissionError) Error() string {
	if e.Rule != "" {
		return fmt.Sprintf("%s on %s is denied by permission %q", e.Action, e.Target, e.Rule)
	}
	return fmt.Sprintf("missing permission: %s on %s", e.Action, e.Target)
}

func (e *PermissionError) Unwrap() error { return auth.ErrForbidden }

// can reports whether the signed-in user may do action on target (a
// concrete URI, no placeholders). Views get their booleans from here.
func (s *Server) can(r *http.Request, action, target string) bool {
	u := state(r).user
	return u != nil && s.perms.Load().Allowed(*u, action, target)
}

// Page booleans: what a page's forms need, checked against the same
// targets as the routes they post to (routeAccess). Creating inside a
// group is asked for a child id, as the create routes do.

func (s *Server) treeCan(r *http.Request) templates.Can {
	return templates.Can{Create: s.can(r, "create", "/process-groups"), Repository: s.can(r, "read", "/process-groups")}
}

func (s *Server) groupCan(r *http.Request, id string) templates.Can {
	t := "/process-groups/" + urlID(id)
	return templates.Can{Create: s.can(r, "create", t+":new"), CreateModel: s.can(r, "create", "/process-models/"+urlID(id)+":new"),
		Update: s.can(r, "update", t), Delete: s.can(r, "delete", t)}
}

func (s *Server) modelCan(r *http.Request, id string) templates.Can {
	t := "/process-models/" + urlID(id)
	return templates.Can{CreateModel: s.can(r, "create", t+"/files"), Update: s.can(r, "update", t), Delete: s.can(r, "delete", t),
		Start: s.can(r, "create", "/process-instances/"+urlID(id))}
}

func (s *Server) fileCan(r *http.Request, model, name string) templates.Can {
	t := "/process-models/" + urlID(model) + "/files/" + name
	return templates.Can{Update: s.can(r, "update", t), Delete: s.can(r, "delete", t)}
}

// SetPermissions replaces the rules every later request is decided by
// (a reloaded permissions file).
func (s *Server) SetPermissions(p *auth.Permissions) {
	if p != nil {
		s.perms.Store(p)
	}
}

// authorize checks the route's row of routeAccess before the handler runs.
// It finds the route the mux would pick, so routes.go stays as it is.
func (s *Server) authorize(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		if pattern == "" {
			// No route: the mux answers with a redirect to the clean
			// path, 404 or 405, and runs no handler of ours.
			mux.ServeHTTP(w, r)
			return
		}
		st := state(r)
		st.route = pattern
		a, ok := routeAccess[pattern]
		if !ok {
			// A route without a row is a bug; refuse rather than open it.
			s.refuse(w, r, fmt.Errorf("route %q has no access rule: %w", pattern, auth.ErrForbidden))
			return
		}
		if a.level == levelPublic {
			mux.ServeHTTP(w, r)
			return
		}
		if st.user == nil {
			s.signInFirst(w, r)
			return
		}
		// A user who must choose a new password does that first, whatever
		// their rules allow (the API adapter answers API calls itself).
		if st.user.MustChangePassword && !strings.HasPrefix(r.URL.Path, "/api/") &&
			pattern != "GET /account" && pattern != "POST /account/password" {
			redirect(w, r, s.prefix.URL("/account"))
			return
		}
		if a.level == levelSignedIn {
			mux.ServeHTTP(w, r)
			return
		}
		// The route's path values are not set before the mux runs, so
		// read them by matching the pattern here.
		vals := pathValues(pattern, r.URL.EscapedPath())
		perms := s.perms.Load() // one set of rules for the whole request
		res := &resolver{s: s, r: r, vals: vals}
		for _, c := range a.rules {
			target, err := res.target(c.target)
			if err != nil {
				s.refuse(w, r, err)
				return
			}
			d := perms.Decide(*st.user, c.action, target)
			if d.Allowed {
				continue
			}
			if a.mine != nil {
				mt, err := res.target(a.mine.target)
				if err != nil {
					s.refuse(w, r, err)
					return
				}
				if perms.Allowed(*st.user, a.mine.action, mt) {
					// Only involvement counts now: the runner checks it.
					mux.ServeHTTP(w, r)
					return
				}
			}
			perr := &PermissionError{Action: c.action, Target: target}
			if d.Denied {
				perr.Rule = d.Rule
			}
			s.refuse(w, r, perr)
			return
		}
		st.elevated = a.mine != nil || a.manager // read on others' instances, or managing them
		if a.extra != nil {
			target, err := res.target(a.extra.target)
			if err != nil {
				s.refuse(w, r, err)
				return
			}
			st.elevated = perms.Allowed(*st.user, a.extra.action, target)
		}
		mux.ServeHTTP(w, r)
	})
}

// isAPI reports whether the request is for the JSON API: /api, or
// SpiffArena's /v1.0 for the routes that keep its address.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/v1.0/")
}

// refuse answers a refused request: JSON {error_code, message} for the API,
// the error page otherwise.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if !isAPI(r) {
		s.serveError(w, r, err)
		return
	}
	k := classify(err)
	st := state(r)
	s.log.Log(r.Context(), k.level, "request failed",
		"request_id", st.id, "method", r.Method, "path", r.URL.Path, "status", k.status, "err", err)
	msg := k.message
	var perr *PermissionError
	if errors.As(err, &perr) {
		msg = refusalMessage(perr)
	}
	code := errorCode(k.status)
	switch {
	case errors.Is(err, errCSRFToken):
		code = "invalid_csrf_token"
	case errors.Is(err, errCrossOrigin):
		code = "cross_origin"
	}
	writeJSON(w, k.status, map[string]any{"error_code": code, "error": k.title, "message": msg, "request_id": st.id})
}

// errorCode is the JSON API's error_code for a status.
func errorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "not_authenticated"
	case http.StatusForbidden:
		return "not_authorized"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusUnprocessableEntity:
		return "invalid"
	}
	return "internal_error"
}

// refusalMessage is what a refused user reads.
func refusalMessage(e *PermissionError) string {
	if e.Rule != "" {
		return fmt.Sprintf("You may not %s %s: permission %q denies it.", e.Action, e.Target, e.Rule)
	}
	return fmt.Sprintf("You need the permission %q on %q for this.", e.Action, e.Target)
}

// signInFirst answers a request that needs a signed-in user: 401 for the
// API, else the sign-in page, which brings the user back after a GET.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error_code": "not_authenticated", "error": "Sign in first", "message": "This API needs a signed-in session."})
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		redirect(w, r, s.prefix.URL("/sign-in")+"?next="+url.QueryEscape(r.URL.RequestURI()))
		return
	}
	redirect(w, r, s.prefix.URL("/sign-in"))
}

// pathValues matches a "METHOD /a/{x}/b" pattern against an escaped path
// and returns the wildcard values. Like http.ServeMux, it splits the
// escaped path and unescapes each segment, so "a%2Fb" is one value, as the
// handler will see it; splitting the unescaped path would check a
// different id than the handler uses. Patterns here have no "{x...}"
// wildcards.
func pathValues(pattern, path string) map[string]string {
	_, p, _ := strings.Cut(pattern, " ")
	if p == "" {
		p = pattern
	}
	pp := strings.Split(strings.TrimSuffix(p, "{$}"), "/")
	ps := strings.Split(path, "/")
	vals := map[string]string{}
	for i, seg := range pp {
		if i >= len(ps) {
			break
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if v, err := url.PathUnescape(ps[i]); err == nil {
				vals[strings.Trim(seg, "{}")] = v
			}
		}
	}
	return vals
}

// resolver fills in the placeholders of targets for one request.
type resolver struct {
	s     *Server
	r     *http.Request
	vals  map[string]string
	model string
}

func (res *resolver) target(t string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String(), nil
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("access target %q: unclosed placeholder", t)
		}
		b.WriteString(t[:i])
		v, err := res.value(t[i+1 : i+j])
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		t = t[i+j+1:]
	}
}

// urlID writes a group or model id as targets carry it.
func urlID(id string) string {
	return strings.ReplaceAll(strings.Trim(strings.TrimSpace(id), "/:"), "/", ":")
}

func (res *resolver) value(name string) (string, error) {
	if fields, ok := strings.CutPrefix(name, "form:"); ok {
		var parts []string
		for _, f := range strings.Split(fields, "+") {
			if v := urlID(res.r.PostFormValue(f)); v != "" {
				parts = append(parts, v)
			}
		}
		return strings.Join(parts, ":"), nil
	}
	if name == "id" {
		// Group and model ids may come with '/' (escaped) or ':'; the
		// handlers take both, so the check uses the one form targets
		// use.
		return urlID(res.vals[name]), nil
	}
	if name != "model" {
		return res.vals[name], nil
	}
	if res.model != "" {
		return res.model, nil
	}
	raw := res.vals["id"]
	if raw == "" {
		raw = res.vals["instance"]
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || res.s.work == nil {
		return "", fmt.Errorf("instance id %q: %w", raw, errPageNotFound)
	}
	in, err := res.s.work.Instance(res.r.Context(), id)
	if err != nil {
		return "", fmt.Errorf("access check: %w", err)
	}
	res.model = urlID(in.ModelID)
	return res.model, nil
}

// RouteRules lists every route pattern with what it needs, sorted by
// pattern: "public", "signed-in", or the permissions as "action target"
// (several joined with " and "; a for-me alternative after " or ").
// The route walk test asks every route as several users from this list.
func RouteRules() [][2]string {
	out := make([][2]string, 0, len(routeAccess))
	for p, a := range routeAccess {
		var need string
		switch a.level {
		case levelPublic:
			need = "public"
		case levelSignedIn:
			need = "signed-in"
		default:
			var parts []string
			for _, c := range a.rules {
				parts = append(parts, c.action+" "+c.target)
			}
			need = strings.Join(parts, " and ")
			if a.mine != nil {
				need += " or " + a.mine.action + " " + a.mine.target
			}
		}
		out = append(out, [2]string{p, need})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
