package main

import (
	"context"
	"time"

	"github.com/waymark-bpm/waymark/internal/config"
)

// shutdownTimeout bounds how long in-flight requests may finish after a
// stop signal.
const shutdownTimeout = 10 * time.Second

func serveCmd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve")
	addr := fs.String("addr", "", "listen address, host:port (overrides WAYMARK_ADDR)")
	dataDir := fs.String("data-dir", "", "data directory (overrides WAYMARK_DATA_DIR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.FromEnv(withOverrides(e.getenv, map[string]string{
		"WAYMARK_ADDR":     *addr,
		"WAYMARK_DATA_DIR": *dataDir,
	}))
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg)
	log.Info("starting waymark", "version", versionString(), "config", cfg)

	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- a.serve() }()
	log.Info("listening", "addr", a.addr(), "url", cfg.BaseURL.String())

	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if cerr := a.Close(shutdownCtx); err == nil {
		err = cerr
	}
	return err
}
