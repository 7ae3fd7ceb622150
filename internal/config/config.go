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
	// DatabaseURL is a postgres:// URL of a PostgreSQL database that
	// several Waymark processes may share; empty means the SQLite file in
	// DataDir.
	DatabaseURL string
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
	// SecretKey derives the key of stored secrets; empty: generated and
	// kept in the data directory.
	SecretKey string
	// SessionIdle ends a sign-in not used for this long; SessionMax ends
	// any sign-in this long after it began.
	SessionIdle, SessionMax time.Duration
	// SignInDelayAfter, SignInLockAfter, SignInIPLockAfter and SignInLockFor
	// throttle failed sign-ins (see auth.ThrottlePolicy).
	SignInDelayAfter, SignInLockAfter, SignInIPLockAfter int
	SignInLockFor                                        time.Duration
	// PermissionsFile is a SpiffArena-style permissions YAML with users,
	// groups and rules; empty means the built-in default.
	PermissionsFile string
	// PasswordSignIn says whether built-in users may sign in with a
	// password; off, only OpenID Connect providers sign people in.
	PasswordSignIn bool
	// OIDC is the OpenID Connect provider set with WAYMARK_OIDC_*; its
	// Issuer is empty when none is.
	OIDC OIDCProvider
	// OIDCProvidersFile is a YAML file listing several providers (see
	// internal/auth.LoadProvidersFile); empty for none.
	OIDCProvidersFile string
	// ModelsDir is the process model repository (SpiffArena layout).
	ModelsDir string
	// Examples says whether the demo models are copied into a models
	// directory that does not exist yet.
	Examples bool
	// ConnectorProxyURL is the base URL of a connector proxy speaking
	// SpiffArena's protocol; empty for built-in operators only.
	ConnectorProxyURL string
	// SMTP* configure the mail server of smtp/SendEmail.
	SMTPHost, SMTPSecurity, SMTPUsername, SMTPPassword, SMTPFrom string
	SMTPPort                                                     int
	// ConnectorAllow are the non-public networks the built-in HTTP
	// connectors may call.
	ConnectorAllow []netip.Prefix
	// TaskMetadataKeys are the task metadata keys the modeler offers on
	// every user and manual task (SpiffArena's TASK_METADATA setting), before
	// the model's own metadata extraction keys.
	TaskMetadataKeys []string
	// SchedulerInterval is how often the runner polls for due timers.
	SchedulerInterval time.Duration
	// ModelsRescan is how often the models directory is checked for
	// changes made beside this process; 0 for never.
	ModelsRescan time.Duration
	// SQLiteSync is SQLite's synchronous setting, FULL or NORMAL.
	SQLiteSync string
	// MessageTTL is how long a message no instance waits for is kept.
	MessageTTL time.Duration
	// Env names the installation for scripts (get_env).
	Env string
	// LogLevel and LogFormat configure the process logger.
	LogLevel  slog.Level
	LogFormat string
	// ScriptMaxBytes bounds what one script run may allocate in total.
	ScriptMaxBytes int64
	// TaskDataMaxBytes bounds the stored task data of one instance.
	TaskDataMaxBytes int64
	// InstanceCacheMB bounds the instances the runner keeps in memory
	// between steps, in MiB; 0 keeps none.
	InstanceCacheMB int
	// UploadConcurrency is how many zip uploads are checked at once.
	UploadConcurrency int
	// MetricsToken, when set, lets a scraper read /metrics with
	// "Authorization: Bearer <token>"; admins may always read it.
	MetricsToken string
}

// OIDCProvider is an OpenID Connect provider given by environment
// variables.
type OIDCProvider struct {
	Issuer        string
	ClientID      string
	ClientSecret  string
	Name          string
	Scopes        []string
	GroupsClaim   string
	UsernameClaim string
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
	{Name: "WAYMARK_DATABASE_URL", Default: "", Help: "PostgreSQL database as a URL (postgres://user:password@host:5432/waymark?sslmode=require), for several Waymark processes sharing one database (or WAYMARK_DATABASE_URL_FILE). Empty: the SQLite file in WAYMARK_DATA_DIR.", Secret: true},
	{Name: "WAYMARK_BASE_URL", Default: "http://localhost:8000", Help: "Public URL of Waymark as people type it. A path (https://example.com/waymark) serves every page under that prefix; https makes session cookies Secure."},
	{Name: "WAYMARK_ENV", Default: "production", Help: "Name of this installation (testing, staging, production ...), which get_env() returns to scripts, as SpiffArena's environment identifier."},
	{Name: "WAYMARK_TRUSTED_PROXIES", Default: "", Help: "Comma-separated IPs or CIDR networks of reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed."},
	{Name: "WAYMARK_ADMIN_PASSWORD", Default: "", Help: "Password of the 'admin' account created on first start when there are no users (or WAYMARK_ADMIN_PASSWORD_FILE). Empty: a password is generated and printed once to the log.", Secret: true},
	{Name: "WAYMARK_SESSION_KEY", Default: "", Help: "Secret (at least 32 characters) that signs and encrypts session cookies (or WAYMARK_SESSION_KEY_FILE). Empty: a key is generated and kept in the data directory.", Secret: true},
	{Name: "WAYMARK_SECRET_KEY", Default: "", Help: "Secret (at least 32 characters) from which the key that encrypts stored secrets is derived (or WAYMARK_SECRET_KEY_FILE). Empty: a key is generated and kept in the data directory (secret.key); back it up with the database, or the secrets cannot be read.", Secret: true},
	{Name: "WAYMARK_SESSION_IDLE", Default: "8h", Help: "A sign-in not used for this long ends (a Go duration such as 30m or 8h; at least 1m)."},
	{Name: "WAYMARK_SESSION_MAX", Default: "168h", Help: "Any sign-in ends this long after it began, used or not (a Go duration; at least WAYMARK_SESSION_IDLE)."},
	{Name: "WAYMARK_SIGNIN_DELAY_AFTER", Default: "3", Help: "After this many failed sign-ins in a row for one username or address, each further attempt must wait 1s, 2s, 4s ... (at least 1)."},
	{Name: "WAYMARK_SIGNIN_LOCK_AFTER", Default: "10", Help: "This many failed sign-ins for one username (known or not) lock it for WAYMARK_SIGNIN_LOCK_FOR, even for the right password."},
	{Name: "WAYMARK_SIGNIN_IP_LOCK_AFTER", Default: "50", Help: "This many failed sign-ins from one client address lock the address for WAYMARK_SIGNIN_LOCK_FOR."},
	{Name: "WAYMARK_SIGNIN_LOCK_FOR", Default: "15m", Help: "How long a sign-in lock lasts, and how long a failed sign-in is remembered (a Go duration; at least 1s)."},
	{Name: "WAYMARK_PERMISSIONS_FILE", Default: "", Help: "Permissions YAML in SpiffArena's format (users, groups, permissions). Empty: the built-in default (an admin group, no users)."},
	{Name: "WAYMARK_PASSWORD_SIGN_IN", Default: "true", Help: "Let built-in users (permissions file, first-start admin) sign in with a password (true/false). False needs an OIDC provider."},
	{Name: "WAYMARK_OIDC_ISSUER", Default: "", Help: "Issuer URL of an OpenID Connect provider to sign in with (such as https://sso.example.com/realms/acme). Its redirect URI is WAYMARK_BASE_URL/sign-in/oidc/oidc/callback. Empty: no provider from these variables."},
	{Name: "WAYMARK_OIDC_CLIENT_ID", Default: "", Help: "Client id of Waymark at the WAYMARK_OIDC_ISSUER provider."},
	{Name: "WAYMARK_OIDC_CLIENT_SECRET", Default: "", Help: "Client secret of Waymark at the WAYMARK_OIDC_ISSUER provider (or WAYMARK_OIDC_CLIENT_SECRET_FILE).", Secret: true},
	{Name: "WAYMARK_OIDC_NAME", Default: "Single sign-on", Help: "Label of the provider's button on the sign-in page."},
	{Name: "WAYMARK_OIDC_SCOPES", Default: "profile,email", Help: "Comma-separated scopes requested besides openid."},
	{Name: "WAYMARK_OIDC_GROUPS_CLAIM", Default: "groups", Help: "ID token claim with the user's groups, merged with the permissions file's groups; a dotted path reaches nested claims (realm_access.roles). - turns it off."},
	{Name: "WAYMARK_OIDC_USERNAME_CLAIM", Default: "preferred_username", Help: "ID token claim that names a user created on first sign-in (falling back to email, then sub)."},
	{Name: "WAYMARK_OIDC_PROVIDERS_FILE", Default: "", Help: "YAML file listing several OpenID Connect providers (see the README). Empty: none besides WAYMARK_OIDC_ISSUER."},
	{Name: "WAYMARK_MODELS_DIR", Default: "", Help: "Process model repository in SpiffArena's layout. Empty: the models directory inside WAYMARK_DATA_DIR."},
	{Name: "WAYMARK_MODELS_RESCAN", Default: "5s", Help: "How often the models directory is checked for changes made beside this process (files copied in by hand, a git pull, a save through another process mounting the same directory); a changed tree is rescanned. A Go duration, at least 100ms; 0s turns the check off. Each check reads every folder and stats every file, without reading them."},
	{Name: "WAYMARK_EXAMPLES", Default: "true", Help: "Copy the demo models into the models directory when it does not exist yet (true/false)."},
	{Name: "WAYMARK_CONNECTOR_PROXY_URL", Default: "", Help: "Base URL of a connector proxy (SpiffArena's connector-proxy protocol) for service-task operators that are not built in. Empty: built-in HTTP operators only."},
	{Name: "WAYMARK_CONNECTOR_ALLOW", Default: "", Help: "Comma-separated IPs or CIDR networks that the built-in HTTP connectors may call although they are not public (loopback, private, link-local). Empty: public addresses only, so diagrams cannot reach the server's own network."},
	{Name: "WAYMARK_SMTP_HOST", Default: "", Help: "Mail server of the built-in smtp/SendEmail operator. Empty: each model names its server in smtp_host (held to public addresses, as the HTTP connectors are)."},
	{Name: "WAYMARK_SMTP_PORT", Default: "", Help: "Port of WAYMARK_SMTP_HOST. Empty: 587 for starttls, 465 for tls, 25 for none."},
	{Name: "WAYMARK_SMTP_SECURITY", Default: "starttls", Help: "starttls (upgrade the connection and refuse a server that cannot), tls (TLS from the first byte) or none (plain text; credentials are then only sent to a server on this host)."},
	{Name: "WAYMARK_SMTP_USERNAME", Default: "", Help: "User name for the mail server. Empty: no authentication."},
	{Name: "WAYMARK_SMTP_PASSWORD", Default: "", Help: "Password for the mail server (or WAYMARK_SMTP_PASSWORD_FILE).", Secret: true},
	{Name: "WAYMARK_SMTP_FROM", Default: "", Help: "Sender address of mail whose model gives no email_from."},
	{Name: "WAYMARK_TASK_METADATA_KEYS", Default: "", Help: "Comma-separated task metadata keys (such as priority,due_date) the modeler offers on every user and manual task, as SpiffArena's TASK_METADATA does; the model's metadata extraction keys are offered too."},
	{Name: "WAYMARK_SCHEDULER_INTERVAL", Default: "5s", Help: "How often due timers are polled (a Go duration such as 5s or 1m; at least 100ms)."},
	{Name: "WAYMARK_SQLITE_SYNC", Default: "FULL", Help: "SQLite durability: FULL (an acknowledged write survives power loss) or NORMAL (survives a crash of the process; the last writes may be lost when the machine loses power, for fewer syncs)."},
	{Name: "WAYMARK_MESSAGE_TTL", Default: "0s", Help: "How long a message that no instance waits for and no model starts with is kept, to be delivered when a receiver appears (a Go duration such as 10m). 0s refuses it at once, as SpiffArena does."},
	{Name: "WAYMARK_LOG_LEVEL", Default: "info", Help: "Log level: debug, info, warn or error."},
	{Name: "WAYMARK_LOG_FORMAT", Default: "text", Help: "Log format: text or json."},
	{Name: "WAYMARK_SCRIPT_MAX_BYTES", Default: "64MiB", Help: "Total memory one script run may allocate (strings, lists, dicts it builds), besides its step and time limits: bytes or a size such as 64MiB; at least 1MiB."},
	{Name: "WAYMARK_TASK_DATA_MAX_BYTES", Default: "32MiB", Help: "Largest task data stored for one instance (its snapshot JSON); a step over it is refused with an error naming the largest variable. Bytes or a size such as 32MiB; at least 64KiB."},
	{Name: "WAYMARK_INSTANCE_CACHE_MB", Default: "256", Help: "Memory for instances kept between steps, so the next step of a large instance skips restoring its snapshot, in MiB (0 to 65536; 0 keeps none). An instance counts five times its snapshot's length; each process holds its own, and a write by another process is noticed by the instance's version."},
	{Name: "WAYMARK_UPLOAD_CONCURRENCY", Default: "2", Help: "How many model zip uploads are checked at the same time; further uploads wait their turn (1 to 64)."},
	{Name: "WAYMARK_METRICS_TOKEN", Default: "", Help: "Bearer token a Prometheus scraper sends to read /metrics (or WAYMARK_METRICS_TOKEN_FILE). Empty: only signed-in admins may read /metrics.", Secret: true},
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
	c.DatabaseURL = strings.TrimSpace(r.secret("WAYMARK_DATABASE_URL"))
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			r.fail("WAYMARK_DATABASE_URL", errors.New("want a PostgreSQL URL such as postgres://user:password@host:5432/waymark"))
		}
	}
	c.BaseURL = r.baseURL("WAYMARK_BASE_URL")
	c.TrustedProxies = r.prefixes("WAYMARK_TRUSTED_PROXIES")
	c.AdminPassword = r.secret("WAYMARK_ADMIN_PASSWORD")
	if c.AdminPassword != "" && len(c.AdminPassword) < 8 {
		r.fail("WAYMARK_ADMIN_PASSWORD", errors.New("must be at least 8 characters"))
	}
	c.SecretKey = r.secret("WAYMARK_SECRET_KEY")
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		r.fail("WAYMARK_SECRET_KEY", errors.New("must be at least 32 characters"))
	}
	c.SessionKey = r.secret("WAYMARK_SESSION_KEY")
	if c.SessionKey != "" && len(c.SessionKey) < 32 {
		r.fail("WAYMARK_SESSION_KEY", errors.New("must be at least 32 characters"))
	}
	c.SessionIdle = r.duration("WAYMARK_SESSION_IDLE", time.Minute)
	c.SessionMax = r.duration("WAYMARK_SESSION_MAX", time.Minute)
	if c.SessionIdle > 0 && c.SessionMax > 0 && c.SessionMax < c.SessionIdle {
		r.fail("WAYMARK_SESSION_MAX", fmt.Errorf("must be at least WAYMARK_SESSION_IDLE (%s), got %s", c.SessionIdle, c.SessionMax))
	}
	c.SignInDelayAfter = r.integer("WAYMARK_SIGNIN_DELAY_AFTER", 1, 1_000_000)
	c.SignInLockAfter = r.integer("WAYMARK_SIGNIN_LOCK_AFTER", 1, 1_000_000)
	c.SignInIPLockAfter = r.integer("WAYMARK_SIGNIN_IP_LOCK_AFTER", 1, 1_000_000)
	c.SignInLockFor = r.duration("WAYMARK_SIGNIN_LOCK_FOR", time.Second)
	c.PermissionsFile = r.str("WAYMARK_PERMISSIONS_FILE")
	if c.PermissionsFile != "" {
		if _, err := os.Stat(c.PermissionsFile); err != nil {
			r.fail("WAYMARK_PERMISSIONS_FILE", err)
		}
	}
	c.PasswordSignIn = r.boolean("WAYMARK_PASSWORD_SIGN_IN")
	c.OIDC = r.oidcProvider()
	c.OIDCProvidersFile = r.str("WAYMARK_OIDC_PROVIDERS_FILE")
	if c.OIDCProvidersFile != "" {
		if _, err := os.Stat(c.OIDCProvidersFile); err != nil {
			r.fail("WAYMARK_OIDC_PROVIDERS_FILE", err)
		}
	}
	if !c.PasswordSignIn && c.OIDC.Issuer == "" && c.OIDCProvidersFile == "" {
		r.fail("WAYMARK_PASSWORD_SIGN_IN", errors.New("false leaves no way to sign in: set WAYMARK_OIDC_ISSUER or WAYMARK_OIDC_PROVIDERS_FILE"))
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
	c.ConnectorAllow = r.prefixes("WAYMARK_CONNECTOR_ALLOW")
	c.SMTPHost = r.str("WAYMARK_SMTP_HOST")
	if p := r.str("WAYMARK_SMTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			r.fail("WAYMARK_SMTP_PORT", fmt.Errorf("want a port number, got %q", p))
		}
		c.SMTPPort = n
	}
	c.SMTPSecurity = r.str("WAYMARK_SMTP_SECURITY")
	if c.SMTPSecurity != "starttls" && c.SMTPSecurity != "tls" && c.SMTPSecurity != "none" {
		r.fail("WAYMARK_SMTP_SECURITY", fmt.Errorf("want starttls, tls or none, got %q", c.SMTPSecurity))
	}
	c.SMTPUsername = r.str("WAYMARK_SMTP_USERNAME")
	c.SMTPPassword = r.secret("WAYMARK_SMTP_PASSWORD")
	c.SMTPFrom = r.str("WAYMARK_SMTP_FROM")
	c.TaskMetadataKeys = r.keys("WAYMARK_TASK_METADATA_KEYS")
	c.SchedulerInterval = r.duration("WAYMARK_SCHEDULER_INTERVAL", 100*time.Millisecond)
	if c.ModelsRescan = r.duration("WAYMARK_MODELS_RESCAN", 0); c.ModelsRescan > 0 && c.ModelsRescan < 100*time.Millisecond {
		r.fail("WAYMARK_MODELS_RESCAN", fmt.Errorf("must be 0s (off) or at least 100ms, got %s", c.ModelsRescan))
	}
	c.SQLiteSync = strings.ToUpper(r.str("WAYMARK_SQLITE_SYNC"))
	if c.SQLiteSync != "FULL" && c.SQLiteSync != "NORMAL" {
		r.fail("WAYMARK_SQLITE_SYNC", fmt.Errorf("want FULL or NORMAL, got %q", c.SQLiteSync))
	}
	c.MessageTTL = r.duration("WAYMARK_MESSAGE_TTL", 0)
	c.Env = r.str("WAYMARK_ENV")
	c.LogLevel = r.level("WAYMARK_LOG_LEVEL")
	c.LogFormat = r.str("WAYMARK_LOG_FORMAT")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		r.fail("WAYMARK_LOG_FORMAT", fmt.Errorf("want text or json, got %q", c.LogFormat))
	}

	c.ScriptMaxBytes = r.size("WAYMARK_SCRIPT_MAX_BYTES", 1<<20)
	c.TaskDataMaxBytes = r.size("WAYMARK_TASK_DATA_MAX_BYTES", 64<<10)
	c.InstanceCacheMB = r.integer("WAYMARK_INSTANCE_CACHE_MB", 0, 65536)
	c.UploadConcurrency = r.integer("WAYMARK_UPLOAD_CONCURRENCY", 1, 64)
	c.MetricsToken = r.secret("WAYMARK_METRICS_TOKEN")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		r.fail("WAYMARK_METRICS_TOKEN", errors.New("must be at least 16 characters"))
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
		slog.String("database_url", mask(c.DatabaseURL)),
		slog.String("base_url", c.BaseURL.String()),
		slog.String("trusted_proxies", strings.Join(proxies, ",")),
		slog.String("admin_password", mask(c.AdminPassword)),
		slog.String("session_key", mask(c.SessionKey)),
		slog.Duration("session_idle", c.SessionIdle),
		slog.Duration("session_max", c.SessionMax),
		slog.Int("signin_delay_after", c.SignInDelayAfter),
		slog.Int("signin_lock_after", c.SignInLockAfter),
		slog.Int("signin_ip_lock_after", c.SignInIPLockAfter),
		slog.Duration("signin_lock_for", c.SignInLockFor),
		slog.String("permissions_file", c.PermissionsFile),
		slog.Bool("password_sign_in", c.PasswordSignIn),
		slog.String("oidc_issuer", c.OIDC.Issuer),
		slog.String("oidc_client_id", c.OIDC.ClientID),
		slog.String("oidc_client_secret", mask(c.OIDC.ClientSecret)),
		slog.String("oidc_providers_file", c.OIDCProvidersFile),
		slog.String("models_dir", c.ModelsDir),
		slog.Bool("examples", c.Examples),
		slog.String("connector_proxy_url", c.ConnectorProxyURL),
		slog.String("task_metadata_keys", strings.Join(c.TaskMetadataKeys, ",")),
		slog.Duration("scheduler_interval", c.SchedulerInterval),
		slog.Duration("models_rescan", c.ModelsRescan),
		slog.String("sqlite_sync", c.SQLiteSync),
		slog.Duration("message_ttl", c.MessageTTL),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
		slog.Int64("script_max_bytes", c.ScriptMaxBytes),
		slog.Int64("task_data_max_bytes", c.TaskDataMaxBytes),
		slog.Int("instance_cache_mb", c.InstanceCacheMB),
		slog.Int("upload_concurrency", c.UploadConcurrency),
		slog.String("metrics_token", mask(c.MetricsToken)),
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

// oidcProvider reads the WAYMARK_OIDC_* provider. Every variable is read
// (the .env.example test counts them), and checked only when an issuer is
// set.
func (r *reader) oidcProvider() OIDCProvider {
	p := OIDCProvider{
		Issuer:        r.str("WAYMARK_OIDC_ISSUER"),
		ClientID:      r.str("WAYMARK_OIDC_CLIENT_ID"),
		ClientSecret:  r.secret("WAYMARK_OIDC_CLIENT_SECRET"),
		Name:          r.str("WAYMARK_OIDC_NAME"),
		GroupsClaim:   r.str("WAYMARK_OIDC_GROUPS_CLAIM"),
		UsernameClaim: r.str("WAYMARK_OIDC_USERNAME_CLAIM"),
	}
	for _, s := range strings.Split(r.str("WAYMARK_OIDC_SCOPES"), ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(p.Scopes, s) {
			p.Scopes = append(p.Scopes, s)
		}
	}
	if p.Issuer == "" {
		return OIDCProvider{}
	}
	if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		r.fail("WAYMARK_OIDC_ISSUER", fmt.Errorf("want an absolute http or https URL without query, got %q", p.Issuer))
	}
	if p.ClientID == "" {
		r.fail("WAYMARK_OIDC_CLIENT_ID", errors.New("must be set with WAYMARK_OIDC_ISSUER"))
	}
	for _, s := range p.Scopes {
		if strings.ContainsAny(s, " \t") {
			r.fail("WAYMARK_OIDC_SCOPES", fmt.Errorf("scope %q has a space; separate scopes with commas", s))
		}
	}
	return p
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

// size reads a byte count: a plain number of bytes or a number with a
// unit (KiB, MiB, GiB, or KB, MB, GB as powers of 1000).
func (r *reader) size(name string, least int64) int64 {
	s := r.str(name)
	num, unit := s, ""
	if i := strings.IndexFunc(s, func(c rune) bool { return (c < '0' || c > '9') && c != '.' }); i >= 0 {
		num, unit = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
	}
	mult, ok := map[string]float64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
		"KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	f, err := strconv.ParseFloat(num, 64)
	n := int64(f * mult)
	switch {
	case !ok || err != nil || f < 0 || f*mult > 1<<50:
		r.fail(name, fmt.Errorf("want a size such as 64MiB or a number of bytes, got %q", s))
	case n < least:
		r.fail(name, fmt.Errorf("must be at least %d bytes, got %q", least, s))
	}
	return n
}

// integer reads a whole number between least and most.
func (r *reader) integer(name string, least, most int) int {
	s := r.str(name)
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		r.fail(name, fmt.Errorf("want a whole number, got %q", s))
	case n < least || n > most:
		r.fail(name, fmt.Errorf("must be between %d and %d, got %d", least, most, n))
	}
	return n
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
