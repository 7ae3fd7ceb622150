package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// countFailsBPMN: the requester starts it, an approver counts, and the
// next script fails (count is never set).
const countFailsBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_count" targetNamespace="http://waymark.test/count">
  <bpmn:collaboration id="collab_count">
    <bpmn:participant id="part_count" processRef="count" />
  </bpmn:collaboration>
  <bpmn:process id="count" name="Shelf count" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_requester" name="requester">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_approver" name="approvers">
        <bpmn:flowNodeRef>tally</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>total</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tally" />
    <bpmn:manualTask id="tally" name="Count the shelf" />
    <bpmn:sequenceFlow id="f2" sourceRef="tally" targetRef="total" />
    <bpmn:scriptTask id="total" name="Add it up">
      <bpmn:script>total = 12 * count</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="total" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`

// noticesVars is workflowVars with the count model added to purchases.
func noticesVars(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	model := filepath.Join(dir, "models", "purchases", "count")
	if err := os.CopyFS(filepath.Join(dir, "models"), os.DirFS("testdata/models")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(model, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"count.bpmn":         countFailsBPMN,
		"process_model.json": `{"display_name": "Shelf count", "primary_file_name": "count.bpmn", "primary_process_id": "count"}`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(model, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return workflowVars(t, dir)
}

// pressButton posts a page's form (CSRF token from the page) and follows
// the redirect, returning the page it lands on.
func pressButton(t *testing.T, ta *testApp, c *http.Client, from, action string) (string, *goquery.Document) {
	t.Helper()
	_, doc := get(t, c, ta.url+from)
	resp, _ := postForm(t, c, ta.url+action, url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d, want 303", action, resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	_, doc = get(t, c, ta.url+loc)
	return loc, doc
}

func failedRows(doc *goquery.Document) []string {
	return attrs(doc, "table.failed-instances tr.failed", "data-instance")
}

// TestPeopleAreTold: each action leaves a flash message on the page it
// leads to, once; a failure reaches the starter's and the last worker's
// Failed inbox view with a count on its tab, and nobody else's; counts
// read "1 task".
func TestPeopleAreTold(t *testing.T) {
	ta := startApp(t, noticesVars(t))
	alice, bob, cathy := browser(t), browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")
	signIn(t, cathy, ta.url, "cathy", "cathy-secret")

	// Starting says what started; completing says the task is done and
	// that the instance failed right after.
	loc, doc := pressButton(t, ta, alice, "/inbox", "/process-models/purchases:checks/start")
	if loc != "/tasks/1/2" {
		t.Fatalf("start led to %q", loc)
	}
	if got := text(doc, ".flash"); got != "Started “Stock checks” (instance #1)." {
		t.Errorf("flash after start %q", got)
	}
	if _, again := get(t, alice, ta.url+loc); again.Find(".flash").Length() != 0 {
		t.Error("the flash message shows again on reload")
	}
	_, doc = pressButton(t, ta, alice, loc, "/tasks/1/2/complete")
	if got := text(doc, ".flash"); got != "“Check the shelf” completed. The instance then stopped on an error in compute: see Failed in the inbox." {
		t.Errorf("flash after completing %q", got)
	}

	// The starter sees it under Failed, with a count on the tab.
	_, doc = get(t, alice, ta.url+"/inbox")
	if got := text(doc, `nav.tabs a[data-view="failed"] .count.alert-count`); got != "1" {
		t.Errorf("failed tab count %q, want 1", got)
	}
	_, doc = get(t, alice, ta.url+"/inbox?view=failed")
	if diff := cmp.Diff([]string{"1"}, failedRows(doc)); diff != "" {
		t.Errorf("alice's failed view (-want +got):\n%s", diff)
	}
	if got := text(doc, `tr.failed[data-instance="1"] code`); got != "compute" {
		t.Errorf("failed element %q", got)
	}
	if got := doc.Find(`tr.failed[data-instance="1"] a.instance-link`).AttrOr("href", ""); got != "/instances/1" {
		t.Errorf("failed row links %q", got)
	}
	if got := text(doc, "#inbox-results p.total"); got != "1 failed instance" {
		t.Errorf("total %q", got)
	}
	// Bob neither started nor worked on it.
	_, doc = get(t, bob, ta.url+"/inbox?view=failed")
	if got := failedRows(doc); len(got) != 0 {
		t.Errorf("bob sees failures %v", got)
	}
	if doc.Find(`nav.tabs a[data-view="failed"] .alert-count`).Length() != 0 {
		t.Error("bob's failed tab is highlighted with nothing failed")
	}

	// Instance actions say what they did and what came of it.
	_, doc = pressButton(t, ta, alice, "/instances/1", "/instances/1/retry")
	if got := text(doc, ".flash"); got != "Instance #1 retried. The instance then stopped on an error in compute: see Failed in the inbox." {
		t.Errorf("flash after retry %q", got)
	}
	_, doc = pressButton(t, ta, alice, "/instances/1", "/instances/1/suspend")
	if got := text(doc, ".flash"); got != "Instance #1 suspended." {
		t.Errorf("flash after suspend %q", got)
	}
	_, doc = get(t, alice, ta.url+"/inbox?view=failed")
	if got := failedRows(doc); len(got) != 0 {
		t.Errorf("a suspended instance is still listed as failed: %v", got)
	}

	// The last worker is told too: alice starts the count, bob does it,
	// the script fails. Cathy, in the same group, is not told.
	loc, doc = pressButton(t, ta, alice, "/inbox", "/process-models/purchases:count/start")
	if loc != "/instances/2" {
		t.Fatalf("start of count led to %q", loc)
	}
	if got := text(doc, ".flash"); got != "Started “Shelf count” (instance #2)." {
		t.Errorf("flash after start %q", got)
	}
	_, doc = get(t, bob, ta.url+"/inbox")
	if got := text(doc, "#inbox-results p.total"); got != "1 task" {
		t.Errorf("bob's inbox total %q, want 1 task", got)
	}
	taskURL := doc.Find("a.task-link").AttrOr("href", "")
	if taskURL == "" {
		t.Fatal("bob has no task")
	}
	loc, doc = pressButton(t, ta, bob, taskURL, taskURL+"/complete")
	if loc != "/inbox" {
		t.Errorf("after the last task bob went to %q", loc)
	}
	if got := text(doc, ".flash"); !strings.HasPrefix(got, "“Count the shelf” completed. The instance then stopped on an error in total") {
		t.Errorf("bob's flash %q", got)
	}
	for _, c := range []struct {
		name string
		c    *http.Client
		want []string
	}{
		{"bob", bob, []string{"2"}},
		{"alice", alice, []string{"2"}},
		{"cathy", cathy, nil},
	} {
		_, doc := get(t, c.c, ta.url+"/inbox?view=failed")
		if diff := cmp.Diff(c.want, failedRows(doc)); diff != "" {
			t.Errorf("%s's failed view (-want +got):\n%s", c.name, diff)
		}
	}
}

// postFrom posts a form as a browser does from a page: with the page's
// CSRF token and the page as Referer.
func postFrom(t *testing.T, ta *testApp, c *http.Client, page, action string, form url.Values, referer string) (*http.Response, *goquery.Document) {
	t.Helper()
	_, doc := get(t, c, ta.url+page)
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf_token") {
		form.Set("csrf_token", csrfToken(t, doc))
	}
	h := http.Header{}
	if referer != "" {
		h.Set("Referer", referer)
	}
	return postForm(t, c, ta.url+action, form, h)
}

// TestRefusedPostsComeBackAtGETAddresses: a refused form post sends the
// browser back to the form's page with the reason there, once; a page
// that must keep what was typed (the task form) answers in place but names
// its GET address for the browser to show.
func TestRefusedPostsComeBackAtGETAddresses(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	// Starting a model that does not exist, from the inbox.
	resp, _ := postFrom(t, ta, alice, "/inbox", "/process-models/purchases:nope/start", nil, ta.url+"/inbox?view=started")
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/inbox?view=started" {
		t.Fatalf("refused start sent back to %q", loc)
	}
	_, doc := get(t, alice, ta.url+"/inbox?view=started")
	if got := text(doc, "#form-error.refused"); !strings.HasPrefix(got, "Not found.") {
		t.Errorf("reason on the form's page %q", got)
	}
	if _, doc = get(t, alice, ta.url+"/inbox?view=started"); doc.Find("#form-error").Length() != 0 {
		t.Error("the reason shows again on reload")
	}

	// An expired form (wrong token) goes back too, so a reload gives a
	// fresh one.
	resp, _ = postFrom(t, ta, alice, "/inbox", "/process-models/purchases:checks/start", url.Values{"csrf_token": {"stale"}}, ta.url+"/inbox")
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, alice, ta.url+"/inbox")
	if got := text(doc, "#form-error"); !strings.HasPrefix(got, "Form expired.") {
		t.Errorf("expired form reason %q", got)
	}

	// Without a Referer, or with one from elsewhere, the error page answers
	// in place and names the GET address it belongs to.
	for name, ref := range map[string]string{"NoReferer": "", "ForeignReferer": "http://evil.example/inbox"} {
		resp, doc := postFrom(t, ta, alice, "/inbox", "/process-models/purchases:nope/start", nil, ref)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404 in place", name, resp.StatusCode)
		}
		if got := doc.Find("body").AttrOr("data-address", ""); got != "/process-models/purchases:nope" {
			t.Errorf("%s: page address %q", name, got)
		}
	}

	// A script's fetch gets the refusal itself, not a redirect.
	_, doc = get(t, alice, ta.url+"/inbox")
	resp, _ = postForm(t, alice, ta.url+"/process-models/purchases:nope/start", url.Values{"csrf_token": {csrfToken(t, doc)}},
		http.Header{"Referer": {ta.url + "/inbox"}, "Sec-Fetch-Mode": {"cors"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("fetch: status %d, want 404", resp.StatusCode)
	}

	// The task form keeps what was typed: it answers in place with its
	// errors and names the task page as its address.
	loc := startInstance(t, ta, alice, "purchases:approval")
	resp, doc = postFrom(t, ta, alice, loc, loc+"/complete", url.Values{"item": {"Laptop"}, "amount": {"0"}}, ta.url+loc)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := doc.Find(`input[name="item"]`).AttrOr("value", ""); got != "Laptop" {
		t.Errorf("item kept as %q", got)
	}
	if got := doc.Find("body").AttrOr("data-address", ""); got != loc {
		t.Errorf("task form's address %q, want %q", got, loc)
	}
	if doc.Find(`script[src*="js/address.js"]`).Length() != 1 {
		t.Error("the page does not load address.js")
	}
	// Pages answering a GET name no address.
	if _, doc = get(t, alice, ta.url+loc); doc.Find("body[data-address]").Length() != 0 {
		t.Error("a GET page names an address")
	}
}
