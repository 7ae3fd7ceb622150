package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lookupModel asks a service for a record; a 404 is caught by an error
// boundary event with SpiffArena's code and leads to a task that shows what
// the service said, any other failure stops the instance.
const lookupModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_lookup" targetNamespace="http://waymark.test/lookup">
  <bpmn:error id="not_found" name="not_found" errorCode="ServiceTaskHttpError404">
    <bpmn:extensionElements>
      <spiffworkflow:variableName>failure</spiffworkflow:variableName>
    </bpmn:extensionElements>
  </bpmn:error>
  <bpmn:process id="lookup" name="Lookup" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch" />
    <bpmn:serviceTask id="fetch" name="Fetch the record">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequestV2" resultVariable="record">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="&quot;API_URL/records/42&quot;" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="missing" attachedToRef="fetch">
      <bpmn:errorEventDefinition errorRef="not_found" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="missing" targetRef="tell" />
    <bpmn:manualTask id="tell" name="Tell the requester">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>No record: {{ failure.status_code }} {{ failure.command_response_body.detail }}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f4" sourceRef="tell" targetRef="end_missing" />
    <bpmn:endEvent id="end_missing" />
  </bpmn:process>
</bpmn:definitions>`

// An HTTP 404 from a real server is caught by the service task's error
// boundary event, as in SpiffArena; a 500 is not, and the instance stops
// at the task with the code.
func TestConnectorErrorsCaughtByBoundaryEvents(t *testing.T) {
	status := http.StatusNotFound
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"detail": "no record 42"}`))
	}))
	defer api.Close()

	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_CONNECTOR_ALLOW"] = "127.0.0.1/32"
	dir := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases", "lookup")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "process_model.json"), []byte(`{"display_name": "Lookup", "description": "", "display_order": 0, "primary_file_name": "lookup.bpmn", "primary_process_id": "lookup"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "lookup.bpmn"), []byte(strings.ReplaceAll(lookupModel, "API_URL", api.URL)), 0o644)
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	start := func() string {
		_, inbox := get(t, alice, ta.url+"/inbox")
		resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:lookup/start", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d", resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	waitStatus := func(instance, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, doc := get(t, alice, ta.url+"/instances/"+instance)
			got := text(doc, "#instance-status")
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %s is %q, want %q", instance, got, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	start()
	waitStatus("1", "running")
	var taskURL string
	deadline := time.Now().Add(30 * time.Second)
	for taskURL == "" && time.Now().Before(deadline) {
		_, doc := get(t, alice, ta.url+"/inbox?view=mine")
		taskURL = doc.Find(`tr.task a.task-link`).First().AttrOr("href", "")
		if taskURL == "" {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if taskURL == "" {
		t.Fatal("the error path's task never reached the inbox")
	}
	_, page := get(t, alice, ta.url+taskURL)
	if got := text(page, ".instructions p"); got != "No record: 404 no record 42" {
		t.Errorf("instructions %q, want the caught failure's status and body", got)
	}

	status = http.StatusInternalServerError
	start()
	waitStatus("2", "error")
	_, doc := get(t, alice, ta.url+"/instances/2")
	if msg := text(doc, "#instance-error pre"); !strings.Contains(msg, "ServiceTaskHttpError500") {
		t.Errorf("error %q does not name the code", msg)
	}
}
