package main

import (
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
