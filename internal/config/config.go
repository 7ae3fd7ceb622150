// Package config reads Waymark's settings from WAYMARK_* environment variables
// into one Config value, once, at start.
//
// Every variable is declared in the vars table below with its default and a
// one-line help text; .env.example at the repository root mirrors that table
// and a test keeps the two in sync. Secrets may be given directly or through a
// *_FILE variable that names a file holding them (Docker and Kubernetes
// secrets), and are masked when the configuration is logged.
//
// The package imports no other Waymark package.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the whole runtime configuration. It is passed explicitly; there
// is no global instance.
type Config struct {
	// Addr is the TCP address the HTTP server listens on.
	Addr string
	// DataDir holds the SQLite database, the generated session key and, by
	// default, the model repository.
	DataDir string
	// BaseURL is the public URL people use to reach Waymark. Its path, if
	// any, is the prefix every page is served under.
	BaseURL *url.URL
	// TrustedProxies lists the networks whose X-Forwarded-* headers are
	// believed.
	TrustedProxies []netip.Prefix
	// AdminPassword is the password of the admin account created on first
	// start when there are no users; empty means generate one.
	AdminPassword string
	// SessionKey signs and encrypts session cookies; empty means use (or
	// create) the key file in DataDir.
	SessionKey string
	// PermissionsFile is a SpiffArena-style permissions YAML with users,
	// groups and rules; empty means the built-in default.
	PermissionsFile string
	// ModelsDir is the process model repository (SpiffArena layout).
	ModelsDir string
	// Examples says whether the demo models are copied into a models
	// directory that does not exist yet.
	Examples bool
	// ConnectorProxyURL is the base URL of a connector proxy speaking
	// SpiffArena's protocol; empty for built-in operators only.
	ConnectorProxyURL string
	// TaskMetadataKeys are the task metadata keys the modeler offers on
	// every user and manual task (SpiffArena's TASK_METADATA setting), before
	// the model's own metadata extraction keys.
	TaskMetadataKeys []string
	// SchedulerInterval is how often the runner polls for due timers.
	SchedulerInterval time.Duration
	// SQLiteSync is SQLite's synchronous setting, FULL or NORMAL.
	SQLiteSync string
	// LogLevel and LogFormat configure the process logger.
	LogLevel  slog.Level
	LogFormat string
}

// Var describes one environment variable.
type Var struct {
	Name    string
	Default string
	Help    string
	// Secret variables are masked in logs and may be given as NAME_FILE.
	Secret bool
}

// vars is the table of every variable Waymark reads. An empty default means
// "unset"; the help text says what happens then.
var vars = []Var{
	{Name: "WAYMARK_ADDR", Default: ":8000", Help: "Address the HTTP server listens on (host:port; empty host means all interfaces)."},
	{Name: "WAYMARK_DATA_DIR", Default: "./data", Help: "Directory for the SQLite database, the generated session key and (by default) the models."},
	{Name: "WAYMARK_BASE_URL", Default: "http://localhost:8000", Help: "Public URL of Waymark as people type it. A path (https://example.com/waymark) serves every page under that prefix; https makes session cookies Secure."},
	{Name: "WAYMARK_TRUSTED_PROXIES", Default: "", Help: "Comma-separated IPs or CIDR networks of reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed."},
	{Name: "WAYMARK_ADMIN_PASSWORD", Default: "", Help: "Password of the 'admin' account created on first start when there are no users (or WAYMARK_ADMIN_PASSWORD_FILE). Empty: a password is generated and printed once to the log.", Secret: true},
	{Name: "WAYMARK_SESSION_KEY", Default: "", Help: "Secret (at least 32 characters) that signs and encrypts session cookies (or WAYMARK_SESSION_KEY_FILE). Empty: a key is generated and kept in the data directory.", Secret: true},
	{Name: "WAYMARK_PERMISSIONS_FILE", Default: "", Help: "Permissions YAML in SpiffArena's format (users, groups, permissions). Empty: the built-in default (an admin group, no users)."},
	{Name: "WAYMARK_MODELS_DIR", Default: "", Help: "Process model repository in SpiffArena's layout. Empty: the models directory inside WAYMARK_DATA_DIR."},
	{Name: "WAYMARK_EXAMPLES", Default: "true", Help: "Copy the demo models into the models directory when it does not exist yet (true/false)."},
	{Name: "WAYMARK_CONNECTOR_PROXY_URL", Default: "", Help: "Base URL of a connector proxy (SpiffArena's connector-proxy protocol) for service-task operators that are not built in. Empty: built-in HTTP operators only."},
	{Name: "WAYMARK_TASK_METADATA_KEYS", Default: "", Help: "Comma-separated task metadata keys (such as priority,due_date) the modeler offers on every user and manual task, as SpiffArena's TASK_METADATA does; the model's metadata extraction keys are offered too."},
	{Name: "WAYMARK_SCHEDULER_INTERVAL", Default: "5s", Help: "How often due timers are polled (a Go duration such as 5s or 1m; at least 100ms)."},
	{Name: "WAYMARK_SQLITE_SYNC", Default: "FULL", Help: "SQLite durability: FULL (an acknowledged write survives power loss) or NORMAL (survives a crash of the process; the last writes may be lost when the machine loses power, for fewer syncs)."},
	{Name: "WAYMARK_LOG_LEVEL", Default: "info", Help: "Log level: debug, info, warn or error."},
	{Name: "WAYMARK_LOG_FORMAT", Default: "text", Help: "Log format: text or json."},
}

// Vars returns the table of environment variables Waymark reads.
func Vars() []Var {
	return append([]Var(nil), vars...)
}

// FromEnv reads and validates the configuration. getenv is usually
// os.Getenv; tests pass a map lookup. All problems are reported together,
// each naming its variable.
func FromEnv(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	var c Config

	c.Addr = r.str("WAYMARK_ADDR")
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		r.fail("WAYMARK_ADDR", fmt.Errorf("want host:port, such as :8000: %w", err))
	}
	c.DataDir = r.str("WAYMARK_DATA_DIR")
	if c.DataDir == "" {
		r.fail("WAYMARK_DATA_DIR", errors.New("must not be empty"))
	}
	c.BaseURL = r.baseURL("WAYMARK_BASE_URL")
	c.TrustedProxies = r.prefixes("WAYMARK_TRUSTED_PROXIES")
	c.AdminPassword = r.secret("WAYMARK_ADMIN_PASSWORD")
	if c.AdminPassword != "" && len(c.AdminPassword) < 8 {
		r.fail("WAYMARK_ADMIN_PASSWORD", errors.New("must be at least 8 characters"))
	}
	c.SessionKey = r.secret("WAYMARK_SESSION_KEY")
	if c.SessionKey != "" && len(c.SessionKey) < 32 {
		r.fail("WAYMARK_SESSION_KEY", errors.New("must be at least 32 characters"))
	}
	c.PermissionsFile = r.str("WAYMARK_PERMISSIONS_FILE")
	if c.PermissionsFile != "" {
		if _, err := os.Stat(c.PermissionsFile); err != nil {
			r.fail("WAYMARK_PERMISSIONS_FILE", err)
		}
	}
	c.ModelsDir = r.str("WAYMARK_MODELS_DIR")
	if c.ModelsDir == "" {
		c.ModelsDir = filepath.Join(c.DataDir, "models")
	}
	c.Examples = r.boolean("WAYMARK_EXAMPLES")
	c.ConnectorProxyURL = r.str("WAYMARK_CONNECTOR_PROXY_URL")
	if c.ConnectorProxyURL != "" {
		if u, err := url.Parse(c.ConnectorProxyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail("WAYMARK_CONNECTOR_PROXY_URL", fmt.Errorf("want an absolute http or https URL, got %q", c.ConnectorProxyURL))
		}
	}
	c.TaskMetadataKeys = r.keys("WAYMARK_TASK_METADATA_KEYS")
	c.SchedulerInterval = r.duration("WAYMARK_SCHEDULER_INTERVAL", 100*time.Millisecond)
	c.SQLiteSync = strings.ToUpper(r.str("WAYMARK_SQLITE_SYNC"))
	if c.SQLiteSync != "FULL" && c.SQLiteSync != "NORMAL" {
		r.fail("WAYMARK_SQLITE_SYNC", fmt.Errorf("want FULL or NORMAL, got %q", c.SQLiteSync))
	}
	c.LogLevel = r.level("WAYMARK_LOG_LEVEL")
	c.LogFormat = r.str("WAYMARK_LOG_FORMAT")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		r.fail("WAYMARK_LOG_FORMAT", fmt.Errorf("want text or json, got %q", c.LogFormat))
	}

	if len(r.errs) > 0 {
		return Config{}, errors.Join(r.errs...)
	}
	return c, nil
}

// BasePath is the path prefix pages are served under: "" for a base URL
// without a path, otherwise the path without its trailing slash ("/waymark").
func (c Config) BasePath() string {
	return strings.TrimRight(c.BaseURL.Path, "/")
}

// SecureCookies reports whether cookies must carry the Secure attribute,
// which is the case when people reach Waymark over https.
func (c Config) SecureCookies() bool {
	return c.BaseURL.Scheme == "https"
}

// LogValue prints the configuration for the start-up log with secrets
// masked.
func (c Config) LogValue() slog.Value {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "********"
	}
	proxies := make([]string, len(c.TrustedProxies))
	for i, p := range c.TrustedProxies {
		proxies[i] = p.String()
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("base_url", c.BaseURL.String()),
		slog.String("trusted_proxies", strings.Join(proxies, ",")),
		slog.String("admin_password", mask(c.AdminPassword)),
		slog.String("session_key", mask(c.SessionKey)),
		slog.String("permissions_file", c.PermissionsFile),
		slog.String("models_dir", c.ModelsDir),
		slog.Bool("examples", c.Examples),
		slog.String("connector_proxy_url", c.ConnectorProxyURL),
		slog.String("task_metadata_keys", strings.Join(c.TaskMetadataKeys, ",")),
		slog.Duration("scheduler_interval", c.SchedulerInterval),
		slog.String("sqlite_sync", c.SQLiteSync),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
	)
}

// reader collects values and errors so FromEnv can report every problem at
// once.
type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(name string, err error) {
	r.errs = append(r.errs, fmt.Errorf("%s: %w", name, err))
}

func lookupVar(name string) Var {
	for _, v := range vars {
		if v.Name == name {
			return v
		}
	}
	panic("config: variable not in the table: " + name)
}

// str returns the trimmed value of name, or its default when unset.
func (r *reader) str(name string) string {
	v := lookupVar(name)
	if s := strings.TrimSpace(r.getenv(name)); s != "" {
		return s
	}
	return v.Default
}

// secret reads name or, when that is empty, the file named by name_FILE.
// Setting both is an error, as it is unclear which one wins.
func (r *reader) secret(name string) string {
	direct := r.getenv(name)
	file := strings.TrimSpace(r.getenv(name + "_FILE"))
	switch {
	case direct != "" && file != "":
		r.fail(name, fmt.Errorf("set either %s or %s_FILE, not both", name, name))
		return ""
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			r.fail(name+"_FILE", err)
			return ""
		}
		return strings.TrimRight(string(b), "\r\n")
	default:
		return direct
	}
}

func (r *reader) duration(name string, least time.Duration) time.Duration {
	s := r.str(name)
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		r.fail(name, fmt.Errorf("want a duration such as 5s, got %q", s))
	case d < least:
		r.fail(name, fmt.Errorf("must be at least %s, got %s", least, d))
	}
	return d
}

func (r *reader) boolean(name string) bool {
	s := r.str(name)
	b, err := strconv.ParseBool(s)
	if err != nil {
		r.fail(name, fmt.Errorf("want true or false, got %q", s))
	}
	return b
}

func (r *reader) level(name string) slog.Level {
	s := r.str(name)
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		r.fail(name, fmt.Errorf("want debug, info, warn or error, got %q", s))
	}
	return l
}

func (r *reader) baseURL(name string) *url.URL {
	s := r.str(name)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		r.fail(name, err)
	case u.Scheme != "http" && u.Scheme != "https":
		r.fail(name, fmt.Errorf("want an absolute http:// or https:// URL, got %q", s))
	case u.Host == "":
		r.fail(name, fmt.Errorf("missing host in %q", s))
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		r.fail(name, fmt.Errorf("must not carry a query, fragment or user info: %q", s))
	case strings.ContainsFunc(u.Path, func(c rune) bool { return !isPathChar(c) }):
		r.fail(name, fmt.Errorf("path %q may use only letters, digits and - . _ ~ /", u.Path))
	default:
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		return u
	}
	return &url.URL{Scheme: "http", Host: "localhost"}
}

// keys reads a comma-separated list of names (letters, digits, _ and -,
// starting with a letter or _), without repeats.
func (r *reader) keys(name string) []string {
	var out []string
	for _, part := range strings.Split(r.str(name), ",") {
		part = strings.TrimSpace(part)
		if part == "" || slices.Contains(out, part) {
			continue
		}
		if !keyPattern.MatchString(part) {
			r.fail(name, fmt.Errorf("%q is not a key (letters, digits, _ and -, starting with a letter or _)", part))
			continue
		}
		out = append(out, part)
	}
	return out
}

var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, part := range strings.Split(r.str(name), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				r.fail(name, err)
				continue
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			r.fail(name, err)
			continue
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out
}

// isPathChar reports whether c may appear in the base URL's path. The path
// becomes a routing prefix, so characters with a meaning in URLs or in
// ServeMux patterns are refused.
func isPathChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~/", c)
}
