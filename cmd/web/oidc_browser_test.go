package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestOIDCSignInBrowser signs in through the test provider in Chromium:
// the provider's button, its login form, back to Waymark with the lane
// task the provider's groups claim grants; then signs out, which ends the
// session at the provider too, so the next sign-in asks for the password
// again.
func TestOIDCSignInBrowser(t *testing.T) {
	e := startOIDC(t, nil)

	// Alice (password) starts the approval model and fills the request.
	alice := browser(t)
	signIn(t, alice, e.url, "alice", "alice-secret")
	task := startInstance(t, e.ta, alice, "purchases:approval")
	_, page := get(t, alice, e.url+task)
	resp, _ := postForm(t, alice, e.url+task+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete the request: %d", resp.StatusCode)
	}

	c := newChrome(t)
	var name, link string
	c.run(t,
		chromedp.Navigate(e.url+"/sign-in"),
		chromedp.WaitVisible(`#sign-in-test`),
		chromedp.Click(`#sign-in-test`),
		chromedp.WaitVisible(`#op-username`),
		chromedp.SendKeys(`#op-username`, "dora"),
		chromedp.SendKeys(`#op-password`, "dora-pw"),
		chromedp.Click(`#op-submit`),
		chromedp.WaitVisible(`.account`),
		chromedp.Text(`.account strong`, &name),
		chromedp.WaitVisible(`tr.task a.task-link`),
		chromedp.Text(`tr.task a.task-link`, &link),
	)
	if name != "Dora Approver" || link != "Approve the purchase" {
		t.Errorf("signed in as %q with task %q", name, link)
	}
	var location string
	c.eval(t, `location.pathname`, &location)
	if location != "/inbox" {
		t.Errorf("landed on %s", location)
	}

	var flash string
	c.run(t,
		chromedp.Click(`.account button[type="submit"]`),
		chromedp.WaitVisible(`#sign-in-test`),
		chromedp.Text(`.flash`, &flash),
	)
	c.eval(t, `location.href`, &location)
	if location != e.url+"/sign-in" || !strings.Contains(flash, "You have signed out") {
		t.Errorf("after sign-out: %s with flash %q", location, flash)
	}
	if diff := cmp.Diff([]string{"sub-dora"}, e.op.SignedOut()); diff != "" {
		t.Errorf("sessions ended at the provider (-want +got):\n%s", diff)
	}

	// Signed out at the provider too: its login form comes back.
	c.run(t,
		chromedp.Click(`#sign-in-test`),
		chromedp.WaitVisible(`#op-username`),
	)
}
