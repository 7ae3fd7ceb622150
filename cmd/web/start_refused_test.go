package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// brokenScriptBPMN is a process whose script task has no script: the
// parser refuses it with the element's id and line.
const brokenScriptBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="broken" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:scriptTask id="compute"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
`

// callsMissingBPMN calls a process and a decision no model defines.
const callsMissingBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="%s" />
    %s
    <bpmn:sequenceFlow id="f2" sourceRef="%s" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
`

// TestStartRefusalNamesTheReason: starting a model that cannot run (no
// BPMN file at all, or a primary diagram with problems) is refused with
// the reason on the page and in the API's JSON, not a generic "the name
// or content was refused".
func TestStartRefusalNamesTheReason(t *testing.T) {
	dir := t.TempDir()
	vars := workflowVars(t, dir)
	models := vars["WAYMARK_MODELS_DIR"]
	for id, files := range map[string]map[string]string{
		"purchases/empty": {
			"process_model.json": `{"display_name": "Empty"}`,
		},
		"purchases/broken": {
			"process_model.json": `{"display_name": "Broken", "primary_file_name": "broken.bpmn", "primary_process_id": "broken"}`,
			"broken.bpmn":        brokenScriptBPMN,
		},
		"purchases/calls": {
			"process_model.json": `{"display_name": "Calls", "primary_file_name": "calls.bpmn", "primary_process_id": "caller"}`,
			"calls.bpmn":         fmt.Sprintf(callsMissingBPMN, "sub", `<bpmn:callActivity id="sub" calledElement="Process_nowhere"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>`, "sub"),
		},
		"purchases/decides": {
			"process_model.json": `{"display_name": "Decides", "primary_file_name": "decides.bpmn", "primary_process_id": "decider"}`,
			"decides.bpmn":       strings.ReplaceAll(fmt.Sprintf(callsMissingBPMN, "rule", `<bpmn:businessRuleTask id="rule"><bpmn:extensionElements><spiffworkflow:calledDecisionId>no_such_table</spiffworkflow:calledDecisionId></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>`, "rule"), `"caller"`, `"decider"`),
		},
	} {
		if err := os.MkdirAll(filepath.Join(models, id), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(models, id, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	_, doc := get(t, alice, ta.url+"/inbox")
	token := csrfToken(t, doc)

	for _, c := range []struct {
		model string
		want  []string
	}{
		{"purchases:empty", []string{"purchases/empty", "no BPMN file"}},
		{"purchases:broken", []string{"broken.bpmn", "compute", "script task has no script"}},
		{"purchases:calls", []string{"calls.bpmn", "sub", "Process_nowhere"}},
		{"purchases:decides", []string{"decides.bpmn", "rule", "no_such_table"}},
	} {
		resp, doc := postForm(t, alice, ta.url+"/process-models/"+c.model+"/start", url.Values{"csrf_token": {token}}, nil)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		msg := text(doc, "#error")
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("start %s: page says %q, want it to name %q", c.model, msg, w)
			}
		}
		if strings.Contains(msg, "The name or content was refused") {
			t.Errorf("start %s: generic refusal %q", c.model, msg)
		}

		req, err := http.NewRequest(http.MethodPost, ta.url+"/api/v1/process-models/"+c.model+"/process-instances", strings.NewReader(`{"data": {}}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", token)
		resp, err = alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			ErrorCode string `json:"error_code"`
			Message   string `json:"message"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("API start %s: status %d, want 422", c.model, resp.StatusCode)
		}
		for _, w := range c.want {
			if !strings.Contains(body.Message, w) {
				t.Errorf("API start %s: message %q, want it to name %q", c.model, body.Message, w)
			}
		}
	}
}
