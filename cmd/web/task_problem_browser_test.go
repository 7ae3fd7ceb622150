package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrokenTaskFormInBrowser: a task whose form file is missing shows an
// error saying what to do, with no Submit button; its link offers to
// create the file, and once created the task shows its form with Submit.
func TestBrokenTaskFormInBrowser(t *testing.T) {
	vars := withPermissions(t)
	vars["WAYMARK_MODELS_DIR"] = brokenFormRepo(t)
	vars["WAYMARK_EXAMPLES"] = "false"
	ta := startApp(t, vars)
	alice := newChrome(t)
	alice.signIn(t, ta.url, "alice", "alice-secret")
	alice.run(t, chromedp.Navigate(ta.url+"/models"), chromedp.WaitVisible(`#model-tree`))
	alice.startModel(t, "shop:order")

	var msg, color string
	var submits int
	alice.run(t, chromedp.WaitVisible(`#task-problem`), chromedp.Text(`#task-problem-message`, &msg))
	alice.eval(t, `document.querySelectorAll('#task-form, form[action$="/complete"] button').length`, &submits)
	alice.eval(t, `getComputedStyle(document.querySelector('#task-problem')).borderTopColor`, &color)
	if msg != "The form file describe-schema.json is missing from the model shop/order." || submits != 0 {
		t.Errorf("problem %q with %d submit forms", msg, submits)
	}
	var danger string
	alice.eval(t, `(() => { const p = document.createElement('p'); p.className = 'alert'; document.body.appendChild(p);
		const c = getComputedStyle(p).borderTopColor; p.remove(); return c; })()`, &danger)
	if color != danger {
		t.Errorf("the problem's border is %s, an error's is %s", color, danger)
	}
	shot(t, alice, "task-broken-form.png", "")

	// The fix: create the file, then the task shows its form.
	var heading, path string
	alice.run(t, chromedp.Click(`#task-problem-fix`), chromedp.WaitVisible(`#file-missing`), chromedp.Text(`#file-missing-heading`, &heading))
	if heading != "This file does not exist yet" {
		t.Errorf("the fix link opened %q", heading)
	}
	alice.run(t, chromedp.Click(`#file-missing-create button`), chromedp.WaitVisible(`.flash`))
	alice.eval(t, `location.pathname`, &path)
	if !strings.HasSuffix(path, "/files/describe-schema.json") {
		t.Errorf("after creating the file: %s", path)
	}
	alice.run(t, chromedp.Navigate(ta.url+"/tasks/1/2"), chromedp.WaitVisible(`#task-form`))
	var problems int
	alice.eval(t, `document.querySelectorAll('#task-problem').length`, &problems)
	if problems != 0 {
		t.Error("the task still shows a problem once its form exists")
	}
}
