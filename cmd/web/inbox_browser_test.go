package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestInboxInBrowser drives two browsers through the two-lane approval
// model: alice (requester) starts it and fills the request form; bob
// (approvers) sees the task arrive in his open inbox without reloading,
// alice never sees it; bob approves; the instance page shows the path
// taken; a hand-made POST by alice to bob's task gets 403.
func TestInboxInBrowser(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice, bob := newChrome(t), newChrome(t)
	alice.signIn(t, ta.url, "alice", "alice-secret")
	bob.signIn(t, ta.url, "bob", "bob-secret")

	// Bob's inbox is open and empty before anything starts.
	bob.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	var rows int
	bob.eval(t, `window.__sameDocument = true; document.querySelectorAll("tr.task").length`, &rows)
	if rows != 0 {
		t.Fatalf("bob starts with %d tasks", rows)
	}

	// Alice starts the model: the browser posts the start form with the
	// session's token and lands on her first task.
	alice.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	alice.startModel(t, "purchases:approval")
	var heading string
	alice.run(t,
		chromedp.WaitVisible(`#task-form input[name="item"]`),
		chromedp.Text(`#task-name`, &heading),
		chromedp.SendKeys(`#task-form input[name="item"]`, "Laptop"),
		chromedp.SendKeys(`#task-form input[name="amount"]`, "1200"),
		chromedp.Click(`#task-form .form-actions button:last-child`),
		chromedp.WaitVisible(`#inbox-results`),
	)
	if heading != "Describe the purchase" {
		t.Errorf("alice's first task is %q", heading)
	}
	alice.eval(t, `document.querySelectorAll("tr.task").length`, &rows)
	if rows != 0 {
		t.Errorf("alice's inbox shows %d tasks after submitting", rows)
	}

	// The approval appears in bob's open inbox through htmx polling.
	var link string
	var same bool
	bob.run(t, chromedp.WaitVisible(`tr.task a.task-link`), chromedp.Text(`tr.task a.task-link`, &link))
	bob.eval(t, `window.__sameDocument === true`, &same)
	if link != "Approve the purchase" || !same {
		t.Fatalf("bob's inbox shows %q (same document: %v)", link, same)
	}
	var count string
	bob.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.Text(`#nav-inbox-count`, &count))
	if count != "1" {
		t.Errorf("navigation count = %q", count)
	}

	// A hand-made POST by alice to bob's task is refused.
	var status int
	alice.eval(t, `fetch("/tasks/1/3/complete", {method: "POST",
		headers: {"X-CSRF-Token": document.querySelector('input[name="csrf_token"]').value, "Content-Type": "application/x-www-form-urlencoded"},
		body: "approved=true"}).then(r => r.status)`, &status)
	if status != 403 {
		t.Errorf("alice's POST to bob's task: %d", status)
	}

	// Bob approves, the task open beside his inbox's list; the page he
	// lands on says it is done.
	var instructions string
	bob.run(t,
		chromedp.Click(`tr.task a.task-link`),
		chromedp.WaitVisible(`#task-form input[name="approved"][type="checkbox"]`),
		chromedp.Text(`.instructions`, &instructions),
		chromedp.Click(`#task-form input[name="approved"][type="checkbox"]`),
		chromedp.Click(`#task-form .form-actions button:last-child`),
		chromedp.WaitVisible(`.flash`),
	)
	if !strings.Contains(instructions, "Approve Laptop for 1200") {
		t.Errorf("instructions = %q", instructions)
	}

	// The instance is complete and its page shows the path taken.
	var st string
	var path []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		bob.run(t, chromedp.Navigate(ta.url+"/instances/1"), chromedp.Text(`#instance-status`, &st))
		if st == "completed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	bob.eval(t, `[...document.querySelectorAll("#path-taken li")].map(li => li.dataset.element)`, &path)
	if st != "completed" || strings.Join(path, ",") != "start,request,approve,record,end" {
		t.Errorf("instance page: status %q, path %v", st, path)
	}

	// The diagram shows the same path: every element taken is coloured as
	// completed, and nothing is left ready.
	var done []string
	var live int
	bob.run(t, chromedp.WaitVisible(`#instance-diagram[data-ready="true"]`))
	bob.eval(t, `[...document.querySelectorAll("#instance-diagram .djs-element.wm-state-completed")].map(e => e.dataset.elementId).sort()`, &done)
	bob.eval(t, `document.querySelectorAll("#instance-diagram .wm-state-ready, #instance-diagram .wm-state-error").length`, &live)
	if strings.Join(done, ",") != "approve,end,record,request,start" || live != 0 {
		t.Errorf("diagram: completed %v, live %d", done, live)
	}
}
