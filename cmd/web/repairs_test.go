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

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// repairPermissions: olga operates (each repair has its own rule, with
// SpiffArena's targets), sam only starts and works his own instances.
const repairPermissions = `
users:
  olga:
    password: olga-secret
  sam:
    password: sam-secret
groups:
  operators:
    users: [olga]
  staff:
    users: [olga, sam]
permissions:
  basic:
    groups: [staff]
    actions: [all]
    uri: BASIC
  start-everything:
    groups: [staff]
    actions: [read, start]
    uri: PG:ALL
  operators-read-instances:
    groups: [operators]
    actions: [read]
    uri: /process-instances/*
  operators-retry:
    groups: [operators]
    actions: [create]
    uri: /process-instance-reset/*
  operators-task-data:
    groups: [operators]
    actions: [update]
    uri: /task-data/*
  operators-skip:
    groups: [operators]
    actions: [create]
    uri: /task-complete/*
  operators-migrate:
    groups: [operators]
    actions: [create]
    uri: /process-instance-migrate/*
`

// calcBPMN fails in its script until the task data has an amount.
const calcBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_calc" targetNamespace="http://waymark.test/calc">
  <bpmn:process id="calc" name="Calculate" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:scriptTask id="compute" name="Compute the total">
      <bpmn:script>total = amount + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// stepsBPMN has two manual tasks in a row.
const stepsBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_steps" targetNamespace="http://waymark.test/steps">
  <bpmn:process id="steps" name="Two steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:manualTask id="first" name="First step" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:manualTask id="second" name="Second step" />
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// flowBPMN is a model's first version: a script, then a review.
const flowBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_flow" targetNamespace="http://waymark.test/flow">
  <bpmn:process id="flow" name="Review flow" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prep" />
    <bpmn:scriptTask id="prep" name="Prepare">
      <bpmn:script>prepared = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="prep" targetRef="review" />
    <bpmn:manualTask id="review" name="Review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// flowV2BPMN drops prep and adds a check after the review.
const flowV2BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_flow" targetNamespace="http://waymark.test/flow">
  <bpmn:process id="flow" name="Review flow" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f2" sourceRef="start" targetRef="review" />
    <bpmn:manualTask id="review" name="Review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="check" />
    <bpmn:manualTask id="check" name="Check the result" />
    <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// flowV3BPMN drops the review too.
const flowV3BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_flow" targetNamespace="http://waymark.test/flow">
  <bpmn:process id="flow" name="Review flow" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f2" sourceRef="start" targetRef="check" />
    <bpmn:manualTask id="check" name="Check the result" />
    <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// repairVars is an app with the ops group's models (calc, steps, flow)
// and the repair permissions.
func repairVars(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(models, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ops/process_group.json", `{"display_name": "Operations"}`)
	for id, bpmn := range map[string]string{"calc": calcBPMN, "steps": stepsBPMN, "flow": flowBPMN} {
		write("ops/"+id+"/"+id+".bpmn", bpmn)
		write("ops/"+id+"/process_model.json", fmt.Sprintf(`{"display_name": %q, "primary_file_name": "%s.bpmn", "primary_process_id": %q}`, id, id, id))
	}
	perms := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(perms, []byte(repairPermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_DATA_DIR": dir, "WAYMARK_MODELS_DIR": models, "WAYMARK_EXAMPLES": "false"}
}

// changeModel replaces a model's BPMN file on disk, as a deploy would.
func changeModel(t *testing.T, ta *testApp, id, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(ta.app.cfg.ModelsDir, "ops", id, id+".bpmn"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Each repair is refused, naming its permission, to a starter without it;
// the instance page offers only what the user may do; the operator's
// repairs work over the API and the event log says who did what.
func TestRepairsNeedTheirPermissions(t *testing.T) {
	vars := repairVars(t)
	ta := startApp(t, vars)
	olga, sam := browser(t), browser(t)
	signIn(t, olga, ta.url, "olga", "olga-secret")
	signIn(t, sam, ta.url, "sam", "sam-secret")
	startInstance(t, ta, sam, "ops:calc")

	_, page := get(t, sam, ta.url+"/instances/1")
	if got := text(page, "#instance-status"); got != "error" {
		t.Fatalf("status %q, want error", got)
	}
	if n := page.Find(".task-repairs form, .task-repairs details, .actions [data-action=Migrate], .actions [data-action='Migrate all']").Length(); n != 0 {
		t.Errorf("sam is offered %d repairs he may not make", n)
	}
	csrf := url.Values{"csrf_token": {csrfToken(t, page)}}
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/instances/1/tasks/2/data", `"update" on "/task-data/ops:calc/1/2"`},
		{"POST", "/instances/1/tasks/2/skip", `"create" on "/task-complete/ops:calc/1/2"`},
		{"POST", "/instances/1/tasks/1/reset", `"create" on "/process-instance-reset/ops:calc/1/1"`},
		{"GET", "/instances/1/migrate", `"create" on "/process-instance-migrate/ops:calc/1"`},
		{"POST", "/instances/1/migrate", `"create" on "/process-instance-migrate/ops:calc/1"`},
		{"GET", "/process-models/ops:calc/migrate", `"create" on "/process-instance-migrate/ops:calc"`},
		{"POST", "/process-models/ops:calc/migrate", `"create" on "/process-instance-migrate/ops:calc"`},
	} {
		var resp *http.Response
		var doc = page
		if c.method == "GET" {
			resp, doc = get(t, sam, ta.url+c.path)
		} else {
			form := url.Values{"csrf_token": csrf["csrf_token"], "data": {`{"amount": 1}`}}
			resp, doc = postForm(t, sam, ta.url+c.path, form, nil)
		}
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(doc.Find("main").Text(), c.want) {
			t.Errorf("%s %s by sam: %d %q, want 403 naming %s", c.method, c.path, resp.StatusCode, strings.TrimSpace(doc.Find("main").Text()), c.want)
		}
	}

	// Olga sees the repairs: data and skip on the failed task, reset on
	// the completed start event, and the migration page.
	_, page = get(t, olga, ta.url+"/instances/1")
	forms := attrs(page, ".task-repairs form", "action")
	want := []string{"/instances/1/tasks/1/reset", "/instances/1/tasks/2/data", "/instances/1/tasks/2/skip"}
	if diff := cmp.Diff(want, forms); diff != "" {
		t.Errorf("olga's repairs (-want +got):\n%s", diff)
	}
	if got := page.Find(`.actions a[data-action="Migrate"]`).AttrOr("href", ""); got != "/instances/1/migrate" {
		t.Errorf("migrate link %q", got)
	}
	if got := page.Find(`.actions a[data-action="Migrate all"]`).AttrOr("href", ""); got != "/process-models/ops:calc/migrate" {
		t.Errorf("migrate all link %q", got)
	}
	// Data that is not a JSON object is refused, naming the problem.
	resp, doc := postForm(t, olga, ta.url+"/instances/1/tasks/2/data", url.Values{"csrf_token": {csrfToken(t, page)}, "data": {`[1, 2]`}}, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Find("main").Text(), "must be a JSON object") {
		t.Errorf("data [1, 2]: %d %q", resp.StatusCode, doc.Find("main").Text())
	}

	// The API: sam is refused with the permission named, olga edits and
	// retries to completion.
	oToken, _, code := webCLI(t, vars, "token", "create", "--user", "olga")
	sToken, _, code2 := webCLI(t, vars, "token", "create", "--user", "sam")
	if code != 0 || code2 != 0 {
		t.Fatalf("tokens: %d %d", code, code2)
	}
	oToken, sToken = strings.TrimSpace(oToken), strings.TrimSpace(sToken)
	c := &http.Client{}
	api := ta.url + "/api/v1"
	status, e := bearerCall(t, c, "PUT", api+"/process-instances/1/tasks/2/data", sToken, map[string]any{"amount": 41})
	if status != http.StatusForbidden || !strings.Contains(fmt.Sprint(e["message"]), "/task-data/ops:calc/1/2") {
		t.Errorf("sam's PUT data: %d %v", status, e)
	}
	status, in := bearerCall(t, c, "PUT", api+"/process-instances/1/tasks/2/data", oToken, map[string]any{"amount": 41})
	if status != http.StatusOK || in["status"] != "error" {
		t.Fatalf("olga's PUT data: %d %v", status, in)
	}
	status, in = bearerCall(t, c, "POST", api+"/process-instances/1/retry", oToken, nil)
	if status != http.StatusOK || in["status"] != "completed" {
		t.Fatalf("retry after the edit: %d %v", status, in)
	}
	_, page = get(t, olga, ta.url+"/instances/1")
	var change struct{ Old, New map[string]any }
	found := false
	page.Find("table.event-log tbody tr").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find("td").Eq(1).Text()) != "data changed" {
			return
		}
		found = true
		if who := strings.TrimSpace(s.Find("td").Eq(3).Text()); who != "olga" {
			t.Errorf("data changed by %q, want olga", who)
		}
		if at := strings.TrimSpace(s.Find("td").Eq(0).Text()); at == "" {
			t.Error("data changed without a time")
		}
		if err := json.Unmarshal([]byte(s.Find("td").Eq(4).Text()), &change); err != nil {
			t.Errorf("detail: %v", err)
		}
	})
	if !found || change.New["amount"] != float64(41) || change.Old["amount"] != nil {
		t.Errorf("event log change %+v (found %v), want amount added", change, found)
	}

	// Skip and reset over the API.
	startInstance(t, ta, sam, "ops:steps")
	status, in = bearerCall(t, c, "POST", api+"/process-instances/2/tasks/2/skip", oToken, nil)
	if status != http.StatusOK || in["status"] != "running" {
		t.Fatalf("skip: %d %v", status, in)
	}
	status, e = bearerCall(t, c, "POST", api+"/process-instances/2/tasks/2/reset", sToken, nil)
	if status != http.StatusForbidden || !strings.Contains(fmt.Sprint(e["message"]), "/process-instance-reset/ops:steps/2/2") {
		t.Errorf("sam's reset: %d %v", status, e)
	}
	status, reset := bearerCall(t, c, "POST", api+"/process-instances/2/tasks/2/reset", oToken, nil)
	if status != http.StatusOK || reset["task_id"] != float64(4) {
		t.Fatalf("reset: %d %v", status, reset)
	}
	status, e = bearerCall(t, c, "POST", api+"/process-instances/2/tasks/4/reset", oToken, nil)
	if status != http.StatusConflict || !strings.Contains(fmt.Sprint(e["message"]), "only a completed task") {
		t.Errorf("reset to a ready task: %d %v", status, e)
	}

	// Migration over the API: the dry run lists what cannot be mapped, and
	// the migration is then refused.
	startInstance(t, ta, sam, "ops:flow")
	changeModel(t, ta, "flow", flowV3BPMN)
	status, plan := bearerCall(t, c, "GET", api+"/process-instances/3/migrate", oToken, nil)
	unmappable, _ := plan["unmappable"].([]any)
	if status != http.StatusOK || len(unmappable) != 1 || unmappable[0].(map[string]any)["element"] != "review" || plan["migrated"] != false {
		t.Fatalf("dry run: %d %v", status, plan)
	}
	status, e = bearerCall(t, c, "POST", api+"/process-instances/3/migrate", oToken, nil)
	if status != http.StatusConflict || !strings.Contains(fmt.Sprint(e["message"]), "review") {
		t.Errorf("migrate with review gone: %d %v", status, e)
	}
	_, plans := get(t, olga, ta.url+"/process-models/ops:flow/migrate")
	if got := text(plans, `tr[data-instance="3"] .unmappable`); !strings.Contains(got, "review") {
		t.Errorf("the model's dry run page lists %q for instance 3, want review", got)
	}
	if n := plans.Find(`button[data-action="Migrate"]`).Length(); n != 0 {
		t.Error("the dry run page offers to migrate when nothing can be moved")
	}
	status, all := bearerCall(t, c, "GET", api+"/process-models/ops:flow/migrate", oToken, nil)
	if results, _ := all["results"].([]any); status != http.StatusOK || len(results) != 1 {
		t.Errorf("dry run of all: %d %v", status, all)
	}
	status, e = bearerCall(t, c, "POST", api+"/process-models/ops:flow/migrate", sToken, nil)
	if status != http.StatusForbidden || !strings.Contains(fmt.Sprint(e["message"]), "/process-instance-migrate/ops:flow") {
		t.Errorf("sam's migrate all: %d %v", status, e)
	}
	changeModel(t, ta, "flow", flowV2BPMN)
	status, all = bearerCall(t, c, "POST", api+"/process-models/ops:flow/migrate", oToken, nil)
	results, _ := all["results"].([]any)
	if status != http.StatusOK || len(results) != 1 || results[0].(map[string]any)["migrated"] != true {
		t.Fatalf("migrate all: %d %v", status, all)
	}
}
