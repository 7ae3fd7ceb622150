package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/secrets"
	"github.com/waymark-bpm/waymark/internal/store"
)

// stdin is where "web secret set" reads the value; tests replace it.
var stdin io.Reader = os.Stdin

// openSecrets opens the encrypted secrets with the configured or the
// generated key.
func openSecrets(db *store.Store, cfg config.Config) (*secrets.Secrets, error) {
	key, err := secrets.Key(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return secrets.New(db, key)
}

// secretCmd manages the secrets that service tasks and scripts use by name:
//
//	web secret set NAME     reads the value from standard input (one line)
//	web secret list         names, who changed them and when; never values
//	web secret delete NAME
func secretCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("web secret set NAME | list | delete NAME")
	}
	verb, rest := args[0], args[1:]
	cfg, err := config.FromEnv(e.getenv)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, databaseFile))
	if err != nil {
		return err
	}
	defer db.Close()
	sec, err := openSecrets(db, cfg)
	if err != nil {
		return err
	}
	switch {
	case verb == "set" && len(rest) == 1:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the value from standard input: %w", err)
		}
		value := strings.TrimRight(line, "\r\n")
		if value == "" {
			return usageErrorf("give the value of %s on standard input (printf %%s \"$VALUE\" | web secret set %s)", rest[0], rest[0])
		}
		if err := sec.Set(ctx, rest[0], value, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "secret %s stored\n", rest[0])
	case verb == "list" && len(rest) == 0:
		list, err := sec.List(ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			fmt.Fprintf(e.stdout, "%s\tupdated %s by %s\n", s.Name, s.UpdatedAt.Format("2006-01-02 15:04"), s.UpdatedBy)
		}
	case verb == "delete" && len(rest) == 1:
		if err := sec.Delete(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "secret %s deleted\n", rest[0])
	default:
		return usageErrorf("web secret set NAME | list | delete NAME")
	}
	return nil
}
