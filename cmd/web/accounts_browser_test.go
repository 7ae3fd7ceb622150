package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSignInThrottleInBrowser checks that htmx swaps in the refusal of a
// throttled sign-in (429) with its message, as it does for a wrong
// password (422), and that the account page marks this browser's session.
func TestSignInThrottleInBrowser(t *testing.T) {
	clock := newFakeClock()
	ta := startAppClock(t, merge(withPermissions(t), map[string]string{
		"WAYMARK_SIGNIN_DELAY_AFTER": "1", "WAYMARK_SIGNIN_LOCK_AFTER": "5"}), clock)
	c := newChrome(t)
	attempt := func(password string) (msg string, samePage bool) {
		var marked bool
		c.run(t,
			chromedp.Navigate(ta.url+"/sign-in"),
			chromedp.WaitVisible(`input[name="username"]`),
		)
		c.eval(t, `window.__samePage = true`, &marked)
		c.run(t,
			chromedp.SendKeys(`input[name="username"]`, "bob"),
			chromedp.SendKeys(`input[name="password"]`, password),
			// A click, not form.submit(): htmx handles the submit event.
			chromedp.Click(`#sign-in-form button[type="submit"]`),
			chromedp.WaitVisible(`#sign-in-error`),
			chromedp.Text(`#sign-in-error`, &msg),
		)
		c.eval(t, `window.__samePage === true`, &samePage)
		return msg, samePage
	}
	if got, same := attempt("wrong"); got != "Incorrect username or password." || !same {
		t.Errorf("wrong password shows %q (swapped in: %v)", got, same)
	}
	if got, same := attempt("bob-secret"); got != "Too many failed sign-ins. Try again in a second." || !same {
		t.Errorf("throttled attempt shows %q (swapped in: %v)", got, same)
	}
	clock.Advance(time.Second)
	c.signIn(t, ta.url, "bob", "bob-secret")
	var current int
	c.run(t, chromedp.Click(`#account-link`), chromedp.WaitVisible(`#sessions`))
	c.eval(t, `document.querySelectorAll("#sessions tbody tr.current").length`, &current)
	if current != 1 {
		t.Errorf("account page marks %d sessions as this browser", current)
	}
}
