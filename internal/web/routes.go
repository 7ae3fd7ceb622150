package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/metrics"
	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/static"
	"github.com/waymark-bpm/waymark/web/templates"
)

// Accounts signs people in, looks them up and changes accounts.
type Accounts interface {
	Authenticate(ctx context.Context, username, password string) (auth.User, error)
	User(ctx context.Context, id int64) (auth.User, error)
	CreateUser(ctx context.Context, a auth.NewAccount) (auth.User, error)
	SetDisabled(ctx context.Context, id int64, disabled bool, now time.Time) error
	SetPassword(ctx context.Context, id int64, password string, mustChange bool, keepSession int64) error
	ChangePassword(ctx context.Context, id int64, current, password string, keepSession int64) error
	AddToGroup(ctx context.Context, userID int64, group string) error
	RemoveFromGroup(ctx context.Context, userID int64, group string) error
}

// Rules are the permission rules: those of the permissions file and those
// added in the app.
type Rules interface {
	Current() *auth.Permissions
	File() *auth.Permissions
	AppRules() []store.PermissionRule
	AddRule(ctx context.Context, r store.PermissionRule) (store.PermissionRule, error)
	DeleteRule(ctx context.Context, id int64) (string, error)
}

// Database is what the pages read directly from the store.
type Database interface {
	Ping(ctx context.Context) error
	Users(ctx context.Context) ([]store.User, error)
	Groups(ctx context.Context) ([]store.Group, error)
	UserByID(ctx context.Context, id int64) (store.User, error)
	UserMemberships(ctx context.Context, userID int64) ([]store.Membership, error)
}

// Options are the server's collaborators.
type Options struct {
	Config   config.Config
	Logger   *slog.Logger
	Accounts Accounts
	Sessions *auth.Sessions
	// OIDC signs people in through OpenID Connect providers; nil for none.
	OIDC *auth.OIDC
	// Throttle slows down and locks repeated failed sign-ins; Audit keeps
	// the log of sign-ins and account changes.
	Throttle *auth.Throttle
	Audit    *auth.Audit
	// Rules are the permission rules in force (the file's and those added
	// in the app), for the admin pages; nil shows none.
	Rules Rules
	// Now is the clock of account changes; nil means time.Now.
	Now func() time.Time
	DB  Database
	// Models is the model repository; nil leaves the model pages out
	// (tests of other pages).
	Models *models.Repo
	// Runner moves instances on; Work is what the inbox and instance
	// lists read. Both nil leaves those pages empty (tests of other pages).
	Runner *runner.Runner
	Work   Work
	// Connectors lists service-task operators for the modeler; nil for
	// none.
	Connectors Connectors
	// Typeahead gives task forms' typeahead suggestions; nil for none.
	Typeahead Typeahead
	// Scripts checks scripts for the modeler; nil turns checking off.
	Scripts ScriptChecker
	// Permissions decide access to every route (routeAccess); nil is the
	// built-in rules (the admin group may do everything).
	Permissions *auth.Permissions
	// Metrics records requests and serves /metrics; nil leaves both out.
	Metrics *metrics.Metrics
	// Decisions evaluates decision tables for the "test this table"
	// panel; nil turns the panel's evaluation off.
	Decisions DecisionTrier
	// ScriptTests runs script unit tests for the modeler; nil turns them
	// off.
	ScriptTests ScriptTester
	// Sandbox runs the modeler's test runs; nil turns them off.
	Sandbox Sandbox
	// Tokens authenticate bearer requests to /api; nil turns them off.
	Tokens *auth.APITokens
	// Secrets keeps the values service tasks and scripts use by name; nil
	// leaves the secrets page out.
	Secrets Secrets
}

// Server holds what handlers share. It is immutable after New, but for
// the permission rules, which SetPermissions swaps.
type Server struct {
	cfg      config.Config
	log      *slog.Logger
	accounts Accounts
	sessions *auth.Sessions
	oidc     *auth.OIDC
	throttle *auth.Throttle
	audit    *auth.Audit
	rules    Rules
	now      func() time.Time
	db       Database
	models   *models.Repo
	runner   *runner.Runner
	work     Work
	// connectors and scripts serve the modeler.
	connectors  Connectors
	typeahead   Typeahead
	scripts     ScriptChecker
	trier       DecisionTrier
	scriptTests ScriptTester
	sandbox     Sandbox
	metrics     *metrics.Metrics
	prefix      templates.Prefix
	tokens      *auth.APITokens
	secrets     Secrets
	// perms decide access; swapped whole by SetPermissions.
	perms   atomic.Pointer[auth.Permissions]
	handler http.Handler
	// pages is the mux of the pages, to find the GET address a form post
	// belongs to (pageAddress).
	pages *http.ServeMux
}

// New returns the HTTP handler for the whole application.
func New(o Options) *Server {
	s := &Server{
		cfg:         o.Config,
		log:         o.Logger,
		accounts:    o.Accounts,
		sessions:    o.Sessions,
		oidc:        o.OIDC,
		throttle:    o.Throttle,
		audit:       o.Audit,
		rules:       o.Rules,
		now:         o.Now,
		db:          o.DB,
		models:      o.Models,
		runner:      o.Runner,
		work:        o.Work,
		connectors:  o.Connectors,
		typeahead:   o.Typeahead,
		scripts:     o.Scripts,
		metrics:     o.Metrics,
		trier:       o.Decisions,
		scriptTests: o.ScriptTests,
		sandbox:     o.Sandbox,
		tokens:      o.Tokens,
		secrets:     o.Secrets,
		prefix:      templates.Prefix(o.Config.BasePath()),
	}
	if s.now == nil {
		s.now = time.Now
	}
	perms := o.Permissions
	if perms == nil {
		p, err := auth.LoadPermissions("")
		if err != nil {
			panic(fmt.Sprintf("web: built-in permissions: %v", err))
		}
		perms = p
	}
	s.perms.Store(perms)
	s.handler = s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// routes registers every route and shows the middleware chain.
func (s *Server) routes() http.Handler {
	pages := http.NewServeMux()
	pages.Handle("GET /{$}", s.html(s.homeShow))
	pages.Handle("GET /sign-in", s.html(s.sessionNew))
	pages.Handle("POST /sign-in", s.html(s.passwordSignIn(s.sessionCreate)))
	pages.Handle("GET /sign-in/oidc/{provider}", s.html(s.sessionOIDCStart))
	pages.Handle("GET /sign-in/oidc/{provider}/callback", s.html(s.sessionOIDCCallback))
	pages.Handle("POST /sign-out", s.html(s.sessionDelete))
	if s.models != nil {
		s.modelRoutes(pages)
	}
	pages.Handle("GET /inbox", s.html(s.signedIn(s.inboxShow)))
	pages.Handle("GET /tasks/{instance}/{task}", s.html(s.signedIn(s.taskShow)))
	pages.Handle("POST /tasks/{instance}/{task}/complete", s.html(s.signedIn(s.taskComplete)))
	pages.Handle("POST /tasks/{instance}/{task}/claim", s.html(s.signedIn(s.taskClaim)))
	pages.Handle("POST /tasks/{instance}/{task}/release", s.html(s.signedIn(s.taskRelease)))
	pages.Handle("GET /instances", s.html(s.signedIn(s.instanceList)))
	pages.Handle("GET /instances/{id}", s.html(s.signedIn(s.instanceShow)))
	pages.Handle("GET /instances/{id}/files/{digest}", s.html(s.signedIn(s.instanceFileShow)))
	pages.Handle("GET /instances/{id}/tasks/{task}/data", s.html(s.signedIn(s.instanceTaskData)))
	pages.Handle("POST /instances/{id}/suspend", s.html(s.signedIn(s.instanceSuspend)))
	pages.Handle("POST /instances/{id}/resume", s.html(s.signedIn(s.instanceResume)))
	pages.Handle("POST /instances/{id}/terminate", s.html(s.signedIn(s.instanceTerminate)))
	pages.Handle("POST /instances/{id}/retry", s.html(s.signedIn(s.instanceRetry)))
	pages.Handle("POST /instances/{instance}/tasks/{task}/data", s.html(s.signedIn(s.instanceTaskDataUpdate)))
	pages.Handle("POST /instances/{instance}/tasks/{task}/skip", s.html(s.signedIn(s.instanceTaskSkip)))
	pages.Handle("POST /instances/{instance}/tasks/{task}/reset", s.html(s.signedIn(s.instanceReset)))
	pages.Handle("GET /instances/{id}/migrate", s.html(s.signedIn(s.instanceMigrateShow)))
	pages.Handle("POST /instances/{id}/migrate", s.html(s.signedIn(s.instanceMigrate)))
	pages.Handle("GET /process-models/{id}/migrate", s.html(s.signedIn(s.modelInstancesMigrateShow)))
	pages.Handle("POST /process-models/{id}/migrate", s.html(s.signedIn(s.modelInstancesMigrate)))
	pages.Handle("POST /process-models/{id}/start", s.html(s.signedIn(s.modelStart)))
	pages.Handle("GET /api/instances/{id}/states", s.api(s.apiInstanceStates))
	pages.Handle("GET /api/tasks", s.api(s.apiTaskList))
	pages.Handle("GET /api/tasks/{instance}/{task}", s.api(s.apiTaskShow))
	pages.Handle("POST /api/tasks/{instance}/{task}", s.api(s.apiTaskComplete))
	pages.Handle("POST /api/v1/messages/{name}", s.api(s.messageSend))
	pages.Handle("POST /v1.0/messages/{name}", s.api(s.messageSend))
	pages.Handle("POST /api/v1/signals/{name}", s.api(s.signalSend))
	pages.Handle("GET /admin", s.html(s.adminOnly(s.adminShow)))
	pages.Handle("GET /account", s.html(s.signedIn(s.accountShow)))
	pages.Handle("POST /account/password", s.html(s.signedIn(s.accountPasswordUpdate)))
	pages.Handle("POST /account/sessions/{id}/delete", s.html(s.signedIn(s.accountSessionDelete)))
	pages.Handle("POST /account/api-tokens", s.html(s.signedIn(s.accountTokenCreate)))
	pages.Handle("POST /account/api-tokens/delete", s.html(s.signedIn(s.accountTokenDelete)))
	pages.Handle("GET /admin/secrets", s.html(s.adminOnly(s.secretList)))
	pages.Handle("POST /admin/secrets", s.html(s.adminOnly(s.secretUpdate)))
	pages.Handle("POST /admin/secrets/{name}/delete", s.html(s.adminOnly(s.secretDelete)))
	pages.Handle("GET /admin/api-tokens", s.html(s.adminOnly(s.tokenList)))
	pages.Handle("POST /admin/api-tokens", s.html(s.adminOnly(s.tokenCreate)))
	pages.Handle("POST /admin/api-tokens/delete", s.html(s.adminOnly(s.tokenDelete)))
	pages.Handle("POST /admin/users", s.html(s.adminOnly(s.userCreate)))
	pages.Handle("GET /admin/users/{id}", s.html(s.adminOnly(s.userShow)))
	pages.Handle("POST /admin/users/{id}/disable", s.html(s.adminOnly(s.userDisable)))
	pages.Handle("POST /admin/users/{id}/enable", s.html(s.adminOnly(s.userEnable)))
	pages.Handle("POST /admin/users/{id}/password", s.html(s.adminOnly(s.userPasswordSet)))
	pages.Handle("POST /admin/users/{id}/groups", s.html(s.adminOnly(s.userGroupAdd)))
	pages.Handle("POST /admin/users/{id}/groups/delete", s.html(s.adminOnly(s.userGroupRemove)))
	pages.Handle("POST /admin/users/{id}/sessions/delete", s.html(s.adminOnly(s.userSessionsDelete)))
	pages.Handle("GET /admin/audit", s.html(s.adminOnly(s.auditShow)))
	if s.rules != nil {
		pages.Handle("GET /admin/permissions", s.html(s.adminOnly(s.permissionList)))
		pages.Handle("POST /admin/permissions", s.html(s.adminOnly(s.permissionCreate)))
		pages.Handle("POST /admin/permissions/{id}/delete", s.html(s.adminOnly(s.permissionDelete)))
	}
	pages.Handle("GET /debug/url-info", s.html(s.urlInfoShow))
	pages.Handle("GET /process-models/{id}/files/{name}/modeler", s.html(s.signedIn(s.modelerShow)))
	pages.Handle("GET /process-models/{id}/files/{name}/decision-editor", s.html(s.signedIn(s.decisionEditorShow)))
	pages.Handle("GET /api/connectors/commands", s.api(s.apiConnectorCommands))
	pages.Handle("POST /api/scripts/check", s.api(s.apiScriptCheck))
	pages.Handle("POST /api/scripts/unit-tests", s.api(s.apiScriptUnitTests))
	pages.Handle("POST /api/process-models/{id}/sandbox/run", s.api(s.apiSandboxRun))
	pages.Handle("POST /api/process-models/{id}/sandbox/form", s.api(s.apiSandboxForm))
	pages.Handle("POST /api/decisions/try", s.api(s.apiDecisionTry))
	pages.Handle("GET /api/typeahead/{category}", s.api(s.apiTypeahead))
	pages.Handle("POST /api/markdown/preview", s.api(s.apiMarkdownPreview))
	if s.metrics != nil {
		pages.Handle("GET /metrics", s.html(s.adminOnly(s.metricsShow)))
	}
	pages.Handle("/", s.html(s.notFound))
	s.pages = pages

	app := http.NewServeMux()
	// Assets need no session, so they skip the session layers.
	app.Handle("GET /static/", http.StripPrefix("/static", static.Handler()))
	authorized := s.authorize(pages)              // routeAccess decides every route
	app.Handle("/", s.bearerOrSession(authorized, // API calls with a token skip the cookie layers
		chain(authorized,
			s.withSession,    // load the cookie session
			s.checkCSRFToken, // unsafe methods must carry the session's token
			s.withUser,       // resolve the signed-in user
		)))
	// A connector proxy's callback carries its own token: no cookie layers.
	app.Handle("PUT /api/v1/tasks/{instance}/{task}/callback", authorized)
	app.Handle("POST /api/v1/tasks/{instance}/{task}/callback", authorized)

	// Outermost first. Logging and recovery wrap the cross-origin check so
	// that its rejections are logged with a request id; nothing before it
	// acts on the request.
	handler := chain(app,
		s.requestID,
		s.countRequests(app, pages), // route, status, latency for /metrics
		s.accessLog,
		s.recoverPanics,
		s.crossOrigin(),
		s.securityHeaders,
	)

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", s.healthz)
	root.HandleFunc("GET /readyz", s.readyz)
	if s.metrics != nil {
		root.Handle("GET /metrics", s.metricsScrape(handler))
	}
	if p := string(s.prefix); p != "" {
		root.Handle(p+"/", http.StripPrefix(p, handler))
		root.Handle(p, http.RedirectHandler(p+"/", http.StatusMovedPermanently))
	} else {
		root.Handle("/", handler)
	}
	return root
}

// modelRoutes registers the model repository's pages and JSON API. Group
// and model ids are written with ':' for '/' in URLs, as SpiffArena does.
func (s *Server) modelRoutes(pages *http.ServeMux) {
	pages.Handle("GET /models", s.html(s.signedIn(s.modelList)))
	pages.Handle("GET /start", s.html(s.signedIn(s.startList)))
	pages.Handle("GET /models/download", s.html(s.signedIn(s.repoDownload)))
	pages.Handle("POST /models/upload", s.html(s.signedIn(s.repoUpload)))
	pages.Handle("GET /process-search", s.html(s.signedIn(s.processSearch)))
	pages.Handle("POST /process-groups", s.html(s.signedIn(s.groupCreate)))
	pages.Handle("GET /process-groups/{id}", s.html(s.signedIn(s.groupShow)))
	pages.Handle("POST /process-groups/{id}", s.html(s.signedIn(s.groupUpdate)))
	pages.Handle("POST /process-groups/{id}/move", s.html(s.signedIn(s.groupMove)))
	pages.Handle("POST /process-groups/{id}/delete", s.html(s.signedIn(s.groupDelete)))
	pages.Handle("GET /process-groups/{id}/download", s.html(s.signedIn(s.groupDownload)))
	pages.Handle("POST /process-groups/{id}/upload", s.html(s.signedIn(s.groupUpload)))
	pages.Handle("POST /process-groups/{id}/restore", s.html(s.signedIn(s.groupRestore)))
	pages.Handle("GET /process-groups/{id}/history", s.html(s.signedIn(s.groupHistory)))
	pages.Handle("GET /process-groups/{id}/history/compare", s.html(s.signedIn(s.groupHistoryCompare)))
	pages.Handle("GET /process-groups/{id}/history/{version}", s.html(s.signedIn(s.groupVersionShow)))
	pages.Handle("POST /process-groups/{id}/history/{version}/restore", s.html(s.signedIn(s.groupVersionRestore)))
	pages.Handle("POST /process-models", s.html(s.signedIn(s.modelCreate)))
	pages.Handle("GET /process-models/{id}", s.html(s.signedIn(s.modelShow)))
	pages.Handle("POST /process-models/{id}", s.html(s.signedIn(s.modelUpdate)))
	pages.Handle("GET /process-models/{id}/settings", s.html(s.signedIn(s.modelSettingsShow)))
	pages.Handle("POST /process-models/{id}/settings", s.html(s.signedIn(s.modelUpdate)))
	pages.Handle("POST /process-models/{id}/move", s.html(s.signedIn(s.modelMove)))
	pages.Handle("POST /process-models/{id}/delete", s.html(s.signedIn(s.modelDelete)))
	pages.Handle("GET /process-models/{id}/download", s.html(s.signedIn(s.modelDownload)))
	pages.Handle("POST /process-models/{id}/upload", s.html(s.signedIn(s.modelUpload)))
	pages.Handle("POST /process-models/{id}/restore", s.html(s.signedIn(s.modelRestore)))
	pages.Handle("POST /process-models/{id}/files", s.html(s.signedIn(s.modelFileCreate)))
	pages.Handle("GET /process-models/{id}/files/{name}", s.html(s.signedIn(s.modelFileShow)))
	pages.Handle("POST /process-models/{id}/files/{name}", s.html(s.signedIn(s.modelFileUpdate)))
	pages.Handle("GET /process-models/{id}/files/{name}/raw", s.html(s.signedIn(s.modelFileRaw)))
	pages.Handle("POST /process-models/{id}/files/{name}/rename", s.html(s.signedIn(s.modelFileRename)))
	pages.Handle("POST /process-models/{id}/files/{name}/delete", s.html(s.signedIn(s.modelFileDelete)))
	pages.Handle("POST /process-models/{id}/files/{name}/decisions/{decision}/try", s.html(s.signedIn(s.decisionTry)))
	pages.Handle("POST /process-models/{id}/files/{name}/preview", s.html(s.signedIn(s.modelFilePreview)))
	pages.Handle("GET /process-models/{id}/files/{name}/history", s.html(s.signedIn(s.modelFileHistory)))
	pages.Handle("GET /process-models/{id}/files/{name}/history/compare", s.html(s.signedIn(s.modelFileHistoryCompare)))
	pages.Handle("GET /process-models/{id}/files/{name}/history/{version}", s.html(s.signedIn(s.modelFileVersionShow)))
	pages.Handle("POST /process-models/{id}/files/{name}/history/{version}/restore", s.html(s.signedIn(s.modelFileVersionRestore)))
	pages.Handle("GET /api/processes/search", s.api(s.apiProcessSearch))
	pages.Handle("GET /api/processes/{id}/callers", s.api(s.apiProcessCallers))
	pages.Handle("GET /api/decisions/search", s.api(s.apiDecisionSearch))
	pages.Handle("GET /api/process-models/{id}/files", s.api(s.apiModelFileList))
	pages.Handle("POST /api/process-models/{id}/files", s.api(s.apiModelFileCreate))
	pages.Handle("GET /api/process-models/{id}/files/{name}", s.api(s.apiModelFileShow))
	pages.Handle("PUT /api/process-models/{id}/files/{name}", s.api(s.apiModelFileUpdate))
	pages.Handle("GET /api/process-models/{id}/callers", s.api(s.apiModelCallers))
	pages.Handle("GET /api/process-models/{id}/messages", s.api(s.apiModelMessages))
	pages.Handle("GET /api/process-models/{id}/data-stores", s.api(s.apiModelDataStores))
	s.apiV1Routes(pages)
}

// apiV1Routes registers the machine API (bearer token or session). Its
// description is openapi.json, which a test keeps in step with this list.
func (s *Server) apiV1Routes(pages *http.ServeMux) {
	pages.Handle("GET /api/v1/openapi.json", http.HandlerFunc(s.apiV1OpenAPI))
	pages.Handle("GET /api/v1/process-models", s.api(s.apiV1ModelList))
	pages.Handle("GET /api/v1/process-models/{id}", s.api(s.apiV1ModelShow))
	pages.Handle("POST /api/v1/process-models/{id}/process-instances", s.api(s.apiV1InstanceCreate))
	pages.Handle("GET /api/v1/process-instances", s.api(s.apiV1InstanceList))
	pages.Handle("GET /api/v1/process-instances/{id}", s.api(s.apiV1InstanceShow))
	pages.Handle("POST /api/v1/process-instances/{id}/suspend", s.api(s.apiV1InstanceAction(s.runner.Suspend)))
	pages.Handle("POST /api/v1/process-instances/{id}/resume", s.api(s.apiV1InstanceAction(s.runner.Resume)))
	pages.Handle("POST /api/v1/process-instances/{id}/terminate", s.api(s.apiV1InstanceAction(s.runner.Terminate)))
	pages.Handle("POST /api/v1/process-instances/{id}/retry", s.api(s.apiV1InstanceAction(s.runner.Retry)))
	pages.Handle("PUT /api/v1/process-instances/{instance}/tasks/{task}/data", s.api(s.apiV1TaskDataUpdate))
	pages.Handle("POST /api/v1/process-instances/{instance}/tasks/{task}/skip", s.api(s.apiV1TaskSkip))
	pages.Handle("POST /api/v1/process-instances/{instance}/tasks/{task}/reset", s.api(s.apiV1InstanceReset))
	pages.Handle("GET /api/v1/process-instances/{id}/migrate", s.api(s.apiV1InstanceMigrate(true)))
	pages.Handle("POST /api/v1/process-instances/{id}/migrate", s.api(s.apiV1InstanceMigrate(false)))
	pages.Handle("GET /api/v1/process-models/{id}/migrate", s.api(s.apiV1ModelInstancesMigrate(true)))
	pages.Handle("POST /api/v1/process-models/{id}/migrate", s.api(s.apiV1ModelInstancesMigrate(false)))
	pages.Handle("GET /api/v1/tasks", s.api(s.apiV1TaskList))
	pages.Handle("GET /api/v1/tasks/{instance}/{task}", s.api(s.apiV1TaskShow))
	pages.Handle("POST /api/v1/tasks/{instance}/{task}", s.api(s.apiTaskComplete))
	pages.Handle("GET /api/v1/secrets", s.api(s.apiV1SecretList))
	pages.Handle("POST /api/v1/secrets", s.api(s.apiV1SecretCreate))
	pages.Handle("PUT /api/v1/secrets/{name}", s.api(s.apiV1SecretUpdate))
	pages.Handle("DELETE /api/v1/secrets/{name}", s.api(s.apiV1SecretDelete))
	pages.Handle("PUT /api/v1/tasks/{instance}/{task}/callback", s.callbackAPI(s.apiV1TaskCallback))
	pages.Handle("POST /api/v1/tasks/{instance}/{task}/callback", s.callbackAPI(s.apiV1TaskCallback))
}

// chain wraps h in middleware; the first one listed runs first.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
