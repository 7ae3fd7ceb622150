package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"github.com/waymark-bpm/waymark/internal/store"
)

// SessionKeyFile is the name of the generated session key inside the data
// directory.
const SessionKeyFile = "session.key"

// Default time-outs of a sign-in, used when the options leave them zero.
const (
	DefaultSessionIdle = 8 * time.Hour
	DefaultSessionMax  = 7 * 24 * time.Hour
)

const (
	sessionName = "waymark_session"
	keyToken    = "tok"
	keyCSRF     = "csrf"
	keyFlash    = "flash"
)

// SessionSecret returns the configured secret, or the one kept in
// dataDir/session.key, generating that file on first use. Keeping the
// generated key means sessions survive a restart.
func SessionSecret(configured, dataDir string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(dataDir, SessionKeyFile)
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return string(b), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read session key: %w", err)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		return "", fmt.Errorf("write session key: %w", err)
	}
	return secret, nil
}

// SessionOptions are the cookie settings and time-outs.
type SessionOptions struct {
	// Path is the cookie path: the base path Waymark is served under, or "/".
	Path string
	// Secure marks the cookie https-only.
	Secure bool
	// Idle ends a sign-in that has not been used for this long; Max ends
	// any sign-in this long after it began. Zero means the default.
	Idle, Max time.Duration
	// Now is the clock time-outs are measured with; nil means time.Now.
	Now func() time.Time
}

// Sessions reads and writes session cookies and keeps sign-ins on the
// server. The cookie (signed and encrypted) holds a random token, the CSRF
// token and a flash message; who is signed in is known only from the
// sessions table, found by the token's hash. Deleting the row ends the
// sign-in at once, whatever cookies are still around.
type Sessions struct {
	cookies   *sessions.CookieStore
	db        *store.Store
	idle, max time.Duration
	now       func() time.Time
	// rows caches sign-ins by token hash for the current auth version.
	rows versioned[string, store.Session]
	// decoded caches what cookies decoded to.
	decoded cookieCache
}

// NewSessions returns a session store over the database. The cookie is
// signed with one key and encrypted with another, both derived from secret.
func NewSessions(secret string, db *store.Store, opt SessionOptions) *Sessions {
	hashKey := sha256.Sum256([]byte("waymark session signing\x00" + secret))
	blockKey := sha256.Sum256([]byte("waymark session encryption\x00" + secret))
	cs := sessions.NewCookieStore(hashKey[:], blockKey[:])
	ss := &Sessions{cookies: cs, db: db, idle: opt.Idle, max: opt.Max, now: opt.Now}
	if ss.idle <= 0 {
		ss.idle = DefaultSessionIdle
	}
	if ss.max <= 0 {
		ss.max = DefaultSessionMax
	}
	if ss.now == nil {
		ss.now = time.Now
	}
	path := opt.Path
	if path == "" {
		path = "/"
	}
	cs.Options = &sessions.Options{
		Path: path,
		// The browser may drop the cookie when the sign-in can last no
		// longer; the server decides either way.
		MaxAge:   int(ss.max / time.Second),
		HttpOnly: true,
		Secure:   opt.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(cs.Options.MaxAge)
	return ss
}

// Session is one request's session.
type Session struct {
	s *sessions.Session
	// row is the server-side sign-in once Resolve or SignIn found or made it.
	row *store.Session
}

// Load returns the request's session. A missing, expired or tampered
// cookie gives a new, empty session; that is not an error for the caller.
func (ss *Sessions) Load(r *http.Request) *Session {
	c, cerr := r.Cookie(sessionName)
	now := ss.now()
	if cerr == nil {
		if vals, ok := ss.decoded.get(c.Value, now); ok {
			s := sessions.NewSession(ss.cookies, sessionName)
			opts := *ss.cookies.Options
			s.Options = &opts
			s.Values = vals
			s.IsNew = false
			return &Session{s: s}
		}
	}
	// On a cookie that does not decode, New still returns a usable session
	// next to the error; start it empty rather than trust anything decoded.
	s, err := ss.cookies.New(r, sessionName)
	if err != nil {
		s.Values = map[any]any{}
	} else if cerr == nil && !s.IsNew {
		ss.decoded.put(c.Value, s.Values, now)
	}
	return &Session{s: s}
}

// cookieCache remembers what recently seen cookies decoded to, by the
// cookie's text: checking the signature, decrypting and gob-decoding it
// was a twentieth of a request's CPU. Only cookies that decoded (so were
// signed with the key) are kept, and each for at most decodedFor, so one
// past the cookie's own age limit is refused within that time; the
// sign-in it carries has its server-side time-outs checked on every
// request regardless (Resolve).
type cookieCache struct {
	mu sync.Mutex
	m  map[string]decodedCookie
}

type decodedCookie struct {
	vals  map[any]any
	until time.Time
}

// decodedFor bounds how long a decoded cookie is kept.
const decodedFor = time.Minute

// get returns a copy of the values the cookie decoded to, for the caller
// to change.
func (c *cookieCache) get(cookie string, now time.Time) (map[any]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[cookie]
	if !ok || !now.Before(e.until) || now.Before(e.until.Add(-decodedFor)) {
		return nil, false
	}
	return maps.Clone(e.vals), true
}

func (c *cookieCache) put(cookie string, vals map[any]any, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]decodedCookie{}
	}
	c.m[cookie] = decodedCookie{vals: maps.Clone(vals), until: now.Add(decodedFor)}
}

// Save writes the session cookie. Call it before writing the response body.
func (ss *Sessions) Save(w http.ResponseWriter, r *http.Request, s *Session) error {
	if err := ss.cookies.Save(r, w, s.s); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// hashToken is how a cookie token is kept in the database.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// touchEvery bounds how often last use is written: a write per request
// would be wasted, and the idle time-out needs only this precision.
func (ss *Sessions) touchEvery() time.Duration {
	return min(time.Minute, ss.idle/10)
}

// Resolve returns the id of the user signed in with this session, or 0.
// A sign-in that was ended or has timed out leaves the session signed out
// (and its row deleted); signedOut then reports that the cookie needs
// saving.
func (ss *Sessions) Resolve(ctx context.Context, s *Session) (userID int64, signedOut bool, err error) {
	token, _ := s.s.Values[keyToken].(string)
	if token == "" {
		return 0, false, nil
	}
	hash := hashToken(token)
	v, cache, err := authVersion(ctx, ss.db)
	if err != nil {
		return 0, false, err
	}
	now := ss.now()
	// A cached sign-in serves while it needs no write: used within
	// touchEvery (so far from the idle time-out) and short of the
	// absolute one. Otherwise the row is read again, as it was.
	if cache {
		if row, ok := ss.rows.get(v, hash); ok && now.Sub(row.LastSeenAt) < ss.touchEvery() && now.Sub(row.CreatedAt) < ss.max {
			s.row = &row
			return row.UserID, false, nil
		}
	}
	row, err := ss.db.SessionByToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		s.SignOut()
		return 0, true, nil
	}
	if err != nil {
		return 0, false, err
	}
	if now.Sub(row.LastSeenAt) >= ss.idle || now.Sub(row.CreatedAt) >= ss.max {
		if err := ss.db.DeleteSession(ctx, row.ID); err != nil {
			return 0, false, err
		}
		s.SignOut()
		return 0, true, nil
	}
	if now.Sub(row.LastSeenAt) >= ss.touchEvery() {
		if err := ss.db.TouchSession(ctx, row.ID, now); err != nil {
			return 0, false, err
		}
		row.LastSeenAt = now
	}
	if cache {
		ss.rows.put(v, hash, row)
	}
	s.row = &row
	return row.UserID, false, nil
}

// SignIn starts a sign-in for the user: a new server-side session with a
// fresh random token, and a fresh CSRF token, so neither a token seen
// before sign-in nor an earlier cookie is worth anything after it. Any
// sign-in the cookie held before is ended.
func (ss *Sessions) SignIn(ctx context.Context, s *Session, userID int64, clientIP, userAgent string) error {
	if err := ss.SignOut(ctx, s); err != nil {
		return err
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	now := ss.now()
	if len(userAgent) > 300 {
		userAgent = strings.ToValidUTF8(userAgent[:300], "")
	}
	row, err := ss.db.CreateSession(ctx, store.Session{
		TokenHash: hashToken(token), UserID: userID, CreatedAt: now, LastSeenAt: now,
		ClientIP: clientIP, UserAgent: userAgent,
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	s.s.Values = map[any]any{keyToken: token}
	s.row = &row
	s.CSRFToken()
	return nil
}

// SignOut ends the session's sign-in on the server and forgets the token
// and the CSRF token.
func (ss *Sessions) SignOut(ctx context.Context, s *Session) error {
	if token, _ := s.s.Values[keyToken].(string); token != "" {
		row, err := ss.db.SessionByToken(ctx, hashToken(token))
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if err := ss.db.DeleteSession(ctx, row.ID); err != nil {
				return err
			}
		}
	}
	s.SignOut()
	return nil
}

// SessionInfo is one of a user's sign-ins as the account page lists it.
type SessionInfo struct {
	ID         int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is when the sign-in ends unless it is used again.
	ExpiresAt time.Time
	ClientIP  string
	UserAgent string
}

// List returns the user's sign-ins that have not timed out, most recently
// used first.
func (ss *Sessions) List(ctx context.Context, userID int64) ([]SessionInfo, error) {
	rows, err := ss.db.UserSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := ss.now()
	var out []SessionInfo
	for _, r := range rows {
		end := r.LastSeenAt.Add(ss.idle)
		if hard := r.CreatedAt.Add(ss.max); hard.Before(end) {
			end = hard
		}
		if !now.Before(end) {
			continue
		}
		out = append(out, SessionInfo{ID: r.ID, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: end,
			ClientIP: r.ClientIP, UserAgent: r.UserAgent})
	}
	return out, nil
}

// End ends one of the user's sign-ins; one that is not the user's gives
// store.ErrNotFound.
func (ss *Sessions) End(ctx context.Context, userID, id int64) error {
	return ss.db.DeleteUserSession(ctx, userID, id)
}

// EndAll ends every sign-in of the user except keep (0 for none) and
// returns how many it ended.
func (ss *Sessions) EndAll(ctx context.Context, userID, keep int64) (int64, error) {
	return ss.db.DeleteUserSessions(ctx, userID, keep)
}

// Sweep deletes the sign-ins that have timed out; Resolve refuses them
// anyway, this only keeps the table small.
func (ss *Sessions) Sweep(ctx context.Context) (int64, error) {
	now := ss.now()
	return ss.db.DeleteExpiredSessions(ctx, now.Add(-ss.idle), now.Add(-ss.max))
}

// ID returns the id of the session's server-side sign-in, or 0.
func (s *Session) ID() int64 {
	if s.row == nil {
		return 0
	}
	return s.row.ID
}

// CSRFToken returns the session's CSRF token and whether it was created
// just now (the session then needs saving).
func (s *Session) CSRFToken() (token string, created bool) {
	if t, ok := s.s.Values[keyCSRF].(string); ok && t != "" {
		return t, false
	}
	b := make([]byte, 32)
	rand.Read(b)
	t := hex.EncodeToString(b)
	s.s.Values[keyCSRF] = t
	return t, true
}

// SignOut forgets the sign-in token and the CSRF token in the cookie only;
// Sessions.SignOut also ends the sign-in on the server.
func (s *Session) SignOut() {
	s.s.Values = map[any]any{}
	s.row = nil
}

// SetFlash stores a one-time message shown on the next page.
func (s *Session) SetFlash(msg string) {
	s.s.Values[keyFlash] = msg
}

// TakeFlash returns and removes the one-time message; ok reports whether
// there was one (the session then needs saving).
func (s *Session) TakeFlash() (msg string, ok bool) {
	msg, ok = s.s.Values[keyFlash].(string)
	if ok {
		delete(s.s.Values, keyFlash)
	}
	return msg, ok
}
