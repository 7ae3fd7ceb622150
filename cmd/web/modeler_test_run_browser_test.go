package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestModelerTestRun runs a diagram with a user task, a message catch and a
// one-day timer entirely in the editor: the diagram is never saved and no
// instance is created.
func TestModelerTestRun(t *testing.T) {
	ta, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc(`  <bpmn:message id="msg_go" name="go" />`, `
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="fill" name="Fill in" />
    <bpmn:intermediateCatchEvent id="wait_go" name="Go">
      <bpmn:messageEventDefinition id="med" messageRef="msg_go" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="wait_day" name="One day">
      <bpmn:timerEventDefinition id="ted"><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="calc"><bpmn:script>total = amount * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="wait_go" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait_go" targetRef="wait_day" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait_day" targetRef="calc" />
    <bpmn:sequenceFlow id="f5" sourceRef="calc" targetRef="end" />`))
	marked := func(id, marker string) string {
		return `window.waymarkModeler.modeler.get('canvas').hasMarker('` + id + `', '` + marker + `')`
	}

	c.run(t, chromedp.Click(`[data-action="test-run"]`))
	c.waitFor(t, "the user task to be ready", `document.querySelector('[data-run-ready="fill"]') && `+marked("fill", "wm-run-ready")+` && `+marked("start", "wm-run-done"))
	c.eval(t, `(() => { document.querySelector('[data-run-ready="fill"] textarea').value = '{"amount": 21}'; return true; })()`, nil)
	c.run(t, chromedp.Click(`[data-run-complete="fill"]`))
	c.waitFor(t, "the message catch to wait", marked("wait_go", "wm-run-waiting")+` && `+marked("fill", "wm-run-done"))

	c.run(t, chromedp.SendKeys(`[data-run-event-name]`, "go"), chromedp.Click(`[data-run-send]`))
	c.waitFor(t, "the timer to wait", marked("wait_day", "wm-run-waiting")+` && `+marked("wait_go", "wm-run-done"))

	// The engine fires a timer once the clock is past its due time: a day
	// and a second.
	c.run(t, chromedp.SetValue(`[data-run-advance-by]`, "P1DT1S"), chromedp.Click(`[data-run-advance]`))
	c.waitFor(t, "the run to complete", `document.querySelector('[data-run-state="completed"]')`)
	var got struct {
		Data  string `json:"data"`
		State string `json:"state"`
		End   bool   `json:"end"`
		Steps int    `json:"steps"`
		Dirty bool   `json:"dirty"`
	}
	c.eval(t, `({
		data: document.querySelector('[data-run-data]').textContent,
		state: document.querySelector('.wm-run-state').textContent,
		end: `+marked("end", "wm-run-done")+`,
		steps: window.waymarkModeler.testRun.scenario().steps.length,
		dirty: window.waymarkModeler.dirty,
	})`, &got)
	if !strings.Contains(got.Data, `"total": 42`) || !got.End || got.Steps != 3 || !strings.Contains(got.State, "Clock: 2026-01-06T09:00:01Z") {
		t.Errorf("after the run: %+v", got)
	}
	var scenario string
	c.eval(t, `JSON.stringify(window.waymarkModeler.testRun.scenario())`, &scenario)
	if !strings.Contains(scenario, `"steps":[{"complete":"fill","data":{"amount":21}},{"message":"go","payload":null},{"advance":"P1DT1S"}]`) {
		t.Errorf("scenario = %s", scenario)
	}

	// Nothing was saved and no instance exists.
	c2 := browser(t)
	signIn(t, c2, ta.url, "alice", "alice-secret")
	resp, doc := get(t, c2, ta.url+"/instances")
	wantStatus(t, resp, http.StatusOK)
	if n := doc.Find("tr.instance").Length(); n != 0 {
		t.Errorf("%d instances after a test run, want none", n)
	}
	resp, _ = get(t, c2, ta.url+"/api/process-models/panel:tests/files/panel.bpmn")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the diagram was saved by the test run (HTTP %d)", resp.StatusCode)
	}
}
