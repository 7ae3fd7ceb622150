package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestModelerAnalystFlow: an analyst signs in, creates a model, draws
// start → user task in lane "approvers" → exclusive gateway → two end
// events, sets the form, instructions and gateway conditions in the panel,
// saves, and the file on disk holds the spiffworkflow XML.
func TestModelerAnalystFlow(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")

	// Create the group and the model through the model pages.
	c.run(t,
		chromedp.Navigate(ta.url+"/models"),
		chromedp.SendKeys(`form.group-create input[name="id"]`, "finance"),
		chromedp.SendKeys(`form.group-create input[name="display_name"]`, "Finance"),
		chromedp.Submit(`form.group-create input[name="id"]`),
		chromedp.WaitVisible(`#model-create`),
		chromedp.SendKeys(`#new-model-id`, "invoice"),
		chromedp.SendKeys(`#new-model-name`, "Invoice approval"),
		chromedp.Submit(`#new-model-id`),
		chromedp.WaitNotPresent(`#model-create`),
	)
	c.openModeler(t, ta.url, "finance/invoice", "invoice.bpmn")

	// Draw: a pool with two lanes, the flow in the first lane.
	var ids map[string]string
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const reg = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory'), canvas = m.get('canvas');
		const start = reg.filter(e => e.type === 'bpmn:StartEvent')[0];
		const pool = modeling.createShape({type: 'bpmn:Participant'}, {x: 500, y: 250}, canvas.getRootElement());
		modeling.addLane(pool, 'bottom');
		const lanes = reg.filter(e => e.type === 'bpmn:Lane').sort((a, b) => a.y - b.y);
		const mid = lanes[0].y + lanes[0].height / 2;
		modeling.moveElements([start], {x: 0, y: mid - (start.y + start.height / 2)});
		const task = modeling.appendShape(start, factory.createShape({type: 'bpmn:UserTask'}), {x: start.x + 160, y: mid}, pool);
		modeling.updateLabel(task, 'Approve invoice');
		const gw = modeling.appendShape(task, factory.createShape({type: 'bpmn:ExclusiveGateway'}), {x: task.x + 220, y: mid}, pool);
		const endYes = modeling.appendShape(gw, factory.createShape({type: 'bpmn:EndEvent'}), {x: gw.x + 150, y: mid - 40}, pool);
		const endNo = modeling.appendShape(gw, factory.createShape({type: 'bpmn:EndEvent'}), {x: gw.x + 150, y: mid + 40}, pool);
		const flow = (target) => gw.outgoing.find(f => f.target === target).id;
		return {lane: lanes[0].id, task: task.id, gateway: gw.id, yes: flow(endYes), no: flow(endNo)};
	})()`, &ids)

	// Lane name, suggested from the groups.
	c.selectElement(t, ids["lane"])
	c.run(t, chromedp.WaitVisible(`#spiff_lane_name`))
	var suggested []string
	c.eval(t, `[...document.querySelectorAll('#spiff_lane_name-groups option')].map(o => o.value)`, &suggested)
	if d := cmp.Diff([]string{"admin", "approvers"}, suggested); d != "" {
		t.Errorf("lane names suggested (-want +got):\n%s", d)
	}
	c.commitInput(t, `#spiff_lane_name`, "approvers")

	// The user task: a new form, and instructions.
	c.selectElement(t, ids["task"])
	c.run(t,
		chromedp.WaitVisible(`[data-entry-id="spiff_form_schema"] button`),
		chromedp.Click(`[data-entry-id="spiff_form_schema"] button`),
		chromedp.SendKeys(`input[aria-label="New form name"]`, "approve"),
		chromedp.Click(`[data-entry-id="spiff_form_schema"] .wm-inline-form button`),
	)
	c.waitFor(t, "the form to be set", `document.querySelector('#spiff_form_schema')?.value === 'approve-schema.json'`)
	c.typeText(t, `#spiff_instructions`, "Please check invoice **{{ invoice_id }}**.")
	c.waitFor(t, "the instructions preview", `document.querySelector('.wm-md-preview strong')?.textContent === '{{ invoice_id }}'`)

	// Conditions on the two gateway flows.
	for flow, cond := range map[string]string{ids["yes"]: "approved == True", ids["no"]: "approved == False"} {
		c.selectElement(t, flow)
		c.run(t, chromedp.WaitVisible(`#bio-properties-panel-spiff_condition`), chromedp.SendKeys(`#bio-properties-panel-spiff_condition`, cond))
		c.waitExport(t, "condition "+cond, func(x string) bool { return strings.Contains(x, cond) })
	}

	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)

	dir := filepath.Join(ta.app.cfg.ModelsDir, "finance", "invoice")
	b, err := os.ReadFile(filepath.Join(dir, "invoice.bpmn"))
	if err != nil {
		t.Fatalf("the saved file: %v", err)
	}
	xml := string(b)
	check := func(path, attr, want string) {
		t.Helper()
		els := find(t, xml, path)
		if len(els) != 1 {
			t.Errorf("%s: %d elements, want 1 in:\n%s", path, len(els), xml)
			return
		}
		got := els[0].Text()
		if attr != "" {
			got = els[0].SelectAttrValue(attr, "")
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", path, got, want)
		}
	}
	task := "//bpmn:userTask[@id='" + ids["task"] + "']"
	check(task+"/bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='formJsonSchemaFilename']", "value", "approve-schema.json")
	check(task+"/bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='formUiSchemaFilename']", "value", "approve-uischema.json")
	check(task+"/bpmn:extensionElements/spiffworkflow:instructionsForEndUser", "", "Please check invoice **{{ invoice_id }}**.")
	check(task, "name", "Approve invoice")
	check("//bpmn:lane[@id='"+ids["lane"]+"']", "name", "approvers")
	lane := find(t, xml, "//bpmn:lane[@id='"+ids["lane"]+"']/bpmn:flowNodeRef")
	var refs []string
	for _, r := range lane {
		refs = append(refs, r.Text())
	}
	if !strings.Contains(strings.Join(refs, " "), ids["task"]) {
		t.Errorf("lane approvers holds %v, want the user task %s", refs, ids["task"])
	}
	check("//bpmn:sequenceFlow[@id='"+ids["yes"]+"']/bpmn:conditionExpression", "", "approved == True")
	check("//bpmn:sequenceFlow[@id='"+ids["no"]+"']/bpmn:conditionExpression", "", "approved == False")
	if n := len(find(t, xml, "//bpmn:endEvent")); n != 2 {
		t.Errorf("%d end events, want 2", n)
	}
	for _, f := range []string{"approve-schema.json", "approve-uischema.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("form file: %v", err)
		}
	}
}

// A task with no flows is a problem the server reports; the modeler puts
// a marker on it and lists it, and clicking the entry selects the task.
func TestModelerMarksProblemsAfterSaving(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	createModel(t, c, ta, "ops", "cleanup")
	c.openModeler(t, ta.url, "ops/cleanup", "cleanup.bpmn")
	var taskID string
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const reg = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory'), canvas = m.get('canvas');
		const start = reg.filter(e => e.type === 'bpmn:StartEvent')[0];
		const end = modeling.appendShape(start, factory.createShape({type: 'bpmn:EndEvent'}), {x: start.x + 200, y: start.y + 18});
		const lonely = modeling.createShape(factory.createShape({type: 'bpmn:Task'}), {x: start.x + 120, y: start.y + 200}, canvas.getRootElement());
		modeling.updateLabel(lonely, 'Forgotten');
		return lonely.id;
	})()`, &taskID)
	c.run(t, chromedp.Click(`[data-action="save"]`))
	marker := `.djs-element.wm-problem[data-element-id="` + taskID + `"]`
	c.run(t, chromedp.WaitReady(marker))
	var items []string
	c.eval(t, `[...document.querySelectorAll('[data-problems] button')].map(b => b.dataset.element)`, &items)
	found := false
	for _, it := range items {
		found = found || it == taskID
	}
	if !found {
		t.Fatalf("problems list %v does not name %s", items, taskID)
	}
	c.run(t, chromedp.Click(`[data-problems] button[data-element="`+taskID+`"]`))
	c.waitFor(t, "the task to be selected", `window.waymarkModeler.modeler.get('selection').get().map(e => e.id).join() === `+jsString(taskID))
	// The refused diagram is still in the page and in the browser's storage.
	var kept bool
	c.eval(t, `(() => {
		const d = localStorage.getItem('waymark.modeler.draft:ops/cleanup/cleanup.bpmn');
		return !!d && JSON.parse(d).xml.includes('Forgotten') && !!window.waymarkModeler.modeler.get('elementRegistry').get(`+jsString(taskID)+`);
	})()`, &kept)
	var status string
	c.eval(t, `document.querySelector('[data-status]').textContent`, &status)
	t.Logf("status after saving: %s", status)
	if !strings.HasPrefix(status, "Not saved") {
		t.Errorf("the server accepted a diagram with an unconnected task: %q", status)
	}
	if !kept {
		t.Errorf("the refused diagram is not kept in the page and in local storage")
	}
	// Saving as a draft keeps it on the server despite the problem.
	c.run(t, chromedp.Click(`[data-action="save-draft"]`))
	c.waitFor(t, "the draft save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)
	b, err := os.ReadFile(filepath.Join(ta.app.cfg.ModelsDir, "ops", "cleanup", "cleanup.bpmn"))
	if err != nil || !strings.Contains(string(b), `name="Forgotten"`) {
		t.Errorf("draft save did not write the diagram: %v", err)
	}
	c.eval(t, `localStorage.getItem('waymark.modeler.draft:ops/cleanup/cleanup.bpmn') === null`, &kept)
	if !kept {
		t.Errorf("the local copy should be gone once the server has the diagram")
	}
}

// createModel creates a group and a model in it through the model pages.
func createModel(t testing.TB, c *chrome, ta *testApp, group, model string) {
	t.Helper()
	c.run(t,
		chromedp.Navigate(ta.url+"/models"),
		chromedp.SendKeys(`form.group-create input[name="id"]`, group),
		chromedp.Submit(`form.group-create input[name="id"]`),
		chromedp.WaitVisible(`#model-create`),
		chromedp.SendKeys(`#new-model-id`, model),
		chromedp.Submit(`#new-model-id`),
		chromedp.WaitNotPresent(`#model-create`),
	)
}

// The call-activity picker lists processes before anything is typed
// (SpiffArena's search starts empty) and finds a process of another model
// by part of its name.
func TestModelerCallActivityPicker(t *testing.T) {
	models := t.TempDir()
	payroll := filepath.Join(models, "hr", "payroll")
	if err := os.MkdirAll(payroll, 0o755); err != nil {
		t.Fatal(err)
	}
	ta, c := startWithModels(t, models, map[string]string{
		"hr/process_group.json":            `{"display_name": "HR"}`,
		"hr/payroll/process_model.json":    `{"display_name": "Payroll", "primary_file_name": "payroll.bpmn", "primary_process_id": "Process_monthly_payment_run"}`,
		"hr/payroll/payroll.bpmn":          bpmnDocWithProcess("Process_monthly_payment_run", "Monthly payment run"),
		"hr/onboarding/process_model.json": `{"display_name": "Onboarding", "primary_file_name": "onboarding.bpmn", "primary_process_id": "Process_onboard"}`,
		"hr/onboarding/onboarding.bpmn":    bpmnDocWithProcess("Process_onboard", "Onboard a new hire"),
	})
	createModel(t, c, ta, "finance", "invoice")
	c.openModeler(t, ta.url, "finance/invoice", "invoice.bpmn")
	var id string
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const reg = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory');
		const start = reg.filter(e => e.type === 'bpmn:StartEvent')[0];
		return modeling.appendShape(start, factory.createShape({type: 'bpmn:CallActivity'}), {x: start.x + 200, y: start.y + 18}).id;
	})()`, &id)
	c.selectElement(t, id)
	input := `#spiff_called_element`
	c.run(t, chromedp.WaitVisible(input), chromedp.Click(input))
	c.waitFor(t, "processes listed for an empty search", `document.querySelectorAll('.wm-picker-results li[data-process-id]').length >= 2`)
	c.run(t, chromedp.SendKeys(input, "payment"))
	c.waitFor(t, "the search result", `[...document.querySelectorAll('.wm-picker-results li[data-process-id]')].map(l => l.dataset.processId).join() === 'Process_monthly_payment_run'`)
	c.eval(t, `(() => { document.querySelector('.wm-picker-results li[data-process-id="Process_monthly_payment_run"]').dispatchEvent(new MouseEvent('mousedown', {bubbles: true})); return true; })()`, nil)
	c.waitExport(t, "calledElement", func(x string) bool { return strings.Contains(x, `calledElement="Process_monthly_payment_run"`) })
	c.waitFor(t, "the link to the called model", `document.querySelector('[data-action="open-called"]')?.getAttribute('href')?.endsWith('/process-models/hr:payroll/files/payroll.bpmn/modeler')`)
}

func bpmnDocWithProcess(id, name string) string {
	return strings.Replace(bpmnDoc("", `<bpmn:startEvent id="Start_1" />`), `<bpmn:process id="Process_t" isExecutable="true">`,
		`<bpmn:process id="`+id+`" name="`+name+`" isExecutable="true">`, 1)
}
