package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
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
