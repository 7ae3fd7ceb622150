package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the modeler screenshots in docs/screenshots")

// TestModelerPanels selects a service task, a user task and a call
// activity of a filled-in diagram and checks that each shows its Spiff
// groups with the diagram's values. With -update-screenshots it also
// writes the screenshots the README shows.
func TestModelerPanels(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	createModel(t, c, ta, "finance", "invoice")
	c.openModeler(t, ta.url, "finance/invoice", "invoice.bpmn")
	c.importXML(t, bpmnDoc(``, `
    <bpmn:startEvent id="Start" name="Invoice received" />
    <bpmn:serviceTask id="Fetch" name="Fetch vendor">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequest" resultVariable="vendor">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="&quot;https://erp.example/vendors/&quot; + vendor_id" />
            <spiffworkflow:parameter id="headers" type="any" value="{&quot;Accept&quot;: &quot;application/json&quot;}" />
            <spiffworkflow:parameter id="params" type="any" />
            <spiffworkflow:parameter id="basic_auth_username" type="str" />
            <spiffworkflow:parameter id="basic_auth_password" type="str" />
            <spiffworkflow:parameter id="include_response_headers" type="bool" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
        <spiffworkflow:preScript>vendor_id = invoice["vendor"]</spiffworkflow:preScript>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="Approve" name="Approve invoice">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="approve-schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="approve-uischema.json" />
        </spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>## Invoice {{ invoice.number }}
Approve **{{ invoice.amount }} EUR** for *{{ vendor.body.name }}*?
- check the purchase order
- check the delivery note</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:callActivity id="Pay" name="Pay vendor" calledElement="Process_t" />
    <bpmn:endEvent id="End" name="Done" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Fetch" />
    <bpmn:sequenceFlow id="F2" sourceRef="Fetch" targetRef="Approve" />
    <bpmn:sequenceFlow id="F3" sourceRef="Approve" targetRef="Pay" />
    <bpmn:sequenceFlow id="F4" sourceRef="Pay" targetRef="End" />`))
	// The called process is this diagram's own, once saved.
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)
	c.run(t, chromedp.Click(`[data-action="fit"]`))
	shot(t, c, "modeler.png", "")

	c.selectElement(t, "Fetch")
	c.waitFor(t, "the operator", `document.querySelector('#bio-properties-panel-spiff_service_operator')?.value === 'http/GetRequest'`)
	var v string
	c.eval(t, `document.querySelector('#bio-properties-panel-spiff_service_param_0').value`, &v)
	if v != `"https://erp.example/vendors/" + vendor_id` {
		t.Errorf("url parameter shown as %q", v)
	}
	c.eval(t, `document.querySelector('#bio-properties-panel-spiff_service_result').value`, &v)
	if v != "vendor" {
		t.Errorf("response variable shown as %q", v)
	}
	shot(t, c, "panel-service-task.png", ".modeler-panel")

	c.selectElement(t, "Approve")
	c.waitFor(t, "the form file", `document.querySelector('#spiff_form_schema')?.value === 'approve-schema.json'`)
	// The preview renders after the panel; wait for its heading.
	c.waitFor(t, "the instructions preview heading", `document.querySelector('.wm-md-preview h4')?.textContent === 'Invoice {{ invoice.number }}'`)
	shot(t, c, "panel-user-task.png", ".modeler-panel")

	c.selectElement(t, "Pay")
	c.waitFor(t, "the link to the called process", `document.querySelector('[data-action="open-called"]')`)
	c.eval(t, `document.querySelector('#spiff_called_element').value`, &v)
	if v != "Process_t" {
		t.Errorf("called element shown as %q", v)
	}
	c.run(t, chromedp.Click(`#spiff_called_element`))
	c.waitFor(t, "the process list", `document.querySelector('.wm-picker-results li[data-process-id]')`)
	// The open list draws above the group headers it overlaps.
	var covered []string
	c.eval(t, `(() => {
		const list = document.querySelector('.wm-picker-results').getBoundingClientRect();
		const out = [];
		for (const h of document.querySelectorAll('.bio-properties-panel-group-header')) {
			const r = h.getBoundingClientRect();
			const top = Math.max(r.top, list.top), bottom = Math.min(r.bottom, list.bottom);
			const left = Math.max(r.left, list.left), right = Math.min(r.right, list.right);
			if (bottom - top < 2 || right - left < 2) continue;
			const at = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
			if (!at || !at.closest('.wm-picker-results')) out.push(h.textContent);
		}
		return out;
	})()`, &covered)
	if len(covered) > 0 {
		t.Errorf("group headers %q draw over the open process list", covered)
	}
	shot(t, c, "panel-call-activity.png", ".modeler-panel")
}

// shot writes a screenshot (of sel, or the page) when -update-screenshots
// is given.
func shot(t testing.TB, c *chrome, name, sel string) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	time.Sleep(300 * time.Millisecond)
	var png []byte
	if sel == "" {
		c.run(t, chromedp.CaptureScreenshot(&png))
	} else {
		// Show the whole panel, not just its scrolled window.
		c.eval(t, `(() => {
			document.querySelector('.modeler').style.height = 'auto';
			const p = document.querySelector('.modeler-panel');
			p.style.overflow = 'visible';
			document.querySelector('.modeler-body').style.alignItems = 'flex-start';
			return true;
		})()`, nil)
		c.run(t, chromedp.Screenshot(sel, &png, chromedp.NodeVisible))
		c.eval(t, `(() => {
			for (const s of ['.modeler', '.modeler-panel', '.modeler-body']) document.querySelector(s).removeAttribute('style');
			return true;
		})()`, nil)
	}
	path := filepath.Join("..", "..", "docs", "screenshots", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkModelerInteractive measures the time from navigation to an
// interactive modeler (diagram imported and fitted, panel rendered: the
// page's data-ready) for a diagram of 200 elements: 100 events and tasks
// and 100 flows, with the browser cache warm and cold.
func BenchmarkModelerInteractive(b *testing.B) {
	models := b.TempDir()
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
	flows.WriteString(`<bpmn:sequenceFlow id="Flow_shortcut" sourceRef="Task_1" targetRef="End" />`)
	proc.WriteString(`<bpmn:endEvent id="End" />`)
	xml := bpmnDoc("", proc.String()+flows.String())
	for name, content := range map[string]string{
		"bench/process_group.json":     `{"display_name": "Bench"}`,
		"bench/big/process_model.json": `{"display_name": "Big", "primary_file_name": "big.bpmn", "primary_process_id": "Process_t"}`,
		"bench/big/big.bpmn":           xml,
	} {
		p := filepath.Join(models, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	vars := withPermissions(b)
	vars["WAYMARK_MODELS_DIR"] = models
	ta := startApp(b, vars)
	c := newChrome(b)
	c.signIn(b, ta.url, "alice", "alice-secret")
	page := ta.url + "/process-models/bench:big/files/big.bpmn/modeler"
	ready := chromedp.WaitVisible(`[data-modeler][data-ready="true"]`)
	c.run(b, network.Enable())
	// warm: the assets (and their compiled code) come from the browser's
	// cache, as on every visit after the first; cold: the cache is off, so
	// every load downloads, parses and compiles the bundle again, as on a
	// first visit.
	for _, mode := range []struct {
		name string
		cold bool
	}{{"warm", false}, {"cold", true}} {
		b.Run(mode.name, func(b *testing.B) {
			c.run(b, network.SetCacheDisabled(mode.cold))
			if !mode.cold {
				c.run(b, chromedp.Navigate(page), ready)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.run(b, chromedp.Navigate(page), ready)
			}
			b.StopTimer()
			var state struct {
				Elements int  `json:"elements"`
				Panel    bool `json:"panel"`
			}
			c.eval(b, `({
				elements: window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type !== 'label' && e.type !== 'bpmn:Process').length,
				panel: !!document.querySelector('[data-panel] .bio-properties-panel-header-type'),
			})`, &state)
			if state.Elements != 200 || !state.Panel {
				b.Fatalf("%d elements in the benchmark diagram (want 200), panel shown %v", state.Elements, state.Panel)
			}
		})
	}
}
