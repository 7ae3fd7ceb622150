package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/config"
)

// BenchmarkAPICompleteJSON measures what one authenticated JSON completion
// costs the server: the whole handler stack (request id, metrics, access
// log, cross-origin check, session or bearer token, CSRF check, user and
// groups, permission rules, task read, form validation, engine restore,
// complete and snapshot, the writer's transaction), called in this
// goroutine through httptest, so the figure holds no network or client
// costs. Each op completes the review task of one instance of the demo's
// expense approval (seeded before the timer starts) on a real SQLite file.
// The database syncs NORMAL, so ns/op is the request's CPU and the commit,
// not a disk flush per op. cpu-µs/op is the CPU time the whole process
// spent per op (the writer's goroutine included), which other load on the
// machine changes less than ns/op; allocs/op is the figure to watch for
// regressions.
//
//	go test ./cmd/web -run '^$' -bench BenchmarkAPICompleteJSON -benchmem -cpu 1
func BenchmarkAPICompleteJSON(b *testing.B) {
	a, base, password := benchCompleteApp(b)
	ctx := context.Background()
	session, err := benchSignIn(ctx, base, benchUser, password)
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := auth.NewAPITokens(a.store, time.Now).Create(ctx, benchUser, "bench", benchUser, 0)
	if err != nil {
		b.Fatal(err)
	}
	body := `{"decision":"approve","review_comment":"Fine."}`
	run := func(b *testing.B, path string, header map[string]string) {
		tasks, err := seedBench(ctx, a, b.N)
		if err != nil {
			b.Fatal(err)
		}
		h := a.server.Handler
		b.ReportAllocs()
		cpu0 := processCPU()
		b.ResetTimer()
		for i := range b.N {
			t := tasks[i]
			req := httptest.NewRequest(http.MethodPost, fmt.Sprintf(path, t.instance, t.task), strings.NewReader(body))
			req.RemoteAddr = "127.0.0.1:40000"
			req.Header.Set("Content-Type", "application/json")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("complete %d/%d: %d %s", t.instance, t.task, rec.Code, rec.Body.String())
			}
		}
		b.StopTimer()
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	}
	b.Run("session", func(b *testing.B) {
		run(b, "/api/tasks/%d/%d", map[string]string{"Cookie": session.cookie, "X-CSRF-Token": session.csrf})
	})
	b.Run("token", func(b *testing.B) {
		run(b, "/api/v1/tasks/%d/%d", map[string]string{"Authorization": "Bearer " + token})
	})
}

// benchCompleteApp starts the real wiring on a temporary directory with
// the demo models and the bench user of `web bench`, and returns the app,
// its address and the user's password.
func benchCompleteApp(b *testing.B) (*app, string, string) {
	b.Helper()
	dir := b.TempDir()
	password := "bench-secret-1234"
	perms := filepath.Join(dir, "permissions.yml")
	yml := fmt.Sprintf("users:\n  %s:\n    password: %s\ngroups:\n  approvers:\n    users: [%s]\n  employees:\n    users: [%s]\n"+
		"permissions:\n  basic:\n    groups: [employees]\n    actions: [all]\n    uri: BASIC\n"+
		"  start:\n    groups: [employees]\n    actions: [read, start]\n    uri: PG:ALL\n",
		benchUser, password, benchUser, benchUser)
	if err := os.WriteFile(perms, []byte(yml), 0o600); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{
		"WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_DATA_DIR": filepath.Join(dir, "data"), "WAYMARK_EXAMPLES": "true",
		"WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_LOG_LEVEL": "error", "WAYMARK_SQLITE_SYNC": "NORMAL",
		"WAYMARK_SCHEDULER_INTERVAL": "1h",
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, newLogger(io.Discard, cfg))
	if err != nil {
		b.Fatal(err)
	}
	go a.serve()
	b.Cleanup(func() { a.Close(context.Background()) })
	return a, "http://" + a.addr(), password
}
