package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/waymark-bpm/waymark/internal/config"

	"github.com/waymark-bpm/waymark/internal/pgtest"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// postgresDatabases maps a data directory to the PostgreSQL database that
// stands in for its SQLite file when WAYMARK_TEST_DATABASE=postgres runs
// the whole suite on PostgreSQL: an app restarted on the same data
// directory finds its data again.
var postgresDatabases sync.Map

func postgresFor(t testing.TB, dataDir string) string {
	t.Helper()
	if u, ok := postgresDatabases.Load(dataDir); ok {
		return u.(string)
	}
	u := pgtest.NewDatabase(t)
	postgresDatabases.Store(dataDir, u)
	return u
}

// sharedPermissions is workflowPermissions with alice also an admin, so she
// may save models.
var sharedPermissions = withAdmin(workflowPermissions, "alice")

// tickModel waits one second on a timer and ends.
const tickModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_tick" targetNamespace="http://waymark.test/tick">
  <bpmn:process id="tick" name="Tick" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="A second">
      <bpmn:timerEventDefinition id="ted">
        <bpmn:timeDuration>"PT1S"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`

// callModel calls an HTTP endpoint from a service task and ends; URL is
// replaced by the endpoint.
const callModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_call" targetNamespace="http://waymark.test/call">
  <bpmn:process id="call" name="Call" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hit" />
    <bpmn:serviceTask id="hit" name="Hit the endpoint">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequestV2" resultVariable="answer">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="&#34;URL&#34;" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="hit" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`

// sharedCluster starts two Waymark processes on one PostgreSQL database
// and one models directory, each with a data directory of its own and the
// same session key, as a deployment behind a load balancer would run them.
func sharedCluster(t *testing.T, endpoint string) (a, b *testApp) {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	shared := t.TempDir()
	vars := workflowVars(t, shared)
	models := vars["WAYMARK_MODELS_DIR"]
	for name, body := range map[string]string{
		"tick/process_model.json": `{"display_name": "Tick", "primary_file_name": "tick.bpmn", "primary_process_id": "tick"}`,
		"tick/tick.bpmn":          tickModel,
		"call/process_model.json": `{"display_name": "Call", "primary_file_name": "call.bpmn", "primary_process_id": "call"}`,
		"call/call.bpmn":          strings.Replace(callModel, "URL", endpoint, 1),
	} {
		path := filepath.Join(models, "purchases", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(vars["WAYMARK_PERMISSIONS_FILE"], []byte(sharedPermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["WAYMARK_DATABASE_URL"] = dbURL
	vars["WAYMARK_SESSION_KEY"] = strings.Repeat("shared-session-key-", 3)
	// The service the models call runs on loopback, which built-in
	// connectors may only call when allowed.
	vars["WAYMARK_CONNECTOR_ALLOW"] = "127.0.0.1/32"
	vars["WAYMARK_SCHEDULER_INTERVAL"] = "100ms"
	vars["WAYMARK_MODELS_RESCAN"] = "100ms"
	start := func() *testApp {
		v := map[string]string{"WAYMARK_DATA_DIR": t.TempDir()}
		for k, val := range vars {
			if k != "WAYMARK_DATA_DIR" {
				v[k] = val
			}
		}
		return startApp(t, v)
	}
	return start(), start()
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// spoilPostgres takes away the table a readiness check reads, as a
// database restored from the wrong backup would.
func spoilPostgres(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER TABLE schema_migrations RENAME TO schema_migrations_gone`); err != nil {
		t.Fatal(err)
	}
}

// TestTwoProcessesOnePostgres: two processes serve the same users and run
// the same instances; what one saves, the other sees.
func TestTwoProcessesOnePostgres(t *testing.T) {
	var hits atomic.Int64
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": true}`)
	}))
	defer endpoint.Close()
	a, b := sharedCluster(t, endpoint.URL+"/hit")
	alice, bob := browser(t), browser(t)
	signIn(t, alice, a.url, "alice", "alice-secret")
	signIn(t, bob, b.url, "bob", "bob-secret")

	t.Run("an instance started on one process is completed on the other", func(t *testing.T) {
		loc := startInstance(t, a, alice, "purchases:approval")
		_, page := get(t, alice, a.url+loc)
		resp, _ := postForm(t, alice, a.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Chair"}, "amount": {"90"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("complete the request on the first process: %d", resp.StatusCode)
		}
		_, inbox := get(t, bob, b.url+"/inbox")
		link := inbox.Find(`tr.task a.task-link`).AttrOr("href", "")
		if link == "" {
			t.Fatal("bob's inbox on the second process is empty")
		}
		_, page = get(t, bob, b.url+link)
		resp, _ = postForm(t, bob, b.url+link+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "approved": {"true"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve on the second process: %d", resp.StatusCode)
		}
		id := strings.Split(strings.TrimPrefix(loc, "/tasks/"), "/")[0]
		_, doc := get(t, alice, a.url+"/instances/"+id)
		if got := doc.Find("#instance-status").Text(); got != "completed" {
			t.Errorf("status on the first process = %q: %s", got, a.logs.String())
		}
	})

	t.Run("one task completed on both processes at once is completed once", func(t *testing.T) {
		cathy := browser(t)
		signIn(t, cathy, a.url, "cathy", "cathy-secret")
		ctx := context.Background()
		for round := range 5 {
			loc := startInstance(t, a, alice, "purchases:approval")
			_, page := get(t, alice, a.url+loc)
			resp, _ := postForm(t, alice, a.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Pen"}, "amount": {"2"}}, nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("round %d: complete the request: %d", round, resp.StatusCode)
			}
			id := strings.Split(strings.TrimPrefix(loc, "/tasks/"), "/")[0]
			approve := "/tasks/" + id + "/3"
			_, bobPage := get(t, bob, b.url+approve)
			_, cathyPage := get(t, cathy, a.url+approve)
			bobForm := url.Values{"csrf_token": {csrfToken(t, bobPage)}, "approved": {"true"}}
			cathyForm := url.Values{"csrf_token": {csrfToken(t, cathyPage)}, "approved": {"true"}}
			statuses := make([]int, 2)
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				if r, err := bob.PostForm(b.url+approve+"/complete", bobForm); err == nil {
					r.Body.Close()
					statuses[0] = r.StatusCode
				}
			}()
			go func() {
				defer wg.Done()
				if r, err := cathy.PostForm(a.url+approve+"/complete", cathyForm); err == nil {
					r.Body.Close()
					statuses[1] = r.StatusCode
				}
			}()
			wg.Wait()
			// One completion is stored; the other learns it lost (409 when
			// the steps raced, or a refusal if the task was gone first),
			// never a server error.
			won, lost := 0, 0
			for _, st := range statuses {
				switch {
				case st == http.StatusSeeOther:
					won++
				case st >= 400 && st < 500:
					lost++
				}
			}
			if won != 1 || lost != 1 {
				t.Errorf("round %d: answers %v, want one 303 and one 4xx", round, statuses)
			}
			var instanceID int64
			fmt.Sscan(id, &instanceID)
			events, err := a.app.store.InstanceEvents(ctx, instanceID)
			if err != nil {
				t.Fatal(err)
			}
			completed := 0
			for _, e := range events {
				if e.ElementID == "approve" && e.Event == "COMPLETED" {
					completed++
				}
			}
			if completed != 1 {
				t.Errorf("round %d: the approval was completed %d times (answers %v)", round, completed, statuses)
			}
		}
	})

	t.Run("a model saved in one process is seen by the other", func(t *testing.T) {
		const file = "/api/process-models/purchases:approval/files/approval.bpmn"
		resp, body := apiCall(t, alice, "GET", a.url+file, "", nil)
		wantStatus(t, resp, http.StatusOK)
		changed := strings.Replace(string(body), `name="Approve the purchase"`, `name="Approve the purchase, second edition"`, 1)
		if changed == string(body) {
			t.Fatal("the approval task's name is not in the model")
		}
		resp, saved := apiCall(t, alice, "PUT", a.url+file, sessionToken(t, alice, a.url), []byte(changed))
		wantStatus(t, resp, http.StatusOK)
		if !strings.Contains(string(saved), `"saved":true`) {
			t.Fatalf("save on the first process: %s", saved)
		}

		bobAdmin := browser(t)
		signIn(t, bobAdmin, b.url, "alice", "alice-secret")
		resp, body = apiCall(t, bobAdmin, "GET", b.url+file, "", nil)
		wantStatus(t, resp, http.StatusOK)
		if string(body) != changed {
			t.Error("the second process serves the file as it was before the save")
		}
		_, history := get(t, bobAdmin, b.url+"/process-models/purchases:approval/files/approval.bpmn/history")
		if n := history.Find("tr").Length(); n < 2 {
			t.Errorf("the second process lists %d history rows, want the saved version too", n)
		}
		loc := startInstance(t, b, bobAdmin, "purchases:approval")
		_, page := get(t, bobAdmin, b.url+loc)
		resp, _ = postForm(t, bobAdmin, b.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Lamp"}, "amount": {"40"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("complete the request on the second process: %d", resp.StatusCode)
		}
		_, inbox := get(t, bob, b.url+"/inbox")
		if !strings.Contains(inbox.Find("tr.task").Text(), "second edition") {
			t.Errorf("an instance started on the second process runs the old model: %s", inbox.Find("tr.task").Text())
		}
	})

	t.Run("a model copied into the shared directory by hand is seen by both", func(t *testing.T) {
		dir := filepath.Join(a.app.models.Root(), "purchases", "handmade")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tick.bpmn"), []byte(strings.ReplaceAll(tickModel, `"tick"`, `"handmade"`)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "process_model.json"), []byte(`{"display_name": "Made by hand", "primary_file_name": "tick.bpmn", "primary_process_id": "handmade"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*testApp{a, b} {
			waitFor(t, "the hand-made model listed on "+p.url, func() bool {
				_, doc := get(t, alice, p.url+"/models")
				return strings.Contains(doc.Text(), "Made by hand")
			})
		}
		if loc := startInstance(t, b, alice, "purchases:handmade"); loc == "" {
			t.Error("starting the hand-made model on the second process went nowhere")
		}
	})

	t.Run("a service call owed while both run is made once", func(t *testing.T) {
		const n = 12
		for range n {
			startInstance(t, a, alice, "purchases:call")
		}
		ctx := context.Background()
		waitFor(t, "every call instance completes", func() bool {
			list, _, err := a.app.store.Instances(ctx, store.InstanceFilter{ModelID: "purchases/call", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range list {
				if in.Status != store.StatusCompleted {
					return false
				}
			}
			return len(list) == n
		})
		if got := hits.Load(); got != n {
			t.Errorf("the endpoint was called %d times for %d instances", got, n)
		}
	})

	t.Run("a timer due while both run fires once", func(t *testing.T) {
		const n = 12
		for range n {
			startInstance(t, a, alice, "purchases:tick")
		}
		ctx := context.Background()
		st := a.app.store
		var tickIDs []int64
		waitFor(t, "every tick instance completes", func() bool {
			list, _, err := st.Instances(ctx, store.InstanceFilter{ModelID: "purchases/tick", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			tickIDs = tickIDs[:0]
			for _, in := range list {
				if in.Status != store.StatusCompleted {
					return false
				}
				tickIDs = append(tickIDs, in.ID)
			}
			return len(list) == n
		})
		for _, id := range tickIDs {
			events, err := st.InstanceEvents(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			fired := 0
			for _, e := range events {
				if e.ElementID == "wait" && e.Event == "COMPLETED" {
					fired++
				}
			}
			if fired != 1 {
				t.Errorf("instance %d: the timer completed %d times, want once", id, fired)
			}
		}
	})
}

// TestProcessesStartTogether starts several processes at once on an empty
// PostgreSQL database: migrations, the permissions file, the model index
// and the first-start admin are each written once, and every process
// comes up.
func TestProcessesStartTogether(t *testing.T) {
	t.Run("built-in permissions: each process would create the admin", func(t *testing.T) {
		startTogether(t, false, []string{"admin"})
	})
	t.Run("a permissions file: each process loads its users", func(t *testing.T) {
		startTogether(t, true, []string{"alice", "bob", "cathy"})
	})
}

func startTogether(t *testing.T, withFile bool, wantUsers []string) {
	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_DATABASE_URL"] = pgtest.NewDatabase(t)
	vars["WAYMARK_SESSION_KEY"] = strings.Repeat("shared-session-key-", 3)
	vars["WAYMARK_ADMIN_PASSWORD"] = "admin-secret"
	if !withFile {
		delete(vars, "WAYMARK_PERMISSIONS_FILE")
	}
	const n = 4
	apps := make([]*app, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		env := map[string]string{"WAYMARK_ADDR": "127.0.0.1:0"}
		for k, v := range vars {
			env[k] = v
		}
		env["WAYMARK_DATA_DIR"] = t.TempDir()
		cfg, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			apps[i], errs[i] = newApp(context.Background(), cfg, newLogger(io.Discard, cfg))
		}()
	}
	wg.Wait()
	for i, a := range apps {
		if a != nil {
			defer a.Close(context.Background())
		}
		if errs[i] != nil {
			t.Errorf("process %d did not start: %v", i, errs[i])
		}
	}
	if t.Failed() {
		return
	}
	ctx := context.Background()
	users, err := apps[0].store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	slices.Sort(names)
	if diff := cmp.Diff(wantUsers, names); diff != "" {
		t.Errorf("users after %d starts (-want +got):\n%s", n, diff)
	}
	if c, err := apps[0].store.IndexedProcessCount(ctx); err != nil || c == 0 {
		t.Errorf("indexed processes: %d, %v", c, err)
	}
}

// BenchmarkPostgresCompletions completes tasks over HTTP with 16 clients
// against one and then two processes sharing one PostgreSQL database, and
// reports completions per second over the whole run. Set
// WAYMARK_TEST_PG_DURABLE=1 to measure with fsync on.
func BenchmarkPostgresCompletions(b *testing.B) {
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("processes=%d", procs), func(b *testing.B) {
			dbURL := pgtest.NewDatabase(b)
			shared := b.TempDir()
			models := filepath.Join(shared, "models")
			if err := os.CopyFS(models, os.DirFS("testdata/models")); err != nil {
				b.Fatal(err)
			}
			perms := filepath.Join(shared, "permissions.yml")
			if err := os.WriteFile(perms, []byte("default_group: everybody\nusers:\n  bench:\n    password: bench-secret\ngroups:\n  requester:\n    users: [bench]\n"+"permissions:\n  basic:\n    groups: [everybody]\n    actions: [all]\n    uri: BASIC\n  start:\n    groups: [everybody]\n    actions: [read, start]\n    uri: PG:ALL\n"), 0o600); err != nil {
				b.Fatal(err)
			}
			var apps []*app
			var urls []string
			for range procs {
				env := map[string]string{"WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_DATA_DIR": b.TempDir(), "WAYMARK_MODELS_DIR": models,
					"WAYMARK_EXAMPLES": "false", "WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_LOG_LEVEL": "error",
					"WAYMARK_DATABASE_URL": dbURL, "WAYMARK_SESSION_KEY": strings.Repeat("shared-session-key-", 3)}
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
				apps = append(apps, a)
				urls = append(urls, "http://"+a.addr())
			}
			c, tok := benchClient(b, urls[0])
			me := runner.Actor{Username: "bench", Groups: []string{"requester"}}
			form := url.Values{"csrf_token": {tok}, "item": {"Laptop"}, "amount": {"1200"}}.Encode()
			const clients = 16
			var next atomic.Int64
			var failed atomic.Value
			b.ResetTimer()
			t0 := time.Now()
			var wg sync.WaitGroup
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						k := int(i) % procs
						id, err := apps[k].runner.Start(context.Background(), me, "purchases/approval", "", nil)
						if err != nil {
							failed.Store(err.Error())
							return
						}
						req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/tasks/%d/2/complete", urls[k], id), strings.NewReader(form))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						resp, err := c.Do(req)
						if err != nil {
							failed.Store(err.Error())
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusSeeOther {
							failed.Store(fmt.Sprintf("complete: %d", resp.StatusCode))
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(t0)
			if msg := failed.Load(); msg != nil {
				b.Fatal(msg)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "completions/s")
		})
	}
}
