package main

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Timers show what they mean in plain words, and refuse what is not ISO
// 8601.
func TestModelerTimerPreview(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:intermediateCatchEvent id="Wait"><bpmn:timerEventDefinition><bpmn:timeCycle>"R3/2025-01-06T09:00:00/P1D"</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`))
	c.selectElement(t, "Wait")
	preview := `document.querySelector('[data-entry-id="spiff_timer_preview"]')?.textContent`
	c.waitFor(t, "the cycle preview", preview+` === 'every day at 09:00, from 2025-01-06, 3 times'`)
	c.selectOption(t, `#bio-properties-panel-spiff_timer_type`, "timeDuration")
	c.waitExport(t, "the duration", func(x string) bool { return strings.Contains(x, "<bpmn:timeDuration") })
	c.typeText(t, `#bio-properties-panel-spiff_timer_value`, `"PT1H30M"`)
	c.waitFor(t, "the duration preview", preview+` === 'after 1 hour 30 minutes'`)
	c.typeText(t, `#bio-properties-panel-spiff_timer_value`, `"tomorrow"`)
	c.waitFor(t, "the refusal", `document.querySelector('[data-entry-id="spiff_timer_preview"].wm-bad')?.textContent.includes('not an ISO 8601 duration')`)
}

// The Check button parses the script on the server and shows the line of
// a syntax error.
func TestModelerScriptCheckButton(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:scriptTask id="Calc"><bpmn:script>total = 0
for i in items
    total += i</bpmn:script></bpmn:scriptTask>`))
	c.selectElement(t, "Calc")
	c.run(t, chromedp.Click(`[data-entry-id="spiff_script_body"] [data-action="check-script"]`))
	c.waitFor(t, "the check result", `document.querySelector('[data-entry-id="spiff_script_body"] .wm-check.wm-bad')?.textContent.startsWith('Line 2:')`)
	c.typeText(t, `#spiff_script_body`, "total = 0\nfor i in items:\n    total += i\n")
	c.run(t, chromedp.Click(`[data-entry-id="spiff_script_body"] [data-action="check-script"]`))
	c.waitFor(t, "the check result", `document.querySelector('[data-entry-id="spiff_script_body"] .wm-check.wm-ok')`)
	c.waitExport(t, "the script", func(x string) bool { return strings.Contains(x, "for i in items:") })
	// Python highlighting.
	var kw []string
	c.eval(t, `[...document.querySelectorAll('[data-entry-id="spiff_script_body"] .wm-py-keyword')].map(e => e.textContent)`, &kw)
	if strings.Join(kw, " ") != "for in" {
		t.Errorf("highlighted keywords %v, want for in", kw)
	}
}

// Undo and redo through the toolbar, and the page asks before leaving
// with unsaved changes.
func TestModelerUndoRedoAndLeaveGuard(t *testing.T) {
	ta, c := openBlankModeler(t)
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const start = m.get('elementRegistry').filter(e => e.type === 'bpmn:StartEvent')[0];
		m.get('modeling').updateLabel(start, 'Begin');
		return true;
	})()`, nil)
	name := `window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type === 'bpmn:StartEvent')[0].businessObject.name`
	c.run(t, chromedp.Click(`[data-action="undo"]`))
	c.waitFor(t, "undo", `!`+name)
	c.run(t, chromedp.Click(`[data-action="redo"]`))
	c.waitFor(t, "redo", name+` === 'Begin'`)
	// The same with the keyboard, once the canvas has the focus.
	c.run(t, chromedp.Click(`.djs-container > svg`), chromedp.KeyEvent("z", chromedp.KeyModifiers(input.ModifierCtrl)))
	c.waitFor(t, "Ctrl+Z", `!`+name)
	c.run(t, chromedp.KeyEvent("y", chromedp.KeyModifiers(input.ModifierCtrl)))
	c.waitFor(t, "Ctrl+Y", name+` === 'Begin'`)

	dialog := make(chan string, 1)
	chromedp.ListenTarget(c.ctx, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case dialog <- string(ev.Type):
			default:
			}
			go chromedp.Run(c.ctx, page.HandleJavaScriptDialog(false))
		}
	})
	// Chromium shows the dialog only after a user gesture on the page.
	c.run(t, chromedp.Click(`.modeler-canvas`))
	go chromedp.Run(c.ctx, chromedp.Navigate(ta.url+"/models"))
	select {
	case typ := <-dialog:
		if typ != "beforeunload" {
			t.Errorf("dialog %q, want beforeunload", typ)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("leaving with unsaved changes did not ask")
	}
	var still bool
	c.eval(t, `!!window.waymarkModeler`, &still)
	if !still {
		t.Error("declining to leave should keep the modeler open")
	}
}

// "New diagram…" opens a fresh diagram under the typed file name.
func TestModelerNewDiagramFlow(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	createModel(t, c, ta, "finance", "invoice")
	c.openModeler(t, ta.url, "finance/invoice", "invoice.bpmn")
	// Saved first: leaving unsaved changes would ask.
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the save", `document.querySelector('[data-status]').textContent.startsWith('Saved')`)
	// Mark this document, to tell the next one apart.
	c.eval(t, `(() => { document.body.dataset.old = '1'; return true; })()`, nil)
	c.run(t,
		chromedp.Click(`[data-action="new-diagram"]`),
		chromedp.SendKeys(`#new-diagram-name`, "refund"),
		chromedp.Click(`[data-new-diagram] button[type="submit"]`),
		chromedp.WaitVisible(`body:not([data-old]) [data-modeler][data-ready="true"]`),
	)
	var loc, process string
	c.eval(t, `location.pathname`, &loc)
	if loc != "/process-models/finance:invoice/files/refund.bpmn/modeler" {
		t.Errorf("new diagram opened at %s", loc)
	}
	c.eval(t, `window.waymarkModeler.modeler.get('canvas').getRootElement().businessObject.id`, &process)
	if !strings.HasPrefix(process, "Process_refund_") {
		t.Errorf("process id %q", process)
	}
}

// Data objects are listed on the process, with their Spiff category.
func TestModelerDataObjects(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:dataObject id="invoice"><bpmn:extensionElements><spiffworkflow:category>finance</spiffworkflow:category></bpmn:extensionElements></bpmn:dataObject><bpmn:dataObjectReference id="Ref_1" dataObjectRef="invoice" />`))
	c.eval(t, `(() => { const m = window.waymarkModeler.modeler; m.get('selection').select(m.get('canvas').getRootElement()); return true; })()`, nil)
	c.run(t, chromedp.WaitReady(`[data-group-id="group-spiff_data_objects"] .bio-properties-panel-add-entry`))
	c.eval(t, `(() => { document.querySelector('[data-group-id="group-spiff_data_objects"] .bio-properties-panel-add-entry').click(); return true; })()`, nil)
	c.waitExport(t, "the new data object", func(x string) bool {
		return strings.Contains(x, `<bpmn:dataObject id="DataObject_1" name="Data Object 1" />`)
	})
	c.openItem(t, "spiff_data_object_DataObject_1")
	c.typeText(t, `#bio-properties-panel-spiff_data_object_DataObject_1_category`, "archive")
	got := c.waitExport(t, "the category", func(x string) bool {
		return strings.Contains(x, "<spiffworkflow:category>archive</spiffworkflow:category>")
	})
	if !strings.Contains(got, "<spiffworkflow:category>finance</spiffworkflow:category>") {
		t.Errorf("the first data object lost its category:\n%s", got)
	}
}

// The toolbar's SVG and PNG buttons download pictures of the diagram, and
// its zoom buttons zoom.
func TestModelerExportAndZoom(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:startEvent id="Start" /><bpmn:userTask id="Review" name="Review the order" /><bpmn:endEvent id="End" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" /><bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="End" />`))

	dir := t.TempDir()
	type download struct{ name, guid string }
	done := make(chan download, 4)
	var mu sync.Mutex
	names := map[string]string{}
	chromedp.ListenTarget(c.ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			mu.Lock()
			names[e.GUID] = e.SuggestedFilename
			mu.Unlock()
		case *cdpbrowser.EventDownloadProgress:
			if e.State == cdpbrowser.DownloadProgressStateCompleted {
				mu.Lock()
				done <- download{names[e.GUID], e.GUID}
				mu.Unlock()
			}
		}
	})
	c.run(t, cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dir).WithEventsEnabled(true))
	fetchFile := func(button string) (string, []byte) {
		t.Helper()
		c.run(t, chromedp.Click(`[data-action="`+button+`"]`))
		select {
		case d := <-done:
			b, err := os.ReadFile(filepath.Join(dir, d.guid))
			if err != nil {
				t.Fatal(err)
			}
			return d.name, b
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: no download", button)
			return "", nil
		}
	}

	name, svg := fetchFile("export-svg")
	if name != "panel.svg" {
		t.Errorf("SVG file named %q, want panel.svg", name)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(svg)), "<?xml") || !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "Review") {
		t.Errorf("the SVG does not show the diagram:\n%.300s", svg)
	}
	name, pngData := fetchFile("export-png")
	if name != "panel.png" {
		t.Errorf("PNG file named %q, want panel.png", name)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 50 {
		t.Errorf("PNG of %dx%d pixels: too small for three elements", b.Dx(), b.Dy())
	}

	zoom := func() float64 {
		var z float64
		c.eval(t, `window.waymarkModeler.modeler.get('canvas').zoom()`, &z)
		return z
	}
	c.run(t, chromedp.Click(`[data-action="zoom-reset"]`))
	if z := zoom(); math.Abs(z-1) > 1e-3 {
		t.Errorf("1:1 gives zoom %v", z)
	}
	c.run(t, chromedp.Click(`[data-action="zoom-in"]`))
	if z := zoom(); math.Abs(z-1.2) > 1e-3 {
		t.Errorf("+ from 1 gives zoom %v, want 1.2", z)
	}
	c.run(t, chromedp.Click(`[data-action="zoom-out"]`), chromedp.Click(`[data-action="zoom-out"]`))
	if z := zoom(); math.Abs(z-1/1.2) > 1e-3 {
		t.Errorf("− twice from 1.2 gives zoom %v, want %v", z, 1/1.2)
	}
	// Far in, then Fit: the whole diagram is in view.
	for i := 0; i < 5; i++ {
		c.run(t, chromedp.Click(`[data-action="zoom-in"]`))
	}
	c.run(t, chromedp.Click(`[data-action="fit"]`))
	var fits bool
	c.eval(t, `(() => {
		const vb = window.waymarkModeler.modeler.get('canvas').viewbox(), i = vb.inner;
		return i.x >= vb.x - 1 && i.y >= vb.y - 1 && i.x + i.width <= vb.x + vb.width + 1 && i.y + i.height <= vb.y + vb.height + 1;
	})()`, &fits)
	if !fits {
		t.Error("after Fit the diagram is not wholly in view")
	}
}
