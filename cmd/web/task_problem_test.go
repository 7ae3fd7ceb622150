package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// formTaskBPMN is a process with one user task whose form is the file
// describe-schema.json of its model.
const formTaskBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d">
  <bpmn:process id="order_process" name="Order" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="describe" name="Describe the order"><bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="describe-schema.json"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="describe"/>
    <bpmn:sequenceFlow id="f2" sourceRef="describe" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`

// brokenFormRepo is a repository whose model's task form is missing.
func brokenFormRepo(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "models")
	model := filepath.Join(dir, "shop", "order")
	os.MkdirAll(model, 0o750)
	os.WriteFile(filepath.Join(dir, "shop", "process_group.json"), []byte(`{"display_name": "Shop"}`), 0o640)
	os.WriteFile(filepath.Join(model, "process_model.json"), []byte(`{"display_name": "Order", "primary_file_name": "order.bpmn", "primary_process_id": "order_process"}`), 0o640)
	os.WriteFile(filepath.Join(model, "order.bpmn"), []byte(formTaskBPMN), 0o640)
	return dir
}

// TestBrokenTaskForm: a task whose form file is missing or is not a valid
// form shows the problem as an error saying what to do, with no Submit
// button; who may edit the model gets a link to the fix, others do not.
func TestBrokenTaskForm(t *testing.T) {
	dir := brokenFormRepo(t)
	ta, alice, _ := startModels(t, dir)
	token := sessionToken(t, alice, ta.url)
	resp, _ := postForm(t, alice, ta.url+"/process-models/shop:order/start", url.Values{"csrf_token": {token}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)

	resp, doc := get(t, alice, ta.url+"/tasks/1/2")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#task-problem-message"); got != "The form file describe-schema.json is missing from the model shop/order." {
		t.Errorf("problem %q", got)
	}
	if got := text(doc, "#task-problem-help"); !strings.Contains(got, "create the file describe-schema.json") {
		t.Errorf("help %q", got)
	}
	if doc.Find(`#task-problem.alert[role="alert"]`).Length() != 1 || doc.Find(`.flash.problem`).Length() != 0 {
		t.Error("the problem is not shown as an error")
	}
	if n := doc.Find(`form[action$="/complete"], #task-form`).Length(); n != 0 {
		t.Errorf("%d forms complete the task", n)
	}
	if href, _ := doc.Find("#task-problem-fix").Attr("href"); href != "/process-models/shop:order/files/describe-schema.json" || text(doc, "#task-problem-fix") != "Create describe-schema.json" {
		t.Errorf("fix link %q %q", href, text(doc, "#task-problem-fix"))
	}

	// The diagram's page names the missing file at the task.
	resp, doc = get(t, alice, ta.url+"/process-models/shop:order/files/order.bpmn")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, `#problems li.problem[data-element="describe"][data-line="5"] .problem-message`); !strings.Contains(got, `the form file "describe-schema.json" (formJsonSchemaFilename) is not a file of model shop/order`) {
		t.Errorf("the diagram's page: %q", got)
	}

	// The link offers to create the file.
	resp, doc = get(t, alice, ta.url+"/process-models/shop:order/files/describe-schema.json")
	wantStatus(t, resp, http.StatusNotFound)
	if action, _ := doc.Find("#file-missing-create").Attr("action"); action != "/process-models/shop:order/files" {
		t.Errorf("create form posts to %q", action)
	}

	// A schema that is not a form: saving refuses it, unless as a draft;
	// the task's error then names it, and the link opens the file.
	bad := []byte(`{"type": "object", "properties": {"n": {"type": "integr"}}}`)
	u := ta.url + "/api/process-models/shop:order/files/describe-schema.json"
	resp, body := apiCall(t, alice, "PUT", u, token, bad)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(string(body), "not a valid JSON Schema form") {
		t.Errorf("save of an invalid schema: %s", body)
	}
	resp, _ = apiCall(t, alice, "PUT", u+"?draft=1", token, bad)
	wantStatus(t, resp, http.StatusOK)
	resp, doc = get(t, alice, ta.url+"/tasks/1/2")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "#task-problem-message"); !strings.Contains(got, "describe-schema.json") || !strings.Contains(got, "/properties/n/type") {
		t.Errorf("problem %q", got)
	}
	if text(doc, "#task-problem-fix") != "Open describe-schema.json" || doc.Find("#task-form").Length() != 0 {
		t.Errorf("fix %q, task forms %d", text(doc, "#task-problem-fix"), doc.Find("#task-form").Length())
	}

	// Someone who may not edit the model is told whom to ask, no link.
	bob := browser(t)
	signIn(t, bob, ta.url, "bob", "bob-secret")
	btoken := sessionToken(t, bob, ta.url)
	resp, _ = postForm(t, bob, ta.url+"/process-models/shop:order/start", url.Values{"csrf_token": {btoken}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = get(t, bob, ta.url+resp.Header.Get("Location"))
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("#task-problem").Length() != 1 || doc.Find("#task-problem-fix").Length() != 0 || doc.Find("#task-form").Length() != 0 {
		t.Errorf("bob's task page: problem %d, fix %d, form %d", doc.Find("#task-problem").Length(), doc.Find("#task-problem-fix").Length(), doc.Find("#task-form").Length())
	}
	if !strings.Contains(text(doc, "#task-problem-help"), "Someone who edits the model shop/order") {
		t.Errorf("bob's help %q", text(doc, "#task-problem-help"))
	}
}

// TestRefusalsNameTheReason: a refused action says why on the page, not a
// generic "was refused": starting a model without a process, a model whose
// diagram has problems, a file name the repository does not allow.
func TestRefusalsNameTheReason(t *testing.T) {
	dir := brokenFormRepo(t)
	os.MkdirAll(filepath.Join(dir, "shop", "empty"), 0o750)
	os.WriteFile(filepath.Join(dir, "shop", "empty", "process_model.json"), []byte(`{"display_name": "Empty"}`), 0o640)
	os.MkdirAll(filepath.Join(dir, "shop", "broken"), 0o750)
	os.WriteFile(filepath.Join(dir, "shop", "broken", "process_model.json"), []byte(`{"display_name": "Broken"}`), 0o640)
	os.WriteFile(filepath.Join(dir, "shop", "broken", "broken.bpmn"), []byte(strings.Replace(formTaskBPMN, `targetRef="end"`, `targetRef="nowhere"`, 1)), 0o640)
	ta, alice, _ := startModels(t, dir)
	token := sessionToken(t, alice, ta.url)
	for _, tt := range []struct{ name, post, from, want string }{
		{"NoProcess", "/process-models/shop:empty/start", "/process-models/shop:empty", `The model shop/empty has no BPMN file with a process`},
		{"DiagramProblems", "/process-models/shop:broken/start", "/process-models/shop:broken", `The model's files have a problem: shop/broken/broken.bpmn:8: f2:`},
		{"FileName", "/process-models/shop:order/files", "/process-models/shop:order", `must not start with a dot`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Referer": {ta.url + tt.from}}
			resp, _ := postForm(t, alice, ta.url+tt.post, url.Values{"csrf_token": {token}, "name": {".hidden.json"}}, h)
			wantStatus(t, resp, http.StatusSeeOther)
			if loc := resp.Header.Get("Location"); loc != tt.from {
				t.Errorf("refused post goes to %q, want %q", loc, tt.from)
			}
			_, doc := get(t, alice, ta.url+tt.from)
			got := text(doc, "#form-error")
			if !strings.Contains(got, tt.want) || strings.Contains(got, "was refused") {
				t.Errorf("the page says %q, want the reason %q", got, tt.want)
			}
		})
	}
}
