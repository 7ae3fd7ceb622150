package config

import (
	"bufio"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"addr":      c.Addr,
		"data":      c.DataDir,
		"base":      c.BaseURL.String(),
		"basePath":  c.BasePath(),
		"models":    c.ModelsDir,
		"examples":  c.Examples,
		"level":     c.LogLevel.String(),
		"format":    c.LogFormat,
		"secure":    c.SecureCookies(),
		"proxies":   len(c.TrustedProxies),
		"adminPass": c.AdminPassword,
		"sync":      c.SQLiteSync,
	}
	want := map[string]any{
		"addr":      ":8000",
		"data":      "./data",
		"base":      "http://localhost:8000",
		"basePath":  "",
		"models":    filepath.Join("data", "models"),
		"examples":  true,
		"level":     "INFO",
		"format":    "text",
		"secure":    false,
		"proxies":   0,
		"adminPass": "",
		"sync":      "FULL",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestFromEnvValues(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("k", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := FromEnv(env(map[string]string{
		"WAYMARK_ADDR":               "127.0.0.1:9000",
		"WAYMARK_DATA_DIR":           dir,
		"WAYMARK_BASE_URL":           "https://example.com/waymark/",
		"WAYMARK_TRUSTED_PROXIES":    "10.0.0.0/8, 192.168.1.7",
		"WAYMARK_ADMIN_PASSWORD":     "secret-password",
		"WAYMARK_SESSION_KEY_FILE":   keyFile,
		"WAYMARK_LOG_LEVEL":          "debug",
		"WAYMARK_SQLITE_SYNC":        "normal",
		"WAYMARK_EXAMPLES":           "false",
		"WAYMARK_TASK_METADATA_KEYS": " priority, due_date,priority ",
		"WAYMARK_DATABASE_URL":       "postgres://waymark:pg-password@db.internal:5432/waymark",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BasePath() != "/waymark" || !c.SecureCookies() {
		t.Errorf("base path %q secure %v, want /waymark and true", c.BasePath(), c.SecureCookies())
	}
	wantProxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32")}
	if !slices.Equal(c.TrustedProxies, wantProxies) {
		t.Errorf("proxies %v, want %v", c.TrustedProxies, wantProxies)
	}
	if c.SessionKey != strings.Repeat("k", 40) {
		t.Errorf("session key from file: got %q", c.SessionKey)
	}
	if c.ModelsDir != filepath.Join(dir, "models") || c.Examples || c.LogLevel != slog.LevelDebug {
		t.Errorf("models %q examples %v level %v", c.ModelsDir, c.Examples, c.LogLevel)
	}
	if c.SQLiteSync != "NORMAL" {
		t.Errorf("sqlite sync %q, want NORMAL", c.SQLiteSync)
	}
	if diff := cmp.Diff([]string{"priority", "due_date"}, c.TaskMetadataKeys); diff != "" {
		t.Errorf("task metadata keys (-want +got):\n%s", diff)
	}
	if c.DatabaseURL != "postgres://waymark:pg-password@db.internal:5432/waymark" {
		t.Errorf("database URL %q", c.DatabaseURL)
	}
	logged := slog.AnyValue(c).Resolve().String()
	if strings.Contains(logged, "secret-password") || strings.Contains(logged, "kkkk") || strings.Contains(logged, "pg-password") {
		t.Errorf("secrets leak into the log value: %s", logged)
	}
}

func TestFromEnvErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"addr", map[string]string{"WAYMARK_ADDR": "8000"}, "WAYMARK_ADDR"},
		{"base url scheme", map[string]string{"WAYMARK_BASE_URL": "localhost:8000"}, "WAYMARK_BASE_URL"},
		{"base url path characters", map[string]string{"WAYMARK_BASE_URL": "http://x/a{b}"}, "WAYMARK_BASE_URL"},
		{"base url query", map[string]string{"WAYMARK_BASE_URL": "http://x/?a=1"}, "WAYMARK_BASE_URL"},
		{"proxy", map[string]string{"WAYMARK_TRUSTED_PROXIES": "10.0.0.0/33"}, "WAYMARK_TRUSTED_PROXIES"},
		{"short admin password", map[string]string{"WAYMARK_ADMIN_PASSWORD": "short"}, "WAYMARK_ADMIN_PASSWORD"},
		{"both secret forms", map[string]string{"WAYMARK_SESSION_KEY": strings.Repeat("x", 32), "WAYMARK_SESSION_KEY_FILE": "/k"}, "WAYMARK_SESSION_KEY"},
		{"missing secret file", map[string]string{"WAYMARK_ADMIN_PASSWORD_FILE": "/does/not/exist"}, "WAYMARK_ADMIN_PASSWORD_FILE"},
		{"short session key", map[string]string{"WAYMARK_SESSION_KEY": "abc"}, "WAYMARK_SESSION_KEY"},
		{"missing permissions file", map[string]string{"WAYMARK_PERMISSIONS_FILE": "/does/not/exist.yml"}, "WAYMARK_PERMISSIONS_FILE"},
		{"examples", map[string]string{"WAYMARK_EXAMPLES": "maybe"}, "WAYMARK_EXAMPLES"},
		{"database url scheme", map[string]string{"WAYMARK_DATABASE_URL": "mysql://u:p@host/db"}, "WAYMARK_DATABASE_URL"},
		{"log level", map[string]string{"WAYMARK_LOG_LEVEL": "loud"}, "WAYMARK_LOG_LEVEL"},
		{"log format", map[string]string{"WAYMARK_LOG_FORMAT": "xml"}, "WAYMARK_LOG_FORMAT"},
		{"sqlite sync", map[string]string{"WAYMARK_SQLITE_SYNC": "OFF"}, "WAYMARK_SQLITE_SYNC"},
		{"task metadata key", map[string]string{"WAYMARK_TASK_METADATA_KEYS": "priority, due date"}, "WAYMARK_TASK_METADATA_KEYS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env(tt.env))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want+":") {
				t.Errorf("error %q does not start with %s:", err, tt.want)
			}
		})
	}
}

// TestEnvExampleInSync keeps .env.example, the variable table and FromEnv
// in step: every variable FromEnv reads is in the table, and .env.example
// lists exactly the table, with the same defaults, each under a comment.
func TestEnvExampleInSync(t *testing.T) {
	var read []string
	if _, err := FromEnv(func(k string) string { read = append(read, k); return "" }); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, v := range Vars() {
		want = append(want, v.Name)
		if v.Secret {
			want = append(want, v.Name+"_FILE")
		}
	}
	slices.Sort(read)
	slices.Sort(want)
	if diff := cmp.Diff(want, slices.Compact(read)); diff != "" {
		t.Errorf("variables FromEnv reads differ from the table (-table +read):\n%s", diff)
	}

	f, err := os.Open(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type entry struct{ Name, Default string }
	var got []entry
	prevComment := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			prevComment = true
			continue
		case line == "":
			prevComment = false
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf(".env.example: not NAME=VALUE: %q", line)
			continue
		}
		if !prevComment {
			t.Errorf(".env.example: %s has no comment above it", name)
		}
		got = append(got, entry{name, value})
		prevComment = false
	}
	var table []entry
	for _, v := range Vars() {
		table = append(table, entry{v.Name, v.Default})
	}
	if diff := cmp.Diff(table, got); diff != "" {
		t.Errorf(".env.example differs from config.Vars (-table +file):\n%s", diff)
	}
}
