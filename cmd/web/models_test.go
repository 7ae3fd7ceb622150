package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// corpusModels is SpiffArena's sample repository (read-only).
const corpusModels = "../../../shared/corpus/sample-process-models"

// copyDir copies a folder tree (regular files only) for a test to change.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "models")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o640)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// modelsApp starts the app on a copy of dir (or an empty repository) and
// signs alice in.
func modelsApp(t *testing.T, files map[string]string) (*testApp, *http.Client, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "models")
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o750)
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return startModels(t, dir)
}

func startModels(t *testing.T, dir string) (*testApp, *http.Client, string) {
	t.Helper()
	vars := withPermissions(t)
	vars["WAYMARK_MODELS_DIR"] = dir
	vars["WAYMARK_EXAMPLES"] = "false"
	ta := startApp(t, vars)
	c := browser(t)
	resp, _ := signIn(t, c, ta.url, "alice", "alice-secret")
	wantStatus(t, resp, http.StatusSeeOther)
	return ta, c, dir
}

func texts(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
	return out
}

func TestModelPagesOnCorpus(t *testing.T) {
	ta, c, _ := startModels(t, copyDir(t, corpusModels))

	resp, doc := get(t, c, ta.url+"/models")
	wantStatus(t, resp, http.StatusOK)
	top := texts(doc, "#model-tree > ul.model-tree > li.tree-group > details > summary > a")
	if strings.Join(top, "|") != "Extensions|Shared Resources|Site Administration" {
		t.Errorf("top-level groups %q", top)
	}
	if n := doc.Find("#model-tree li.tree-model").Length(); n != 117 {
		t.Errorf("%d models in the tree, want 117", n)
	}

	resp, doc = get(t, c, ta.url+"/models?q=a.1.0.2")
	wantStatus(t, resp, http.StatusOK)
	if got := texts(doc, "#model-tree li.tree-model > a"); len(got) != 1 || got[0] != "A.1.0.2 - Service Task" {
		t.Errorf("filtered tree %q", got)
	}

	resp, doc = get(t, c, ta.url+"/process-groups/misc:test")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#group-name"); got != "Testing" {
		t.Errorf("group name %q", got)
	}
	if got := text(doc, `#models tr[data-id="misc/test/a102"] a`); got != "A.1.0.2 - Service Task" {
		t.Errorf("model row %q", got)
	}

	resp, doc = get(t, c, ta.url+"/process-models/misc:test:a102")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find("form#model-start").AttrOr("action", ""); got != "/process-models/misc:test:a102/start" {
		t.Errorf("start form posts to %q", got)
	}
	if got := text(doc, `#files tr[data-name="invoice.bpmn"] .file-problems .badge`); got == "" {
		t.Error("the XXE file is not marked with problems")
	}
	if got := text(doc, `#files tr[data-name="A.1.0.2.bpmn"] .file-type`); got != "bpmn" {
		t.Errorf("file type %q", got)
	}
	if doc.Find("#model-edit, #model-delete").Length() != 0 {
		t.Error("the overview carries the settings or the delete button")
	}
	if got := doc.Find("#model-settings-link").AttrOr("href", ""); got != "/process-models/misc:test:a102/settings" {
		t.Errorf("settings link %q", got)
	}
	if got := doc.Find("#model-diagram[data-bpmn-viewer]").AttrOr("data-xml-url", ""); got != "/process-models/misc:test:a102/files/A.1.0.2.bpmn/raw" {
		t.Errorf("diagram from %q", got)
	}
	resp, doc = get(t, c, ta.url+"/process-models/misc:test:a102/settings")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find("#model-display-name").AttrOr("value", ""); got != "A.1.0.2 - Service Task" {
		t.Errorf("display name field %q", got)
	}
	if got := doc.Find("form#model-edit").AttrOr("action", ""); got != "/process-models/misc:test:a102/settings" {
		t.Errorf("settings form posts to %q", got)
	}
	if doc.Find("form#model-delete, form#model-move").Length() != 2 {
		t.Error("the settings page lacks move or delete")
	}

	resp, doc = get(t, c, ta.url+"/process-models/misc:test:a102/files/invoice.bpmn")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#problems .problem-message"); !strings.Contains(got, "document type declaration") {
		t.Errorf("XXE problem %q", got)
	}
	if strings.Contains(doc.Text(), "root:") {
		t.Error("the page shows content from outside the repository")
	}
	if got := doc.Find("a#open-modeler").AttrOr("href", ""); got != "/process-models/misc:test:a102/files/invoice.bpmn/modeler" {
		t.Errorf("modeler link %q", got)
	}

	resp, doc = get(t, c, ta.url+"/process-models/misc:documentation:user-guide-basics/files/analyze-telephone-number.dmn")
	wantStatus(t, resp, http.StatusOK)
	if n := doc.Find("table.decision-table tr.dmn-rule").Length(); n == 0 {
		t.Error("the decision table has no rows")
	}
	if n := doc.Find("table.decision-table th.dmn-input").Length(); n == 0 {
		t.Error("the decision table has no input columns")
	}

	resp, doc = get(t, c, ta.url+"/process-models/misc:documentation:user-guide-basics/files/simple-JSONSchema.json")
	wantStatus(t, resp, http.StatusOK)
	want, _ := os.ReadFile(filepath.Join(corpusModels, "misc/documentation/user-guide-basics/simple-JSONSchema.json"))
	if got := doc.Find("textarea#file-content").Text(); got != string(want) {
		t.Error("the JSON editor does not hold the file")
	}

	// The type-ahead fragment.
	req, _ := http.NewRequest(http.MethodGet, ta.url+"/process-search?q=Shared_Local", nil)
	req.Header.Set("HX-Request", "true")
	resp, doc = do(t, c, req)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("header.site-header").Length() != 0 {
		t.Error("the htmx request got a whole page")
	}
	if got := doc.Find("tr.process-match").First().AttrOr("data-process-id", ""); got != "Shared_Local_Date_Time" {
		t.Errorf("first match %q", got)
	}
	resp, doc = get(t, c, ta.url+"/process-search?q=Shared_Local")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("header.site-header").Length() == 0 || doc.Find("tr.process-match").Length() == 0 {
		t.Error("without htmx the search is a whole page with results")
	}
}

const apiDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="PROC" name="NAME" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:CALLEDcallActivity id="call" calledElement="CALLED"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
`

// diagramXML returns a process id with name; with called, it calls that
// process, else it has a manual task.
func diagramXML(id, name, called string) string {
	s := strings.NewReplacer("PROC", id, "NAME", name).Replace(apiDiagram)
	if called == "" {
		s = strings.Replace(s, `<bpmn:CALLEDcallActivity id="call" calledElement="CALLED">`, `<bpmn:manualTask id="call">`, 1)
		return strings.Replace(s, `</bpmn:callActivity>`, `</bpmn:manualTask>`, 1)
	}
	return strings.NewReplacer("CALLEDcallActivity", "callActivity", "CALLED", called).Replace(s)
}

var apiRepo = map[string]string{
	"finance/process_group.json":                     `{"display_name": "Finance"}`,
	"finance/invoice/process_model.json":             `{"display_name": "Invoice"}`,
	"finance/invoice/invoice.bpmn":                   diagramXML("invoice_main", "Invoice main", "approve_invoice"),
	"finance/approve/process_model.json":             `{"display_name": "Approve"}`,
	"finance/approve/approve.bpmn":                   diagramXML("approve_invoice", "Approve invoice", ""),
	"finance/approve/form-schema.json":               `{"type": "object"}`,
	"finance/approve/rates.dmn":                      rateTable,
	"finance/approve/sub-approve-invoice-other.bpmn": diagramXML("Sub_approve_invoice", "Other", ""),
	// SpiffArena repositories carry older names that need escaping in URLs.
	"finance/Odd #1?/process_model.json": `{"display_name": "Odd one"}`,
	"finance/Odd #1?/a form.json":        `{}`,
}

const rateTable = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
  <decision id="invoice_rates" name="Invoice rates">
    <decisionTable id="t1">
      <input id="i1" label="amount"><inputExpression id="e1" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="o1" name="rate" typeRef="number" />
      <rule id="r1"><inputEntry id="r1i"><text>&gt; 100</text></inputEntry><outputEntry id="r1o"><text>2</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
`

// apiCall sends a JSON API request with the session's CSRF token.
func apiCall(t *testing.T, c *http.Client, method, u, token string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func sessionToken(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	_, doc := get(t, c, base+"/models")
	return csrfToken(t, doc)
}

func TestModelAPI(t *testing.T) {
	ta, c, dir := modelsApp(t, apiRepo)
	token := sessionToken(t, c, ta.url)

	t.Run("SearchRanked", func(t *testing.T) {
		resp, body := apiCall(t, c, "GET", ta.url+"/api/processes/search?q=approve_invoice&limit=5", "", nil)
		wantStatus(t, resp, http.StatusOK)
		var got []struct {
			ProcessID   string `json:"process_id"`
			DisplayName string `json:"display_name"`
			ModelID     string `json:"model_id"`
			File        string `json:"file"`
			Rank        int    `json:"rank"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if len(got) != 2 || got[0].ProcessID != "approve_invoice" || got[0].Rank != 1 || got[0].ModelID != "finance/approve" ||
			got[0].File != "approve.bpmn" || got[0].DisplayName != "Approve invoice" || got[1].ProcessID != "Sub_approve_invoice" || got[1].Rank != 3 {
			t.Errorf("search: %s", body)
		}
		resp, body = apiCall(t, c, "GET", ta.url+"/api/processes/search?limit=2", "", nil)
		wantStatus(t, resp, http.StatusOK)
		json.Unmarshal(body, &got)
		if len(got) != 2 || got[0].DisplayName != "Approve invoice" {
			t.Errorf("empty query: %s", body)
		}
	})
	t.Run("Decisions", func(t *testing.T) {
		resp, body := apiCall(t, c, "GET", ta.url+"/api/decisions/search?q=rates", "", nil)
		wantStatus(t, resp, http.StatusOK)
		if string(bytes.TrimSpace(body)) != `[{"decision_id":"invoice_rates","name":"Invoice rates","model_id":"finance/approve","file":"rates.dmn"}]` {
			t.Errorf("decisions: %s", body)
		}
	})
	t.Run("Files", func(t *testing.T) {
		resp, body := apiCall(t, c, "GET", ta.url+"/api/process-models/finance:approve/files", "", nil)
		wantStatus(t, resp, http.StatusOK)
		var files []struct {
			Name, Type string
			Size       int64
		}
		json.Unmarshal(body, &files)
		if len(files) != 4 || files[0].Name != "approve.bpmn" || files[0].Type != "bpmn" || files[0].Size == 0 {
			t.Errorf("files: %s", body)
		}
		resp, body = apiCall(t, c, "GET", ta.url+"/api/process-models/finance:approve/files/approve.bpmn", "", nil)
		wantStatus(t, resp, http.StatusOK)
		if string(body) != apiRepo["finance/approve/approve.bpmn"] {
			t.Error("raw file differs")
		}
		resp, _ = apiCall(t, c, "GET", ta.url+"/api/process-models/finance:approve/files/nope.bpmn", "", nil)
		wantStatus(t, resp, http.StatusNotFound)
	})
	t.Run("Callers", func(t *testing.T) {
		resp, body := apiCall(t, c, "GET", ta.url+"/api/process-models/finance:approve/callers", "", nil)
		wantStatus(t, resp, http.StatusOK)
		if !strings.Contains(string(body), `"process_id":"invoice_main"`) || !strings.Contains(string(body), `"model_id":"finance/invoice"`) {
			t.Errorf("callers: %s", body)
		}
	})
	t.Run("SaveNeedsCSRF", func(t *testing.T) {
		resp, _ := apiCall(t, c, "PUT", ta.url+"/api/process-models/finance:approve/files/approve.bpmn", "", []byte(diagramXML("x", "x", "")))
		wantStatus(t, resp, http.StatusForbidden)
	})
	t.Run("SaveValid", func(t *testing.T) {
		content := diagramXML("approve_invoice", "Approve the invoice", "")
		resp, body := apiCall(t, c, "PUT", ta.url+"/api/process-models/finance:approve/files/approve.bpmn", token, []byte(content))
		wantStatus(t, resp, http.StatusOK)
		if string(bytes.TrimSpace(body)) != `{"saved":true,"problems":[]}` {
			t.Errorf("save: %s", body)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "finance/approve/approve.bpmn")); string(got) != content {
			t.Error("file not written")
		}
	})
	t.Run("SaveInvalidKeepsFile", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "finance/approve/approve.bpmn"))
		broken := strings.Replace(string(before), `targetRef="end"`, `targetRef="nowhere"`, 1)
		resp, body := apiCall(t, c, "PUT", ta.url+"/api/process-models/finance:approve/files/approve.bpmn", token, []byte(broken))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		var res struct {
			Saved    bool
			Problems []struct {
				File, Element, Message string
				Line                   int
			}
		}
		json.Unmarshal(body, &res)
		if res.Saved || len(res.Problems) == 0 || res.Problems[0].Element == "" || res.Problems[0].Line == 0 {
			t.Errorf("422 body: %s", body)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, "finance/approve/approve.bpmn")); !bytes.Equal(after, before) {
			t.Error("an invalid save replaced the file")
		}
		resp, body = apiCall(t, c, "PUT", ta.url+"/api/process-models/finance:approve/files/approve.bpmn?draft=1", token, []byte(broken))
		wantStatus(t, resp, http.StatusOK)
		if !strings.Contains(string(body), `"saved":true`) || !strings.Contains(string(body), `"element":`) {
			t.Errorf("draft: %s", body)
		}
		// A clash names both files.
		resp, body = apiCall(t, c, "PUT", ta.url+"/api/process-models/finance:invoice/files/invoice.bpmn", token, []byte(diagramXML("Sub_approve_invoice", "x", "")))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if !strings.Contains(string(body), "finance/approve/sub-approve-invoice-other.bpmn") || !strings.Contains(string(body), `"file":"finance/invoice/invoice.bpmn"`) {
			t.Errorf("clash: %s", body)
		}
		// Hostile content is refused as 422 too.
		resp, body = apiCall(t, c, "PUT", ta.url+"/api/process-models/finance:approve/files/evil.bpmn?draft=1", token, []byte(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if !strings.Contains(string(body), "document type declaration") {
			t.Errorf("DTD: %s", body)
		}
	})
	t.Run("Create", func(t *testing.T) {
		resp, body := apiCall(t, c, "POST", ta.url+"/api/process-models/finance:approve/files", token, []byte(`{"name": "new.bpmn"}`))
		wantStatus(t, resp, http.StatusCreated)
		if !strings.Contains(string(body), `"saved":true`) {
			t.Errorf("create: %s", body)
		}
		resp, _ = apiCall(t, c, "POST", ta.url+"/api/process-models/finance:approve/files", token, []byte(`{"name": "new.bpmn"}`))
		wantStatus(t, resp, http.StatusConflict)
		resp, body = apiCall(t, c, "POST", ta.url+"/api/process-models/finance:approve/files", token, []byte(`{"name": "../x.json", "content": "{}"}`))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if !strings.Contains(string(body), "must not contain") {
			t.Errorf("bad name: %s", body)
		}
	})
	t.Run("SignedOut", func(t *testing.T) {
		resp, _ := apiCall(t, browser(t), "GET", ta.url+"/api/processes/search?q=a", "", nil)
		wantStatus(t, resp, http.StatusUnauthorized)
	})
}

// multipartUpload posts files as the "files" field of a form.
func multipartUpload(t *testing.T, c *http.Client, u, token string, files map[string][]byte, fields map[string]string) (*http.Response, *goquery.Document) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", token)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do(t, c, req)
}

func TestModelForms(t *testing.T) {
	ta, c, dir := modelsApp(t, apiRepo)
	token := sessionToken(t, c, ta.url)

	// Groups: a bad id is refused with the reason, on the page the form
	// was on (post, redirect, get); a good one created.
	resp, _ := postForm(t, c, ta.url+"/process-groups", url.Values{"csrf_token": {token}, "id": {"Bad_Id"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/models" {
		t.Errorf("refused group sent back to %q", loc)
	}
	_, doc := get(t, c, ta.url+"/models")
	if got := text(doc, "#form-error"); !strings.Contains(got, "lower-case letters, digits and dashes") {
		t.Errorf("bad id message %q", got)
	}
	resp, _ = postForm(t, c, ta.url+"/process-groups", url.Values{"csrf_token": {token}, "parent": {"finance"}, "id": {"payables"}, "display_name": {"Payables"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/process-groups/finance:payables" {
		t.Errorf("redirect to %q", loc)
	}
	resp, _ = postForm(t, c, ta.url+"/process-groups/finance:payables", url.Values{"csrf_token": {token}, "display_name": {"Accounts payable"}, "display_order": {"3"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, c, ta.url+"/process-groups/finance")
	if got := text(doc, `#subgroups li[data-id="finance/payables"] a`); got != "Accounts payable" {
		t.Errorf("subgroup %q", got)
	}

	// Links to names with spaces, '#' and '?' work.
	_, doc = get(t, c, ta.url+"/process-groups/finance")
	href := doc.Find(`#models tr[data-id="finance/Odd #1?"] a`).AttrOr("href", "")
	resp, doc = get(t, c, ta.url+href)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#model-name"); got != "Odd one" {
		t.Errorf("model at %q: %q", href, got)
	}
	href = doc.Find(`#files tr[data-name="a form.json"] a`).AttrOr("href", "")
	resp, doc = get(t, c, ta.url+href)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#file-name"); got != "a form.json" {
		t.Errorf("file at %q: %q", href, got)
	}

	// Models and their settings.
	resp, _ = postForm(t, c, ta.url+"/process-models", url.Values{"csrf_token": {token}, "group": {"finance/payables"}, "id": {"pay"}, "display_name": {"Pay"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:payables:pay/files", url.Values{"csrf_token": {token}, "name": {"pay.bpmn"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	form := url.Values{"csrf_token": {token}, "display_name": {"Pay vendors"}, "primary_file_name": {"pay.bpmn"},
		"metadata_key": {"amount", ""}, "metadata_path": {"invoice.amount", ""}, "exception_notification_addresses": {"ops@example.com\nnot-an-address"},
		"fault_or_suspend_on_exception": {"suspend"}}
	resp, doc = postForm(t, c, ta.url+"/process-models/finance:payables:pay", form, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc, "#form-error"); !strings.Contains(got, "not-an-address") {
		t.Errorf("bad address message %q", got)
	}
	if got := doc.Find("#model-display-name").AttrOr("value", ""); got != "Pay vendors" {
		t.Errorf("typed display name lost: %q", got)
	}
	form.Set("exception_notification_addresses", "ops@example.com")
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:payables:pay", form, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	raw, _ := os.ReadFile(filepath.Join(dir, "finance/payables/pay/process_model.json"))
	var meta map[string]any
	json.Unmarshal(raw, &meta)
	if meta["display_name"] != "Pay vendors" || meta["fault_or_suspend_on_exception"] != "suspend" || meta["primary_file_name"] != "pay.bpmn" {
		t.Errorf("process_model.json: %s", raw)
	}
	_, doc = get(t, c, ta.url+"/process-models/finance:payables:pay/settings")
	if got := doc.Find(`#metadata-paths input[name="metadata_key"]`).First().AttrOr("value", ""); got != "amount" {
		t.Errorf("metadata key %q", got)
	}
	if doc.Find(`input[name="fault_or_suspend_on_exception"][value="suspend"][checked]`).Length() != 1 {
		t.Error("suspend is not checked")
	}

	// The JSON editor: a syntax error keeps the text and names the line.
	resp, doc = postForm(t, c, ta.url+"/process-models/finance:approve/files/form-schema.json", url.Values{"csrf_token": {token}, "content": {"{\n  \"type\": \"object\",\n}"}}, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := doc.Find("#problems .problem").AttrOr("data-line", ""); got != "3" {
		t.Errorf("problem line %q", got)
	}
	if got := doc.Find("textarea#file-content").Text(); !strings.Contains(got, `"type": "object",`) {
		t.Errorf("typed text lost: %q", got)
	}
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:approve/files/form-schema.json", url.Values{"csrf_token": {token}, "content": {`{"type": "object", "title": "Approve"}`}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)

	// process_model.json opens in the JSON editor too.
	resp, doc = get(t, c, ta.url+"/process-models/finance:payables:pay/files/process_model.json")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find("textarea#file-content").Text(); !strings.Contains(got, `"display_name": "Pay vendors"`) {
		t.Errorf("process_model.json editor: %q", got)
	}

	// History: both versions listed, the diff shows the change, restore
	// brings the first back.
	resp, doc = get(t, c, ta.url+"/process-models/finance:approve/files/form-schema.json/history")
	wantStatus(t, resp, http.StatusOK)
	if n := doc.Find("#versions tbody tr").Length(); n != 2 {
		t.Fatalf("%d versions", n)
	}
	if got := text(doc, `#versions tr[data-version="2"] td:nth-child(3)`); got != "alice" {
		t.Errorf("author %q", got)
	}
	resp, doc = get(t, c, ta.url+"/process-models/finance:approve/files/form-schema.json/history/2?against=1")
	wantStatus(t, resp, http.StatusOK)
	if got := texts(doc, "#diff tr.diff-add pre"); len(got) != 1 || got[0] != `{"type": "object", "title": "Approve"}` {
		t.Errorf("added lines %q", got)
	}
	if got := texts(doc, "#diff tr.diff-del pre"); len(got) != 1 || got[0] != `{"type": "object"}` {
		t.Errorf("removed lines %q", got)
	}
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:approve/files/form-schema.json/history/1/restore", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if got, _ := os.ReadFile(filepath.Join(dir, "finance/approve/form-schema.json")); string(got) != `{"type": "object"}` {
		t.Errorf("after restore: %s", got)
	}

	// Download a group, then upload it into an empty repository.
	resp, err := c.Get(ta.url + "/process-groups/finance:payables/download")
	if err != nil {
		t.Fatal(err)
	}
	zipData, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("content type %q", ct)
	}
	ta2, c2, dir2 := modelsApp(t, nil)
	token2 := sessionToken(t, c2, ta2.url)
	resp, _ = multipartUpload(t, c2, ta2.url+"/models/upload", token2, map[string][]byte{"payables.zip": zipData}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	for _, f := range []string{"payables/process_group.json", "payables/pay/process_model.json", "payables/pay/pay.bpmn"} {
		a, _ := os.ReadFile(filepath.Join(dir, "finance", f))
		b, err := os.ReadFile(filepath.Join(dir2, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs after the round trip (%v)", f, err)
		}
	}

	// A hostile upload is refused with the reason; nothing changes.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("../../escape.bpmn")
	w.Write([]byte("x"))
	zw.Close()
	resp, doc = multipartUpload(t, c2, ta2.url+"/process-groups/payables/upload", token2, map[string][]byte{"evil.zip": zbuf.Bytes()}, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc, "#form-error"); !strings.Contains(got, "Nothing was changed") || !strings.Contains(got, "leaves the target folder") {
		t.Errorf("zip-slip message %q", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir2), "escape.bpmn")); err == nil {
		t.Error("zip-slip wrote outside the repository")
	}
	// Loose files into a model; a clash is refused naming both, or renamed.
	resp, doc = multipartUpload(t, c2, ta2.url+"/process-models/payables:pay/upload", token2,
		map[string][]byte{"dup.bpmn": []byte(diagramXML(onlyProcessID(t, dir2, "payables/pay/pay.bpmn"), "dup", ""))}, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc, "#form-error"); !strings.Contains(got, "payables/pay/pay.bpmn") || !strings.Contains(got, "payables/pay/dup.bpmn") {
		t.Errorf("clash message %q", got)
	}
	resp, _ = multipartUpload(t, c2, ta2.url+"/process-models/payables:pay/upload", token2,
		map[string][]byte{"dup.bpmn": []byte(diagramXML(onlyProcessID(t, dir2, "payables/pay/pay.bpmn"), "dup", ""))}, map[string]string{"rename": "1"})
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, c2, ta2.url+"/process-models/payables:pay")
	if got := text(doc, ".flash"); !strings.Contains(got, "was renamed to") {
		t.Errorf("flash after rename %q", got)
	}

	// Delete a file, a model, a group.
	resp, _ = postForm(t, c2, ta2.url+"/process-models/payables:pay/files/dup.bpmn/delete", url.Values{"csrf_token": {token2}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, _ = postForm(t, c2, ta2.url+"/process-models/payables:pay/delete", url.Values{"csrf_token": {token2}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, _ = postForm(t, c2, ta2.url+"/process-groups/payables/delete", url.Values{"csrf_token": {token2}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if entries, _ := os.ReadDir(dir2); len(entries) != 0 {
		t.Errorf("repository not empty after deleting everything: %v", entries)
	}
}

// onlyProcessID reads the process id of a file made by diagramXML or the
// new-file template.
func onlyProcessID(t *testing.T, dir, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, `<bpmn:process id="`)
	if i < 0 {
		t.Fatalf("no process in %s", file)
	}
	s = s[i+len(`<bpmn:process id="`):]
	return s[:strings.IndexByte(s, '"')]
}

// TestModelFileRawIsSandboxed: a model file served as it is must not run as
// a page of this site, whatever it contains.
func TestModelFileRawIsSandboxed(t *testing.T) {
	evil := `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:h="http://www.w3.org/1999/xhtml" id="d"><h:script>alert(1)</h:script></bpmn:definitions>`
	ta, c, _ := modelsApp(t, map[string]string{
		"g/process_group.json":   `{"display_name": "G"}`,
		"g/m/process_model.json": `{"display_name": "M"}`,
		"g/m/evil.bpmn":          evil,
	})
	resp, _ := get(t, c, ta.url+"/process-models/g:m/files/evil.bpmn/raw")
	wantStatus(t, resp, http.StatusOK)
	if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "sandbox") {
		t.Errorf("Content-Security-Policy = %q, want a sandbox policy", got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
}

// TestProcessSearchEvents: the search API hands out each process's element
// kinds and the messages and signals it throws and catches.
func TestProcessSearchEvents(t *testing.T) {
	ta, c, _ := modelsApp(t, map[string]string{
		"g/process_group.json":   `{"display_name": "G"}`,
		"g/m/process_model.json": `{"display_name": "M"}`,
		"g/m/events.bpmn": `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="m_paid" name="invoice_paid" />
  <bpmn:signal id="s_low" name="stock_low" />
  <bpmn:process id="events_demo" name="Events demo" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing><bpmn:signalEventDefinition signalRef="s_low" /></bpmn:startEvent>
    <bpmn:receiveTask id="wait" name="Wait for the reply"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:receiveTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming><bpmn:messageEventDefinition messageRef="m_paid" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
`,
	})
	resp, body := apiCall(t, c, "GET", ta.url+"/api/processes/search?q=events", "", nil)
	wantStatus(t, resp, http.StatusOK)
	var got []map[string]any
	if err := json.Unmarshal(body, &got); err != nil || len(got) != 1 {
		t.Fatalf("search: %v %s", err, body)
	}
	want := map[string]any{
		"process_id": "events_demo", "display_name": "Events demo", "model_id": "g/m", "file": "events.bpmn", "rank": 2.0,
		"kinds":           []any{"endEvent", "receiveTask", "startEvent"},
		"messages_thrown": []any{"invoice_paid"}, "messages_caught": []any{},
		"signals_thrown": []any{}, "signals_caught": []any{"stock_low"},
	}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("search result (-want +got):\n%s", diff)
	}
}

// follow sends a GET to the Location of a redirect and parses the page.
func follow(t *testing.T, c *http.Client, base string, resp *http.Response) (*http.Response, *goquery.Document) {
	t.Helper()
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Fatalf("%s %s: no redirect", resp.Request.Method, resp.Request.URL.Path)
	}
	return get(t, c, base+loc)
}

// TestModelDeleteRestore: deleting a model whose files were never edited
// in Waymark keeps them; the group page lists it, its files' histories
// open, and restoring brings back identical files.
func TestModelDeleteRestore(t *testing.T) {
	ta, c, dir := modelsApp(t, apiRepo)
	token := sessionToken(t, c, ta.url)
	files := []string{"process_model.json", "approve.bpmn", "form-schema.json", "rates.dmn", "sub-approve-invoice-other.bpmn"}
	same := func(t *testing.T) {
		t.Helper()
		for _, f := range files {
			got, err := os.ReadFile(filepath.Join(dir, "finance/approve", f))
			if err != nil || string(got) != apiRepo["finance/approve/"+f] {
				t.Errorf("%s is not what it was (%v)", f, err)
			}
		}
	}

	resp, _ := postForm(t, c, ta.url+"/process-models/finance:approve/delete", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc := follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#deleted-notice"); !strings.Contains(got, "“Approve” was deleted") {
		t.Errorf("notice %q", got)
	}
	item := doc.Find(`#deleted li.deleted-item[data-id="finance/approve"]`)
	if item.AttrOr("data-kind", "") != "model" || text(doc, `#deleted li.deleted-item .deleted-name`) != "Approve" {
		t.Fatalf("deleted list: %q", doc.Find("#deleted").Text())
	}
	if n := item.Find("a.deleted-file").Length(); n != len(files) {
		t.Errorf("%d deleted files listed, want %d", n, len(files))
	}
	href := item.Find(`a.deleted-file[data-path="approve.bpmn"]`).AttrOr("href", "")
	if href != "/process-models/finance:approve/files/approve.bpmn/history" {
		t.Errorf("history link %q", href)
	}
	resp, doc = get(t, c, ta.url+href)
	wantStatus(t, resp, http.StatusOK)
	if got := texts(doc, "#versions tbody tr td:nth-child(4)"); strings.Join(got, ",") != "delete-model" {
		t.Errorf("history of a never-edited file after the delete: %q", got)
	}
	if doc.Find("#file-gone").Length() != 1 || doc.Find("#compare option[value=current]").Length() != 0 {
		t.Error("the history of a gone file does not say so, or offers the current file")
	}
	resp, doc = get(t, c, ta.url+href+"/1")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find("#version-content").Text(); got != apiRepo["finance/approve/approve.bpmn"] {
		t.Error("the deleted version does not hold the file")
	}

	// Restore the whole model from the group page.
	action := item.Find("form.deleted-restore").AttrOr("action", "")
	resp, _ = postForm(t, c, ta.url+action, url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/process-models/finance:approve" {
		t.Errorf("after the restore: %q", loc)
	}
	same(t)
	_, doc = get(t, c, ta.url+"/process-groups/finance")
	if doc.Find("#deleted").Length() != 0 {
		t.Error("the restored model is still listed as deleted")
	}

	// A file deleted on its own: the model page points at its history.
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:approve/files/form-schema.json/delete", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	want := "/process-models/finance:approve/files/form-schema.json/history"
	if got := doc.Find("#deleted-notice a").AttrOr("href", ""); got != want {
		t.Errorf("notice links to %q", got)
	}
	if got := doc.Find(`#deleted-files li[data-name="form-schema.json"] a`).AttrOr("href", ""); got != want {
		t.Errorf("deleted files list links to %q", got)
	}
	resp, _ = postForm(t, c, ta.url+want+"/2/restore", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)

	// One file of a deleted model: the model comes back with its settings.
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:approve/delete", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, c, ta.url+"/process-models/finance:approve/files/rates.dmn/history")
	last := doc.Find("#versions tbody tr").First().AttrOr("data-version", "")
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:approve/files/rates.dmn/history/"+last+"/restore", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, ".flash"); !strings.Contains(got, "is back with its last recorded settings") {
		t.Errorf("flash %q", got)
	}
	for _, f := range []string{"process_model.json", "rates.dmn"} {
		if got, _ := os.ReadFile(filepath.Join(dir, "finance/approve", f)); string(got) != apiRepo["finance/approve/"+f] {
			t.Errorf("%s after restoring rates.dmn alone", f)
		}
	}
}

// TestGroupHistory: a group's settings have a history with compare and
// restore, linked from the group page.
func TestGroupHistory(t *testing.T) {
	ta, c, dir := modelsApp(t, apiRepo)
	token := sessionToken(t, c, ta.url)
	for _, name := range []string{"Finance and accounting", "Money"} {
		resp, _ := postForm(t, c, ta.url+"/process-groups/finance", url.Values{"csrf_token": {token}, "display_name": {name}}, nil)
		wantStatus(t, resp, http.StatusSeeOther)
	}
	_, doc := get(t, c, ta.url+"/process-groups/finance")
	href := doc.Find("a#group-history-link").AttrOr("href", "")
	if href != "/process-groups/finance/history" {
		t.Fatalf("history link %q", href)
	}
	resp, doc := get(t, c, ta.url+href)
	wantStatus(t, resp, http.StatusOK)
	if got := texts(doc, "#versions tbody tr td:nth-child(4)"); strings.Join(got, ",") != "save,save,original" {
		t.Errorf("versions %q", got)
	}
	if got := doc.Find(`#versions tr[data-version="1"] a.compare-current`).AttrOr("href", ""); got != "/process-groups/finance/history/1?against=current" {
		t.Errorf("compare-with-current link %q", got)
	}
	if n := doc.Find("#compare select[name=from] option").Length(); n != 3 {
		t.Errorf("%d versions to compare from", n)
	}
	if doc.Find("#compare select[name=to] option[value=current]").Length() != 1 {
		t.Error("the compare form does not offer the current file")
	}

	// Any version with the current file.
	resp, _ = get(t, c, ta.url+"/process-groups/finance/history/compare?from=1&to=current")
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#diff-title"); got != "Changes from version 1 to the current file" {
		t.Errorf("diff title %q", got)
	}
	if got := texts(doc, "#diff tr.diff-add pre"); !strings.Contains(strings.Join(got, "\n"), `"display_name": "Money"`) {
		t.Errorf("added lines %q", got)
	}
	// Any two versions, not only neighbours, in either order.
	resp, _ = get(t, c, ta.url+"/process-groups/finance/history/compare?from=3&to=1")
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/process-groups/finance/history/3?against=1" {
		t.Errorf("compare redirect %q", loc)
	}
	resp, doc = follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#diff-title"); got != "Changes from version 1 to version 3" {
		t.Errorf("diff title %q", got)
	}
	if got := texts(doc, "#diff tr.diff-del pre"); !strings.Contains(strings.Join(got, "\n"), `"display_name": "Finance"`) {
		t.Errorf("removed lines %q", got)
	}

	// Restore the original.
	resp, _ = postForm(t, c, ta.url+"/process-groups/finance/history/1/restore", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/process-groups/finance" {
		t.Errorf("after restore: %q", loc)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "finance/process_group.json")); string(got) != apiRepo["finance/process_group.json"] {
		t.Errorf("process_group.json after restore: %s", got)
	}
	_, doc = get(t, c, ta.url+"/process-groups/finance")
	if got := text(doc, "#group-name"); got != "Finance" {
		t.Errorf("group name after restore %q", got)
	}

	// A deleted group's settings history still opens.
	resp, _ = postForm(t, c, ta.url+"/process-groups/finance/delete", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`#deleted li.deleted-item[data-id="finance"][data-kind="group"]`).Length() != 1 {
		t.Errorf("the models page does not list the deleted group: %q", doc.Find("#deleted").Text())
	}
	resp, doc = get(t, c, ta.url+"/process-groups/finance/history")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("#file-gone").Length() != 1 || doc.Find("#versions tbody tr").Length() != 5 {
		t.Errorf("history of a deleted group: %q", doc.Find("main").Text())
	}
}

// TestModelFileCompare: any version of a file compares with the current
// file and with any other version.
func TestModelFileCompare(t *testing.T) {
	ta, c, _ := modelsApp(t, apiRepo)
	token := sessionToken(t, c, ta.url)
	u := ta.url + "/process-models/finance:approve/files/form-schema.json"
	for _, content := range []string{`{"type": "object", "title": "A"}`, `{"type": "object", "title": "B"}`} {
		resp, _ := postForm(t, c, u, url.Values{"csrf_token": {token}, "content": {content}}, nil)
		wantStatus(t, resp, http.StatusSeeOther)
	}
	resp, doc := get(t, c, u+"/history/1?against=current")
	wantStatus(t, resp, http.StatusOK)
	if got := texts(doc, "#diff tr.diff-add pre"); len(got) != 1 || got[0] != `{"type": "object", "title": "B"}` {
		t.Errorf("added lines %q", got)
	}
	if got := texts(doc, "#diff tr.diff-del pre"); len(got) != 1 || got[0] != `{"type": "object"}` {
		t.Errorf("removed lines %q", got)
	}
	resp, _ = get(t, c, u+"/history/compare?from=1&to=3")
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = follow(t, c, ta.url, resp)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#diff-title"); got != "Changes from version 1 to version 3" {
		t.Errorf("diff title %q", got)
	}
	resp, doc = get(t, c, u+"/history/2")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find("a#compare-current").AttrOr("href", ""); got != "/process-models/finance:approve/files/form-schema.json/history/2?against=current" {
		t.Errorf("compare-with-current link %q", got)
	}
	resp, doc = get(t, c, u+"/history/2?against=0")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#diff-title"); got != "Changes from version 2 to the current file" {
		t.Errorf("against=0: %q", got)
	}
	for _, bad := range []string{"/history/2?against=-1", "/history/2?against=x", "/history/9?against=1", "/history/compare?from=1&to=nope"} {
		resp, _ = get(t, c, u+bad)
		wantStatus(t, resp, http.StatusNotFound)
	}
}

// TestProcessCallers: who calls a process, by process id, as JSON and on
// the page of the file defining it.
func TestProcessCallers(t *testing.T) {
	ta, c, _ := modelsApp(t, apiRepo)
	resp, body := apiCall(t, c, "GET", ta.url+"/api/processes/approve_invoice/callers", "", nil)
	wantStatus(t, resp, http.StatusOK)
	if got := strings.TrimSpace(string(body)); got != `[{"process_id":"invoice_main","display_name":"Invoice main","model_id":"finance/invoice","file":"invoice.bpmn"}]` {
		t.Errorf("callers: %s", got)
	}
	resp, body = apiCall(t, c, "GET", ta.url+"/api/processes/no_such_process/callers", "", nil)
	wantStatus(t, resp, http.StatusOK)
	if got := strings.TrimSpace(string(body)); got != `[]` {
		t.Errorf("callers of an unknown process: %s", got)
	}
	resp, doc := get(t, c, ta.url+"/process-models/finance:approve/files/approve.bpmn")
	wantStatus(t, resp, http.StatusOK)
	caller := doc.Find(`#file-processes li.file-process[data-process-id="approve_invoice"] ul.callers li[data-process-id="invoice_main"] a`)
	if caller.AttrOr("href", "") != "/process-models/finance:invoice/files/invoice.bpmn" {
		t.Errorf("called-by link %q", caller.AttrOr("href", ""))
	}
	_, doc = get(t, c, ta.url+"/process-models/finance:invoice/files/invoice.bpmn")
	if doc.Find(`#file-processes li.file-process[data-process-id="invoice_main"] ul.callers`).Length() != 0 {
		t.Error("invoice_main shows callers it does not have")
	}
}

// TestModelSettingsChecks: the primary process id must be one of the
// model's processes, and groups with SpiffArena names take new models.
func TestModelSettingsChecks(t *testing.T) {
	files := map[string]string{"misc/category_number_one/process_group.json": `{"display_name": "category_number_one"}`}
	for k, v := range apiRepo {
		files[k] = v
	}
	ta, c, dir := modelsApp(t, files)
	token := sessionToken(t, c, ta.url)
	resp, doc := postForm(t, c, ta.url+"/process-models/finance:approve", url.Values{"csrf_token": {token}, "display_name": {"Approve"}, "primary_process_id": {"approve_invoce"}}, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc, "#form-error"); !strings.Contains(got, "primary_process_id") || !strings.Contains(got, `"approve_invoce"`) {
		t.Errorf("message %q", got)
	}
	resp, _ = postForm(t, c, ta.url+"/process-models/finance:approve", url.Values{"csrf_token": {token}, "display_name": {"Approve"}, "primary_process_id": {"approve_invoice"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)

	resp, _ = postForm(t, c, ta.url+"/process-models", url.Values{"csrf_token": {token}, "group": {"misc/category_number_one"}, "id": {"new-one"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/process-models/misc:category_number_one:new-one" {
		t.Errorf("redirect %q", loc)
	}
	if _, err := os.Stat(filepath.Join(dir, "misc/category_number_one/new-one/process_model.json")); err != nil {
		t.Error(err)
	}
}
