package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// BenchmarkModelerTestRunFirstStep measures, in the page, the time from
// clicking Run on a 200-element diagram (99 user tasks in a row, 100
// sequence flows) until its first step is visible: the first user task is
// marked ready on the diagram and offered in the run panel. The figure is
// the ms/run metric; ns/op includes the browser round trips of the test.
func BenchmarkModelerTestRunFirstStep(b *testing.B) {
	var proc, flows strings.Builder
	proc.WriteString(`<bpmn:startEvent id="Start" />`)
	prev := "Start"
	for i := 1; i < 99; i++ {
		id := fmt.Sprintf("Task_%d", i)
		fmt.Fprintf(&proc, `<bpmn:userTask id="%s" name="Step %d"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>Do step %d</spiffworkflow:instructionsForEndUser></bpmn:extensionElements></bpmn:userTask>`, id, i, i)
		fmt.Fprintf(&flows, `<bpmn:sequenceFlow id="Flow_%d" sourceRef="%s" targetRef="%s" />`, i, prev, id)
		prev = id
	}
	fmt.Fprintf(&flows, `<bpmn:sequenceFlow id="Flow_99" sourceRef="%s" targetRef="End" />`, prev)
	flows.WriteString(`<bpmn:sequenceFlow id="Flow_shortcut" sourceRef="Start" targetRef="End" />`)
	proc.WriteString(`<bpmn:endEvent id="End" />`)
	_, c := openBlankModeler(b)
	c.importXML(b, bpmnDoc("", proc.String()+flows.String()))
	var elements int
	c.eval(b, `window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type !== 'label' && e.type !== 'bpmn:Process').length`, &elements)
	if elements != 200 {
		b.Fatalf("%d elements, want 200", elements)
	}
	measure := `new Promise((resolve) => {
		const page = window.waymarkModeler;
		page.testRun && page.testRun.close();
		const canvas = page.modeler.get('canvas');
		const t0 = performance.now();
		document.querySelector('[data-action="test-run"]').click();
		const poll = () => {
			if (canvas.hasMarker('Task_1', 'wm-run-ready') && document.querySelector('[data-run-ready="Task_1"]')) {
				requestAnimationFrame(() => resolve(performance.now() - t0));
			} else {
				setTimeout(poll, 1);
			}
		};
		poll();
	})`
	var total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var ms float64
		c.eval(b, measure, &ms)
		total += ms
	}
	b.ReportMetric(total/float64(b.N), "ms/run")
}

// TestModelerTestRunUserTaskForm: in a test run, a user task shows its real
// form (the model's schema files), the submission is validated as the task
// would be, and the typed values go into the run's data.
func TestModelerTestRunUserTaskForm(t *testing.T) {
	ta, c := startWithModels(t, filepath.Join(t.TempDir(), "models"), previewRepo())
	c.openModeler(t, ta.url, "shop/buy", "trial.bpmn")
	c.importXML(t, bpmnDoc("", `
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="ask" name="Ask">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="request-schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="request-uischema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end" />`))
	c.run(t, chromedp.Click(`[data-action="test-run"]`))
	c.waitFor(t, "the form", `document.querySelector('[data-run-form="ask"][data-ready="true"] input[name="item"]')`)
	var help string
	c.eval(t, `document.querySelector('[data-run-form="ask"]').textContent`, &help)
	if !strings.Contains(help, "Whole units only") {
		t.Errorf("the form lacks its UI schema's help: %q", help)
	}
	// An invalid submission is refused with the form's own messages.
	c.run(t, chromedp.SendKeys(`[data-run-form="ask"] input[name="amount"]`, "0"), chromedp.Click(`[data-run-complete="ask"]`))
	c.waitFor(t, "the problems", `document.querySelector('[data-run-form-problems="ask"]').children.length === 2`)
	c.run(t, chromedp.SendKeys(`[data-run-form="ask"] input[name="item"]`, "desk"),
		chromedp.SetValue(`[data-run-form="ask"] input[name="amount"]`, "3"), chromedp.Click(`[data-run-complete="ask"]`))
	c.waitFor(t, "the run to complete", `document.querySelector('[data-run-state="completed"]')`)
	var data string
	c.eval(t, `document.querySelector('[data-run-data]').textContent`, &data)
	if !strings.Contains(data, `"item": "desk"`) || !strings.Contains(data, `"amount": 3`) {
		t.Errorf("run data = %s", data)
	}
}

// TestModelerTestRunLiveConnector: with "call the real connector" ticked,
// a test run's service task calls a real HTTP server once; its response
// lands in the recorded responses, so the next steps replay from it.
func TestModelerTestRunLiveConnector(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"name": "chair"}`))
	}))
	defer api.Close()
	vars := withPermissions(t)
	vars["WAYMARK_CONNECTOR_ALLOW"] = "127.0.0.1/32"
	ta := startApp(t, vars)
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	c.openModeler(t, ta.url, "panel/tests", "panel.bpmn")
	c.importXML(t, bpmnDoc("", `
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="fetch" name="Fetch">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequestV2" resultVariable="record">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="&quot;`+api.URL+`/item&quot;" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="look" name="Look" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch" />
    <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="look" />
    <bpmn:sequenceFlow id="f3" sourceRef="look" targetRef="end" />`))
	c.eval(t, `(() => { document.getElementById('run-live').checked = true; return true; })()`, nil)
	c.run(t, chromedp.Click(`[data-action="test-run"]`))
	c.waitFor(t, "the user task after the real call", `document.querySelector('[data-run-ready="look"]')`)
	var recorded string
	c.eval(t, `document.querySelector('[data-run-services]').value`, &recorded)
	if !strings.Contains(recorded, `"http/GetRequestV2"`) || !strings.Contains(recorded, "chair") || calls.Load() != 1 {
		t.Fatalf("recorded responses %q after %d calls", recorded, calls.Load())
	}
	c.run(t, chromedp.Click(`[data-run-complete="look"]`))
	c.waitFor(t, "the run to complete", `document.querySelector('[data-run-state="completed"]')`)
	if n := calls.Load(); n != 1 {
		t.Errorf("the replay called the connector again: %d calls", n)
	}
	var data string
	c.eval(t, `document.querySelector('[data-run-data]').textContent`, &data)
	if !strings.Contains(data, "chair") {
		t.Errorf("run data %s lacks the response", data)
	}
}
