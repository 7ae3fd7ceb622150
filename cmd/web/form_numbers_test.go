package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// leaveModel asks for a number of days in an integer field and a rate in a
// number field; a script then counts, indexes and formats with them, and
// the next task's instructions show what the script made.
var leaveModel = map[string]string{
	"process_model.json": `{"display_name": "Leave", "description": "", "display_order": 0, "primary_file_name": "leave.bpmn", "primary_process_id": "leave"}`,
	"days-schema.json":   `{"type": "object", "required": ["days"], "properties": {"days": {"type": "integer", "title": "Days"}, "rate": {"type": "number", "title": "Rate"}}}`,
	"leave.bpmn": `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_leave" targetNamespace="http://waymark.test/leave">
  <bpmn:process id="leave" name="Leave" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:userTask id="ask" name="How many days">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="days-schema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="count" />
    <bpmn:scriptTask id="count" name="Count the days">
      <bpmn:script>dates = list(range(days))
last = dates[days - 1]
summary = "%d days, last index %d, as text %s, rate %s" % (days, last, str(days), str(rate))</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="show" />
    <bpmn:manualTask id="show" name="Read the summary">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Summary: {{ summary }}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f4" sourceRef="show" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`,
}

// A number typed into a form reaches scripts as Python would see it from
// SpiffArena's browser: an integral value is an int (range() takes it,
// str() shows no ".0"), a value with a fraction is a float.
func TestFormNumbersReachScriptsAsPythonTypes(t *testing.T) {
	dataDir := t.TempDir()
	vars := workflowVars(t, dataDir)
	dir := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases", "leave")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range leaveModel {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	loc := startInstance(t, ta, alice, "purchases:leave")
	_, page := get(t, alice, ta.url+loc)
	resp, _ := postForm(t, alice, ta.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "days": {"13"}, "rate": {"1.5"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete the form: %d", resp.StatusCode)
	}
	_, doc := get(t, alice, ta.url+"/instances/1")
	if got := text(doc, "#instance-status"); got != "running" && got != "waiting" {
		t.Fatalf("status %q after the script (error: %s)", got, text(doc, "#instance-error pre"))
	}
	_, page = get(t, alice, ta.url+"/tasks/1/4")
	want := "Summary: 13 days, last index 12, as text 13, rate 1.5"
	if got := text(page, ".instructions p"); got != want {
		t.Errorf("instructions %q, want %q", got, want)
	}
}
