package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// bpmnDoc wraps process content in definitions with the usual namespaces,
// and lays the flow nodes out left to right.
func bpmnDoc(rootExtra, process string) string {
	return withDI(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
` + rootExtra + `
  <bpmn:process id="Process_t" isExecutable="true">` + process + `</bpmn:process>
</bpmn:definitions>`)
}

// withDI adds a diagram: shapes for the process's flow nodes in a row
// (boundary events on their task) and edges for sequence flows.
func withDI(src string) string {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(src); err != nil {
		panic(err)
	}
	proc := doc.FindElement("//bpmn:process")
	diagram := doc.Root().CreateElement("bpmndi:BPMNDiagram")
	diagram.CreateAttr("id", "Diagram_1")
	plane := diagram.CreateElement("bpmndi:BPMNPlane")
	plane.CreateAttr("id", "Plane_1")
	plane.CreateAttr("bpmnElement", proc.SelectAttrValue("id", ""))
	type box struct{ x, y, w, h int }
	boxes := map[string]box{}
	x, dataX := 150, 150
	shape := func(id string, b box) {
		boxes[id] = b
		s := plane.CreateElement("bpmndi:BPMNShape")
		s.CreateAttr("id", id+"_di")
		s.CreateAttr("bpmnElement", id)
		bounds := s.CreateElement("dc:Bounds")
		for k, v := range map[string]int{"x": b.x, "y": b.y, "width": b.w, "height": b.h} {
			bounds.CreateAttr(k, strconv.Itoa(v))
		}
	}
	var boundaries, flows []*etree.Element
	for _, e := range proc.ChildElements() {
		switch {
		case e.Tag == "sequenceFlow":
			flows = append(flows, e)
		case e.Tag == "boundaryEvent":
			boundaries = append(boundaries, e)
		case strings.HasSuffix(e.Tag, "Event"):
			shape(e.SelectAttrValue("id", ""), box{x, 182, 36, 36})
			x += 100
		case strings.HasSuffix(e.Tag, "Gateway"):
			shape(e.SelectAttrValue("id", ""), box{x, 175, 50, 50})
			x += 110
		case strings.HasSuffix(e.Tag, "Task") || e.Tag == "task" || e.Tag == "callActivity" || e.Tag == "subProcess":
			shape(e.SelectAttrValue("id", ""), box{x, 160, 100, 80})
			x += 160
		case e.Tag == "dataObjectReference" || e.Tag == "dataStoreReference":
			// Data above the flow, in a row of their own.
			shape(e.SelectAttrValue("id", ""), box{dataX, 40, 50, 50})
			dataX += 90
		}
	}
	for _, e := range boundaries {
		host := boxes[e.SelectAttrValue("attachedToRef", "")]
		shape(e.SelectAttrValue("id", ""), box{host.x + 62, host.y + 62, 36, 36})
	}
	for _, f := range flows {
		a, b := boxes[f.SelectAttrValue("sourceRef", "")], boxes[f.SelectAttrValue("targetRef", "")]
		edge := plane.CreateElement("bpmndi:BPMNEdge")
		edge.CreateAttr("id", f.SelectAttrValue("id", "")+"_di")
		edge.CreateAttr("bpmnElement", f.SelectAttrValue("id", ""))
		for _, p := range [][2]int{{a.x + a.w, a.y + a.h/2}, {b.x, b.y + b.h/2}} {
			w := edge.CreateElement("di:waypoint")
			w.CreateAttr("x", strconv.Itoa(p[0]))
			w.CreateAttr("y", strconv.Itoa(p[1]))
		}
	}
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		panic(err)
	}
	return out
}

// importXML loads xml into the open modeler.
func (c *chrome) importXML(t testing.TB, xml string) {
	t.Helper()
	arg, _ := json.Marshal(xml)
	var res struct{ Error string }
	c.eval(t, `(async () => {
		try { await window.waymarkModeler.modeler.importSpiff(`+string(arg)+`); return {}; }
		catch (e) { return {error: String(e.message || e)}; }
	})()`, &res)
	if res.Error != "" {
		t.Fatalf("import: %s", res.Error)
	}
}

// exportXML returns the modeler's diagram as it would be saved.
func (c *chrome) exportXML(t testing.TB) string {
	t.Helper()
	var xml string
	c.eval(t, `window.waymarkModeler.modeler.exportSpiff()`, &xml)
	return xml
}

// selectElement selects a diagram element, which shows it in the panel.
func (c *chrome) selectElement(t testing.TB, id string) {
	t.Helper()
	var ok bool
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const el = m.get('elementRegistry').get(`+jsString(id)+`);
		if (!el) return false;
		m.get('selection').select(el);
		return true;
	})()`, &ok)
	if !ok {
		t.Fatalf("no element %s in the diagram", id)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitFor polls a JavaScript condition until it is true.
func (c *chrome) waitFor(t testing.TB, what, js string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		c.eval(t, `(async () => !!(`+js+`))()`, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitExport waits until the saved XML satisfies ok and returns it.
func (c *chrome) waitExport(t testing.TB, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		xml := c.exportXML(t)
		if ok(xml) {
			return xml
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; XML:\n%s", what, xml)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// selectOption picks value in a panel select and fires its change event.
func (c *chrome) selectOption(t testing.TB, sel, value string) {
	t.Helper()
	var ok bool
	c.eval(t, `(() => {
		const s = document.querySelector(`+jsString(sel)+`);
		if (!s || ![...s.options].some(o => o.value === `+jsString(value)+`)) return false;
		s.value = `+jsString(value)+`;
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`, &ok)
	if !ok {
		t.Fatalf("no option %q in %s", value, sel)
	}
}

// commitInput types value into the input matched by sel, replacing its
// text, and leaves it (the field commits when it loses focus).
func (c *chrome) commitInput(t testing.TB, sel, value string) {
	t.Helper()
	// The panel re-renders a field when the element it shows changes, and
	// a keystroke that arrives during that re-render can be lost. A person
	// would see the wrong text and type it again; so does the test, once.
	for attempt := 0; attempt < 2; attempt++ {
		c.run(t, chromedp.WaitVisible(sel))
		c.eval(t, `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
			const i = document.querySelector(`+jsString(sel)+`);
			i.focus();
			i.select();
			done(true);
		})))`, nil)
		c.run(t, chromedp.SendKeys(sel, value), chromedp.Blur(sel))
		// A field keyed by its own value (a correlation property's id) is
		// gone once the change is committed: that is success too.
		var got *string
		c.eval(t, `(() => { const i = document.querySelector(`+jsString(sel)+`); return i ? i.value : null; })()`, &got)
		if got == nil || *got == value {
			return
		}
	}
}

// typeText sets the text of a text area as typing would (input events).
func (c *chrome) typeText(t testing.TB, sel, value string) {
	t.Helper()
	c.waitShown(t, sel)
	c.eval(t, `(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		el.focus();
		el.value = `+jsString(value)+`;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		return true;
	})()`, nil)
}

// waitShown waits until the field sel can be typed into. A field in a
// panel list item that a re-render closed again (the panel re-renders as
// the diagram changes) is opened again, as a person would open it.
func (c *chrome) waitShown(t testing.TB, sel string) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		err := chromedp.Run(ctx, chromedp.WaitVisible(sel))
		cancel()
		if err == nil {
			return
		}
		if attempt == 3 {
			t.Fatalf("%s is not shown: %v", sel, err)
		}
		c.eval(t, `(() => {
			const el = document.querySelector(`+jsString(sel)+`);
			const entry = el && el.closest('.bio-properties-panel-collapsible-entry');
			if (entry && !entry.classList.contains('open')) entry.querySelector('.bio-properties-panel-collapsible-entry-header').click();
			return true;
		})()`, nil)
	}
}

// find returns the elements of doc matching an etree path.
func find(t testing.TB, xml, path string) []*etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	return doc.FindElements(path)
}

func openBlankModeler(t testing.TB) (*testApp, *chrome) {
	t.Helper()
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	c.openModeler(t, ta.url, "panel/tests", "panel.bpmn")
	return ta, c
}

func TestModelerKeepsUnknownExtensions(t *testing.T) {
	_, c := openBlankModeler(t)
	src := bpmnDoc(`  <bpmn:correlationProperty id="order_id" name="order_id" />
  <bpmn:correlationKey id="CK_1" name="MainCorrelationKey"><bpmn:correlationPropertyRef>order_id</bpmn:correlationPropertyRef></bpmn:correlationKey>`,
		`<bpmn:userTask id="Task_1" spiffworkflow:futureFlag="yes" other:mark="1" xmlns:other="urn:example:other">
      <bpmn:extensionElements>
        <spiffworkflow:futureSetting level="3"><spiffworkflow:inner>keep me</spiffworkflow:inner></spiffworkflow:futureSetting>
        <other:config xmlns:other="urn:example:other" a="b">text</other:config>
        <spiffworkflow:instructionsForEndUser>Hello {{ name }}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:userTask>`)
	c.importXML(t, src)
	got := c.exportXML(t)
	if d := cmp.Diff(spiffItems(t, "before", src), spiffItems(t, "after", got)); d != "" {
		t.Errorf("spiffworkflow content changed (-before +after):\n%s", d)
	}
	for _, path := range []string{
		"//bpmn:userTask[@other:mark='1']",
		"//bpmn:extensionElements/other:config[@a='b']",
		"/bpmn:definitions/bpmn:correlationKey[@name='MainCorrelationKey']/bpmn:correlationPropertyRef",
	} {
		if len(find(t, got, path)) != 1 {
			t.Errorf("saved XML lost %s:\n%s", path, got)
		}
	}
}

// SpiffArena loses multi-instance collections that name a variable rather
// than a data object (bpmn-js drops unresolved references on import).
func TestModelerKeepsMultiInstanceCollections(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:userTask id="Task_MI">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="item" name="item" />
        <bpmn:outputDataItem id="result" name="result" />
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>`))
	got := c.exportXML(t)
	for path, want := range map[string]string{
		"//bpmn:multiInstanceLoopCharacteristics/bpmn:loopDataInputRef":  "items",
		"//bpmn:multiInstanceLoopCharacteristics/bpmn:loopDataOutputRef": "results",
	} {
		els := find(t, got, path)
		if len(els) != 1 || els[0].Text() != want {
			t.Errorf("%s after open+save: %d elements, want one with %q:\n%s", path, len(els), want, got)
		}
	}
	c.selectElement(t, "Task_MI")
	var values []string
	c.run(t, chromedp.WaitVisible(`#bio-properties-panel-spiff_mi_input_collection`))
	c.eval(t, `['spiff_mi_input_collection','spiff_mi_input_item','spiff_mi_output_collection','spiff_mi_output_item']
		.map(id => document.getElementById('bio-properties-panel-' + id).value)`, &values)
	if d := cmp.Diff([]string{"items", "item", "results", "result"}, values); d != "" {
		t.Errorf("multi-instance fields in the panel (-want +got):\n%s", d)
	}
}

// bpmn-js-spiffworkflow #141: renaming a correlation property left
// duplicates with one id that broke message matching.
func TestModelerCorrelationPropertiesStayUnique(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc(`  <bpmn:message id="order_msg" name="order_msg" />
  <bpmn:correlationProperty id="order_id" name="order_id">
    <bpmn:correlationPropertyRetrievalExpression messageRef="order_msg"><bpmn:messagePath>order_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:correlationProperty id="order_id" name="order_id">
    <bpmn:correlationPropertyRetrievalExpression messageRef="order_msg"><bpmn:messagePath>order_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:correlationProperty id="customer" name="customer">
    <bpmn:correlationPropertyRetrievalExpression messageRef="order_msg"><bpmn:messagePath>customer_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>`,
		`<bpmn:receiveTask id="Receive_1" messageRef="order_msg" />`))
	count := func(xml string) map[string]int {
		n := map[string]int{}
		for _, e := range find(t, xml, "/bpmn:definitions/bpmn:correlationProperty") {
			n[e.SelectAttrValue("id", "")]++
		}
		return n
	}
	if d := cmp.Diff(map[string]int{"order_id": 1, "customer": 1}, count(c.exportXML(t))); d != "" {
		t.Errorf("correlation properties after import (-want +got):\n%s", d)
	}

	// Rename "customer" to "order_id" in the panel: it merges instead of
	// making a second order_id.
	c.selectElement(t, "Receive_1")
	sel := `[data-correlation-property="customer"] input[aria-label="Property id"]`
	c.run(t, chromedp.WaitVisible(sel))
	c.commitInput(t, sel, "order_id")
	got := c.waitExport(t, "the rename", func(x string) bool { return !strings.Contains(x, `id="customer"`) })
	if d := cmp.Diff(map[string]int{"order_id": 1}, count(got)); d != "" {
		t.Errorf("correlation properties after renaming onto an existing one (-want +got):\n%s", d)
	}
	// Renaming a property to a new id keeps one property too.
	sel = `[data-correlation-property="order_id"] input[aria-label="Property id"]`
	c.run(t, chromedp.WaitVisible(sel))
	c.commitInput(t, sel, "order_number")
	got = c.waitExport(t, "the second rename", func(x string) bool { return strings.Contains(x, `id="order_number"`) })
	if d := cmp.Diff(map[string]int{"order_number": 1}, count(got)); d != "" {
		t.Errorf("correlation properties after renaming (-want +got):\n%s", d)
	}
	if paths := find(t, got, "//bpmn:correlationProperty/bpmn:correlationPropertyRetrievalExpression/bpmn:messagePath"); len(paths) != 1 {
		t.Errorf("want one bpmn:messagePath after the renames:\n%s", got)
	}
	if keys := find(t, got, "//bpmn:correlationKey[@name='MainCorrelationKey']/bpmn:correlationPropertyRef"); len(keys) != 1 || keys[0].Text() != "order_number" {
		t.Errorf("MainCorrelationKey should reference only order_number:\n%s", got)
	}
}

// spiff-arena #1223: the panel stopped following the selection after a
// signal boundary event was selected.
func TestModelerPanelFollowsSelectionAfterSignalBoundaryEvent(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc(`  <bpmn:signal id="cancel" name="cancel" />`, `
    <bpmn:userTask id="Review" name="Review" />
    <bpmn:boundaryEvent id="Cancel_1" attachedToRef="Review"><bpmn:signalEventDefinition signalRef="cancel" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="End_1" />`))
	c.selectElement(t, "Cancel_1")
	label := `#bio-properties-panel-spiff_signal_button_label`
	c.run(t, chromedp.WaitVisible(label), chromedp.SendKeys(label, "Cancel the review"))
	c.waitExport(t, "the button label", func(x string) bool {
		return strings.Contains(x, "<spiffworkflow:signalButtonLabel>Cancel the review</spiffworkflow:signalButtonLabel>")
	})
	c.selectElement(t, "Review")
	c.waitFor(t, "the panel to show Review", `document.querySelector('.bio-properties-panel-header-label')?.textContent === 'Review'`)
	c.eval(t, `(() => { const m = window.waymarkModeler.modeler; m.get('modeling').updateProperties(m.get('elementRegistry').get('Review'), {name: 'Review order'}); return true; })()`, nil)
	c.waitFor(t, "the panel to show the new name", `document.querySelector('.bio-properties-panel-header-label')?.textContent === 'Review order'`)
	c.selectElement(t, "Cancel_1")
	c.waitFor(t, "the panel to show the boundary event again", `document.querySelector('#bio-properties-panel-spiff_signal_button_label')?.value === 'Cancel the review'`)
}

// The service-task picker lists the server's operators and builds the
// parameters from the chosen one.
func TestModelerServiceTaskPicker(t *testing.T) {
	ta, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:serviceTask id="Call_API" name="Call API" />`))

	// What the server offers.
	hc := browser(t)
	signIn(t, hc, ta.url, "alice", "alice-secret")
	req, _ := http.NewRequest("GET", ta.url+"/api/connectors/commands", nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Commands []struct {
			ID         string
			Parameters []struct{ ID, Type string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cmds := list.Commands
	var serverIDs []string
	for _, cmd := range cmds {
		serverIDs = append(serverIDs, cmd.ID)
	}
	for _, want := range []string{"http/GetRequest", "http/PostRequest", "http/PutRequest", "http/PatchRequest", "http/DeleteRequest", "http/HeadRequest"} {
		if !slices.Contains(serverIDs, want) {
			t.Errorf("operator list %v lacks %s", serverIDs, want)
		}
	}

	c.selectElement(t, "Call_API")
	sel := `#bio-properties-panel-spiff_service_operator`
	c.waitFor(t, "the operator list", `document.querySelector(`+jsString(sel)+`)?.options.length > 1`)
	var offered []string
	c.eval(t, `[...document.querySelector(`+jsString(sel)+`).options].map(o => o.value).filter(Boolean)`, &offered)
	if d := cmp.Diff(serverIDs, offered); d != "" {
		t.Errorf("operators in the picker (-server +picker):\n%s", d)
	}
	c.selectOption(t, sel, "http/PostRequest")
	var post []struct{ ID, Type string }
	for _, cmd := range cmds {
		if cmd.ID == "http/PostRequest" {
			post = cmd.Parameters
		}
	}
	c.waitFor(t, "the parameter fields", `document.querySelector('#bio-properties-panel-spiff_service_param_0')`)
	var labels []string
	c.eval(t, `[...document.querySelectorAll('[data-entry-id^="spiff_service_param_"] label')].map(l => l.textContent.replace(' (required)', ''))`, &labels)
	var want []string
	for _, p := range post {
		want = append(want, p.ID)
	}
	if d := cmp.Diff(want, labels); d != "" {
		t.Errorf("parameter fields (-server +panel):\n%s", d)
	}
	c.run(t, chromedp.SendKeys(`#bio-properties-panel-spiff_service_param_0`, `"https://example.org/api"`),
		chromedp.SendKeys(`#bio-properties-panel-spiff_service_result`, `api_response`))
	got := c.waitExport(t, "the operator", func(x string) bool { return strings.Contains(x, `resultVariable="api_response"`) })
	op := find(t, got, "//spiffworkflow:serviceTaskOperator[@id='http/PostRequest']")
	if len(op) != 1 {
		t.Fatalf("no serviceTaskOperator in:\n%s", got)
	}
	params := op[0].FindElements("spiffworkflow:parameters/spiffworkflow:parameter")
	if len(params) != len(post) {
		t.Fatalf("%d parameters written, want %d:\n%s", len(params), len(post), got)
	}
	for i, p := range params {
		if p.SelectAttrValue("id", "") != post[i].ID || p.SelectAttrValue("type", "") != post[i].Type {
			t.Errorf("parameter %d = %s/%s, want %s/%s", i, p.SelectAttrValue("id", ""), p.SelectAttrValue("type", ""), post[i].ID, post[i].Type)
		}
	}
	if v := params[0].SelectAttrValue("value", ""); v != `"https://example.org/api"` {
		t.Errorf("url value = %q", v)
	}
}

// With the connector proxy down, the picker still offers the built-in
// operators and says why the others are missing.
func TestModelerServiceTaskPickerProxyDown(t *testing.T) {
	vars := withPermissions(t)
	vars["WAYMARK_CONNECTOR_PROXY_URL"] = closedURL(t)
	ta := startApp(t, vars)
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	c.openModeler(t, ta.url, "panel/tests", "panel.bpmn")
	c.importXML(t, bpmnDoc("", `<bpmn:serviceTask id="Call_API" name="Call API" />`))
	c.selectElement(t, "Call_API")
	sel := `#bio-properties-panel-spiff_service_operator`
	c.waitFor(t, "the operator list", `document.querySelector(`+jsString(sel)+`)?.options.length > 1`)
	var offered []string
	c.eval(t, `[...document.querySelector(`+jsString(sel)+`).options].map(o => o.value).filter(Boolean)`, &offered)
	if missing := missingOperators(offered); len(missing) > 0 {
		t.Errorf("operators offered with the proxy down %v lack the built-in %v", offered, missing)
	}
	c.waitFor(t, "the warning", `document.querySelector('[data-entry-id="spiff_service_operator_notice"].wm-warn')?.textContent.includes('connector proxy could not be reached')`)
}
