package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestSandboxRunAPI(t *testing.T) {
	ta, c, _ := modelsApp(t, nil)
	token := sessionToken(t, c, ta.url)
	xml, _ := json.Marshal(diagramXML("flow", "Flow", ""))
	post := func(body string) (*http.Response, map[string]any) {
		t.Helper()
		resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/sandbox/run", token, []byte(body))
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
	resp, _ = apiCall(t, c, http.MethodPost, ta.url+"/api/sandbox/run", "", []byte(`{}`))
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
	resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/sandbox/run", token, []byte(`{"model": "shop/order", "file": "order.bpmn", "xml": `+string(xml)+`, "process": "order", "steps": [{"complete": "wait"}]}`))
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
