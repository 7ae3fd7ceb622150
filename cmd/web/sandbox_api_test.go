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
