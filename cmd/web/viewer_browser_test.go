package main

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// The read-only viewer bundle shows a diagram under the page's CSP and
// colours elements by state.
func TestDiagramViewer(t *testing.T) {
	models := t.TempDir()
	ta, c := startWithModels(t, models, map[string]string{
		"ops/process_group.json":       `{"display_name": "Ops"}`,
		"ops/check/process_model.json": `{"display_name": "Check", "primary_file_name": "check.bpmn", "primary_process_id": "Process_t"}`,
		"ops/check/check.bpmn": bpmnDoc("", `<bpmn:startEvent id="Start" /><bpmn:userTask id="Look" name="Look" /><bpmn:endEvent id="End" />
			<bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Look" /><bpmn:sequenceFlow id="F2" sourceRef="Look" targetRef="End" />`),
	})
	c.run(t, chromedp.Navigate(ta.url+"/models"))
	// Host the viewer as a page does: a marked element, then the script.
	c.eval(t, `(() => {
		const d = document.createElement('div');
		d.setAttribute('data-bpmn-viewer', '');
		d.dataset.xmlUrl = '/process-models/ops:check/files/check.bpmn/raw';
		d.dataset.marks = JSON.stringify({Start: 'COMPLETED', Look: 'READY', Nowhere: 'ERROR'});
		document.querySelector('main').appendChild(d);
		const s = document.createElement('script');
		s.src = [...document.scripts].map(s => s.src).find(u => u.includes('/static/'))
			.replace(/js\/htmx\.min\.js\?v=.*/, 'bpmn-js-spiff/dist/viewer.js');
		document.body.appendChild(s);
		return true;
	})()`, nil)
	c.run(t, chromedp.WaitReady(`[data-bpmn-viewer][data-ready="true"]`))
	var marked map[string]string
	c.eval(t, `Object.fromEntries([...document.querySelectorAll('.djs-element[class*="wm-state-"]')]
		.map(e => [e.dataset.elementId, [...e.classList].find(c => c.startsWith('wm-state-'))]))`, &marked)
	if d := cmp.Diff(map[string]string{"Start": "wm-state-completed", "Look": "wm-state-ready"}, marked); d != "" {
		t.Errorf("state markers (-want +got):\n%s", d)
	}
	var editable bool
	c.eval(t, `!!document.querySelector('[data-bpmn-viewer] .djs-palette')`, &editable)
	if editable {
		t.Error("the viewer shows the modeling palette")
	}
}

// A model whose BPMN has no layout runs, and its instance page says why
// there is no picture instead of showing bpmn-js's bare error.
func TestDiagramViewerWithoutLayout(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	startInstance(t, ta, alice, "purchases:delivery") // delivery.bpmn has no BPMNDiagram
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	var msg string
	c.run(t, chromedp.Navigate(ta.url+"/instances/1"), chromedp.WaitVisible(`#instance-diagram .wm-bad`), chromedp.Text(`#instance-diagram .wm-bad`, &msg))
	if msg != "This BPMN file has no diagram layout (no BPMNDiagram), so there is nothing to draw; the path taken below lists what ran." {
		t.Errorf("message %q", msg)
	}
}
