package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// startInstance starts a model through its start button and returns where
// the app sent the user.
func startInstance(t *testing.T, ta *testApp, c *http.Client, modelURLID string) string {
	t.Helper()
	_, doc := get(t, c, ta.url+"/inbox")
	resp, _ := postForm(t, c, ta.url+"/process-models/"+modelURLID+"/start", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start %s: %d", modelURLID, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func attrs(doc *goquery.Document, selector, attr string) []string {
	var out []string
	doc.Find(selector).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr(attr, "")) })
	return out
}

// TestManualTaskErrorAndInstanceActions: the starter completes a manual
// task with its button; the next script fails and the instance page shows
// the element, the script line and the message; retry, suspend, resume and
// terminate work from the page's buttons and land in the event log.
func TestManualTaskErrorAndInstanceActions(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")

	loc := startInstance(t, ta, alice, "purchases:checks")
	if loc != "/tasks/1/2" {
		t.Fatalf("start sent the starter to %q, want the manual task", loc)
	}
	_, page := get(t, alice, ta.url+loc)
	if page.Find(`form[action="/tasks/1/2/complete"] button[type="submit"]`).Length() != 1 {
		t.Fatalf("manual task has no button: %s", page.Find("main").Text())
	}
	if got := text(page, ".instructions p"); got != "Count the boxes on shelf 4." {
		t.Errorf("instructions %q", got)
	}
	// Nobody but the starter may press it (no lane).
	if resp, _ := postForm(t, bob, ta.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob pressed alice's button: %d", resp.StatusCode)
	}
	resp, _ := postForm(t, alice, ta.url+"/tasks/1/2/complete", url.Values{"csrf_token": {csrfToken(t, page)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete manual task: %d", resp.StatusCode)
	}

	_, doc := get(t, alice, ta.url+"/instances/1")
	if got := text(doc, "#instance-status"); got != "error" {
		t.Fatalf("status %q, want error", got)
	}
	if got := text(doc, "#instance-error h2"); got != "Error in compute" {
		t.Errorf("error heading %q", got)
	}
	if got := text(doc, "#instance-error .line"); got != "line 2" {
		t.Errorf("error line %q", got)
	}
	if msg := text(doc, "#instance-error pre"); !strings.Contains(msg, "count") {
		t.Errorf("error message %q does not name the undefined variable", msg)
	}
	if got := doc.Find(`tr[data-element="compute"][data-state="ERROR"]`).Length(); got != 1 {
		t.Errorf("%d ERROR rows for compute", got)
	}
	// Each task's data is there as JSON.
	var checkData map[string]any
	if err := json.Unmarshal([]byte(doc.Find(`tr[data-element="check"] pre.json`).Text()), &checkData); err != nil {
		t.Errorf("task data is not JSON: %v", err)
	}
	if diff := cmp.Diff([]string{"/instances/1/suspend", "/instances/1/retry", "/instances/1/terminate"}, attrs(doc, ".actions form", "action")); diff != "" {
		t.Errorf("actions in error (-want +got):\n%s", diff)
	}
	var events []string
	doc.Find("table.event-log tbody tr").Each(func(_ int, s *goquery.Selection) {
		events = append(events, strings.TrimSpace(s.Find("td").Eq(1).Text())+" "+strings.TrimSpace(s.Find("td").Eq(2).Text())+" "+strings.TrimSpace(s.Find("td").Eq(3).Text()))
	})
	for _, want := range []string{"COMPLETED check alice", "ERROR compute"} {
		found := false
		for _, e := range events {
			found = found || strings.TrimSpace(e) == want
		}
		if !found {
			t.Errorf("event log lacks %q: %q", want, events)
		}
	}

	press := func(action string) *goquery.Document {
		t.Helper()
		_, doc := get(t, alice, ta.url+"/instances/1")
		resp, _ := postForm(t, alice, ta.url+"/instances/1/"+action, url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", action, resp.StatusCode)
		}
		_, doc = get(t, alice, ta.url+"/instances/1")
		return doc
	}
	// Retry runs the script again against the model; it still fails.
	doc = press("retry")
	if got := text(doc, "#instance-status"); got != "error" {
		t.Errorf("after retry: %q", got)
	}
	doc = press("suspend")
	if got := text(doc, "#instance-status"); got != "suspended" {
		t.Errorf("after suspend: %q", got)
	}
	if diff := cmp.Diff([]string{"/instances/1/resume", "/instances/1/terminate"}, attrs(doc, ".actions form", "action")); diff != "" {
		t.Errorf("actions when suspended (-want +got):\n%s", diff)
	}
	doc = press("resume")
	if got := text(doc, "#instance-status"); got != "error" {
		t.Errorf("after resume: %q (the error is still there)", got)
	}
	doc = press("terminate")
	if got := text(doc, "#instance-status"); got != "terminated" {
		t.Errorf("after terminate: %q", got)
	}
	if n := doc.Find(".actions form").Length(); n != 0 {
		t.Errorf("%d actions on a terminated instance", n)
	}
	log := doc.Find("table.event-log").Text()
	for _, e := range []string{"retried", "suspended", "resumed", "terminated"} {
		if !strings.Contains(log, e) {
			t.Errorf("event log lacks %q", e)
		}
	}
	// Bob holds no task in it and did not start it: he may not act.
	_, inbox := get(t, bob, ta.url+"/inbox")
	if resp, _ := postForm(t, bob, ta.url+"/instances/1/suspend", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob suspended alice's instance: %d", resp.StatusCode)
	}
}

// TestUploadWaitsAndVariableName: a form with a file upload stores the file
// with the completion and the instance page links it; what the instance
// waits for (timer, message) is listed; a task with a variableName keeps
// its form values under that name and shows them again read-only.
func TestUploadWaitsAndVariableName(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	loc := startInstance(t, ta, alice, "purchases:delivery")
	_, doc := get(t, alice, ta.url+"/instances/1")
	var waits []string
	doc.Find("#pending-title + ul li").Each(func(_ int, s *goquery.Selection) { waits = append(waits, strings.Join(strings.Fields(s.Text()), " ")) })
	if len(waits) != 2 || !strings.HasPrefix(waits[0], "Timer an_hour due ") || waits[1] != "message goods_received at arrival" {
		t.Errorf("waiting for %q", waits)
	}

	_, page := get(t, alice, ta.url+loc)
	if page.Find(`#task-form input[type="file"][name="scan"]`).Length() != 1 {
		t.Fatalf("no file input on %s: %s", loc, page.Find("main").Text())
	}
	content := []byte("%PDF-1.4 delivery note\n")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", csrfToken(t, page))
	mw.WriteField("note", "two pallets")
	fw, err := mw.CreateFormFile("scan", "note.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ta.url+loc+"/complete", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, _ := do(t, alice, req)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit with a file: %d", resp.StatusCode)
	}

	_, doc = get(t, alice, ta.url+"/instances/1")
	link := doc.Find(".instance-files a")
	if link.Length() != 1 || strings.TrimSpace(link.Text()) != "note.pdf" {
		t.Fatalf("files on the instance page: %q", doc.Find(".instance-files").Text())
	}
	r, err := alice.Get(ta.url + link.AttrOr("href", ""))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK || !bytes.Equal(got, content) {
		t.Errorf("download: %d %q", r.StatusCode, got)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "note.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	// Another user who may not see the instance gets no file.
	bob := browser(t)
	signIn(t, bob, ta.url, "bob", "bob-secret")
	if r, _ := get(t, bob, ta.url+link.AttrOr("href", "")); r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
		t.Errorf("bob downloaded alice's file: %d", r.StatusCode)
	}

	// The submission went under the variable name; the read-only form
	// shows it again.
	var data map[string]any
	if err := json.Unmarshal([]byte(doc.Find(`tr[data-element="attach"] pre.json`).Text()), &data); err != nil {
		t.Fatal(err)
	}
	delivery, _ := data["delivery"].(map[string]any)
	if delivery["note"] != "two pallets" || !strings.HasPrefix(delivery["scan"].(string), "data:") {
		t.Errorf("task data after completion: %v", data)
	}
	_, page = get(t, alice, ta.url+loc)
	if got := page.Find(`#task-form [name="note"]`).AttrOr("value", ""); got != "two pallets" {
		t.Errorf("read-only form shows note %q", got)
	}
	if got := text(page, ".field-file"); !strings.Contains(got, "note.pdf") {
		t.Errorf("read-only form shows file %q", got)
	}
	if href := page.Find(".field-file a").AttrOr("href", ""); href != link.AttrOr("href", "") {
		t.Errorf("the form links the file at %q, the instance page at %q", href, link.AttrOr("href", ""))
	}
}

// TestInboxFiltersOverHTTP: the filters narrow the list, the tabs keep
// them, paging works, the htmx refresh carries the navigation count out
// of band, and the JSON API takes the same filters.
func TestInboxFiltersOverHTTP(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	for range 27 {
		startInstance(t, ta, alice, "purchases:approval")
	}
	startInstance(t, ta, alice, "purchases:checks")

	_, doc := get(t, alice, ta.url+"/inbox")
	if got := text(doc, "#nav-inbox-count"); got != "28" {
		t.Errorf("navigation count %q", got)
	}
	if got := doc.Find("tr.task").Length(); got != 25 {
		t.Errorf("first page lists %d tasks", got)
	}
	if href := doc.Find(`.pager a[rel="next"], .pager a`).Last().AttrOr("href", ""); !strings.Contains(href, "page=2") {
		t.Errorf("next page link %q", href)
	}
	_, doc = get(t, alice, ta.url+"/inbox?page=2")
	if got := doc.Find("tr.task").Length(); got != 3 {
		t.Errorf("second page lists %d tasks", got)
	}

	_, doc = get(t, alice, ta.url+"/inbox?process=purchases:checks")
	if got := doc.Find("tr.task").Length(); got != 1 || text(doc, "tr.task a.task-link") != "Check the shelf" {
		t.Errorf("process filter: %d tasks, first %q", got, text(doc, "tr.task a.task-link"))
	}
	_, doc = get(t, alice, ta.url+"/inbox?q=shelf")
	if got := doc.Find("tr.task").Length(); got != 1 {
		t.Errorf("text filter: %d tasks", got)
	}
	_, doc = get(t, alice, ta.url+"/inbox?after=2999-01-01")
	if got := doc.Find("tr.task").Length(); got != 0 {
		t.Errorf("started after 2999: %d tasks", got)
	}
	if resp, _ := get(t, alice, ta.url+"/inbox?after=yesterday"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
	_, doc = get(t, alice, ta.url+"/inbox?q=shelf&view=mine")
	for _, href := range attrs(doc, "nav.tabs a", "href") {
		if !strings.Contains(href, "q=shelf") {
			t.Errorf("tab %q drops the filter", href)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, ta.url+"/inbox?q=shelf", nil)
	req.Header.Set("HX-Request", "true")
	_, frag := do(t, alice, req)
	if got := frag.Find(`#nav-inbox-count[hx-swap-oob="true"]`).Text(); got != "28" {
		t.Errorf("refresh carries navigation count %q", got)
	}
	if frag.Find("header, nav.main-nav").Length() != 0 {
		t.Error("the refresh fragment holds the page chrome")
	}

	var list struct {
		Results []struct {
			Title string `json:"task_title"`
		} `json:"results"`
		Pagination struct {
			Total int `json:"total"`
		} `json:"pagination"`
	}
	r, err := alice.Get(ta.url + "/api/tasks?q=shelf")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(r.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if list.Pagination.Total != 1 || len(list.Results) != 1 || list.Results[0].Title != "Check the shelf" {
		t.Errorf("API with a text filter: %+v", list)
	}
}

// The instance list filters by what instances wait for; a kind it does
// not know is refused by name.
func TestInstanceListWaitingFilter(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	startInstance(t, ta, alice, "purchases:approval")
	for _, c := range []struct {
		query string
		rows  int
	}{{"", 1}, {"?waiting=task", 1}, {"?waiting=timer", 0}, {"?waiting=message&waiting_name=anything", 0}} {
		resp, doc := get(t, alice, ta.url+"/instances"+c.query)
		wantStatus(t, resp, http.StatusOK)
		if n := doc.Find("tr.instance").Length(); n != c.rows {
			t.Errorf("/instances%s: %d rows, want %d", c.query, n, c.rows)
		}
	}
	if got := pageDoc(t, alice, ta.url+"/instances?waiting=task").Find(`#filter-waiting option[selected]`).AttrOr("value", ""); got != "task" {
		t.Errorf("the chosen filter is not kept in the form: %q", got)
	}
	if resp, _ := get(t, alice, ta.url+"/instances?waiting=ghosts"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d, want 400", resp.StatusCode)
	}
}

func pageDoc(t *testing.T, c *http.Client, u string) *goquery.Document {
	t.Helper()
	_, d := get(t, c, u)
	return d
}
