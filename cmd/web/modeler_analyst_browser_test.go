package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
)

// TestModelerAnalystFlow: an analyst signs in, creates a model, draws
// start → user task in lane "approvers" → exclusive gateway → two end
// events with the mouse (context pad, replace menu, palette), sets the
// form, instructions and gateway conditions in the panel, saves, and the
// file on disk holds the flows and the spiffworkflow XML.
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

	// Draw with the mouse: from the start event, the context pad appends
	// a task (named by typing), changes it into a user task, appends a
	// gateway and two end events; the palette adds a pool around the flow,
	// and the pool's context pad divides it into two lanes.
	c.clickElement(t, "StartEvent_1")
	c.contextPad(t, "append.append-task")
	c.run(t, chromedp.WaitVisible(`.djs-direct-editing-parent`), chromedp.KeyEvent("Approve invoice"))
	c.clickCanvas(t, 20, 20) // completes the label
	task := c.onlyElement(t, "bpmn:Task")
	c.clickElement(t, task)
	c.contextPad(t, "replace")
	c.run(t, chromedp.WaitVisible(`.djs-popup [data-id="replace-with-user-task"]`), chromedp.Click(`.djs-popup [data-id="replace-with-user-task"]`))
	task = c.onlyElement(t, "bpmn:UserTask")
	c.clickElement(t, task)
	c.contextPad(t, "append.gateway")
	gateway := c.onlyElement(t, "bpmn:ExclusiveGateway")
	ends := func() int {
		var n int
		c.eval(t, `window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type === 'bpmn:EndEvent').length`, &n)
		return n
	}
	for i := 0; i < 2; i++ {
		// A click on the pad that a busy browser moved away under the
		// pointer does nothing; a person clicks again.
		for attempt := 0; ends() < i+1; attempt++ {
			if attempt == 3 {
				t.Fatalf("end event %d was not appended", i+1)
			}
			c.clickElement(t, gateway)
			c.contextPad(t, "append.end-event")
			deadline := time.Now().Add(3 * time.Second)
			for ends() < i+1 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if n := ends(); n != i+1 {
			t.Fatalf("%d end events, want %d", n, i+1)
		}
		c.closeLabelEditor(t) // no label
	}
	c.run(t, chromedp.Click(`.djs-palette .entry[data-action="create.participant-expanded"]`))
	c.moveAndClick(t, c.centerOf(t, gateway))
	pool := c.onlyElement(t, "bpmn:Participant")
	// Fit, then zoom out a step: the pool's context pad, on its right,
	// must be inside the canvas.
	c.run(t, chromedp.Click(`[data-action="fit"]`), chromedp.Click(`[data-action="zoom-out"]`))
	lanes := func() int {
		var n int
		c.eval(t, `window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane').length`, &n)
		return n
	}
	// As with the end events: a click a busy browser lost is made again.
	for attempt := 0; lanes() < 2; attempt++ {
		if attempt == 3 {
			t.Fatalf("the pool was not divided into two lanes (%d lanes)", lanes())
		}
		c.clickElementAt(t, pool, 0.02)
		c.contextPad(t, "lane-divide-two")
		deadline := time.Now().Add(3 * time.Second)
		for lanes() < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}

	var ids map[string]string
	c.eval(t, `(() => {
		const reg = window.waymarkModeler.modeler.get('elementRegistry');
		const task = reg.filter(e => e.type === 'bpmn:UserTask')[0];
		const gw = reg.filter(e => e.type === 'bpmn:ExclusiveGateway')[0];
		const ends = reg.filter(e => e.type === 'bpmn:EndEvent').sort((a, b) => a.y - b.y);
		const lane = reg.filter(e => e.type === 'bpmn:Lane').find(l => (l.businessObject.flowNodeRef || []).includes(task.businessObject));
		const flow = (target) => (gw.outgoing.find(f => f.target === target) || {}).id;
		return {lane: lane && lane.id, task: task.id, gateway: gw.id, start: 'StartEvent_1', end1: ends[0] && ends[0].id, end2: ends[1] && ends[1].id, yes: flow(ends[0]), no: flow(ends[1]),
			all: reg.filter(e => !e.labelTarget).map(e => e.type + ':' + e.id).join(' ')};
	})()`, &ids)
	if ids["lane"] == "" || ids["yes"] == "" || ids["no"] == "" || ids["end2"] == "" {
		t.Fatalf("drawing gave %v", ids)
	}

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
	taskPath := "//bpmn:userTask[@id='" + ids["task"] + "']"
	check(taskPath+"/bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='formJsonSchemaFilename']", "value", "approve-schema.json")
	check(taskPath+"/bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='formUiSchemaFilename']", "value", "approve-uischema.json")
	check(taskPath+"/bpmn:extensionElements/spiffworkflow:instructionsForEndUser", "", "Please check invoice **{{ invoice_id }}**.")
	check(taskPath, "name", "Approve invoice")
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
	if n := len(find(t, xml, "//bpmn:exclusiveGateway[@id='"+ids["gateway"]+"']")); n != 1 {
		t.Errorf("%d exclusive gateways %s, want 1:\n%s", n, ids["gateway"], xml)
	}
	// The flows connect start → task → gateway → both end events.
	var flows []string
	for _, f := range find(t, xml, "//bpmn:sequenceFlow") {
		flows = append(flows, f.SelectAttrValue("sourceRef", "")+" → "+f.SelectAttrValue("targetRef", ""))
	}
	sort.Strings(flows)
	wantFlows := []string{
		ids["gateway"] + " → " + ids["end1"],
		ids["gateway"] + " → " + ids["end2"],
		ids["start"] + " → " + ids["task"],
		ids["task"] + " → " + ids["gateway"],
	}
	sort.Strings(wantFlows)
	if d := cmp.Diff(wantFlows, flows); d != "" {
		t.Errorf("sequence flows (-want +got):\n%s", d)
	}
	if n := len(find(t, xml, "//bpmn:exclusiveGateway/bpmn:outgoing")); n != 2 {
		t.Errorf("the gateway has %d outgoing flows, want 2", n)
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
	// No run reaches the task, so it blocks nothing (SpiffWorkflow runs
	// such a model): the save went through, with the warning to fix.
	var status string
	c.eval(t, `document.querySelector('[data-status]').textContent`, &status)
	if !strings.HasPrefix(status, "Saved with 1 problem") {
		t.Errorf("status after saving a diagram with an unconnected task: %q", status)
	}

	// A script that does not compile on the path a run takes blocks the
	// save; the refused diagram stays in the page and in the browser.
	var scriptID string
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const reg = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory');
		const start = reg.filter(e => e.type === 'bpmn:StartEvent')[0];
		const task = modeling.appendShape(start, factory.createShape({type: 'bpmn:ScriptTask'}), {x: start.x + 120, y: start.y + 300});
		modeling.updateProperties(task, {scriptFormat: 'python', script: 'total = (1 +'});
		return task.id;
	})()`, &scriptID)
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.run(t, chromedp.WaitReady(`.djs-element.wm-problem[data-element-id="`+scriptID+`"]`))
	var kept bool
	c.eval(t, `(() => {
		const d = localStorage.getItem('waymark.modeler.draft:ops/cleanup/cleanup.bpmn');
		return !!d && JSON.parse(d).xml.includes('total = (1 +') && !!window.waymarkModeler.modeler.get('elementRegistry').get(`+jsString(scriptID)+`);
	})()`, &kept)
	c.eval(t, `document.querySelector('[data-status]').textContent`, &status)
	if !strings.HasPrefix(status, "Not saved") {
		t.Errorf("the server accepted a script that does not compile: %q", status)
	}
	if !kept {
		t.Errorf("the refused diagram is not kept in the page and in local storage")
	}
	// Saving as a draft keeps it on the server despite the problem.
	c.run(t, chromedp.Click(`[data-action="save-draft"]`))
	c.waitFor(t, "the draft save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)
	b, err := os.ReadFile(filepath.Join(ta.app.cfg.ModelsDir, "ops", "cleanup", "cleanup.bpmn"))
	if err != nil || !strings.Contains(string(b), `total = (1 +`) {
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
// by part of its display name.
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
	// Words of the display name only: the id has "payment_run", so a
	// match proves the search reads names.
	c.run(t, chromedp.SendKeys(input, "payment run"))
	c.waitFor(t, "the search result", `[...document.querySelectorAll('.wm-picker-results li[data-process-id]')].map(l => l.dataset.processId).join() === 'Process_monthly_payment_run'`)
	c.eval(t, `(() => { document.querySelector('.wm-picker-results li[data-process-id="Process_monthly_payment_run"]').dispatchEvent(new MouseEvent('mousedown', {bubbles: true})); return true; })()`, nil)
	c.waitExport(t, "calledElement", func(x string) bool { return strings.Contains(x, `calledElement="Process_monthly_payment_run"`) })
	c.waitFor(t, "the link to the called model", `document.querySelector('[data-action="open-called"]')?.getAttribute('href')?.endsWith('/process-models/hr:payroll/files/payroll.bpmn/modeler')`)
}

func bpmnDocWithProcess(id, name string) string {
	return strings.Replace(bpmnDoc("", `<bpmn:startEvent id="Start_1" />`), `<bpmn:process id="Process_t" isExecutable="true">`,
		`<bpmn:process id="`+id+`" name="`+name+`" isExecutable="true">`, 1)
}

// point is a position in the page, in CSS pixels.
type point struct{ X, Y float64 }

// centerOf returns where a diagram element is drawn on the page.
func (c *chrome) centerOf(t testing.TB, id string) point {
	t.Helper()
	return c.pointIn(t, id, 0.5)
}

// pointIn returns a point inside the element: at fraction f of its width
// and half its height.
func (c *chrome) pointIn(t testing.TB, id string, f float64) point {
	t.Helper()
	var p point
	c.eval(t, `(() => {
		const g = document.querySelector('.djs-element[data-element-id=' + JSON.stringify(`+jsString(id)+`) + '] .djs-hit');
		const r = g.getBoundingClientRect();
		return {X: r.x + r.width * `+fmt.Sprint(f)+`, Y: r.y + r.height / 2};
	})()`, &p)
	return p
}

// moveAndClick moves the mouse to p in a few steps, as a hand would, and
// clicks there.
func (c *chrome) moveAndClick(t testing.TB, p point) {
	t.Helper()
	for i := 1; i <= 5; i++ {
		f := float64(i) / 5
		c.run(t, input.DispatchMouseEvent(input.MouseMoved, p.X-40*(1-f), p.Y-20*(1-f)))
	}
	c.run(t, chromedp.MouseClickXY(p.X, p.Y))
}

// clickElement selects a diagram element with a mouse click, unless it
// is selected already (a click on the one selected element deselects it).
func (c *chrome) clickElement(t testing.TB, id string) {
	t.Helper()
	c.clickUntilSelected(t, id, func() { c.moveAndClick(t, c.centerOf(t, id)) })
}

// clickUntilSelected clicks until id is selected, as a person clicks
// again when a click only ended something else: the first click after an
// element was appended may close the label editor the modeler opened on
// it instead of selecting, and on a busy machine that editor can open
// after the test pressed Escape. Three clicks at most.
func (c *chrome) clickUntilSelected(t testing.TB, id string, click func()) {
	t.Helper()
	js := `window.waymarkModeler.modeler.get('selection').get().map(e => e.id).join() === ` + jsString(id)
	for attempt := 0; ; attempt++ {
		if c.selected(t) == id {
			return
		}
		click()
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			var ok bool
			c.eval(t, `!!(`+js+`)`, &ok)
			if ok {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		if attempt == 2 {
			var editing bool
			c.eval(t, `!!document.querySelector('.djs-direct-editing-parent') && getComputedStyle(document.querySelector('.djs-direct-editing-parent')).display !== 'none'`, &editing)
			t.Fatalf("three clicks did not select %s (selected: %q, label editor open: %v)", id, c.selected(t), editing)
		}
	}
}

// clickElementAt selects an element with a click at fraction f of its
// width (pools and lanes are covered by their content in the middle).
func (c *chrome) clickElementAt(t testing.TB, id string, f float64) {
	t.Helper()
	c.clickUntilSelected(t, id, func() { c.moveAndClick(t, c.pointIn(t, id, f)) })
}

// selected returns the ids of the selected elements, comma-separated.
func (c *chrome) selected(t testing.TB) string {
	t.Helper()
	var ids string
	c.eval(t, `window.waymarkModeler.modeler.get('selection').get().map(e => e.id).join()`, &ids)
	return ids
}

// clickCanvas clicks the canvas at x, y from its top left corner.
func (c *chrome) clickCanvas(t testing.TB, x, y float64) {
	t.Helper()
	var p point
	c.eval(t, `(() => { const r = document.querySelector('.modeler-canvas').getBoundingClientRect(); return {X: r.x, Y: r.y}; })()`, &p)
	c.moveAndClick(t, point{p.X + x, p.Y + y})
}

// contextPad clicks an entry of the selected element's context pad.
func (c *chrome) contextPad(t testing.TB, action string) {
	t.Helper()
	// The pad of the element selected before may still be on screen for
	// a moment: wait until the pad is open for the selected element and
	// has been laid out, so the click lands on its entry.
	c.waitFor(t, "the context pad of the selection", `(async () => {
		const m = window.waymarkModeler.modeler, sel = m.get('selection').get();
		if (sel.length !== 1 || !m.get('contextPad').isOpen(sel[0])) return false;
		await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
		return m.get('contextPad').isOpen(sel[0]);
	})()`)
	sel := `.djs-context-pad.open .entry[data-action="` + action + `"]`
	c.run(t, chromedp.WaitVisible(sel), chromedp.Click(sel))
}

// closeLabelEditor closes the label editor the modeler opens on an
// element it has just appended, without a label. On a busy machine the
// editor opens a moment after the append: Escape pressed before that would
// leave it open to swallow the next click.
func (c *chrome) closeLabelEditor(t testing.TB) {
	t.Helper()
	open := `(() => { const e = document.querySelector('.djs-direct-editing-parent'); return !!e && getComputedStyle(e).display !== 'none'; })()`
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		c.eval(t, open, &ok)
		if ok {
			c.run(t, chromedp.KeyEvent(kb.Escape))
			c.waitFor(t, "the label editor to close", `!`+open)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// onlyElement returns the id of the one diagram element of type.
func (c *chrome) onlyElement(t testing.TB, typ string) string {
	t.Helper()
	var ids []string
	c.eval(t, `window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type === `+jsString(typ)+`).map(e => e.id)`, &ids)
	if len(ids) != 1 {
		t.Fatalf("%d elements of type %s, want 1: %v", len(ids), typ, ids)
	}
	return ids[0]
}
