package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTwoProcessesStepInTurn: an instance is started on one process, its
// first task completed on the other and its second on the first again.
// The first process still holds the instance as it started it; it must
// notice the other's write and step the stored state.
func TestTwoProcessesStepInTurn(t *testing.T) {
	a, b := sharedCluster(t, "http://127.0.0.1:9/unused")
	alice, aliceOnB, bob := browser(t), browser(t), browser(t)
	signIn(t, alice, a.url, "alice", "alice-secret")
	signIn(t, aliceOnB, b.url, "alice", "alice-secret")
	signIn(t, bob, a.url, "bob", "bob-secret")

	loc := startInstance(t, a, alice, "purchases:approval")
	_, page := get(t, aliceOnB, b.url+loc)
	resp, _ := postForm(t, aliceOnB, b.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Desk"}, "amount": {"120"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete the request on the second process: %d", resp.StatusCode)
	}
	id := strings.Split(strings.TrimPrefix(loc, "/tasks/"), "/")[0]
	approve := "/tasks/" + id + "/3"
	_, page = get(t, bob, a.url+approve)
	resp, _ = postForm(t, bob, a.url+approve+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "approved": {"true"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve on the first process: %d: %s", resp.StatusCode, a.logs.String())
	}
	_, doc := get(t, alice, a.url+"/instances/"+id)
	if got := doc.Find("#instance-status").Text(); got != "completed" {
		t.Fatalf("status %q after three steps on two processes", got)
	}
	if got := doc.Find(`tr[data-element="record"] pre.json`).Text(); !strings.Contains(got, `"Desk"`) || !strings.Contains(got, `"approved": true`) {
		t.Errorf("the last task's data lacks the request or the approval: %s", got)
	}
	if s := a.app.runner.InstanceCacheStats(); s.Stale < 1 {
		t.Errorf("the first process's cache: %+v; want the instance found stale", s)
	}
}
