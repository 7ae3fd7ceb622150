package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// TestStartNewPage: the page lists the models with a primary process by
// group with a Start button each, leads with the ones the user started
// lately (newest first), and searches by name, description and group,
// as a whole page and as the fragment htmx asks for.
func TestStartNewPage(t *testing.T) {
	ta := startApp(t, noticesVars(t))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")

	_, doc := get(t, alice, ta.url+"/start")
	if got := doc.Find(`nav.main-nav a[aria-current="page"]`).Text(); got != "Start new" {
		t.Errorf("current navigation item %q", got)
	}
	// In the group's display order (approval 0, count unset, checks 1,
	// delivery 2), as on the models page.
	want := []string{"purchases/approval", "purchases/count", "purchases/checks", "purchases/delivery"}
	if diff := cmp.Diff(want, attrs(doc, `section.start-group[data-group="purchases"] li.start-item`, "data-model")); diff != "" {
		t.Errorf("purchases group (-want +got):\n%s", diff)
	}
	if got := text(doc, "#start-results p.total"); got != "4 processes" {
		t.Errorf("total %q", got)
	}
	if doc.Find(".start-recent").Length() != 0 {
		t.Error("a recent list before anything was started")
	}
	if got := doc.Find(`li[data-model="purchases/checks"] form`).AttrOr("action", ""); got != "/process-models/purchases:checks/start" {
		t.Errorf("start form posts to %q", got)
	}
	if doc.Find(`li[data-model="purchases/checks"] form input[name="csrf_token"]`).AttrOr("value", "") == "" {
		t.Error("start form without CSRF token")
	}

	// Alice starts checks, then approval: approval leads.
	startInstance(t, ta, alice, "purchases:checks")
	startInstance(t, ta, alice, "purchases:approval")
	_, doc = get(t, alice, ta.url+"/start")
	if diff := cmp.Diff([]string{"purchases/approval", "purchases/checks"}, attrs(doc, ".start-recent li.start-item", "data-model")); diff != "" {
		t.Errorf("recently started (-want +got):\n%s", diff)
	}
	if got := doc.Find(".start-recent").Index(); got > doc.Find(`section.start-group[data-group="purchases"]`).Index() {
		t.Error("the recent list is not first")
	}
	// The model's overview lists its recent instances the user may see.
	_, doc = get(t, alice, ta.url+"/process-models/purchases:checks")
	if diff := cmp.Diff([]string{"1"}, attrs(doc, "#recent-instances tr[data-instance]", "data-instance")); diff != "" {
		t.Errorf("alice's recent instances of checks (-want +got):\n%s", diff)
	}
	if got := text(doc, "#model-instances"); got != "All 1 instance of this model" {
		t.Errorf("instances link %q", got)
	}
	if got := doc.Find("#model-instances").AttrOr("href", ""); got != "/instances?model=purchases%3Achecks" {
		t.Errorf("instances link to %q", got)
	}
	if _, doc := get(t, bob, ta.url+"/process-models/purchases:checks"); doc.Find("#recent-instances tr[data-instance]").Length() != 0 {
		t.Error("bob sees alice's instances on the overview")
	}
	// Bob started nothing: his page has no recent list.
	if _, doc := get(t, bob, ta.url+"/start"); doc.Find(".start-recent").Length() != 0 {
		t.Error("bob sees alice's recent starts")
	}

	for _, c := range []struct {
		q     string
		want  []string
		total string
	}{
		{"stock", []string{"purchases/checks"}, "1 process"},          // display name "Stock checks"
		{"shelf computes", []string{"purchases/checks"}, "1 process"}, // words of the description
		{"PURCHASE", want, "4 processes"},                             // the group, any case
		{"zzz", nil, ""},
	} {
		_, doc := get(t, bob, ta.url+"/start?q="+url.QueryEscape(c.q))
		if diff := cmp.Diff(c.want, attrs(doc, "section.start-group li.start-item", "data-model")); diff != "" {
			t.Errorf("q=%q (-want +got):\n%s", c.q, diff)
		}
		if got := text(doc, "#start-results p.total"); got != c.total {
			t.Errorf("q=%q: total %q", c.q, got)
		}
		if got := doc.Find("#start-q").AttrOr("value", ""); got != c.q {
			t.Errorf("q=%q: search box holds %q", c.q, got)
		}
	}
	_, doc = get(t, bob, ta.url+"/start?q=zzz")
	if got := text(doc, "#start-results .empty-state h2"); got != "No process matches" {
		t.Errorf("empty state for a search without results: %q", got)
	}

	// htmx gets the results alone.
	req, _ := http.NewRequest(http.MethodGet, ta.url+"/start?q=stock", nil)
	req.Header.Set("HX-Request", "true")
	resp, doc := do(t, bob, req)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("h1").Length() != 0 || doc.Find("#start-results li.start-item").Length() != 1 {
		t.Errorf("fragment: %d h1, %d items", doc.Find("h1").Length(), doc.Find("#start-results li.start-item").Length())
	}
}

// TestModelTreeFoldsWithCounts: the models tree shows its groups folded,
// each with the number of models under it; a search unfolds the matches
// and htmx receives only the results.
func TestModelTreeFoldsWithCounts(t *testing.T) {
	ta := startApp(t, noticesVars(t))
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")

	_, doc := get(t, c, ta.url+"/models")
	group := doc.Find(`#model-tree li.tree-group[data-id="purchases"] > details`)
	if group.Length() != 1 {
		t.Fatal("no purchases group in the tree")
	}
	if _, open := group.Attr("open"); open {
		t.Error("the group is unfolded without a search")
	}
	if got := selText(group, "summary .count"); got != "4" {
		t.Errorf("purchases count %q, want 4", got)
	}
	if got := group.Find("summary .count").AttrOr("title", ""); got != "4 models" {
		t.Errorf("count title %q", got)
	}
	if n := group.Find("li.tree-model").Length(); n != 4 {
		t.Errorf("%d models inside the folded group", n)
	}

	_, doc = get(t, c, ta.url+"/models?q=stock")
	group = doc.Find(`#model-tree li.tree-group[data-id="purchases"] > details`)
	if _, open := group.Attr("open"); !open {
		t.Error("a search does not unfold the matching group")
	}
	if diff := cmp.Diff([]string{"purchases/checks"}, attrs(doc, "#model-tree li.tree-model", "data-id")); diff != "" {
		t.Errorf("search stock (-want +got):\n%s", diff)
	}
	if got := selText(group, "summary .count"); got != "1" {
		t.Errorf("count while searching %q, want 1 (the matches)", got)
	}

	req, _ := http.NewRequest(http.MethodGet, ta.url+"/models?q=stock", nil)
	req.Header.Set("HX-Request", "true")
	resp, doc := do(t, c, req)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("h1").Length() != 0 || doc.Find("#model-results #model-tree li.tree-model").Length() != 1 {
		t.Errorf("fragment: %d h1, %d models", doc.Find("h1").Length(), doc.Find("#model-results li.tree-model").Length())
	}
}

func selText(s *goquery.Selection, selector string) string {
	return strings.TrimSpace(s.Find(selector).First().Text())
}

// TestClaimOnlyWhenShared: Claim is offered where more than one person
// could take the task (the approvers group: bob and cathy), not where only
// one could (the requester group: alice alone).
func TestClaimOnlyWhenShared(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")

	loc := startInstance(t, ta, alice, "purchases:approval")
	_, doc := get(t, alice, ta.url+"/inbox")
	if doc.Find(`tr.task[data-instance="1"]`).Length() != 1 {
		t.Fatal("alice's request is not in her inbox")
	}
	if n := doc.Find(`tr.task button.claim`).Length(); n != 0 {
		t.Errorf("%d Claim buttons on a task only alice can take", n)
	}
	if _, page := get(t, alice, ta.url+loc); page.Find("button.claim").Length() != 0 {
		t.Error("the task page offers Claim on a task only alice can take")
	}

	_, page := get(t, alice, ta.url+loc)
	resp, _ := postForm(t, alice, ta.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)

	_, doc = get(t, bob, ta.url+"/inbox")
	task := doc.Find(`tr.task[data-instance="1"]`)
	if task.Find("button.claim").Length() != 1 {
		t.Error("no Claim on a task bob and cathy could both take")
	}
	taskURL := task.Find("a.task-link").AttrOr("href", "")
	if _, page := get(t, bob, ta.url+taskURL); page.Find("button.claim").Length() != 1 {
		t.Error("the task page does not offer Claim on a shared task")
	}
}

// TestInboxListAndDetail: ?open= shows a task beside the inbox's list
// (what htmx pushes when a row is opened), htmx gets the task alone, a
// task the user may not open is named as such, and completing a task
// leads to the inbox with the next one open.
func TestInboxListAndDetail(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")
	for range 2 {
		loc := startInstance(t, ta, alice, "purchases:approval")
		_, page := get(t, alice, ta.url+loc)
		resp, _ := postForm(t, alice, ta.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil)
		wantStatus(t, resp, http.StatusSeeOther)
	}

	_, doc := get(t, bob, ta.url+"/inbox")
	if got := text(doc, "#task-detail .pane-hint"); got == "" {
		t.Error("no hint in the empty pane")
	}
	row := doc.Find(`tr.task[data-instance="2"] a.task-link`)
	if got := row.AttrOr("hx-get", ""); got != "/tasks/2/3" {
		t.Errorf("row opens %q", got)
	}
	if got := row.AttrOr("hx-push-url", ""); got != "/inbox?open=2-3&view=mine" && got != "/inbox?open=2-3" {
		t.Errorf("row pushes %q", got)
	}
	if got := row.AttrOr("href", ""); got != "/tasks/2/3" {
		t.Errorf("without JavaScript the row links %q", got)
	}

	_, doc = get(t, bob, ta.url+"/inbox?open=2-3")
	detail := doc.Find(`#task-detail article.task-detail[data-instance="2"][data-task="3"]`)
	if detail.Length() != 1 {
		t.Fatal("the task is not open beside the list")
	}
	if form := detail.Find("form#task-form"); form.AttrOr("action", "") != "/tasks/2/3/complete" || form.Find(`input[name="approved"][type="checkbox"]`).Length() != 1 {
		t.Errorf("the open task's form: action %q, %d approved checkboxes", form.AttrOr("action", ""), form.Find(`input[name="approved"][type="checkbox"]`).Length())
	}
	if doc.Find("tr.task").Length() != 2 {
		t.Errorf("%d rows beside the open task", doc.Find("tr.task").Length())
	}
	if n := doc.Find(`script[src*="js/forms.js"]`).Length(); n != 1 {
		t.Errorf("forms.js loaded %d times", n)
	}

	// Alice may not open bob's task: the pane says so, nothing leaks.
	_, doc = get(t, alice, ta.url+"/inbox?open=2-3")
	if doc.Find("#task-detail article.task-detail").Length() != 0 || !strings.Contains(text(doc, "#task-detail .alert"), "not one of yours") {
		t.Errorf("alice's pane: %q", text(doc, "#task-detail"))
	}
	_, doc = get(t, bob, ta.url+"/inbox?open=x")
	if !strings.Contains(text(doc, "#task-detail .alert"), "does not name a task") {
		t.Errorf("bad open: %q", text(doc, "#task-detail"))
	}

	// htmx receives the task alone.
	req, _ := http.NewRequest(http.MethodGet, ta.url+"/tasks/2/3", nil)
	req.Header.Set("HX-Request", "true")
	resp, doc := do(t, bob, req)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("header.site-header").Length() != 0 || doc.Find(`article.task-detail[data-task="3"]`).Length() != 1 {
		t.Error("the task fragment is not the task alone")
	}

	// Completing one leads to the inbox with the other open.
	_, doc = get(t, bob, ta.url+"/inbox?open=2-3")
	resp, _ = postForm(t, bob, ta.url+"/tasks/2/3/complete", url.Values{"csrf_token": {csrfToken(t, doc)}, "approved": {"true"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/inbox?open=1-3" {
		t.Errorf("after completing bob went to %q, want the next task open", loc)
	}
}
