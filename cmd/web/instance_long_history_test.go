package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/waymark-bpm/waymark/internal/runner"
)

// bigMIModel is a multi-instance script over the start data's items and
// then a user task for the starter.
const bigMIModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_bigmi" targetNamespace="http://waymark.test/bigmi">
  <bpmn:process id="bigmi" name="Big multi-instance" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="each"/>
    <bpmn:scriptTask id="each" name="Double">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="item"/>
        <bpmn:outputDataItem id="result"/>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>result = item * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="each" targetRef="look"/>
    <bpmn:manualTask id="look" name="Look at the results"/>
    <bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`

// startBigInstance starts an app with the bigmi model and, as alice, an
// instance of it over items items; it returns the app.
func startBigInstance(tb testing.TB, items int) *testApp {
	tb.Helper()
	dataDir := tb.TempDir()
	perms := filepath.Join(tb.TempDir(), "permissions.yml")
	if err := os.WriteFile(perms, []byte(workflowPermissions), 0o600); err != nil {
		tb.Fatal(err)
	}
	models := filepath.Join(dataDir, "models")
	if err := os.CopyFS(models, os.DirFS("testdata/models")); err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(models, "purchases", "bigmi")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	meta := `{"display_name": "Big multi-instance", "primary_file_name": "bigmi.bpmn", "primary_process_id": "bigmi"}`
	if err := os.WriteFile(filepath.Join(dir, "process_model.json"), []byte(meta), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bigmi.bpmn"), []byte(bigMIModel), 0o644); err != nil {
		tb.Fatal(err)
	}
	ta := startApp(tb, map[string]string{"WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_DATA_DIR": dataDir,
		"WAYMARK_MODELS_DIR": models, "WAYMARK_EXAMPLES": "false"})
	list := make([]any, items)
	for i := range list {
		list[i] = i
	}
	if _, err := ta.app.runner.Start(context.Background(), runner.Actor{Username: "alice", Email: "alice@example.com"},
		"purchases/bigmi", "", map[string]any{"items": list}); err != nil {
		tb.Fatal(err)
	}
	return ta
}

// fetchPage GETs u and returns the status and body.
func fetchPage(tb testing.TB, c *http.Client, u string) (int, []byte) {
	tb.Helper()
	resp, err := c.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body
}

// signedInClient signs username in and returns its client.
func signedInClient(tb testing.TB, base, username, password string) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, page := fetchPage(tb, c, base+"/sign-in")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(page)))
	if err != nil {
		tb.Fatal(err)
	}
	tok := doc.Find(`form input[name="csrf_token"]`).First().AttrOr("value", "")
	resp, err := c.PostForm(base+"/sign-in", url.Values{"csrf_token": {tok}, "username": {username}, "password": {password}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in %s: %d", username, resp.StatusCode)
	}
	return c
}

// TestInstancePageLongHistory: the page of an instance that ran a
// 10,000-item multi-instance activity lists its live task first and one
// page of finished tasks, folds the path, and reads a task's data only
// when it is opened; the data is the starter's to read, not another
// user's.
func TestInstancePageLongHistory(t *testing.T) {
	const items = 10000
	ta := startBigInstance(t, items)
	alice := signedInClient(t, ta.url, "alice", "alice-secret")
	status, body := fetchPage(t, alice, ta.url+"/instances/1")
	if status != http.StatusOK {
		t.Fatalf("instance page: %d", status)
	}
	// Without the task data the page is small, whatever the history.
	if len(body) > 256<<10 {
		t.Errorf("the instance page is %d bytes", len(body))
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows := doc.Find("table.instance-tasks tbody tr")
	if n := rows.Length(); n != runner.TaskPageSize+1 {
		t.Fatalf("%d task rows, want the live task and %d finished ones", n, runner.TaskPageSize)
	}
	if first := rows.First(); first.AttrOr("data-element", "") != "look" || first.AttrOr("data-state", "") != "READY" {
		t.Fatalf("first row %s %s, want the ready manual task", first.AttrOr("data-element", ""), first.AttrOr("data-state", ""))
	}
	if !strings.Contains(text(doc, "#tasks-note"), "10003 tasks") {
		t.Errorf("tasks note %q", text(doc, "#tasks-note"))
	}
	if n := doc.Find("details.lazy-data[hx-get]").Length(); n != rows.Length() {
		t.Errorf("%d of %d rows read their data on demand", n, rows.Length())
	}
	// The activity and its 10,000 instances.
	if got := text(doc, `#path-taken li[data-element="each"] .repeat`); got != "× 10001" {
		t.Errorf("folded path step %q, want × 10001", got)
	}
	if got := text(doc, "#log-note"); got != "The last 200 of 10004 events." {
		t.Errorf("event log note %q", got)
	}
	if next := doc.Find(`nav.pager a[rel="next"]`).AttrOr("href", ""); next != "/instances/1?tasks=2#tasks-title" {
		t.Errorf("next page of tasks %q", next)
	}
	_, body = fetchPage(t, alice, ta.url+"/instances/1?tasks=51")
	last, _ := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	// 10,002 finished tasks: the last page holds the 2 oldest.
	if n := last.Find("table.instance-tasks tbody tr").Length(); n != 1+2 {
		t.Errorf("%d rows on the last page, want the live task and the 2 oldest", n)
	}
	if got := last.Find("table.instance-tasks tbody tr").Last().AttrOr("data-element", ""); got != "start" {
		t.Errorf("oldest task %q, want start", got)
	}

	dataURL := rows.First().Find("details.lazy-data").AttrOr("hx-get", "")
	status, body = fetchPage(t, alice, ta.url+dataURL)
	if status != http.StatusOK {
		t.Fatalf("task data %s: %d", dataURL, status)
	}
	frag, _ := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	var data map[string]any
	if err := json.Unmarshal([]byte(frag.Find("pre.json").Text()), &data); err != nil {
		t.Fatalf("task data is not JSON: %v", err)
	}
	if results, _ := data["results"].([]any); len(results) != items || results[items-1] != float64(2*(items-1)) {
		t.Fatalf("the manual task's results: %d items", len(results))
	}
	if status, _ := fetchPage(t, alice, ta.url+"/instances/1/tasks/99999/data"); status != http.StatusNotFound {
		t.Errorf("data of a missing task: %d", status)
	}
	bob := signedInClient(t, ta.url, "bob", "bob-secret")
	if status, _ := fetchPage(t, bob, ta.url+dataURL); status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("bob read alice's instance's task data: %d", status)
	}
}

// BenchmarkInstancePageLongHistory: the instance page of an instance that
// ran a 10,000-item multi-instance activity, through HTTP from a real
// server on a SQLite file.
func BenchmarkInstancePageLongHistory(b *testing.B) {
	ta := startBigInstance(b, 10000)
	alice := signedInClient(b, ta.url, "alice", "alice-secret")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if status, _ := fetchPage(b, alice, ta.url+"/instances/1"); status != http.StatusOK {
			b.Fatalf("instance page: %d", status)
		}
	}
}
