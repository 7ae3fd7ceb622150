package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/waymark-bpm/waymark/internal/runner"
)

// TestTaskPostReadsNoCounts completes a task through its form while the
// inbox's kept counts cannot be read: the post still leads to the next
// task ready in the inbox, so neither it nor its redirect counted
// anything, while the inbox page itself, which shows the counts, fails.
// With the counts back, the badge says how many tasks are left.
func TestTaskPostReadsNoCounts(t *testing.T) {
	t.Setenv("WAYMARK_TEST_DATABASE", "sqlite")
	a, base := benchApp(t)
	c, tok := benchClient(t, base)
	me := runner.Actor{Username: "bench", Groups: []string{"g7", "requester"}}
	ctx := context.Background()
	var ids []int64
	for range 2 {
		id, err := a.runner.Start(ctx, me, "purchases/approval", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	badge := func() string {
		t.Helper()
		resp, err := c.Get(base + "/inbox")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("inbox: status %d", resp.StatusCode)
		}
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(doc.Find("nav.main-nav .count").First().Text())
	}
	if got := badge(); got != "2" {
		t.Fatalf("badge %q with two requests open, want 2", got)
	}

	db, err := sql.Open("sqlite3", filepath.Join(a.cfg.DataDir, databaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rename := func(from, to string) {
		t.Helper()
		if _, err := db.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
			t.Fatal(err)
		}
	}
	rename("inbox_counts", "inbox_counts_away")
	resp, err := c.Get(base + "/inbox")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("inbox without its counts: status %d, want 500 (the page reads them)", resp.StatusCode)
	}
	form := url.Values{"csrf_token": {tok}, "item": {"Laptop"}, "amount": {"1200"}}
	resp, err = c.PostForm(fmt.Sprintf("%s/tasks/%d/2/complete", base, ids[0]), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: status %d, want 303", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Location"), fmt.Sprintf("/inbox?open=%d-2", ids[1]); got != want {
		t.Errorf("complete leads to %q, want %q (the next task, found without counting)", got, want)
	}
	rename("inbox_counts_away", "inbox_counts")
	if got := badge(); got != "1" {
		t.Errorf("badge %q after one request was completed, want 1", got)
	}
}
