package main

import (
	"context"
	"errors"
	"fmt"
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
	cfg    config.Config
	log    *slog.Logger
	store  *store.Store
	models *models.Repo
	runner *runner.Runner
	ln     net.Listener
	server *http.Server
}

// newApp prepares everything and starts listening; serve then answers
// requests. On error, whatever was opened is closed again.
func newApp(ctx context.Context, cfg config.Config, log *slog.Logger) (a *app, err error) {
	a = &app{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close(context.Background())
		}
	}()

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if a.store, err = store.Open(ctx, filepath.Join(cfg.DataDir, databaseFile)); err != nil {
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
	if st := a.models.Stats(); st.FilesWithProblems > 0 {
		log.Warn("some model files have problems; see their pages", "files", st.FilesWithProblems)
	}

	perms, err := auth.LoadPermissions(cfg.PermissionsFile)
	if err != nil {
		return nil, err
	}
	directory := auth.NewDirectory(a.store)
	unknown, err := directory.Load(ctx, perms)
	if err != nil {
		return nil, err
	}
	for _, m := range unknown {
		log.Info("group member is not a known user yet", "member", m)
	}
	created, generated, err := directory.EnsureAdmin(ctx, cfg.AdminPassword)
	if err != nil {
		return nil, err
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
	sessions := auth.NewSessions(secret, auth.SessionOptions{Path: cookiePath, Secure: cfg.SecureCookies()})

	registry := connectors.New(connectors.Options{ProxyURL: cfg.ConnectorProxyURL})
	a.runner = runner.New(runner.Options{Store: a.store, Specs: a.models, Logger: log, Connector: registry,
		SchedulerInterval: cfg.SchedulerInterval})
	// Timers and service calls owed from before a restart are picked up here.
	a.runner.RunBackground(context.Background())

	handler := web.New(web.Options{
		Config:   cfg,
		Logger:   log,
		Accounts: directory,
		Sessions: sessions,
		DB:       a.store,
		Runner:   a.runner,
		Work:     a.store,
		Models:   a.models,
		// The modeler's operator list and script check.
		Connectors:  connectorCommands{registry},
		Typeahead:   typeahead{registry},
		Scripts:     scriptChecker{},
		Decisions:   decisionTrier{a.models},
		ScriptTests: scriptTester{},
		Sandbox:     sandbox{a.models},
	})
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
	return a, nil
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
