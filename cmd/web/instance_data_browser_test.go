package main

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestInstanceTaskDataInBrowser: on the page of an instance with a long
// history, opening a task's data in the browser reads it from the server
// and shows it as JSON in place of the link.
func TestInstanceTaskDataInBrowser(t *testing.T) {
	ta := startBigInstance(t, 300)
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	c.run(t, chromedp.Navigate(ta.url+"/instances/1"),
		chromedp.Click(`tr[data-element="look"] details.lazy-data summary`),
		chromedp.WaitVisible(`tr[data-element="look"] details.lazy-data pre.json:not(:has(a))`))
	var text string
	c.run(t, chromedp.Text(`tr[data-element="look"] pre.json`, &text))
	var data map[string]any
	if err := json.Unmarshal([]byte(text), &data); err != nil {
		t.Fatalf("the opened data is not JSON: %v\n%s", err, text)
	}
	if results, _ := data["results"].([]any); len(results) != 300 {
		t.Fatalf("the manual task's data holds %d results, want 300", len(results))
	}
}
