package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestScriptUnitTestsAPI(t *testing.T) {
	ta, c, _ := modelsApp(t, nil)
	token := sessionToken(t, c, ta.url)
	resp, body := apiCall(t, c, http.MethodPost, ta.url+"/api/scripts/unit-tests", token, []byte(`{"script": "y = x + 1", "tests": [
		{"id": "ok", "inputJson": "{\"x\": 1}", "expectedOutputJson": "{\"x\": 1, \"y\": 2}"},
		{"id": "off", "inputJson": "{\"x\": 1}", "expectedOutputJson": "{\"x\": 1, \"y\": 3}"},
		{"id": "raises", "inputJson": "{}", "expectedOutputJson": "{}"}]}`))
	wantStatus(t, resp, http.StatusOK)
	var got struct {
		Results []struct {
			ID     string
			Passed bool
			Error  string
			Diffs  []string
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(got.Results) != 3 || !got.Results[0].Passed || got.Results[1].Passed || strings.Join(got.Results[1].Diffs, "") != "y: got 2, want 3" ||
		got.Results[2].Passed || !strings.Contains(got.Results[2].Error, "'x' is not defined") {
		t.Errorf("results: %s", body)
	}
	resp, body = apiCall(t, c, http.MethodPost, ta.url+"/api/scripts/unit-tests", token, []byte(`{"script": `))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "must be JSON") {
		t.Errorf("bad body: %d %s", resp.StatusCode, body)
	}
	resp, _ = apiCall(t, c, http.MethodPost, ta.url+"/api/scripts/unit-tests", "", []byte(`{"script": "y = 1", "tests": []}`))
	wantStatus(t, resp, http.StatusForbidden)
}
