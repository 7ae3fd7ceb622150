package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the web command once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "waymark")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestStartupFailures starts the built binary with each kind of bad
// configuration: it must say why and exit 1, never panic.
func TestStartupFailures(t *testing.T) {
	bin := buildBinary(t)
	writeFile := func(t *testing.T, content string) string {
		path := filepath.Join(t.TempDir(), "permissions.yml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  func(t *testing.T) map[string]string
		want []string
	}{
		{"UnknownAction", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_PERMISSIONS_FILE": writeFile(t, "permissions:\n  approve-all:\n    groups: [x]\n    actions: [approve]\n    uri: /*\n")}
		}, []string{"permissions.yml", `permission "approve-all"`, `unknown action "approve"`}},
		{"UnknownDenyAction", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_PERMISSIONS_FILE": writeFile(t, "permissions:\n  no:\n    groups: [x]\n    actions: ['DENY:approve']\n    uri: /*\n")}
		}, []string{`permission "no"`, `unknown action "approve"`}},
		{"StartOnPlainURI", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_PERMISSIONS_FILE": writeFile(t, "permissions:\n  s:\n    groups: [x]\n    actions: [start]\n    uri: /process-instances/*\n")}
		}, []string{`permission "s"`, `action "start" works only with PG: and PM: targets`}},
		{"UnknownMacro", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_PERMISSIONS_FILE": writeFile(t, "permissions:\n  m:\n    groups: [x]\n    actions: [read]\n    uri: PX:finance\n")}
		}, []string{`permission "m"`, `unknown uri "PX:finance"`}},
		{"NotYAML", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_PERMISSIONS_FILE": writeFile(t, "users: [")}
		}, []string{"parse ", "permissions.yml"}},
		{"MissingPermissionsFile", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_PERMISSIONS_FILE": filepath.Join(t.TempDir(), "none.yml")}
		}, []string{"WAYMARK_PERMISSIONS_FILE", "none.yml"}},
		{"PortInUse", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_ADDR": busy.Addr().String()}
		}, []string{"listen", busy.Addr().String()}},
		{"DataDirIsAFile", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_DATA_DIR": filepath.Join(notADir, "data")}
		}, []string{"create data directory"}},
		{"BadAddress", func(t *testing.T) map[string]string {
			return map[string]string{"WAYMARK_ADDR": "nonsense"}
		}, []string{"WAYMARK_ADDR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_DATA_DIR": t.TempDir(), "WAYMARK_EXAMPLES": "false"}
			for k, v := range tt.env(t) {
				env[k] = v
			}
			cmd := exec.Command(bin, "serve")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-ctx.Done():
				cmd.Process.Kill()
				t.Fatalf("the server kept running: %s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want code 1\n%s", err, stderr.String())
			}
			out := stderr.String()
			if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
				t.Errorf("the server panicked:\n%s", out)
			}
			last := lastLine(out)
			if !strings.HasPrefix(last, "web serve: ") {
				t.Errorf("last line %q does not give the reason", last)
			}
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("the reason %q does not contain %q", last, w)
				}
			}
			// A bad permissions file stops the start before the
			// database is created.
			if strings.Contains(last, "permission") {
				if _, err := os.Stat(filepath.Join(env["WAYMARK_DATA_DIR"], databaseFile)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the database was created: %v", err)
				}
			}
		})
	}

	// SpiffArena accepts DENY:delete, and so does Waymark: the server
	// starts, serves and stops cleanly on SIGTERM.
	t.Run("DenyDeleteStarts", func(t *testing.T) {
		path := writeFile(t, "permissions:\n  admin:\n    groups: [admin]\n    actions: [all]\n    uri: /*\n  keep:\n    groups: [admin]\n    actions: ['DENY:delete']\n    uri: PG:examples\n")
		cmd := exec.Command(bin, "serve")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "WAYMARK_ADDR=127.0.0.1:0", "WAYMARK_DATA_DIR=" + t.TempDir(),
			"WAYMARK_EXAMPLES=false", "WAYMARK_PERMISSIONS_FILE=" + path, "WAYMARK_ADMIN_PASSWORD=admin-secret"}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		deadline := time.After(60 * time.Second)
		var log []string
	wait:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the server stopped:\n%s", strings.Join(log, "\n"))
				}
				log = append(log, l)
				if strings.Contains(l, "msg=listening") {
					break wait
				}
			case <-deadline:
				t.Fatalf("no listening line:\n%s", strings.Join(log, "\n"))
			}
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		go func() {
			for range lines {
			}
		}()
		if err := cmd.Wait(); err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
