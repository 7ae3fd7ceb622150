package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// Resolved sign-ins, tokens and users are kept between requests, and every
// change to them made through the store, by this process or another one
// writing the same database, counts from the next lookup on.
func TestResolveCacheFollowsChanges(t *testing.T) {
	d, st := newDirectory(t)
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ss := NewSessions(strings.Repeat("s", 32), st, SessionOptions{Idle: 30 * time.Minute, Max: 2 * time.Hour, Now: clock.Now})
	tokens := NewAPITokens(st, clock.Now)
	u, err := d.CreateUser(ctx, NewAccount{Username: "erin", Password: "erin-password"})
	if err != nil {
		t.Fatal(err)
	}
	s := ss.Load(httptest.NewRequest("GET", "/", nil))
	if err := ss.SignIn(ctx, s, u.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	token, _, err := tokens.Create(ctx, "erin", "ci", "admin", 0)
	if err != nil {
		t.Fatal(err)
	}
	resolve := func() int64 {
		t.Helper()
		id, _, err := ss.Resolve(ResolveOnce(ctx), s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if resolve() != u.ID {
		t.Fatal("the sign-in does not resolve")
	}

	t.Run("ServedFromTheCache", func(t *testing.T) {
		// Moving last use back by a day without changing the auth version
		// (as a touch does) times the row out: only a cached sign-in
		// still resolves.
		if err := st.TouchSession(ctx, s.ID(), clock.t.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if resolve() != u.ID {
			t.Error("the second lookup read the row again")
		}
		if err := st.TouchSession(ctx, s.ID(), clock.t); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("MembershipChange", func(t *testing.T) {
		before, err := d.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(before.Groups, "auditors") {
			t.Fatalf("groups %v before the change", before.Groups)
		}
		// Written straight to the store, as another process would.
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			g, err := tx.EnsureGroup(ctx, "auditors", store.SourceLocal)
			if err != nil {
				return err
			}
			return tx.AddGroupMember(ctx, g, u.ID, store.SourceLocal)
		}); err != nil {
			t.Fatal(err)
		}
		after, err := d.User(ctx, u.ID)
		if err != nil || !slices.Contains(after.Groups, "auditors") {
			t.Errorf("groups %v (%v) after joining auditors", after.Groups, err)
		}
		// A caller changing its copy does not change the next one.
		after.Groups[0] = "admin"
		again, _ := d.User(ctx, u.ID)
		if slices.Contains(again.Groups, "admin") {
			t.Errorf("a caller's change reached the cache: %v", again.Groups)
		}
	})

	t.Run("DisabledUser", func(t *testing.T) {
		if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, clock.t) }); err != nil {
			t.Fatal(err)
		}
		got, err := d.User(ctx, u.ID)
		if err != nil || !got.Disabled {
			t.Errorf("user after disabling: disabled %v (%v)", got.Disabled, err)
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, time.Time{}) }); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("TokenRevoked", func(t *testing.T) {
		for range 2 {
			if id, err := tokens.Authenticate(ctx, token); err != nil || id != u.ID {
				t.Fatalf("token: %d %v", id, err)
			}
		}
		if err := st.DeleteAPIToken(ctx, u.ID, "ci"); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Authenticate(ctx, token); !errors.Is(err, ErrBadToken) {
			t.Errorf("revoked token: %v, want ErrBadToken", err)
		}
	})

	t.Run("SessionEnded", func(t *testing.T) {
		if err := st.DeleteSession(ctx, s.ID()); err != nil {
			t.Fatal(err)
		}
		if id := resolve(); id != 0 {
			t.Errorf("an ended sign-in resolves to user %d", id)
		}
	})

	t.Run("TimeOutsStillApply", func(t *testing.T) {
		s2 := ss.Load(httptest.NewRequest("GET", "/", nil))
		if err := ss.SignIn(ctx, s2, u.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if id, _, _ := ss.Resolve(ctx, s2); id != u.ID {
				t.Fatal("new sign-in does not resolve")
			}
		}
		clock.t = clock.t.Add(31 * time.Minute)
		if id, cleared, _ := ss.Resolve(ctx, s2); id != 0 || !cleared {
			t.Errorf("a cached sign-in idle for 31 minutes resolves to %d", id)
		}
	})
}

// A cookie decodes once; later requests with the same cookie get their own
// copy of its values for up to decodedFor, and a cookie that does not
// decode is never kept.
func TestDecodedCookiesCached(t *testing.T) {
	d, st := newDirectory(t)
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ss := NewSessions(strings.Repeat("s", 32), st, SessionOptions{Now: clock.Now})
	u, err := d.CreateUser(ctx, NewAccount{Username: "erin", Password: "erin-password"})
	if err != nil {
		t.Fatal(err)
	}
	s := ss.Load(httptest.NewRequest("GET", "/", nil))
	if err := ss.SignIn(ctx, s, u.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := ss.Save(rec, httptest.NewRequest("GET", "/", nil), s); err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	load := func(value string) *Session {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: cookie.Name, Value: value})
		return ss.Load(r)
	}
	csrf, _ := s.CSRFToken()
	first := load(cookie.Value)
	if got, created := first.CSRFToken(); created || got != csrf {
		t.Fatalf("decoded CSRF token %q (created %v), want %q", got, created, csrf)
	}
	first.SetFlash("changed by the first request")
	// Sessions signed with another key from now on: only a kept decoding
	// still reads the cookie.
	ss.cookies = NewSessions(strings.Repeat("o", 32), st, SessionOptions{}).cookies
	second := load(cookie.Value)
	if got, _ := second.CSRFToken(); got != csrf {
		t.Errorf("the second request decoded the cookie again (CSRF token %q)", got)
	}
	if msg, ok := second.TakeFlash(); ok {
		t.Errorf("the first request's change reached the second: %q", msg)
	}
	tampered := []byte(cookie.Value)
	tampered[len(tampered)/2] ^= 1
	if v := load(string(tampered)); len(v.s.Values) != 0 {
		t.Errorf("a tampered cookie decoded to %v", v.s.Values)
	}
	clock.t = clock.t.Add(decodedFor)
	if got, created := load(cookie.Value).CSRFToken(); !created || got == csrf {
		t.Error("a decoding was kept past decodedFor")
	}
}
