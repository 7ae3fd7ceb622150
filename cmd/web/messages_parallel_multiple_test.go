package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bothBPMN starts on message "open", then waits for both "part_a" and
// "part_b" on one parallelMultiple catch event.
const bothBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:message id="m_open" name="open" />
  <bpmn:message id="m_a" name="part_a" />
  <bpmn:message id="m_b" name="part_b" />
  <bpmn:process id="both" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_open" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="parts" />
    <bpmn:intermediateCatchEvent id="parts" parallelMultiple="true">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_a" />
      <bpmn:messageEventDefinition messageRef="m_b" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="parts" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
`

// TestParallelMultipleMessageNotSwallowed: once a parallelMultiple catch
// event has its "part_a", a second "part_a" is not consumed by it (no one
// waits for it any more), the instance page lists only "part_b", and
// "part_b" completes the instance.
func TestParallelMultipleMessageNotSwallowed(t *testing.T) {
	vars := messageVars(t)
	dir := filepath.Join(vars["WAYMARK_MODELS_DIR"], "orders", "both")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"process_model.json": `{"display_name": "Both parts", "primary_file_name": "both.bpmn", "primary_process_id": "both"}`,
		"both.bpmn":          bothBPMN,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	_, page := get(t, alice, ta.url+"/inbox")
	token := csrfToken(t, page)

	code, out := postJSON(t, alice, ta.url+"/api/v1/messages/open", token, `{"payload": {}}`)
	pi, _ := out["process_instance"].(map[string]any)
	if code != http.StatusOK || pi["status"] != "running" {
		t.Fatalf("open: %d %v, want a running instance", code, out)
	}
	id := strconv.Itoa(int(pi["id"].(float64)))

	code, out = postJSON(t, alice, ta.url+"/api/v1/messages/part_a", token, `{"payload": {}}`)
	if pi, _ := out["process_instance"].(map[string]any); code != http.StatusOK || pi["status"] != "running" {
		t.Fatalf("first part_a: %d %v, want the instance still running", code, out)
	}
	code, out = postJSON(t, alice, ta.url+"/api/v1/messages/part_a", token, `{"payload": {}}`)
	if code != http.StatusBadRequest || !strings.Contains(out["message"].(string), `"part_a"`) {
		t.Fatalf("second part_a: %d %v, want 400: nobody waits for it any more", code, out)
	}
	_, doc := get(t, alice, ta.url+"/instances/"+id)
	if got := strings.Join(strings.Fields(doc.Find("li.subscription").Text()), " "); got != "message part_b at parts" {
		t.Errorf("instance waits for %q, want only part_b", got)
	}

	code, out = postJSON(t, alice, ta.url+"/api/v1/messages/part_b", token, `{"payload": {}}`)
	if pi, _ := out["process_instance"].(map[string]any); code != http.StatusOK || pi["status"] != "completed" {
		t.Fatalf("part_b: %d %v, want the instance completed", code, out)
	}
}
