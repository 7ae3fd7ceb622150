package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// fakeProxy is a connector proxy that answers the typeahead for category
// "employees" from a fixed list and records what it was asked.
type fakeProxy struct {
	*httptest.Server
	mu   sync.Mutex
	asks []string // escaped path and query of each typeahead request
}

var proxyEmployees = []map[string]any{
	{"name": "Ann Lee", "email": "ann@example.com", "id": 7.0},
	{"name": "Andy Roe", "email": "andy@example.com", "id": 8.0},
	{"name": "Bea Sun", "email": "bea@example.com", "id": 9.0},
}

func newFakeProxy(t *testing.T) *fakeProxy {
	t.Helper()
	p := &fakeProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/commands":
			io.WriteString(w, "[]")
		case strings.HasPrefix(r.URL.Path, "/v1/type-ahead/"):
			p.mu.Lock()
			p.asks = append(p.asks, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
			p.mu.Unlock()
			switch strings.TrimPrefix(r.URL.Path, "/v1/type-ahead/") {
			case "employees", "cost centres":
				prefix := strings.ToLower(r.URL.Query().Get("prefix"))
				out := []map[string]any{}
				for _, e := range proxyEmployees {
					if strings.HasPrefix(strings.ToLower(e["name"].(string)), prefix) {
						out = append(out, e)
					}
				}
				json.NewEncoder(w).Encode(out)
			case "broken":
				http.Error(w, "database down", http.StatusInternalServerError)
			case "odd":
				io.WriteString(w, `{"not": "a list"}`)
			default:
				io.WriteString(w, "[]")
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *fakeProxy) lastAsk() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.asks) == 0 {
		return ""
	}
	return p.asks[len(p.asks)-1]
}

// getJSON fetches u and decodes the JSON answer.
func getJSON(t *testing.T, c *http.Client, u string, out any) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: content type %q", u, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp
}

// TestTypeaheadEndpoint checks GET /api/typeahead/{category}: it forwards
// to the connector proxy's /v1/type-ahead/{category} with prefix and limit
// (100 at most) and answers the proxy's records; without a proxy, or when
// the proxy fails, it answers a JSON error that says so.
func TestTypeaheadEndpoint(t *testing.T) {
	proxy := newFakeProxy(t)
	vars := withPermissions(t)
	vars["WAYMARK_CONNECTOR_PROXY_URL"] = proxy.URL
	ta := startApp(t, vars)
	c := browser(t)

	var e map[string]any
	resp := getJSON(t, c, ta.url+"/api/typeahead/employees?prefix=an", &e)
	wantStatus(t, resp, http.StatusUnauthorized)

	signIn(t, c, ta.url, "alice", "alice-secret")
	var got []map[string]any
	resp = getJSON(t, c, ta.url+"/api/typeahead/employees?prefix=An", &got)
	wantStatus(t, resp, http.StatusOK)
	if d := cmp.Diff(proxyEmployees[:2], got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	if ask := proxy.lastAsk(); ask != "/v1/type-ahead/employees?limit=100&prefix=An" {
		t.Errorf("proxy asked %q", ask)
	}

	limits := []struct{ query, ask string }{
		{"?prefix=b&limit=5", "/v1/type-ahead/employees?limit=5&prefix=b"},
		{"?prefix=b&limit=500", "/v1/type-ahead/employees?limit=100&prefix=b"},
		{"", "/v1/type-ahead/employees?limit=100&prefix="},
	}
	for _, l := range limits {
		resp = getJSON(t, c, ta.url+"/api/typeahead/employees"+l.query, &got)
		wantStatus(t, resp, http.StatusOK)
		if ask := proxy.lastAsk(); ask != l.ask {
			t.Errorf("%s: proxy asked %q, want %q", l.query, ask, l.ask)
		}
	}
	resp = getJSON(t, c, ta.url+"/api/typeahead/cost%20centres?prefix=bea%20s", &got)
	wantStatus(t, resp, http.StatusOK)
	if ask := proxy.lastAsk(); ask != "/v1/type-ahead/cost%20centres?limit=100&prefix=bea+s" || len(got) != 1 {
		t.Errorf("category with a space: proxy asked %q, records %v", ask, got)
	}

	resp = getJSON(t, c, ta.url+"/api/typeahead/employees?limit=many", &e)
	wantStatus(t, resp, http.StatusBadRequest)

	for _, cat := range []string{"broken", "odd"} {
		e = nil
		resp = getJSON(t, c, ta.url+"/api/typeahead/"+cat+"?prefix=x", &e)
		wantStatus(t, resp, http.StatusBadGateway)
		if e["error"] != "Connector proxy failed" || !strings.Contains(e["message"].(string), cat) {
			t.Errorf("%s: error %v", cat, e)
		}
		if strings.Contains(e["message"].(string), "database down") {
			t.Errorf("%s: the proxy's answer reached the user: %v", cat, e)
		}
	}
	if !strings.Contains(ta.logs.String(), "typeahead: connector proxy failed") {
		t.Error("a failing proxy is not logged")
	}

	// Without a connector proxy the answer says what is missing.
	bare := startApp(t, withPermissions(t))
	c2 := browser(t)
	signIn(t, c2, bare.url, "alice", "alice-secret")
	e = nil
	resp = getJSON(t, c2, bare.url+"/api/typeahead/employees?prefix=an", &e)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if e["error"] != "No connector proxy" || !strings.Contains(e["message"].(string), "WAYMARK_CONNECTOR_PROXY_URL") {
		t.Errorf("without a proxy: %v", e)
	}
}

// TestMarkdownPreviewEndpoint checks POST /api/markdown/preview: Markdown
// becomes sanitised HTML, and no template runs over what the user typed.
func TestMarkdownPreviewEndpoint(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")
	_, doc := get(t, c, ta.url+"/inbox")
	token := csrfToken(t, doc)
	post := func(md string, header http.Header) (int, map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, ta.url+"/api/markdown/preview", strings.NewReader(url.Values{"markdown": {md}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := post("**Hi** {{ secret }} <script>alert(1)</script> [x](javascript:alert(1))", http.Header{"X-Csrf-Token": {token}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, out)
	}
	html := out["html"]
	if !strings.Contains(html, "<strong>Hi</strong>") || !strings.Contains(html, "{{ secret }}") {
		t.Errorf("preview %q", html)
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Errorf("preview not sanitised: %q", html)
	}
	if status, _ := post("x", nil); status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", status)
	}
}

// widgetsModel is a one-task model whose form uses SpiffArena's widgets.
var widgetsModel = map[string]string{
	"forms/process_group.json": `{"display_name": "Forms", "description": "", "display_order": 0}`,
	"forms/widgets/process_model.json": `{"display_name": "Widgets", "description": "", "display_order": 0,
	  "primary_file_name": "widgets.bpmn", "primary_process_id": "widgets"}`,
	"forms/widgets/widgets.bpmn": `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_widgets" targetNamespace="http://waymark.test/widgets">
  <bpmn:process id="widgets" name="Widgets" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="claim" />
    <bpmn:userTask id="claim" name="Claim expenses">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="claim-schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="claim-uischema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="claim" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`,
	"forms/widgets/claim-schema.json": `{"title": "Claim", "type": "object", "required": ["employee", "amount"], "properties": {
	  "employee": {"type": "string", "title": "Employee"},
	  "amount": {"type": "number", "title": "Amount", "minimum": 0},
	  "quantity": {"type": "integer", "title": "Quantity"},
	  "total": {"type": "number", "title": "Total"},
	  "notes": {"type": "string", "title": "Notes"}
	}}`,
	"forms/widgets/claim-uischema.json": `{
	  "employee": {"ui:widget": "typeahead", "ui:options": {"category": "employees", "itemFormat": "{name} ({email})"}},
	  "amount": {"ui:widget": "formattedNumber", "ui:options": {"decimals": 2}},
	  "quantity": {"ui:widget": "formattedNumber"},
	  "total": {"ui:field": "calculated", "ui:options": {"expression": "amount * quantity", "format": "currency", "currency": "EUR", "decimals": 2}},
	  "notes": {"ui:widget": "markdown"}
	}`,
}

// TestFormWidgetsInBrowser fills a form of SpiffArena widgets in Chromium:
// the formattedNumber field shows separators as it is typed, the
// calculated total follows without a round trip, the typeahead lists the
// connector proxy's records and stores the chosen one as JSON, and the
// markdown preview comes back rendered and sanitised. The submitted data
// holds numbers, the record's JSON and the total the server computed.
func TestFormWidgetsInBrowser(t *testing.T) {
	proxy := newFakeProxy(t)
	models := t.TempDir()
	writeRepo(t, models, widgetsModel)
	vars := withPermissions(t)
	vars["WAYMARK_MODELS_DIR"] = models
	vars["WAYMARK_CONNECTOR_PROXY_URL"] = proxy.URL
	ta := startApp(t, vars)
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")

	// Start the model; the browser lands on its task.
	c.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	c.startModel(t, "forms:widgets")
	c.run(t, chromedp.WaitVisible(`#task-form input#f-amount`))
	var taskPath string
	c.eval(t, `location.pathname`, &taskPath)
	c.waitFor(t, "the form script", `!!window.waymarkForms && document.querySelector("#f-employee").getAttribute("role") === "combobox"`)

	// formattedNumber: separators appear while typing.
	var amount string
	c.run(t, chromedp.SendKeys(`#f-amount`, "1234"), chromedp.Value(`#f-amount`, &amount))
	if amount != "1,234" {
		t.Errorf("after typing 1234 the field shows %q", amount)
	}
	c.run(t, chromedp.SendKeys(`#f-amount`, "567.891"), chromedp.Value(`#f-amount`, &amount))
	if amount != "1,234,567.89" {
		t.Errorf("after typing 1234567.891 (2 decimals) the field shows %q", amount)
	}

	// calculated: the total follows the typing, before any submit.
	var total string
	c.run(t, chromedp.Text(`#f-total`, &total))
	if total != "€0.00" {
		t.Errorf("total before a quantity: %q", total)
	}
	c.run(t, chromedp.SendKeys(`#f-quantity`, "2"))
	c.waitFor(t, "the total", `document.querySelector("#f-total").textContent === "€2,469,135.78"`)
	c.run(t, chromedp.SendKeys(`#f-quantity`, "0"))
	c.waitFor(t, "the total for 20", `document.querySelector("#f-total").textContent === "€24,691,357.80"`)
	c.eval(t, `document.activeElement.blur(); document.querySelector("#f-amount").value`, &amount)
	if amount != "1,234,567.89" {
		t.Errorf("after leaving the field it shows %q", amount)
	}

	// typeahead: suggestions from the proxy, the record stored as JSON.
	c.run(t, chromedp.SendKeys(`#f-employee`, "an"))
	c.waitFor(t, "suggestions", `document.querySelectorAll("#f-employee-listbox li").length === 2 && !document.querySelector("#f-employee-listbox").hidden`)
	var options []string
	c.eval(t, `[...document.querySelectorAll("#f-employee-listbox li[role=option]")].map(li => li.textContent)`, &options)
	if d := cmp.Diff([]string{"Ann Lee (ann@example.com)", "Andy Roe (andy@example.com)"}, options); d != "" {
		t.Errorf("suggestions: %s", d)
	}
	if ask := proxy.lastAsk(); ask != "/v1/type-ahead/employees?limit=100&prefix=an" {
		t.Errorf("the proxy was asked %q", ask)
	}
	c.run(t, chromedp.Click(`#f-employee-listbox li:nth-child(2)`))
	var chosen struct {
		Shown, Stored, Name string
		Named               int
	}
	c.eval(t, `({shown: document.querySelector("#f-employee").value,
		stored: document.querySelector("#f-employee-value").value,
		name: document.querySelector("#f-employee-value").name,
		named: document.querySelectorAll('#task-form [name="employee"]').length})`, &chosen)
	var record map[string]any
	if err := json.Unmarshal([]byte(chosen.Stored), &record); err != nil || chosen.Shown != "Andy Roe (andy@example.com)" || chosen.Name != "employee" || chosen.Named != 1 {
		t.Errorf("after choosing: %+v (%v)", chosen, err)
	}
	if d := cmp.Diff(proxyEmployees[1], record); d != "" {
		t.Errorf("stored record: %s", d)
	}

	// markdown: the server's sanitised rendering is the preview.
	c.run(t, chromedp.SendKeys(`#f-notes`, "Paid **twice** <img src=x onerror=alert(1)>"))
	c.waitFor(t, "the preview", `!!document.querySelector("#f-notes-preview strong")`)
	var preview struct {
		Text   string
		Unsafe int
	}
	c.eval(t, `({text: document.querySelector("#f-notes-preview strong").textContent,
		unsafe: document.querySelectorAll("#f-notes-preview [onerror], #f-notes-preview script").length})`, &preview)
	if preview.Text != "twice" || preview.Unsafe != 0 {
		t.Errorf("preview: %+v", preview)
	}

	// Submit: the data holds numbers, the record as a JSON string and the
	// total the server computed.
	c.run(t, chromedp.Click(`#task-form .form-actions button:last-child`), chromedp.WaitNotPresent(`#task-form input#f-amount`))
	var task struct {
		State string         `json:"state"`
		Data  map[string]any `json:"data"`
	}
	c.eval(t, `fetch("/api`+taskPath+`").then(r => r.json())`, &task)
	want := map[string]any{"amount": 1234567.89, "quantity": 20.0, "total": 24691357.8, "employee": chosen.Stored,
		"notes": "Paid **twice** <img src=x onerror=alert(1)>"}
	for k, v := range want {
		if d := cmp.Diff(v, task.Data[k]); d != "" {
			t.Errorf("submitted %s: %s", k, d)
		}
	}
}

// TestFormScriptRevalidates checks that the task page's script, loaded by
// its plain URL, is revalidated by its content hash: a 304 once the
// browser has it.
func TestFormScriptRevalidates(t *testing.T) {
	ta := startApp(t, nil)
	c := browser(t)
	resp, err := c.Get(ta.url + "/static/js/forms.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantStatus(t, resp, http.StatusOK)
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("headers %v", resp.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, ta.url+"/static/js/forms.js", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantStatus(t, resp, http.StatusNotModified)
}
