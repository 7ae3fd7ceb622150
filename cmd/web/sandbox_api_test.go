package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

func TestSandboxRunAPI(t *testing.T) {
	ta, c, _ := modelsApp(t, nil)
	token := sessionToken(t, c, ta.url)
	xml, _ := json.Marshal(diagramXML("flow", "Flow", ""))
	post := func(body string) (*http.Response, map[string]any) {
		t.Helper()
		resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/process-models/some:model/sandbox/run", token, []byte(body))
		var out map[string]any
		json.Unmarshal(data, &out)
		return resp, out
	}
	resp, out := post(`{"file": "flow.bpmn", "xml": ` + string(xml) + `, "process": "flow", "steps": []}`)
	wantStatus(t, resp, http.StatusOK)
	if out["status"] == "" || out["clock"] != "2026-01-05T09:00:00Z" {
		t.Errorf("run: %v", out)
	}
	// A step that cannot be taken is refused by name.
	resp, out = post(`{"file": "flow.bpmn", "xml": ` + string(xml) + `, "process": "flow", "steps": [{"complete": "nope"}]}`)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out["message"].(string), `no READY task "nope"`) {
		t.Errorf("bad step: %d %v", resp.StatusCode, out)
	}
	resp, out = post(`{"xml": "<x/>", "steps": [{"jump": "x"}]}`)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out["message"].(string), `step 1`) {
		t.Errorf("unknown step: %d %v", resp.StatusCode, out)
	}
	resp, _ = apiCall(t, c, http.MethodPost, ta.url+"/api/process-models/some:model/sandbox/run", "", []byte(`{}`))
	wantStatus(t, resp, http.StatusForbidden)
}

// A test run finds the decisions of its model's DMN files.
func TestSandboxRunUsesModelDecisions(t *testing.T) {
	ta, c, _ := modelsApp(t, map[string]string{
		"shop/process_group.json":       `{"display_name": "Shop"}`,
		"shop/order/process_model.json": `{"display_name": "Order"}`,
		"shop/order/discount.dmn":       editTable,
	})
	token := sessionToken(t, c, ta.url)
	xml, _ := json.Marshal(orderProcess)
	resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/process-models/shop:order/sandbox/run", token, []byte(`{"file": "order.bpmn", "xml": `+string(xml)+`, "process": "order", "steps": [{"complete": "wait"}]}`))
	wantStatus(t, resp, http.StatusOK)
	var out struct {
		Ready []string
		Data  map[string]any
	}
	json.Unmarshal(data, &out)
	if strings.Join(out.Ready, ",") != "show" || out.Data["discount"] != 5.0 {
		t.Errorf("after the business rule task: %s", data)
	}
}

func TestSandboxFormAPI(t *testing.T) {
	ta, c, _ := modelsApp(t, previewRepo())
	token := sessionToken(t, c, ta.url)
	post := func(form url.Values) (*http.Response, string) {
		t.Helper()
		resp, doc := postForm(t, c, ta.url+"/api/process-models/shop:buy/sandbox/form", form, http.Header{"X-Csrf-Token": {token}})
		html, _ := doc.Find("body").Html()
		if strings.Contains(resp.Header.Get("Content-Type"), "json") {
			return resp, doc.Text()
		}
		return resp, html
	}
	base := url.Values{"wm_sandbox_schema": {"request-schema.json"}, "wm_sandbox_uischema": {"request-uischema.json"},
		"wm_sandbox_data": {`{"item": "chair"}`}}
	resp, html := post(base)
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(html, `name="item"`) || !strings.Contains(html, `value="chair"`) {
		t.Errorf("render: %s", html)
	}
	sub := url.Values{"wm_sandbox_mode": {"submit"}, "item": {"desk"}, "amount": {"0"}}
	for k, v := range base {
		sub[k] = v
	}
	resp, body := post(sub)
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(body, `"data":{"amount":0,"item":"desk"}`) || !strings.Contains(body, `"problems":["amount must be at least 1"]`) {
		t.Errorf("submit: %s", body)
	}
	base.Set("wm_sandbox_schema", "missing-schema.json")
	resp, body = post(base)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "missing-schema.json") {
		t.Errorf("missing schema: %d %s", resp.StatusCode, body)
	}
}

// A service task in a test run is answered from the recorded responses.
func TestSandboxRunServiceResponses(t *testing.T) {
	ta, c, _ := modelsApp(t, nil)
	token := sessionToken(t, c, ta.url)
	raw, err := os.ReadFile("../../../shared/conformance/cases/service-task/service_task.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	xml, _ := json.Marshal(string(raw))
	proc := regexp.MustCompile(`<bpmn:process id="([^"]+)"`).FindStringSubmatch(string(raw))[1]
	run := func(services string) (int, string) {
		resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/process-models/shop:svc/sandbox/run", token,
			[]byte(`{"file": "service_task.bpmn", "xml": `+string(xml)+`, "process": "`+proc+`", "steps": [], "services": `+services+`}`))
		return resp.StatusCode, string(data)
	}
	if code, body := run(`{}`); code != http.StatusOK || !strings.Contains(body, `operator \"bamboohr/GetPayRate\" is not available`) {
		t.Errorf("without a response: %d %s", code, body)
	}
	if code, body := run(`{"bamboohr/GetPayRate": {"amount": "65000"}, "weather/CurrentTemp": {"temp": 21}}`); code != http.StatusOK || !strings.Contains(body, `"status":"completed"`) || !strings.Contains(body, `65000`) {
		t.Errorf("with a response: %d %s", code, body)
	}
}

// A test run may call the real connector when the analyst allows it: the
// call is made once, its response comes back recorded, and a replay with
// the recording does not call again. Only a user who may change the model
// may allow it.
func TestSandboxRunCallsRealConnector(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": 42, "name": "chair"}`))
	}))
	defer api.Close()
	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_CONNECTOR_ALLOW"] = "127.0.0.1/32"
	ta := startApp(t, vars)
	xml, _ := json.Marshal(strings.ReplaceAll(lookupModel, "API_URL", api.URL))
	run := func(c *http.Client, live bool, services string) (int, map[string]any) {
		t.Helper()
		body := fmt.Sprintf(`{"file": "lookup.bpmn", "xml": %s, "process": "lookup", "steps": [], "services": %s, "live_services": %v}`, xml, services, live)
		resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/process-models/purchases:lookup/sandbox/run", sessionToken(t, c, ta.url), []byte(body))
		var out map[string]any
		json.Unmarshal(data, &out)
		return resp.StatusCode, out
	}
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	code, out := run(alice, false, "{}")
	if code != http.StatusOK || out["status"] != "error" || !strings.Contains(fmt.Sprint(out["error"]), `operator "http/GetRequestV2" is not available`) || calls.Load() != 0 {
		t.Fatalf("without live calls: %d %v, %d calls", code, out, calls.Load())
	}
	code, out = run(alice, true, "{}")
	rec, _ := out["recorded_services"].(map[string]any)
	if code != http.StatusOK || out["status"] != "completed" || calls.Load() != 1 || rec["http/GetRequestV2"] == nil {
		t.Fatalf("live: %d %v, %d calls", code, out, calls.Load())
	}
	if body := fmt.Sprint(out["data"].(map[string]any)["record"]); !strings.Contains(body, "chair") {
		t.Errorf("the task data lacks the real response: %s", body)
	}
	recorded, _ := json.Marshal(rec)
	code, out = run(alice, true, string(recorded))
	if code != http.StatusOK || out["status"] != "completed" || calls.Load() != 1 || out["recorded_services"] != nil {
		t.Errorf("replay with the recording: %d %v, %d calls (want still 1)", code, out, calls.Load())
	}

	// bob may read and start but not change the model.
	bob := browser(t)
	signIn(t, bob, ta.url, "bob", "bob-secret")
	if code, out = run(bob, true, "{}"); code != http.StatusForbidden || !strings.Contains(fmt.Sprint(out["message"]), "update") {
		t.Errorf("bob allowing live calls: %d %v, want 403 naming update", code, out)
	}
	if code, _ = run(bob, false, string(recorded)); code != http.StatusOK || calls.Load() != 1 {
		t.Errorf("bob's run from the recording: %d, %d calls", code, calls.Load())
	}
}
