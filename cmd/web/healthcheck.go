package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/waymark-bpm/waymark/internal/config"
)

// healthcheckCmd asks the local server for /healthz. The container image
// has no curl; its HEALTHCHECK runs this instead.
func healthcheckCmd(ctx context.Context, e env, args []string) error {
	if err := parseFlags(newFlagSet(e, "healthcheck"), args); err != nil {
		return err
	}
	cfg, err := config.FromEnv(e.getenv)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", resp.Status)
	}
	return nil
}
