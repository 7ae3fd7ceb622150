package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// TestInboxBoundedTotalOverHTTP: a filter matching more than 1,000 tasks
// shows "1,000+" and pages on with Next and Previous to the last page,
// where the total is exact again; the JSON API says its total is a lower
// bound.
func TestInboxBoundedTotalOverHTTP(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	ctx := context.Background()
	const tasks = 1030
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err := ta.app.store.InTx(ctx, func(tx *store.Tx) error {
		for i := range tasks {
			at := start.Add(time.Duration(i) * time.Minute)
			id, err := tx.CreateInstance(ctx, store.Instance{ModelID: "purchases/approval", ProcessID: "approval", ProcessName: "Purchase approval",
				Status: store.StatusRunning, StartedBy: "bob", StartedAt: at, UpdatedAt: at, Snapshot: []byte("{}")})
			if err != nil {
				return err
			}
			if err := tx.InsertHumanTask(ctx, store.HumanTask{InstanceID: id, TaskID: 3, ElementID: "approve", Name: "Approve the purchase",
				Kind: "userTask", WaitingFor: "alice", ModelID: "purchases/approval", ProcessID: "approval", ProcessName: "Purchase approval",
				State: store.TaskOpen, CreatedAt: at, UpdatedAt: at, Data: "{}", Owners: []string{"user:alice"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	// Unfiltered, the kept count is exact.
	_, doc := get(t, alice, ta.url+"/inbox")
	if got := text(doc, "p.total"); got != "1030 tasks" {
		t.Errorf("unfiltered total %q", got)
	}
	_, doc = get(t, alice, ta.url+"/inbox?q=approve")
	if got := text(doc, "p.total"); got != "1,000+ tasks" {
		t.Errorf("filtered total %q, want 1,000+ tasks", got)
	}
	if got := text(doc, ".pager span"); got != "Page 1 of 40+" {
		t.Errorf("pager %q", got)
	}
	if doc.Find(`.pager a[rel="prev"]`).Length() != 0 {
		t.Error("the first page links to a previous one")
	}
	// Next past the counted pages: page 40, then 41, then the last.
	next := doc.Find(`.pager a[rel="next"]`).AttrOr("href", "")
	if !strings.Contains(next, "page=2") || !strings.Contains(next, "q=approve") {
		t.Fatalf("next page link %q", next)
	}
	for _, page := range []string{"40", "41"} {
		_, doc = get(t, alice, ta.url+"/inbox?q=approve&page="+page)
		if got := doc.Find("tr.task").Length(); got != 25 {
			t.Errorf("page %s lists %d tasks", page, got)
		}
		if next := doc.Find(`.pager a[rel="next"]`).AttrOr("href", ""); next == "" {
			t.Errorf("page %s has no next link", page)
		}
	}
	_, doc = get(t, alice, ta.url+"/inbox?q=approve&page=42")
	if got := doc.Find("tr.task").Length(); got != 5 {
		t.Errorf("last page lists %d tasks, want 5", got)
	}
	if got := text(doc, "p.total"); got != "1030 tasks" {
		t.Errorf("last page total %q, want the exact 1030 tasks", got)
	}
	if doc.Find(`.pager a[rel="next"]`).Length() != 0 || !strings.Contains(doc.Find(`.pager a[rel="prev"]`).AttrOr("href", ""), "page=41") {
		t.Errorf("last page: next %d, previous %q", doc.Find(`.pager a[rel="next"]`).Length(), doc.Find(`.pager a[rel="prev"]`).AttrOr("href", ""))
	}
	// Newest first: the last page ends with the first instance.
	if got := doc.Find("tr.task").Last().Find(`a[href$="/instances/1"]`).Length(); got != 1 {
		t.Errorf("the last row is not instance 1's task: %s", doc.Find("tr.task").Last().Text())
	}

	var list struct {
		Results    []json.RawMessage `json:"results"`
		Pagination struct {
			Total   int  `json:"total"`
			AtLeast bool `json:"total_at_least"`
			Next    bool `json:"next"`
		} `json:"pagination"`
	}
	r, err := alice.Get(ta.url + "/api/tasks?q=approve")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(r.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if len(list.Results) != 100 || list.Pagination.Total != 1000 || !list.Pagination.AtLeast || !list.Pagination.Next {
		t.Errorf("API with a filter matching 1030: %d results, pagination %+v", len(list.Results), list.Pagination)
	}
}
