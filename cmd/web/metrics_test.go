package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// metricsToken is the scraper's bearer token in these tests.
const metricsToken = "scrape-0123456789abcdef"

// metricsVars is workflowVars with cathy made an admin and a metrics token.
func metricsVars(t *testing.T) map[string]string {
	t.Helper()
	vars := workflowVars(t, t.TempDir())
	perms := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(perms, []byte(withAdmin(workflowPermissions, "cathy")), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["WAYMARK_PERMISSIONS_FILE"] = perms
	vars["WAYMARK_METRICS_TOKEN"] = metricsToken
	return vars
}

// scrape reads /metrics with the given Authorization header value ("" for
// none) through client c.
func scrape(t *testing.T, c *http.Client, base, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetrics drives a start and two completions (a form post and the
// JSON API), then scrapes /metrics in Prometheus' text format and checks
// every documented name, the request labels and the counts; only a bearer
// of the token or an admin may read it.
func TestMetrics(t *testing.T) {
	ta := startApp(t, metricsVars(t))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")

	_, inbox := get(t, alice, ta.url+"/inbox")
	if resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:approval/start", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	_, page := get(t, alice, ta.url+"/tasks/1/2")
	if resp, _ := postForm(t, alice, ta.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete request: %d", resp.StatusCode)
	}
	_, bobInbox := get(t, bob, ta.url+"/inbox")
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/api/tasks/1/3", strings.NewReader(`{"approved": true}`))
	req.Header.Set("X-CSRF-Token", csrfToken(t, bobInbox))
	req.Header.Set("Content-Type", "application/json")
	if resp, _ := do(t, bob, req); resp.StatusCode != http.StatusOK {
		t.Fatalf("API completion: %d", resp.StatusCode)
	}
	get(t, bob, ta.url+"/no/such/page/12345")

	t.Run("who may read", func(t *testing.T) {
		anon := browser(t)
		if code, _ := scrape(t, anon, ta.url, ""); code == http.StatusOK {
			t.Errorf("anonymous scrape: %d", code)
		}
		if code, _ := scrape(t, anon, ta.url, "Bearer wrong-token-0123456789"); code == http.StatusOK {
			t.Errorf("wrong token: %d", code)
		}
		if code, _ := scrape(t, bob, ta.url, ""); code != http.StatusForbidden {
			t.Errorf("bob (no admin): %d, want 403", code)
		}
		cathy := browser(t)
		signIn(t, cathy, ta.url, "cathy", "cathy-secret")
		if code, body := scrape(t, cathy, ta.url, ""); code != http.StatusOK || !strings.Contains(body, "waymark_steps_total") {
			t.Errorf("admin: %d", code)
		}
	})

	code, body := scrape(t, http.DefaultClient, ta.url, "Bearer "+metricsToken)
	if code != http.StatusOK {
		t.Fatalf("token scrape: %d\n%s", code, body)
	}
	// Every name README documents is exported.
	for _, name := range []string{
		"waymark_http_requests_total", "waymark_http_request_duration_seconds_bucket",
		"waymark_steps_total", "waymark_task_completions_total", "waymark_instances",
		"waymark_scheduler_lag_seconds", "waymark_job_queue_depth",
		"waymark_db_transaction_duration_seconds_bucket", "waymark_db_commit_duration_seconds_bucket",
		"waymark_db_write_batch_size_bucket", "waymark_metrics_source_errors_total",
		"waymark_db_checkpoints_total", "waymark_db_log_pages",
		"go_memstats_heap_inuse_bytes", "process_resident_memory_bytes",
	} {
		if !regexp.MustCompile(`(?m)^` + name + `[ {]`).MatchString(body) {
			t.Errorf("metric %s missing", name)
		}
	}
	want := []string{
		`waymark_http_requests_total{code="303",route="POST /tasks/{instance}/{task}/complete"} 1`,
		`waymark_http_requests_total{code="200",route="POST /api/tasks/{instance}/{task}"} 1`,
		`waymark_http_requests_total{code="303",route="POST /process-models/{id}/start"} 1`,
		`waymark_http_requests_total{code="404",route="/"} 1`,
		`waymark_task_completions_total 2`,
		`waymark_instances{status="completed"} 1`,
		`waymark_job_queue_depth{kind="service_jobs"} 0`,
		`waymark_scheduler_lag_seconds 0`,
	}
	for _, w := range want {
		if !strings.Contains(body, w+"\n") {
			t.Errorf("want line %s", w)
		}
	}
	// Raw paths never become labels.
	if strings.Contains(body, "12345") || strings.Contains(body, `route="/tasks/1/2`) {
		t.Error("a raw path leaked into a label")
	}
	// Three steps at least (start, two completions), each one committed
	// write transaction.
	if n := metricValue(t, body, "waymark_steps_total"); n < 3 {
		t.Errorf("steps = %v, want at least 3", n)
	}
	if n := metricValue(t, body, "waymark_db_write_batch_size_count"); n < 3 {
		t.Errorf("write transactions = %v, want at least 3", n)
	}
	// The commits are checkpointed beside the writer within 100 ms.
	for deadline := time.Now().Add(10 * time.Second); metricValue(t, body, `waymark_db_checkpoints_total{mode="passive"}`) < 1; {
		if time.Now().After(deadline) {
			t.Fatal("no passive checkpoint counted 10 s after the commits")
		}
		time.Sleep(50 * time.Millisecond)
		_, body = scrape(t, http.DefaultClient, ta.url, "Bearer "+metricsToken)
	}
}

func metricValue(t *testing.T, body, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s", name)
	}
	var v float64
	if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
		t.Fatalf("%s value %q: %v", name, m[1], err)
	}
	return v
}

// TestTaskDataLimitOverHTTP: a JSON API completion whose data would be
// stored beyond WAYMARK_TASK_DATA_MAX_BYTES is answered 413 with a message
// naming the variable, and the task stays open.
func TestTaskDataLimitOverHTTP(t *testing.T) {
	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_TASK_DATA_MAX_BYTES"] = "64KiB"
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	_, inbox := get(t, alice, ta.url+"/inbox")
	if resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:approval/start", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	post := func(item string) (*http.Response, map[string]any) {
		body, _ := json.Marshal(map[string]any{"item": item, "amount": 10})
		req, _ := http.NewRequest(http.MethodPost, ta.url+"/api/tasks/1/2", strings.NewReader(string(body)))
		req.Header.Set("X-CSRF-Token", csrfToken(t, inbox))
		req.Header.Set("Content-Type", "application/json")
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	resp, out := post(strings.Repeat("x", 100<<10))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("big completion: %d %v", resp.StatusCode, out)
	}
	if msg, _ := out["message"].(string); !strings.Contains(msg, `variable "item"`) || !strings.Contains(msg, "WAYMARK_TASK_DATA_MAX_BYTES") {
		t.Errorf("message %q, want it to name the variable and the setting", msg)
	}
	// A form post gets the error page with the same message.
	_, page := get(t, alice, ta.url+"/tasks/1/2")
	fresp, doc := postForm(t, alice, ta.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {strings.Repeat("y", 100<<10)}, "amount": {"3"}}, nil)
	if fresp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("big form post: %d", fresp.StatusCode)
	}
	if msg := text(doc, "#error p"); !strings.Contains(msg, `variable "item" of task request`) {
		t.Errorf("error page message %q, want it to name the variable", msg)
	}
	if resp, out := post("Laptop"); resp.StatusCode != http.StatusOK {
		t.Fatalf("small completion after the refused one: %d %v", resp.StatusCode, out)
	}
}

// TestMetricsUnderBasePath: behind a path prefix the scraper's route stays
// at the root beside /healthz, and the admin's is under the prefix, with
// request routes labelled by their patterns (without the prefix).
func TestMetricsUnderBasePath(t *testing.T) {
	vars := metricsVars(t)
	vars["WAYMARK_BASE_URL"] = "http://localhost:8000/waymark/"
	ta := startApp(t, vars)
	cathy := browser(t)
	resp, doc := get(t, cathy, ta.url+"/waymark/sign-in")
	wantStatus(t, resp, http.StatusOK)
	resp, _ = postForm(t, cathy, ta.url+"/waymark/sign-in", url.Values{"csrf_token": {csrfToken(t, doc)}, "username": {"cathy"}, "password": {"cathy-secret"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	if code, body := scrape(t, cathy, ta.url+"/waymark", ""); code != http.StatusOK || !strings.Contains(body, `route="POST /sign-in"`) {
		t.Errorf("admin under the prefix: %d", code)
	}
	code, body := scrape(t, http.DefaultClient, ta.url, "Bearer "+metricsToken)
	if code != http.StatusOK || !strings.Contains(body, `waymark_http_requests_total{code="303",route="POST /sign-in"} 1`) {
		t.Errorf("token at the root: %d\n%s", code, body)
	}
}
