package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestModelerRunsScriptUnitTests runs a script task's unit tests from the
// panel: one passes, one fails with the difference shown; fixing the script
// in the panel (unsaved) makes both pass.
func TestModelerRunsScriptUnitTests(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:scriptTask id="Calc">
      <bpmn:extensionElements>
        <spiffworkflow:unitTests>
          <spiffworkflow:unitTest id="doubles">
            <spiffworkflow:inputJson>{"x": 2}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"x": 2, "y": 4}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
          <spiffworkflow:unitTest id="adds one">
            <spiffworkflow:inputJson>{"x": 3}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"x": 3, "y": 7}</spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
        </spiffworkflow:unitTests>
      </bpmn:extensionElements>
      <bpmn:script>y = x * 2</bpmn:script>
    </bpmn:scriptTask>`))
	c.selectElement(t, "Calc")
	run := `[data-entry-id="spiff_script_unit_tests_run"] [data-action="run-unit-tests"]`
	c.run(t, chromedp.WaitVisible(run), chromedp.Click(run))
	c.waitFor(t, "the results", `document.querySelectorAll('.wm-unit-result').length === 2`)
	var got struct {
		Summary string   `json:"summary"`
		Passed  []string `json:"passed"`
		Failed  []string `json:"failed"`
		Diffs   string   `json:"diffs"`
	}
	c.eval(t, `({
		summary: document.querySelector('.wm-unit-results > .wm-check').textContent,
		passed: [...document.querySelectorAll('.wm-unit-result.wm-ok')].map(e => e.dataset.test),
		failed: [...document.querySelectorAll('.wm-unit-result.wm-bad')].map(e => e.dataset.test),
		diffs: document.querySelector('.wm-unit-result.wm-bad .wm-unit-diffs')?.textContent || '',
	})`, &got)
	if got.Summary != "1 of 2 failed." || strings.Join(got.Passed, ",") != "doubles" || strings.Join(got.Failed, ",") != "adds one" || got.Diffs != "y: got 6, want 7" {
		t.Errorf("panel shows %+v", got)
	}

	// The fix is typed into the panel and not saved: the tests run it.
	c.typeText(t, `#spiff_script_body`, "y = x * 2 + (1 if x == 3 else 0)")
	c.waitFor(t, "the script to reach the diagram", `window.waymarkModeler.modeler.get('elementRegistry').get('Calc').businessObject.script.includes('if x == 3')`)
	c.run(t, chromedp.Click(run))
	c.waitFor(t, "all to pass", `document.querySelector('.wm-unit-results > .wm-check')?.textContent === 'All 2 passed.'`)
}
