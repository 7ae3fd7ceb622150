package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestScriptHelpersWired: through the whole app, a model's pre-script
// reads its lane from the task object, a script calls get_env,
// get_toplevel_process_info and the privileged add_permission (alice may
// run privileged scripts: she is an admin) and get_url_for_task_with_bpmn_identifier
// for a task not reached yet, the task's instructions show what they
// returned, the link leads to the task, and the permission is in force on
// the admin page.
func TestScriptHelpersWired(t *testing.T) {
	vars := workflowVars(t, t.TempDir())
	if err := os.WriteFile(vars["WAYMARK_PERMISSIONS_FILE"], []byte(withAdmin(workflowPermissions, "alice")), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["WAYMARK_ENV"] = "staging"
	vars["WAYMARK_BASE_URL"] = "http://waymark.example.com"
	dir := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases", "helpers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"process_model.json": `{"display_name": "Helpers", "description": "", "display_order": 3,
			"primary_file_name": "helpers.bpmn", "primary_process_id": "helpers"}`,
		"helpers.bpmn": `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_helpers" targetNamespace="http://waymark.test/helpers">
  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="helpers" /></bpmn:collaboration>
  <bpmn:process id="helpers" name="Helpers" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="requester">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>calls</bpmn:flowNodeRef><bpmn:flowNodeRef>look</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calls" />
    <bpmn:scriptTask id="calls" name="Call helpers">
      <bpmn:script>env_name = get_env()
info = get_toplevel_process_info()
add_permission("read", "PG:audits", "approvers")
link = get_url_for_task_with_bpmn_identifier("look")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calls" targetRef="look" />
    <bpmn:manualTask id="look" name="Look">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>lane_seen = task.task_spec.lane</spiffworkflow:preScript>
        <spiffworkflow:instructionsForEndUser>env={{ env_name }} id={{ info.process_instance_id }} model={{ info.process_model_identifier }} lane={{ lane_seen }} link={{ link }}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f3" sourceRef="look" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	loc := startInstance(t, ta, alice, "purchases:helpers")
	_, page := get(t, alice, ta.url+loc)
	want := "env=staging id=1 model=purchases/helpers lane=requester link=http://waymark.example.com/tasks/1/look"
	if got := text(page, ".instructions"); got != want {
		t.Errorf("instructions %q, want %q", got, want)
	}
	// The link was made before the task existed: it leads to the open task.
	if resp, _ := get(t, alice, ta.url+"/tasks/1/look"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
		t.Errorf("following the link: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), loc)
	}
	if resp, _ := get(t, alice, ta.url+"/tasks/1/calls"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a link to an element without an open task: %d, want 404", resp.StatusCode)
	}
	_, doc := get(t, alice, ta.url+"/admin/permissions")
	var rules []string
	doc.Find("#app-rules tbody tr").Each(func(_ int, tr *goquery.Selection) {
		cells := tr.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) })
		rules = append(rules, strings.Join(cells[:5], " | "))
	})
	if len(rules) != 1 || !strings.HasPrefix(rules[0], "script-") || !strings.HasSuffix(rules[0], " | approvers |  | read | PG:audits") {
		t.Errorf("app rules %q, want the one add_permission made", rules)
	}
}
