package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// editTable is a FIRST table with its diagram interchange, as SpiffArena's
// modeler writes it: rule r1 gives 5 above an amount of 100, rule r2 0.
const editTable = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="defs" name="Pricing" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="discount" name="Discount">
    <decisionTable id="t1" hitPolicy="FIRST">
      <input id="i1" label="Amount">
        <inputExpression id="e1" typeRef="integer"><text>amount</text></inputExpression>
      </input>
      <output id="o1" label="Discount" name="discount" typeRef="integer" />
      <rule id="r1">
        <description>big orders</description>
        <inputEntry id="r1i"><text>&gt; 100</text></inputEntry>
        <outputEntry id="r1o"><text>5</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2i"><text>-</text></inputEntry>
        <outputEntry id="r2o"><text>0</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_1" dmnElementRef="discount">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
`

// orderProcess sets an amount, waits at a manual task, evaluates the
// discount decision and shows the result in the next task's instructions.
const orderProcess = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_order" targetNamespace="http://waymark.test/order">
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="set" />
    <bpmn:scriptTask id="set" name="Set the amount">
      <bpmn:script>amount = 500</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="set" targetRef="wait" />
    <bpmn:manualTask id="wait" name="Wait for the new rule">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Waiting.</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="decide" />
    <bpmn:businessRuleTask id="decide" name="Decide the discount">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>discount</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="show" />
    <bpmn:manualTask id="show" name="Show the discount">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Discount is {{ discount }} percent.</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f5" sourceRef="show" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`

// TestDecisionEditorRuleChangeReachesRunningInstance starts an instance
// that waits before its business rule task, changes a rule's output in the
// dmn-js table, saves, and sees the waiting instance use the new rule.
func TestDecisionEditorRuleChangeReachesRunningInstance(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	ta, c := startWithModels(t, models, map[string]string{
		"shop/process_group.json":        `{"display_name": "Shop"}`,
		"shop/order/process_model.json":  `{"display_name": "Order", "primary_file_name": "order.bpmn", "primary_process_id": "order"}`,
		"shop/order/order.bpmn":          orderProcess,
		"shop/order/discount.dmn":        editTable,
		"shop/order/notes-for-tests.txt": "",
	})
	c.run(t, chromedp.Navigate(ta.url+"/process-models/shop:order"))
	c.startModel(t, "shop:order")
	c.run(t, chromedp.WaitVisible(`#task-name`))
	var waitTask string
	c.eval(t, `location.pathname`, &waitTask)

	// The file page links to the editor; the editor opens the graph.
	c.run(t,
		chromedp.Navigate(ta.url+"/process-models/shop:order/files/discount.dmn"),
		chromedp.Click(`#open-decision-editor`),
		chromedp.WaitVisible(`[data-decision-editor][data-ready="true"]`),
	)
	c.eval(t, `window.waymarkDecisions.openView('discount')`, nil)
	c.waitFor(t, "the decision table", `document.querySelector('td[data-element-id="r1o"] [contenteditable]')`)

	// Type the new output into rule 1's cell as an analyst does.
	cell := `td[data-element-id="r1o"] [contenteditable]`
	c.run(t, chromedp.Click(cell))
	c.eval(t, `(() => { const el = document.querySelector('`+cell+`'); el.focus(); document.getSelection().selectAllChildren(el); return true; })()`, nil)
	c.run(t, chromedp.KeyEvent("25"))

	c.waitFor(t, "the page to count the edit as unsaved", `window.waymarkDecisions.dirty`)
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the save", `document.querySelector('[data-status]').textContent === 'Saved.'`)

	saved, err := os.ReadFile(filepath.Join(models, "shop/order/discount.dmn"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<outputEntry id="r1o">`, `<text>25</text>`, `<description>big orders</description>`, `dmnElementRef="discount"`} {
		if !strings.Contains(string(saved), want) {
			t.Errorf("saved file lacks %s:\n%s", want, saved)
		}
	}
	if strings.Contains(string(saved), "<text>5</text>") {
		t.Errorf("saved file still has the old output:\n%s", saved)
	}
	var draft bool
	c.eval(t, `localStorage.getItem('waymark.decisions.draft:shop/order/discount.dmn') !== null`, &draft)
	if draft {
		t.Error("the local copy is kept after a clean save")
	}

	// The instance started before the change runs the new rule.
	var instructions string
	c.run(t,
		chromedp.Navigate(ta.url+waitTask),
		chromedp.WaitVisible(`#task-form button[type="submit"]`),
		chromedp.Click(`#task-form button[type="submit"]`),
	)
	c.waitFor(t, "the next task", `document.querySelector('#task-name') && document.querySelector('#task-name').textContent === 'Show the discount'`)
	c.run(t, chromedp.Text(`.instructions`, &instructions))
	if !strings.Contains(instructions, "Discount is 25 percent.") {
		t.Errorf("instructions after the business rule task = %q, want the new rule's 25", instructions)
	}
}
