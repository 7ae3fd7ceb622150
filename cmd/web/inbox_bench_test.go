package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// benchApp starts the real wiring for a benchmark on 127.0.0.1:0 with the
// workflow models and a user "bench" in group g7 (and requester).
func benchApp(b testing.TB) (*app, string) {
	b.Helper()
	dir := b.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "models"), os.DirFS("testdata/models")); err != nil {
		b.Fatal(err)
	}
	perms := filepath.Join(dir, "permissions.yml")
	if err := os.WriteFile(perms, []byte("users:\n  bench:\n    password: bench-secret\ngroups:\n  g7:\n    users: [bench]\n  requester:\n    users: [bench]\n"+
		"permissions:\n  basic:\n    groups: [requester]\n    actions: [all]\n    uri: BASIC\n  start:\n    groups: [requester]\n    actions: [read, start]\n    uri: PG:ALL\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_DATA_DIR": dir, "WAYMARK_MODELS_DIR": filepath.Join(dir, "models"),
		"WAYMARK_EXAMPLES": "false", "WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_LOG_LEVEL": "error"}
	if os.Getenv("WAYMARK_TEST_DATABASE") == "postgres" {
		env["WAYMARK_DATABASE_URL"] = postgresFor(b, dir)
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
	return a, "http://" + a.addr()
}

// benchClient signs "bench" in and returns the client and a CSRF token.
func benchClient(b testing.TB, base string) (*http.Client, string) {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := func(u string) string {
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			b.Fatalf("no CSRF token on %s", u)
		}
		return string(m[1])
	}
	resp, err := c.PostForm(base+"/sign-in", url.Values{"csrf_token": {token(base + "/sign-in")}, "username": {"bench"}, "password": {"bench-secret"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	return c, token(base + "/inbox")
}

// inboxSpread, inboxOneGroup and inboxOneUser say who holds the 100,000
// open tasks seedInbox writes: 500 groups of two users each (the user
// "bench" sees the 200 of g7), all of them group g7, or all of them the
// user "bench" directly.
const (
	inboxSpread   = "spread"
	inboxOneGroup = "one-group"
	inboxOneUser  = "one-user"
	// inboxStarter: the user "bench" started all 100,000 instances, whose
	// tasks group g1 (not bench's) holds.
	inboxStarter = "one-starter"
	// inboxCompleted: the user "bench" completed all 100,000 tasks.
	inboxCompleted = "completed"
)

// rareTask says whether seedInbox makes task i one of the 100 that
// filters matching few select: another model and name, an extra owner
// group "rare", and an instance started in 2024.
func rareTask(i int) bool { return i%1000 == 999 }

// seedInbox writes 100,000 tasks, one per instance, held as dist says
// (open, except for inboxCompleted); one in 1,000 is rare (rareTask).
func seedInbox(b *testing.B, st *store.Store, dist string) {
	b.Helper()
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const tasks, groups = 100_000, 500
	starter := func(i int) string {
		if dist == inboxStarter {
			return "bench"
		}
		return fmt.Sprintf("user%d", i%1000)
	}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for i := range tasks {
			at := start.Add(time.Duration(i) * time.Second)
			model, name, startedAt := "purchases/approval", "Approve the purchase", at
			if rareTask(i) {
				model, name, startedAt = "purchases/rare", "Approve the rare purchase", at.AddDate(0, -6, 0)
			}
			id, err := tx.CreateInstance(ctx, store.Instance{ModelID: model, ProcessID: "approval", ProcessName: "Purchase approval",
				Status: store.StatusRunning, StartedBy: starter(i), StartedAt: startedAt, UpdatedAt: at, Snapshot: []byte("{}")})
			if err != nil {
				return err
			}
			g := fmt.Sprintf("g%d", i%groups)
			owner := "group:" + g
			switch dist {
			case inboxOneGroup:
				g, owner = "g7", "group:g7"
			case inboxOneUser:
				g, owner = "", "user:bench"
			case inboxStarter:
				g, owner = "g1", "group:g1"
			case inboxCompleted:
				g, owner = "g7", "group:g7"
			}
			owners := []string{owner}
			if rareTask(i) {
				owners = append(owners, "group:rare")
			}
			t := store.HumanTask{InstanceID: id, TaskID: 3, ElementID: "approve", Name: name,
				Kind: "userTask", Lane: g, AssignedGroup: g, WaitingFor: strings.TrimPrefix(strings.TrimPrefix(owner, "group:"), "user:"), ModelID: model, ProcessID: "approval",
				ProcessName: "Purchase approval", State: store.TaskOpen, CreatedAt: at, UpdatedAt: at, Data: "{}", Owners: owners}
			if dist == inboxCompleted {
				t.State, t.CompletedBy, t.CompletedAt = store.TaskCompleted, "bench", at.Add(time.Minute)
			}
			if err := tx.InsertHumanTask(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
}

// benchView is one inbox address a benchmark gets, and what its page must
// list.
type benchView struct {
	name, query, listed string
	fragment            bool
}

// filteredViews are the filtered and completed inbox pages measured for a
// distribution of tasks, each with a filter that matches many of the
// tasks the user sees (all, or the newest) and one that matches few (the
// 100 rare ones, spread through the list, or none).
func filteredViews(dist string) []benchView {
	many, few := "Approve the purchase", "Approve the rare purchase"
	view := "mine"
	switch dist {
	case inboxSpread:
		// The user sees 200 tasks of g7, none of them rare.
		few = "Nothing here"
	case inboxStarter:
		view = "started"
	case inboxCompleted:
		view = "completed"
	}
	var out []benchView
	for _, f := range []struct{ name, query, listed string }{
		{"process-many", "process=purchases:approval", many},
		{"process-few", "process=purchases:rare", few},
		{"text-many", "q=approve", many},
		{"text-few", "q=rare", few},
		{"date-many", "after=2025-01-01", many},
		{"date-few", "before=2024-12-31", few},
		{"group-many", "group=g7", many},
		{"group-few", "group=rare", few},
	} {
		listed := f.listed
		if f.name == "group-many" && (dist == inboxOneUser || dist == inboxStarter) {
			// No task of these is offered to g7.
			listed = "Nothing here"
		}
		out = append(out, benchView{f.name, "view=" + view + "&" + f.query, listed, false})
	}
	if dist == inboxCompleted {
		out = append(out, benchView{"completed", "view=completed", many, false})
	}
	return out
}

// BenchmarkInboxPage measures GET /inbox (the "ready for me" page, its
// htmx refresh fragment and the "my groups" page) with 100,000 open tasks
// for each way of holding them (spread: the user sees 200; one group or the
// user alone: the user sees all), and the counts every page shows (the
// tab counts and the badge, read from the store), and reports p50 and p95
// latency. The goal is p95 < 50 ms for all.
func BenchmarkInboxPage(b *testing.B) {
	for _, dist := range []struct {
		name, listed, groups, started string
	}{
		{inboxSpread, "200 tasks", "200 tasks", "Nothing here"},
		{inboxOneGroup, "100000 tasks", "100000 tasks", "Nothing here"},
		{inboxOneUser, "100000 tasks", "Nothing here", "Nothing here"},
		{inboxStarter, "Nothing here", "Nothing here", "100000 tasks"},
		{inboxCompleted, "Nothing here", "Nothing here", "Nothing here"},
	} {
		if only := os.Getenv("INBOX_BENCH_DIST"); only != "" && !slices.Contains(strings.Split(only, ","), dist.name) {
			continue
		}
		b.Run(dist.name, func(b *testing.B) {
			a, base := benchApp(b)
			seedInbox(b, a.store, dist.name)
			c, _ := benchClient(b, base)
			me := runner.Actor{Username: "bench", Groups: []string{"g7", "requester"}}
			views := []benchView{
				{"page", "view=mine", dist.listed, false},
				{"fragment", "view=mine", dist.listed, true},
				{"groups", "view=groups", dist.groups, false},
				{"started", "view=started", dist.started, false},
				{"counts", "", "", false},
			}
			views = append(views, filteredViews(dist.name)...)
			for _, view := range views {
				b.Run(view.name, func(b *testing.B) {
					var lat []time.Duration
					for b.Loop() {
						t0 := time.Now()
						if view.name == "counts" {
							counts, err := a.store.InboxCounts(context.Background(), me.Viewer(), me.Groups)
							if err != nil {
								b.Fatal(err)
							}
							badge, err := a.store.InboxBadge(context.Background(), me.Viewer())
							if err != nil {
								b.Fatal(err)
							}
							lat = append(lat, time.Since(t0))
							want := map[string]int{}
							for view, listed := range map[string]string{"mine": dist.listed, "groups": dist.groups, "started": dist.started} {
								n := 0
								fmt.Sscan(listed, &n) // "Nothing here" leaves 0
								want[view] = n
							}
							if badge != want["mine"] || !maps.Equal(counts, want) {
								b.Fatalf("badge %d, counts %v; want %v", badge, counts, want)
							}
							continue
						}
						req, _ := http.NewRequest(http.MethodGet, base+"/inbox?"+view.query, nil)
						if view.fragment {
							req.Header.Set("HX-Request", "true")
						}
						resp, err := c.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						body, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						lat = append(lat, time.Since(t0))
						if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), view.listed) {
							b.Fatalf("inbox %s: %d, %s not listed", view.query, resp.StatusCode, view.listed)
						}
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
				})
			}
		})
	}
}

// BenchmarkTaskCompleteHTTP measures completing a task end to end over
// HTTP: session, CSRF check, form decoding and validation against the
// schema, engine restore, complete and snapshot, and the SQLite
// transaction. Run with -cpu 1 for the one-core figure.
func BenchmarkTaskCompleteHTTP(b *testing.B) {
	a, base := benchApp(b)
	c, tok := benchClient(b, base)
	me := runner.Actor{Username: "bench", Groups: []string{"g7", "requester"}}
	ctx := context.Background()
	form := url.Values{"csrf_token": {tok}, "item": {"Laptop"}, "amount": {"1200"}}.Encode()
	var elapsed time.Duration
	n := 0
	for b.Loop() {
		id, err := a.runner.Start(ctx, me, "purchases/approval", "", nil)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/tasks/%d/2/complete", base, id), strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		t0 := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		elapsed += time.Since(t0)
		n++
		if resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("complete: %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "completions/s")
}
