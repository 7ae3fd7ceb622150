package secrets

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/store"
)

func open(t *testing.T) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dir
}

func TestStoredEncrypted(t *testing.T) {
	ctx := context.Background()
	db, dir := open(t)
	key, err := Key("", dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Key("", dir)
	if err != nil || !bytes.Equal(key, again) {
		t.Fatalf("the generated key is not kept: %v", err)
	}
	s, err := New(db, key)
	if err != nil {
		t.Fatal(err)
	}
	const value = "tok-9f8e7d6c5b4a"
	if err := s.Set(ctx, "api_token", value, "alice"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Value(ctx, "api_token"); err != nil || got != value {
		t.Fatalf("Value = %q, %v", got, err)
	}
	// Neither the database file nor its write-ahead log holds the value.
	db.Close()
	for _, f := range []string{"waymark.db", "waymark.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(value)) {
			t.Errorf("%s holds the secret in clear", f)
		}
	}
	db, err = store.Open(ctx, filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _ = New(db, key)

	// A value copied to another name does not decrypt there.
	row, err := db.Secret(ctx, "api_token")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret(ctx, "moved", row.Value, "mallory"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Value(ctx, "moved"); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Errorf("moved value: %v", err)
	}
	// Another key reads nothing, and says why.
	other, _ := New(db, bytes.Repeat([]byte{7}, 32))
	if _, err := other.Value(ctx, "api_token"); err == nil || !strings.Contains(err.Error(), "WAYMARK_SECRET_KEY") {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := s.Value(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown secret: %v", err)
	}
	if err := s.Set(ctx, "bad-name", "x", "alice"); err == nil {
		t.Error("a name SPIFF_SECRET: cannot reference was accepted")
	}
	if err := s.Delete(ctx, "api_token"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "api_token"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := Key("short", dir); err == nil {
		t.Error("a short configured key was accepted")
	}
}

// References resolve as SpiffArena resolves them: SPIFF_SECRET:name
// anywhere in a string, a string that is exactly secret:name, in nested
// maps and lists; Redact takes the values out again.
func TestResolveAndRedact(t *testing.T) {
	ctx := context.Background()
	db, dir := open(t)
	key, _ := Key("", dir)
	s, _ := New(db, key)
	s.Set(ctx, "token", "T0KEN", "alice")
	s.Set(ctx, "pw", "pa55", "alice")
	params := map[string]any{
		"url":     "https://api.example.com/x?key=SPIFF_SECRET:token",
		"headers": map[string]any{"Authorization": "Bearer SPIFF_SECRET:token-haha"},
		"list":    []any{"secret:pw", "no secret here", int64(3)},
		"plain":   "SPIFF_SECRET is only a word here",
	}
	r, err := s.Resolve(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"url":     "https://api.example.com/x?key=T0KEN",
		"headers": map[string]any{"Authorization": "Bearer T0KEN-haha"},
		"list":    []any{"pa55", "no secret here", int64(3)},
		"plain":   "SPIFF_SECRET is only a word here",
	}
	if d := cmp.Diff(want, r.Value); d != "" {
		t.Errorf("resolved (-want +got):\n%s", d)
	}
	if params["url"] != "https://api.example.com/x?key=SPIFF_SECRET:token" {
		t.Error("Resolve changed its input")
	}
	if got := r.Redact("GET https://api.example.com/x?key=T0KEN: 401, password pa55"); got != "GET https://api.example.com/x?key=***: 401, password ***" {
		t.Errorf("Redact = %q", got)
	}
	if d := cmp.Diff(map[string]any{"echo": []any{"Bearer ***"}}, r.RedactValue(map[string]any{"echo": []any{"Bearer T0KEN"}})); d != "" {
		t.Errorf("RedactValue: %s", d)
	}
	if _, err := s.Resolve(ctx, map[string]any{"h": "SPIFF_SECRET:missing"}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("unknown reference: %v", err)
	}
}
