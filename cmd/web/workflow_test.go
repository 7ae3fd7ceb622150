package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWorkflowOverHTTP runs the approval model through the pages: start,
// form validation, lanes in the inbox, 403 for a hand-made POST, the
// instance page and the states API.
func TestWorkflowOverHTTP(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")

	_, inbox := get(t, alice, ta.url+"/inbox")
	resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:approval/start", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tasks/1/2" {
		t.Fatalf("start: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := get(t, alice, ta.url+"/tasks/1/2")
	if got := page.Find(`#task-form input[name="item"]`).Length(); got != 1 {
		t.Fatalf("request form has %d item inputs", got)
	}
	if got := strings.TrimSpace(page.Find(".instructions p").Text()); got != "Say what you want to buy and why." {
		t.Errorf("instructions = %q", got)
	}

	t.Run("invalid input comes back with errors and what was typed", func(t *testing.T) {
		resp, doc := postForm(t, alice, ta.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"0"}}, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if got := doc.Find(`input[name="item"]`).AttrOr("value", ""); got != "Laptop" {
			t.Errorf("item kept as %q", got)
		}
		if doc.Find(`input[name="amount"][aria-invalid="true"]`).Length() != 1 {
			t.Errorf("amount not marked invalid: %s", doc.Find(".task-form").Text())
		}
	})

	resp, _ = postForm(t, alice, ta.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inbox" {
		t.Fatalf("complete request: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	taskLinks := func(c *http.Client, view string) []string {
		_, doc := get(t, c, ta.url+"/inbox?view="+view)
		var out []string
		for _, n := range doc.Find("tr.task a.task-link").Nodes {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
				}
			}
		}
		return out
	}
	if diff := cmp.Diff([]string{"/tasks/1/3"}, taskLinks(bob, "mine")); diff != "" {
		t.Errorf("bob's inbox (-want +got):\n%s", diff)
	}
	if got := taskLinks(alice, "mine"); len(got) != 0 {
		t.Errorf("alice's inbox shows %v", got)
	}
	if diff := cmp.Diff([]string{"/tasks/1/3"}, taskLinks(alice, "started")); diff != "" {
		t.Errorf("alice's started view (-want +got):\n%s", diff)
	}

	t.Run("nobody outside the lane opens or completes the task", func(t *testing.T) {
		if resp, _ := get(t, alice, ta.url+"/tasks/1/3"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("page: %d", resp.StatusCode)
		}
		_, doc := get(t, alice, ta.url+"/inbox")
		resp, _ := postForm(t, alice, ta.url+"/tasks/1/3/complete", url.Values{"csrf_token": {csrfToken(t, doc)}, "approved": {"true"}}, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("hand-made POST: %d", resp.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodPost, ta.url+"/api/tasks/1/3", strings.NewReader(`{"approved": true}`))
		req.Header.Set("X-CSRF-Token", csrfToken(t, doc))
		req.Header.Set("Content-Type", "application/json")
		if resp, _ := do(t, alice, req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("API: %d", resp.StatusCode)
		}
		if n := strings.Count(ta.logs.String(), "task access refused"); n != 3 {
			t.Errorf("refused attempts logged %d times, want 3", n)
		}
	})

	_, page = get(t, bob, ta.url+"/tasks/1/3")
	// Instructions are Jinja over the task data, then Markdown.
	if got := page.Find(".instructions strong").Text(); got != "Laptop" {
		t.Errorf("rendered instructions bold = %q (%s)", got, page.Find(".instructions").Text())
	}
	resp, _ = postForm(t, bob, ta.url+"/tasks/1/3/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "approved": {"true"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	_, doc := get(t, alice, ta.url+"/instances/1")
	if got := doc.Find("#instance-status").Text(); got != "completed" {
		t.Errorf("status = %q", got)
	}
	var path []string
	for _, n := range doc.Find("#path-taken li").Nodes {
		for _, a := range n.Attr {
			if a.Key == "data-element" {
				path = append(path, a.Val)
			}
		}
	}
	if diff := cmp.Diff([]string{"start", "request", "approve", "record", "end"}, path); diff != "" {
		t.Errorf("path taken (-want +got):\n%s", diff)
	}
	r, err := alice.Get(ta.url + "/api/instances/1/states")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	var states map[string][]string
	if err := json.Unmarshal(body, &states); err != nil {
		t.Fatalf("states: %v: %s", err, body)
	}
	if len(states["completed"]) != 5 || len(states["ready"]) != 0 {
		t.Errorf("states = %v", states)
	}
	_, list := get(t, alice, ta.url+"/instances")
	if got := strings.TrimSpace(list.Find("tr.instance td.metadata").Text()); got != "Laptop" {
		t.Errorf("metadata column = %q", got)
	}
}

// TestRestartMidFlow stops the whole app between two tasks and continues
// on the same data directory.
func TestRestartMidFlow(t *testing.T) {
	dataDir := t.TempDir()
	first := startApp(t, workflowVars(t, dataDir))
	alice := browser(t)
	signIn(t, alice, first.url, "alice", "alice-secret")
	_, doc := get(t, alice, first.url+"/inbox")
	postForm(t, alice, first.url+"/process-models/purchases:approval/start", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
	_, page := get(t, alice, first.url+"/tasks/1/2")
	resp, _ := postForm(t, alice, first.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Desk"}, "amount": {"300"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete request: %d", resp.StatusCode)
	}
	first.stop()

	second := startApp(t, workflowVars(t, dataDir))
	bob := browser(t)
	signIn(t, bob, second.url, "bob", "bob-secret")
	_, inbox := get(t, bob, second.url+"/inbox")
	if got := inbox.Find(`tr.task a.task-link`).AttrOr("href", ""); got != "/tasks/1/3" {
		t.Fatalf("bob's inbox after restart links %q", got)
	}
	_, page = get(t, bob, second.url+"/tasks/1/3")
	if got := page.Find(`input[name="approved"]`).Length(); got == 0 {
		t.Fatal("approval form missing after restart")
	}
	resp, _ = postForm(t, bob, second.url+"/tasks/1/3/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "approved": {"true"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve after restart: %d", resp.StatusCode)
	}
	_, doc = get(t, bob, second.url+"/instances/1")
	if got := doc.Find("#instance-status").Text(); got != "completed" {
		t.Errorf("status after restart = %q", got)
	}
}
