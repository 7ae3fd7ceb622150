// Package secrets keeps the secret values that service tasks and scripts
// use by name: API tokens, passwords of mail servers and the like.
//
// Values are stored in the database encrypted with AES-256-GCM under a key
// that is not in the database: WAYMARK_SECRET_KEY, or else a key generated
// on first use and kept in the data directory (secret.key), so a copy of
// the database alone reveals no secret. The secret's name is the
// authenticated data of its ciphertext, so a value cannot be moved to
// another name in the database and still decrypt.
//
// A service task parameter uses a secret as SpiffArena's do: a string
// holding SPIFF_SECRET:name (anywhere in it, "Bearer SPIFF_SECRET:token")
// or a string that is exactly secret:name. Resolve replaces them only for
// the call, so task data, the stored job and the event log keep the
// reference, and Redact takes the values out of what comes back (an error
// message echoing a URL, say).
//
// The package imports internal/store only.
package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/waymark-bpm/waymark/internal/store"
)

// KeyFile is the generated key's file inside the data directory.
const KeyFile = "secret.key"

// ErrNotFound is returned for a secret that does not exist.
var ErrNotFound = errors.New("no such secret")

// namePattern is what a secret may be called: the characters Python's \w
// matches in SpiffArena's SPIFF_SECRET:(\w+), ASCII only.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// refPattern finds references in a parameter string.
var refPattern = regexp.MustCompile(`SPIFF_SECRET:([A-Za-z0-9_]+)`)

// Store is what the package needs of the database.
type Store interface {
	PutSecret(ctx context.Context, name string, value []byte, by string) error
	Secret(ctx context.Context, name string) (store.Secret, error)
	Secrets(ctx context.Context) ([]store.Secret, error)
	DeleteSecret(ctx context.Context, name string) error
}

// Secrets encrypts, stores and resolves secrets.
type Secrets struct {
	db   Store
	aead cipher.AEAD
}

// Key returns the encryption key: derived from the configured secret, or
// read from dataDir/secret.key, which is generated on first use.
func Key(configured, dataDir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("WAYMARK_SECRET_KEY must be at least 32 characters")
		}
		sum := sha256.Sum256([]byte("waymark secrets\x00" + configured))
		return sum[:], nil
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s does not hold a 32-byte hex key", path)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting on one data directory keep one key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return Key("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return key, f.Close()
}

// New returns secrets stored in db under the 32-byte key.
func New(db Store, key []byte) (*Secrets, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Secrets{db: db, aead: aead}, nil
}

// CheckName says what is wrong with a secret's name, or nil.
func CheckName(name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("secret name %q: use letters, digits and _ only (SPIFF_SECRET:name stops at any other character)", name)
	}
	return nil
}

// Set creates or replaces a secret.
func (s *Secrets) Set(ctx context.Context, name, value, by string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return err
	}
	sealed := s.aead.Seal(nonce, nonce, []byte(value), []byte(name))
	return s.db.PutSecret(ctx, name, sealed, by)
}

// Value returns a secret's value.
func (s *Secrets) Value(ctx context.Context, name string) (string, error) {
	row, err := s.db.Secret(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("secret %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return "", err
	}
	n := s.aead.NonceSize()
	if len(row.Value) < n {
		return "", fmt.Errorf("secret %s: stored value is damaged", name)
	}
	plain, err := s.aead.Open(nil, row.Value[:n], row.Value[n:], []byte(name))
	if err != nil {
		return "", fmt.Errorf("secret %s does not decrypt with this key (was WAYMARK_SECRET_KEY or %s changed?)", name, KeyFile)
	}
	return string(plain), nil
}

// Info returns one secret without its value.
func (s *Secrets) Info(ctx context.Context, name string) (store.Secret, error) {
	row, err := s.db.Secret(ctx, name)
	row.Value = nil
	return row, err
}

// List returns the secrets without values.
func (s *Secrets) List(ctx context.Context) ([]store.Secret, error) { return s.db.Secrets(ctx) }

// Delete removes a secret.
func (s *Secrets) Delete(ctx context.Context, name string) error {
	err := s.db.DeleteSecret(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("secret %s: %w", name, ErrNotFound)
	}
	return err
}

// Resolved is a value with its secret references replaced, and the
// secret values it now holds, for Redact.
type Resolved struct {
	Value  any
	values []string
}

// Resolve replaces the secret references in the strings of v (maps and
// lists are walked). An unknown secret is an error naming it.
func (s *Secrets) Resolve(ctx context.Context, v any) (Resolved, error) {
	var used []string
	var walk func(any) (any, error)
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			if name, ok := strings.CutPrefix(x, "secret:"); ok && namePattern.MatchString(name) {
				val, err := s.Value(ctx, name)
				if err != nil {
					return nil, err
				}
				used = append(used, val)
				return val, nil
			}
			var err error
			out := refPattern.ReplaceAllStringFunc(x, func(ref string) string {
				if err != nil {
					return ref
				}
				val, e := s.Value(ctx, strings.TrimPrefix(ref, "SPIFF_SECRET:"))
				if e != nil {
					err = e
					return ref
				}
				used = append(used, val)
				return val
			})
			return out, err
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[k] = r
			}
			return out, nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[i] = r
			}
			return out, nil
		}
		return v, nil
	}
	out, err := walk(v)
	if err != nil {
		return Resolved{}, err
	}
	return Resolved{Value: out, values: used}, nil
}

// Redact replaces the secret values r resolved, wherever they appear in
// text, with "***".
func (r Resolved) Redact(text string) string {
	for _, v := range r.values {
		if v != "" {
			text = strings.ReplaceAll(text, v, "***")
		}
	}
	return text
}

// RedactValue is Redact over the strings of a value (maps and lists are
// walked), for results that a call echoes back.
func (r Resolved) RedactValue(v any) any {
	if len(r.values) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		return r.Redact(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[r.Redact(k)] = r.RedactValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.RedactValue(e)
		}
		return out
	}
	return v
}
