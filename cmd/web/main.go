// Command web is Waymark: the BPMN process designer, engine and task inbox
// in one process.
//
// Usage:
//
//	web [serve] [-addr :8000] [-data-dir ./data]   run the server (default)
//	web migrate [-data-dir ./data]                 apply pending database migrations and exit
//	web version                                    print the version
//	web healthcheck                                probe /healthz (container health checks)
//	web run -scenario PATH                         run a conformance scenario, print the result JSON
//	web check [-json] DIR                          validate the BPMN/DMN files under DIR
//	web import [-into GROUP] [-drafts] DIR         import a folder of groups and models
//	web bench [-mode json|form] [-clients N] ...   load-test a server on a temporary data directory
//
// Everything else is configured with WAYMARK_* environment variables; see
// .env.example. This package only wires: each sub-command is one small
// file, and the work happens in internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/waymark-bpm/waymark/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env is what a sub-command gets from the outside world. Tests pass
// buffers and a map lookup.
type env struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands is the sub-command table; adding a sub-command is one line here
// and one file beside this one.
var commands = []command{
	{"serve", "run the web server (the default when no command is given)", serveCmd},
	{"migrate", "apply pending database migrations and exit", migrateCmd},
	{"version", "print the version", versionCmd},
	{"healthcheck", "exit 0 when the server at WAYMARK_ADDR answers /healthz", healthcheckCmd},
	{"run", "run a conformance scenario (-scenario PATH) and print the result as JSON", runCmd},
	{"check", "validate every BPMN and DMN file under a folder (-json for a JSON report)", checkCmd},
	{"import", "import a folder of groups and models (a SpiffArena repository) into the model repository; -drafts imports what is safe", importCmd},
	{"token", "create --user NAME [--name LABEL] [--expires DURATION], list, or revoke --user NAME --name LABEL: bearer tokens for /api", tokenCmd},
	{"secret", "set NAME (value on standard input), list or delete NAME: secrets for SPIFF_SECRET:NAME and get_secret", secretCmd},
	{"bench", "load-test a Waymark started on a temporary data directory and report throughput and latency", benchCmd},
}

// errUsage marks errors in the command line; run prints them with the
// usage and exits 2.
var errUsage = errors.New("usage")

func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// run executes the command line args (args[0] is the program name) and
// returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := env{stdout: stdout, stderr: stderr, getenv: getenv}
	name, rest := "serve", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if name == "help" {
		printUsage(stdout)
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "web: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	err := cmd.run(ctx, e, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "web %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(stderr, "web %s: %v\n", name, err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: web [command] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Settings come from WAYMARK_* environment variables; see .env.example.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(e env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("web "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and refuses stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErrorf("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// withOverrides returns a getenv that answers from overrides first, for
// flags that stand in for environment variables. Empty overrides are
// ignored.
func withOverrides(getenv func(string) string, overrides map[string]string) func(string) string {
	return func(name string) string {
		if v := overrides[name]; v != "" {
			return v
		}
		return getenv(name)
	}
}

// newLogger builds the process logger from the configuration.
func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
