package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// panelXMLDiagram has one element per panel group under test.
var panelXMLDiagram = bpmnDoc("", `
    <bpmn:startEvent id="Start" />
    <bpmn:userTask id="Review" name="Review" />
    <bpmn:scriptTask id="Calc" name="Calc"><bpmn:script>b = a + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sendTask id="Notify" name="Notify" />
    <bpmn:intermediateCatchEvent id="Wait_order"><bpmn:messageEventDefinition id="Wait_order_def" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="Send_signal"><bpmn:signalEventDefinition id="Send_signal_def" /></bpmn:intermediateThrowEvent>
    <bpmn:userTask id="Approve_all" name="Approve all"><bpmn:multiInstanceLoopCharacteristics /></bpmn:userTask>
    <bpmn:boundaryEvent id="Escalated" attachedToRef="Approve_all"><bpmn:escalationEventDefinition id="Escalated_def" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="Fail"><bpmn:errorEventDefinition id="Fail_def" /></bpmn:endEvent>`)

// TestModelerPanelWritesSpiffXML sets every Spiff field through the
// panel's own inputs, saves through the page, and compares what the saved
// file holds with what SpiffArena writes, element by element.
func TestModelerPanelWritesSpiffXML(t *testing.T) {
	ta, c := startWithModels(t, t.TempDir(), map[string]string{
		"panel/process_group.json":        `{"display_name": "Panel"}`,
		"panel/xml/process_model.json":    `{"display_name": "XML", "primary_file_name": "xml.bpmn", "primary_process_id": "Process_t"}`,
		"panel/xml/xml.bpmn":              panelXMLDiagram,
		"panel/xml/approve-schema.json":   `{"title": "Approve", "type": "object", "properties": {}}`,
		"panel/xml/approve-uischema.json": `{}`,
		"panel/xml/unrelated-notes.json":  `{}`,
		"panel/xml/other.schema.json":     `{"type": "object"}`,
		"panel/xml/other.uischema.json":   `{}`,
	})
	c.openModeler(t, ta.url, "panel/xml", "xml.bpmn")

	type step struct {
		name string
		// do sets the values through the panel.
		do func(t *testing.T)
		// want maps an etree path of the saved file to the element it must
		// find there (first match), written as SpiffArena writes it.
		want map[string]string
	}
	click := func(sel string) {
		c.run(t, chromedp.WaitVisible(sel), chromedp.Click(sel))
	}
	steps := []step{
		{
			name: "pre- and post-script",
			do: func(t *testing.T) {
				c.selectElement(t, "Review")
				c.typeText(t, `#spiff_pre_script`, "total = 0")
				c.typeText(t, `#spiff_post_script`, "done = True")
				c.waitExport(t, "the scripts", func(x string) bool { return strings.Contains(x, "done = True") })
			},
			want: map[string]string{
				"//bpmn:userTask[@id='Review']/bpmn:extensionElements/spiffworkflow:preScript":  `<spiffworkflow:preScript>total = 0</spiffworkflow:preScript>`,
				"//bpmn:userTask[@id='Review']/bpmn:extensionElements/spiffworkflow:postScript": `<spiffworkflow:postScript>done = True</spiffworkflow:postScript>`,
			},
		},
		{
			name: "form from the schema files of the model",
			do: func(t *testing.T) {
				c.selectElement(t, "Review")
				c.waitFor(t, "the schema files", `[...document.querySelector('#spiff_form_schema')?.options || []].map(o => o.value).filter(Boolean).join() === 'approve-schema.json,other.schema.json'`)
				c.selectOption(t, `#spiff_form_schema`, "approve-schema.json")
				c.waitExport(t, "the form", func(x string) bool { return strings.Contains(x, "approve-uischema.json") })
			},
			want: map[string]string{
				"//bpmn:userTask[@id='Review']/bpmn:extensionElements/spiffworkflow:properties": `<spiffworkflow:properties>
					<spiffworkflow:property name="formJsonSchemaFilename" value="approve-schema.json" />
					<spiffworkflow:property name="formUiSchemaFilename" value="approve-uischema.json" />
				</spiffworkflow:properties>`,
			},
		},
		{
			name: "script unit test",
			do: func(t *testing.T) {
				c.selectElement(t, "Calc")
				c.openGroup(t, "spiff_unit_tests")
				c.eval(t, `(() => { document.querySelector('[data-group-id="group-spiff_unit_tests"] .bio-properties-panel-add-entry').click(); return true; })()`, nil)
				c.waitExport(t, "the new unit test", func(x string) bool { return strings.Contains(x, "ScriptUnitTest_1") })
				// Adding may have closed the group the add button sits on.
				c.openGroup(t, "spiff_unit_tests")
				c.openItem(t, "spiff_unit_test_0")
				c.typeText(t, `#bio-properties-panel-spiff_unit_test_0_input`, `{"a": 1}`)
				c.typeText(t, `#bio-properties-panel-spiff_unit_test_0_expected`, `{"a": 1, "b": 2}`)
				c.waitExport(t, "the unit test values", func(x string) bool { return strings.Contains(x, `"b": 2`) })
			},
			want: map[string]string{
				"//bpmn:scriptTask[@id='Calc']/bpmn:extensionElements/spiffworkflow:unitTests": `<spiffworkflow:unitTests>
					<spiffworkflow:unitTest id="ScriptUnitTest_1">
						<spiffworkflow:inputJson>{"a": 1}</spiffworkflow:inputJson>
						<spiffworkflow:expectedOutputJson>{"a": 1, "b": 2}</spiffworkflow:expectedOutputJson>
					</spiffworkflow:unitTest>
				</spiffworkflow:unitTests>`,
			},
		},
		{
			name: "new message with a correlation property and a payload",
			do: func(t *testing.T) {
				c.selectElement(t, "Notify")
				c.run(t, chromedp.WaitVisible(`input[aria-label="New message name"]`), chromedp.SendKeys(`input[aria-label="New message name"]`, "order_msg"))
				click(`[data-action="new-message"]`)
				c.waitFor(t, "the message chosen", `document.querySelector('#bio-properties-panel-spiff_message')?.value === 'order_msg'`)
				c.run(t,
					chromedp.WaitVisible(`input[aria-label="New correlation property id"]`),
					chromedp.SendKeys(`input[aria-label="New correlation property id"]`, "order_id"),
					chromedp.SendKeys(`input[aria-label="New retrieval expression"]`, "order.id"))
				click(`[data-action="add-correlation"]`)
				c.typeText(t, `#bio-properties-panel-spiff_message_payload`, `{"order": order}`)
				c.waitExport(t, "the payload", func(x string) bool { return strings.Contains(x, "messagePayload") })
			},
			want: map[string]string{
				"//bpmn:sendTask[@id='Notify']": `<bpmn:sendTask id="Notify" name="Notify" messageRef="order_msg">
					<bpmn:extensionElements><spiffworkflow:messagePayload>{"order": order}</spiffworkflow:messagePayload></bpmn:extensionElements>
				</bpmn:sendTask>`,
				"/bpmn:definitions/bpmn:message": `<bpmn:message id="order_msg" name="order_msg" />`,
				"/bpmn:definitions/bpmn:correlationProperty": `<bpmn:correlationProperty id="order_id" name="order_id">
					<bpmn:correlationPropertyRetrievalExpression messageRef="order_msg"><bpmn:messagePath>order.id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>
				</bpmn:correlationProperty>`,
				"/bpmn:definitions/bpmn:correlationKey/bpmn:correlationPropertyRef": `<bpmn:correlationPropertyRef>order_id</bpmn:correlationPropertyRef>`,
			},
		},
		{
			name: "message variable, condition matching and process-variable correlation",
			do: func(t *testing.T) {
				c.selectElement(t, "Wait_order")
				c.waitFor(t, "the message list", `[...document.querySelector('#bio-properties-panel-spiff_message')?.options || []].some(o => o.value === 'order_msg')`)
				c.selectOption(t, `#bio-properties-panel-spiff_message`, "order_msg")
				c.typeText(t, `#bio-properties-panel-spiff_message_variable`, "order")
				c.waitExport(t, "the variable", func(x string) bool { return strings.Contains(x, "messageVariable") })
				click(`#bio-properties-panel-spiff_matching`)
				c.typeText(t, `#bio-properties-panel-spiff_pvc_order_id`, "my_order")
				c.waitExport(t, "the correlation", func(x string) bool { return strings.Contains(x, "my_order") })
			},
			want: map[string]string{
				"//bpmn:intermediateCatchEvent[@id='Wait_order']": `<bpmn:intermediateCatchEvent id="Wait_order" spiffworkflow:isMatchingCorrelation="true">
					<bpmn:extensionElements>
						<spiffworkflow:processVariableCorrelation>
							<spiffworkflow:propertyId>order_id</spiffworkflow:propertyId>
							<spiffworkflow:expression>my_order</spiffworkflow:expression>
						</spiffworkflow:processVariableCorrelation>
					</bpmn:extensionElements>
					<bpmn:messageEventDefinition id="Wait_order_def" messageRef="order_msg">
						<bpmn:extensionElements><spiffworkflow:messageVariable>order</spiffworkflow:messageVariable></bpmn:extensionElements>
					</bpmn:messageEventDefinition>
				</bpmn:intermediateCatchEvent>`,
			},
		},
		{
			name: "new signal with a payload",
			do: func(t *testing.T) {
				c.selectElement(t, "Send_signal")
				click(`[data-entry-id="spiff_signal_new"] button`)
				c.waitFor(t, "the signal", `document.querySelector('#bio-properties-panel-spiff_signal_ref')?.value === 'Signal_1'`)
				c.typeText(t, `#bio-properties-panel-spiff_signal_payload`, `{"reason": reason}`)
				c.waitExport(t, "the signal payload", func(x string) bool { return strings.Contains(x, "payloadExpression") })
			},
			want: map[string]string{
				"//bpmn:intermediateThrowEvent[@id='Send_signal']/bpmn:signalEventDefinition": `<bpmn:signalEventDefinition id="Send_signal_def" signalRef="Signal_1" />`,
				"/bpmn:definitions/bpmn:signal": `<bpmn:signal id="Signal_1" name="Signal_1">
					<bpmn:extensionElements><spiffworkflow:payloadExpression>{"reason": reason}</spiffworkflow:payloadExpression></bpmn:extensionElements>
				</bpmn:signal>`,
			},
		},
		{
			name: "new error with a code and a payload",
			do: func(t *testing.T) {
				c.selectElement(t, "Fail")
				click(`[data-entry-id="spiff_error_new"] button`)
				c.waitFor(t, "the error", `document.querySelector('#bio-properties-panel-spiff_error_ref')?.value === 'Error_1'`)
				c.typeText(t, `#bio-properties-panel-spiff_error_code`, "E42")
				c.typeText(t, `#bio-properties-panel-spiff_error_payload`, `{"why": why}`)
				c.waitExport(t, "the error payload", func(x string) bool {
					return strings.Contains(x, `errorCode="E42"`) && strings.Contains(x, `{"why": why}`)
				})
			},
			want: map[string]string{
				"//bpmn:endEvent[@id='Fail']/bpmn:errorEventDefinition": `<bpmn:errorEventDefinition id="Fail_def" errorRef="Error_1" />`,
				"/bpmn:definitions/bpmn:error": `<bpmn:error id="Error_1" name="Error_1" errorCode="E42">
					<bpmn:extensionElements><spiffworkflow:payloadExpression>{"why": why}</spiffworkflow:payloadExpression></bpmn:extensionElements>
				</bpmn:error>`,
			},
		},
		{
			name: "new escalation with a code, caught into a variable",
			do: func(t *testing.T) {
				c.selectElement(t, "Escalated")
				click(`[data-entry-id="spiff_escalation_new"] button`)
				c.waitFor(t, "the escalation", `document.querySelector('#bio-properties-panel-spiff_escalation_ref')?.value === 'Escalation_1'`)
				c.typeText(t, `#bio-properties-panel-spiff_escalation_code`, "LATE")
				c.typeText(t, `#bio-properties-panel-spiff_escalation_variable`, "late_info")
				c.waitExport(t, "the escalation variable", func(x string) bool {
					return strings.Contains(x, "late_info") && strings.Contains(x, `escalationCode="LATE"`)
				})
			},
			want: map[string]string{
				"//bpmn:boundaryEvent[@id='Escalated']/bpmn:escalationEventDefinition": `<bpmn:escalationEventDefinition id="Escalated_def" escalationRef="Escalation_1" />`,
				"/bpmn:definitions/bpmn:escalation": `<bpmn:escalation id="Escalation_1" name="Escalation_1" escalationCode="LATE">
					<bpmn:extensionElements><spiffworkflow:variableName>late_info</spiffworkflow:variableName></bpmn:extensionElements>
				</bpmn:escalation>`,
			},
		},
		{
			name: "multi-instance: scripts on instances, synchronised output",
			do: func(t *testing.T) {
				c.selectElement(t, "Approve_all")
				c.typeText(t, `#bio-properties-panel-spiff_mi_input_collection`, "invoices")
				c.typeText(t, `#bio-properties-panel-spiff_mi_input_item`, "invoice")
				c.waitExport(t, "the input element", func(x string) bool { return strings.Contains(x, `<bpmn:inputDataItem id="invoice"`) })
				click(`#bio-properties-panel-spiff_mi_synced`)
				click(`#bio-properties-panel-spiff_scripts_on_instances`)
				c.waitExport(t, "the checkboxes", func(x string) bool {
					return strings.Contains(x, `spiffworkflow:scriptsOnInstances="true"`) && strings.Contains(x, `spiffworkflow:isOutputSynced="true"`)
				})
			},
			want: map[string]string{
				"//bpmn:userTask[@id='Approve_all']": `<bpmn:userTask id="Approve_all" name="Approve all" spiffworkflow:isOutputSynced="true">
					<bpmn:multiInstanceLoopCharacteristics spiffworkflow:scriptsOnInstances="true">
						<bpmn:loopDataInputRef>invoices</bpmn:loopDataInputRef>
						<bpmn:inputDataItem id="invoice" name="invoice" />
						<bpmn:outputDataItem id="invoice" name="invoice" />
					</bpmn:multiInstanceLoopCharacteristics>
				</bpmn:userTask>`,
			},
		},
	}
	for _, s := range steps {
		t.Run(s.name, s.do)
	}

	// Save through the page, as a draft if the server finds problems
	// (the elements are not connected).
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the save answer", `/^(Saved|Not saved)/.test(document.querySelector('[data-status]').textContent)`)
	var status string
	c.eval(t, `document.querySelector('[data-status]').textContent`, &status)
	if strings.HasPrefix(status, "Not saved") {
		c.run(t, chromedp.Click(`[data-action="save-draft"]`))
		c.waitFor(t, "the draft save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)
	}
	b, err := os.ReadFile(filepath.Join(ta.app.cfg.ModelsDir, "panel", "xml", "xml.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	saved := string(b)
	for _, s := range steps {
		t.Run(s.name+"/saved", func(t *testing.T) {
			for path, want := range s.want {
				got := first(t, saved, path)
				if got == nil {
					t.Errorf("nothing at %s in the saved file:\n%s", path, saved)
					continue
				}
				if d := cmp.Diff(wantXML(t, want), xmlShape(got)); d != "" {
					t.Errorf("%s (-want +got):\n%s", path, d)
				}
			}
		})
	}
}
