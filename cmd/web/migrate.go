package main

import (
	"context"
	"fmt"
	"os"

	"github.com/waymark-bpm/waymark/internal/config"
)

// migrateCmd applies pending migrations and exits, for deployments that
// migrate in a step of their own before starting (or restarting) the
// servers. serve migrates too; both are safe to run while other processes
// use the database.
func migrateCmd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "migrate")
	dataDir := fs.String("data-dir", "", "data directory (overrides WAYMARK_DATA_DIR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.FromEnv(withOverrides(e.getenv, map[string]string{"WAYMARK_DATA_DIR": *dataDir}))
	if err != nil {
		return err
	}
	where := "the SQLite database in " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		where = "the PostgreSQL database"
	} else if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is up to date\n", where)
	return nil
}
