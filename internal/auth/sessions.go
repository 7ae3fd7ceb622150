package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gorilla/sessions"
)

// SessionKeyFile is the name of the generated session key inside the data
// directory.
const SessionKeyFile = "session.key"

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 7 * 24 * time.Hour

const (
	sessionName = "waymark_session"
	keyUserID   = "uid"
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

// SessionOptions are the cookie settings.
type SessionOptions struct {
	// Path is the cookie path: the base path Waymark is served under, or "/".
	Path string
	// Secure marks the cookie https-only.
	Secure bool
}

// Sessions reads and writes session cookies.
type Sessions struct {
	store *sessions.CookieStore
}

// NewSessions returns a session store. The cookie is signed with one key
// and encrypted with another, both derived from secret.
func NewSessions(secret string, opt SessionOptions) *Sessions {
	hashKey := sha256.Sum256([]byte("waymark session signing\x00" + secret))
	blockKey := sha256.Sum256([]byte("waymark session encryption\x00" + secret))
	cs := sessions.NewCookieStore(hashKey[:], blockKey[:])
	path := opt.Path
	if path == "" {
		path = "/"
	}
	cs.Options = &sessions.Options{
		Path:     path,
		MaxAge:   int(SessionLifetime / time.Second),
		HttpOnly: true,
		Secure:   opt.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(cs.Options.MaxAge)
	return &Sessions{store: cs}
}

// Session is one request's session.
type Session struct {
	s *sessions.Session
}

// Load returns the request's session. A missing, expired or tampered
// cookie gives a new, empty session; that is not an error for the caller.
func (ss *Sessions) Load(r *http.Request) *Session {
	// On a cookie that does not decode, New still returns a usable session
	// next to the error; start it empty rather than trust anything decoded.
	s, err := ss.store.New(r, sessionName)
	if err != nil {
		s.Values = map[any]any{}
	}
	return &Session{s: s}
}

// Save writes the session cookie. Call it before writing the response body.
func (ss *Sessions) Save(w http.ResponseWriter, r *http.Request, s *Session) error {
	if err := ss.store.Save(r, w, s.s); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// UserID returns the signed-in user's id, or 0.
func (s *Session) UserID() int64 {
	id, _ := s.s.Values[keyUserID].(int64)
	return id
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

// SignIn records the user and issues a fresh CSRF token, so a token seen
// before sign-in is worthless after it.
func (s *Session) SignIn(userID int64) {
	s.s.Values = map[any]any{keyUserID: userID}
	s.CSRFToken()
}

// SignOut forgets the user and the CSRF token.
func (s *Session) SignOut() {
	s.s.Values = map[any]any{}
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
