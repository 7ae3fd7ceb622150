package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/waymark-bpm/waymark/internal/secrets"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/waymark-bpm/waymark/examples"
	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/metrics"
	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/internal/web"
)

// databaseFile is the SQLite file's name inside the data directory.
const databaseFile = "waymark.db"

// app is the running application: configuration → store → users →
// HTTP server. Tests start it on :0 with a temporary data directory.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	store   *store.Store
	models  *models.Repo
	runner  *runner.Runner
	secrets *secrets.Secrets
	metrics *metrics.Metrics
	ln      net.Listener
	server  *http.Server
	// stopWatch ends the permissions file watcher.
	stopWatch context.CancelFunc
}

// permissionsCheckInterval is how often the permissions file is checked
// for changes.
const permissionsCheckInterval = 2 * time.Second

// openStore opens (and migrates) the configured database: PostgreSQL when
// a database URL is set, else the SQLite file in the data directory.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.DatabaseURL != "" {
		return store.OpenPostgres(ctx, cfg.DatabaseURL)
	}
	return store.OpenWith(ctx, filepath.Join(cfg.DataDir, databaseFile), store.Options{Sync: cfg.SQLiteSync})
}

// newApp prepares everything and starts listening; serve then answers
// requests. On error, whatever was opened is closed again.
func newApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	return newAppClock(ctx, cfg, log, time.Now)
}

// newAppClock is newApp with the clock that sessions, sign-in throttling
// and the audit log read; tests pass one they can move forward.
func newAppClock(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (_ *app, err error) {
	// Not the named result: an error return sets that to nil before the
	// deferred close runs.
	a := &app{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close(context.Background())
		}
	}()

	// Read before anything is opened or written, so a mistake in the
	// permissions or providers file leaves nothing behind.
	if _, err := auth.LoadPermissions(cfg.PermissionsFile); err != nil {
		return nil, err
	}
	providers, err := oidcProviders(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if a.store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}

	if cfg.Examples {
		copied, err := examples.Seed(cfg.ModelsDir)
		if err != nil {
			return nil, err
		}
		if copied {
			log.Info("copied the demo models", "dir", cfg.ModelsDir)
		}
	}

	// The model repository is scanned and its index rebuilt at every
	// start, so files edited outside Waymark are picked up.
	if a.models, err = models.Open(ctx, cfg.ModelsDir, a.store, log); err != nil {
		return nil, err
	}
	a.models.LimitUploads(cfg.UploadConcurrency)
	a.models.SetChecks(contentChecks)
	if st := a.models.Stats(); st.FilesWithProblems > 0 {
		log.Warn("some model files have problems; see their pages", "files", st.FilesWithProblems)
	}

	directory := auth.NewDirectory(a.store)
	perms, unknown, err := auth.NewPermissionsSource(ctx, cfg.PermissionsFile, directory)
	if err != nil {
		return nil, err
	}
	for _, m := range unknown {
		log.Info("group member is not a known user yet", "member", m)
	}
	// With password sign-in off, admins come from the permissions file or
	// a provider's groups; a first-start admin could not sign in.
	var created bool
	var generated string
	if cfg.PasswordSignIn {
		if created, generated, err = directory.EnsureAdmin(ctx, cfg.AdminPassword); err != nil {
			return nil, err
		}
	}
	switch {
	case generated != "":
		log.Warn("created the first user; sign in and keep this password, it is shown only once",
			"username", auth.AdminUsername, "password", generated)
	case created:
		log.Info("created the first user with WAYMARK_ADMIN_PASSWORD", "username", auth.AdminUsername)
	}

	secret, err := auth.SessionSecret(cfg.SessionKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	cookiePath := cfg.BasePath()
	if cookiePath == "" {
		cookiePath = "/"
	}
	sessions := auth.NewSessions(secret, a.store, auth.SessionOptions{Path: cookiePath, Secure: cfg.SecureCookies(),
		Idle: cfg.SessionIdle, Max: cfg.SessionMax, Now: now})
	if n, err := sessions.Sweep(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("removed timed-out sessions", "count", n)
	}
	throttle := auth.NewThrottle(a.store, auth.ThrottlePolicy{DelayAfter: cfg.SignInDelayAfter, LockAfter: cfg.SignInLockAfter,
		IPLockAfter: cfg.SignInIPLockAfter, LockFor: cfg.SignInLockFor}, now)
	var signInProviders *auth.OIDC
	if len(providers) > 0 {
		signInProviders = auth.NewOIDC(directory, auth.OIDCOptions{Providers: providers, Secret: secret,
			CookiePath: cookiePath, Secure: cfg.SecureCookies()})
	}

	// One set of collectors per app; the store and the runner report to
	// it through their observer interfaces.
	a.metrics = metrics.New(metrics.Sources{
		InstanceCounts: a.store.InstanceCountsByStatus,
		QueueDepth:     a.store.QueueDepth,
		OldestDueTimer: a.store.OldestDueTimer,
		Checkpoints: func() (int64, int64, int64) {
			c := a.store.CheckpointStats()
			return c.Passive, c.Restart, c.LogPages
		},
	})
	a.store.SetTxObserver(a.metrics)

	if a.secrets, err = openSecrets(a.store, cfg); err != nil {
		return nil, err
	}
	registry := connectors.New(connectors.Options{ProxyURL: cfg.ConnectorProxyURL, Allow: cfg.ConnectorAllow, SMTP: connectors.SMTPOptions{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, Security: cfg.SMTPSecurity, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, From: cfg.SMTPFrom,
	}})
	a.runner = runner.New(runner.Options{Store: a.store, Specs: a.models, Logger: log, Connector: registry,
		SchedulerInterval: cfg.SchedulerInterval, MessageTTL: cfg.MessageTTL, Secrets: a.secrets, FrontendURL: cfg.BaseURL.String(),
		MaxDataBytes: int(cfg.TaskDataMaxBytes), ScriptMaxBytes: uint64(cfg.ScriptMaxBytes),
		Observer: a.metrics, EnvName: cfg.Env, Directory: scriptDirectory{auth.NewScriptAdmin(perms, now)},
		InstanceCacheBytes: instanceCacheBytes(cfg.InstanceCacheMB)})
	// Timers and service calls owed from before a restart are picked up here.
	a.runner.RunBackground(context.Background())

	handler := web.New(web.Options{
		Config:   cfg,
		Logger:   log,
		Accounts: directory,
		Sessions: sessions,
		OIDC:     signInProviders,
		Throttle: throttle,
		Audit:    auth.NewAudit(a.store, now),
		// The rules shown beside each user follow the file as it reloads.
		Rules:  perms,
		Now:    now,
		DB:     a.store,
		Runner: a.runner,
		Work:   a.store,
		Models: a.models,
		// The modeler's operator list and script check.
		Connectors:  connectorCommands{registry},
		Typeahead:   typeahead{registry},
		Scripts:     scriptChecker{},
		Permissions: perms.Current(),
		Metrics:     a.metrics,
		Decisions:   decisionTrier{a.models},
		ScriptTests: scriptTester{},
		Sandbox:     sandbox{repo: a.models, conn: registry, secrets: a.secrets},
		Tokens:      auth.NewAPITokens(a.store, now),
		Secrets:     a.secrets,
	})
	// Reloads of the permissions file and rules edited in the app decide
	// the next request.
	perms.OnChange(handler.SetPermissions)
	a.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	watchCtx, stop := context.WithCancel(context.Background())
	a.stopWatch = stop
	go every(watchCtx, sweepInterval, func(ctx context.Context) { sweep(ctx, log, sessions, throttle) })
	if cfg.ModelsRescan > 0 {
		go every(watchCtx, cfg.ModelsRescan, func(ctx context.Context) {
			if rescanned, err := a.models.CheckTree(ctx); err != nil && ctx.Err() == nil {
				log.Error("models directory not rescanned; the models stay as last scanned", "dir", cfg.ModelsDir, "err", err)
			} else if rescanned {
				log.Info("models directory changed beside this process; rescanned", "dir", cfg.ModelsDir)
			}
		})
	}
	if cfg.PermissionsFile != "" {
		go every(watchCtx, permissionsCheckInterval, func(ctx context.Context) {
			if reloaded, err := perms.Check(ctx); err != nil {
				log.Error("permissions file not reloaded; the previous permissions stay in force", "file", cfg.PermissionsFile, "err", err)
			} else if reloaded {
				log.Info("permissions file reloaded", "file", cfg.PermissionsFile)
			}
		})
	}
	return a, nil
}

// sweepInterval is how often timed-out sessions and stale sign-in
// failures are deleted.
const sweepInterval = 10 * time.Minute

// every calls fn every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func(ctx context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// sweep deletes timed-out sessions and stale sign-in failures. Both are
// ignored when read anyway; this keeps the tables small.
func sweep(ctx context.Context, log *slog.Logger, sessions *auth.Sessions, throttle *auth.Throttle) {
	if _, err := sessions.Sweep(ctx); err != nil && ctx.Err() == nil {
		log.Error("delete timed-out sessions", "err", err)
	}
	if _, err := throttle.Sweep(ctx); err != nil && ctx.Err() == nil {
		log.Error("delete stale sign-in failures", "err", err)
	}
}

// addr is the address the server listens on (useful with port 0).
func (a *app) addr() string {
	return a.ln.Addr().String()
}

// serve answers requests until Close.
func (a *app) serve() error {
	if err := a.server.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the server, letting requests in flight finish until ctx
// ends, then closes the database. It is safe on a partly built app.
func (a *app) Close(ctx context.Context) error {
	var errs []error
	if a.stopWatch != nil {
		a.stopWatch()
	}
	if a.server != nil {
		errs = append(errs, a.server.Shutdown(ctx))
	}
	// Shutdown closes the listener only if serve ran.
	if a.ln != nil {
		if err := a.ln.Close(); !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if a.runner != nil {
		a.runner.Close()
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	return errors.Join(errs...)
}

// instanceCacheBytes is the runner's instance cache bound for
// WAYMARK_INSTANCE_CACHE_MB (0 keeps none).
func instanceCacheBytes(mb int) int64 {
	if mb == 0 {
		return -1
	}
	return int64(mb) << 20
}
