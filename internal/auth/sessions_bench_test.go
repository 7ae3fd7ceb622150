package auth

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkSessionResolve measures what every signed-in request now pays
// to find its server-side session (one indexed read; the last-use write
// happens at most once a minute and is not in this loop).
func BenchmarkSessionResolve(b *testing.B) {
	d, st := newDirectory(b)
	ctx := context.Background()
	u, err := d.CreateUser(ctx, NewAccount{Username: "erin", Password: "erin-password"})
	if err != nil {
		b.Fatal(err)
	}
	ss := NewSessions(strings.Repeat("s", 32), st, SessionOptions{})
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	s := ss.Load(r)
	if err := ss.SignIn(ctx, s, u.ID, "", ""); err != nil {
		b.Fatal(err)
	}
	if err := ss.Save(w, r, s); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(w.Result().Cookies()[0])
	b.ResetTimer()
	for b.Loop() {
		if id, _, err := ss.Resolve(ctx, ss.Load(req)); err != nil || id != u.ID {
			b.Fatalf("resolve: %d %v", id, err)
		}
	}
}
