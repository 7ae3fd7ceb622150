package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRefusedTaskFormInBrowser: a task form refused for its values comes
// back with them and the errors, and the address bar shows the task page,
// so a reload opens the task instead of posting again; once the form is
// accepted, the page it leads to says so.
func TestRefusedTaskFormInBrowser(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := newChrome(t)
	alice.signIn(t, ta.url, "alice", "alice-secret")
	alice.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	alice.startModel(t, "purchases:approval")

	var flash, path, item string
	alice.run(t,
		chromedp.WaitVisible(`#task-form input[name="item"]`),
		chromedp.Text(`.flash`, &flash),
		chromedp.SendKeys(`#task-form input[name="item"]`, "Laptop"),
		chromedp.SendKeys(`#task-form input[name="amount"]`, "0"),
		// The server's check, not the browser's, is under test.
		chromedp.Evaluate(`document.querySelector("#task-form").noValidate = true`, nil),
		chromedp.Click(`#task-form .form-actions button:last-child`),
		chromedp.WaitVisible(`#task-form input[name="amount"][aria-invalid="true"]`),
		chromedp.Value(`#task-form input[name="item"]`, &item),
	)
	if flash != "Started “Purchase approval” (instance #1)." {
		t.Errorf("flash after start %q", flash)
	}
	alice.eval(t, `location.pathname + location.search`, &path)
	if path != "/tasks/1/2" || item != "Laptop" {
		t.Errorf("refused form at %q with item %q, want /tasks/1/2 with Laptop", path, item)
	}

	// A reload is a GET of the task page.
	var invalid int
	alice.run(t, chromedp.Reload(), chromedp.WaitVisible(`#task-form input[name="item"]`))
	alice.eval(t, `document.querySelectorAll('[aria-invalid="true"]').length`, &invalid)
	if invalid != 0 {
		t.Errorf("reload shows %d invalid fields: the form was posted again", invalid)
	}

	alice.run(t,
		chromedp.SendKeys(`#task-form input[name="item"]`, "Laptop"),
		chromedp.SendKeys(`#task-form input[name="amount"]`, "1200"),
		chromedp.Click(`#task-form .form-actions button:last-child`),
		chromedp.WaitVisible(`#inbox-results`),
		chromedp.Text(`.flash`, &flash),
	)
	if flash != "“Describe the purchase” completed." {
		t.Errorf("flash after completing %q", flash)
	}
}

// TestStartNewAndFailedInBrowser: the Start new page filters as the user
// types (htmx, address updated), its Start button starts the model; the
// models tree unfolds a group on a click; a failure the user caused shows
// in the inbox's Failed view. With -update-screenshots it writes the
// screenshots of these pages the README shows.
func TestStartNewAndFailedInBrowser(t *testing.T) {
	ta := startApp(t, noticesVars(t))
	alice := newChrome(t)
	alice.signIn(t, ta.url, "alice", "alice-secret")

	// Type to filter; the page is not reloaded.
	alice.run(t, chromedp.Navigate(ta.url+"/start"), chromedp.WaitVisible(`#start-q`))
	var items int
	alice.eval(t, `window.__sameDocument = true; document.querySelectorAll("li.start-item").length`, &items)
	if items != 4 {
		t.Fatalf("%d processes on the page, want 4", items)
	}
	shot(t, alice, "start-new.png", "")
	alice.run(t, chromedp.SendKeys(`#start-q`, "stock"))
	alice.waitFor(t, "the search", `document.querySelectorAll("li.start-item").length === 1`)
	var same bool
	var path string
	alice.eval(t, `window.__sameDocument === true`, &same)
	alice.waitFor(t, "the address", `location.search === "?q=stock"`)
	alice.eval(t, `location.pathname + location.search`, &path)
	if !same || path != "/start?q=stock" {
		t.Errorf("search: same document %v, address %q", same, path)
	}

	// Its Start button starts the model and lands on the first task, which
	// says so; completing it makes the instance fail.
	var flash string
	alice.run(t,
		chromedp.Click(`li.start-item[data-model="purchases/checks"] button.start`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Text(`.flash`, &flash),
	)
	if flash != "Started “Stock checks” (instance #1)." {
		t.Errorf("flash after start %q", flash)
	}
	alice.run(t,
		chromedp.Click(`form[action="/tasks/1/2/complete"] button[type="submit"]`),
		chromedp.WaitVisible(`#inbox-results`),
	)

	// The inbox shows the failure under Failed.
	alice.run(t, chromedp.Click(`nav.tabs a[data-view="failed"]`), chromedp.WaitVisible(`table.failed-instances`))
	var rows []string
	alice.eval(t, `[...document.querySelectorAll("tr.failed")].map(r => r.dataset.instance)`, &rows)
	if len(rows) != 1 || rows[0] != "1" {
		t.Errorf("failed view rows %v", rows)
	}
	shot(t, alice, "inbox-failed.png", "")

	// The models tree: folded, a click on a group unfolds it.
	alice.run(t, chromedp.Navigate(ta.url+"/models"), chromedp.WaitVisible(`#model-tree`))
	var open, visible bool
	alice.eval(t, `document.querySelector('li.tree-group[data-id="purchases"] > details').open`, &open)
	if open {
		t.Error("the group starts unfolded")
	}
	alice.run(t, chromedp.Click(`li.tree-group[data-id="purchases"] > details > summary .count`))
	alice.waitFor(t, "the group to unfold", `document.querySelector('li.tree-group[data-id="purchases"] > details').open`)
	alice.eval(t, `document.querySelector('li.tree-model[data-id="purchases/checks"]').getClientRects().length > 0`, &visible)
	if !visible {
		t.Error("the unfolded group's models are not visible")
	}
	shot(t, alice, "models-tree.png", "")

	// A model's overview draws its primary diagram.
	alice.run(t, chromedp.Navigate(ta.url+"/process-models/purchases:approval"), chromedp.WaitVisible(`#model-diagram[data-ready="true"]`))
	var shapes int
	alice.eval(t, `document.querySelectorAll('#model-diagram .djs-element[data-element-id="approve"]').length`, &shapes)
	if shapes != 1 {
		t.Errorf("the overview's diagram has %d approve shapes", shapes)
	}
	shot(t, alice, "model-overview.png", "")
}

// TestInboxListAndDetailInBrowser: a task opens beside the inbox's list
// without a page load, with the inbox's address naming it; completing it
// opens the next one, and a reload shows the same.
func TestInboxListAndDetailInBrowser(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice, bob := browser(t), newChrome(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	for range 2 {
		loc := startInstance(t, ta, alice, "purchases:approval")
		_, page := get(t, alice, ta.url+loc)
		resp, _ := postForm(t, alice, ta.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil)
		wantStatus(t, resp, http.StatusSeeOther)
	}
	bob.signIn(t, ta.url, "bob", "bob-secret")
	bob.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#task-detail .pane-hint`))
	bob.eval(t, `window.__sameDocument = true`, nil)
	bob.run(t,
		chromedp.Click(`tr.task[data-instance="2"] a.task-link`),
		chromedp.WaitVisible(`#task-detail article.task-detail[data-instance="2"] #task-form`),
	)
	var same bool
	var path string
	bob.eval(t, `window.__sameDocument === true`, &same)
	bob.waitFor(t, "the address", `location.search.includes("open=2-3")`)
	bob.eval(t, `location.pathname + location.search`, &path)
	if !same || !strings.HasPrefix(path, "/inbox?") {
		t.Errorf("opened in the same document %v, address %q", same, path)
	}
	shot(t, bob, "inbox-detail.png", "")

	var flash string
	bob.run(t,
		chromedp.Click(`#task-detail #task-form input[name="approved"][type="checkbox"]`),
		chromedp.Click(`#task-detail #task-form .form-actions button:last-child`),
		chromedp.WaitVisible(`#task-detail article.task-detail[data-instance="1"]`),
		chromedp.Text(`.flash`, &flash),
	)
	if flash != "“Approve the purchase” completed. The instance is complete." {
		t.Errorf("flash %q", flash)
	}
	bob.eval(t, `location.pathname + location.search`, &path)
	if path != "/inbox?open=1-3" {
		t.Errorf("after completing: %q", path)
	}
	bob.run(t, chromedp.Reload(), chromedp.WaitVisible(`#task-detail article.task-detail[data-instance="1"]`))
}
