package main

import (
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// xmlShape describes an element for comparison: its tag, attributes and
// children, without namespaces declarations or whitespace.
func xmlShape(e *etree.Element) any {
	if e == nil {
		return nil
	}
	attrs := map[string]string{}
	for _, a := range e.Attr {
		if a.Space == "xmlns" || a.Key == "xmlns" {
			continue
		}
		attrs[a.FullKey()] = a.Value
	}
	var kids []any
	for _, c := range e.ChildElements() {
		kids = append(kids, xmlShape(c))
	}
	out := map[string]any{"tag": e.FullTag(), "attrs": attrs}
	if len(kids) > 0 {
		out["children"] = kids
	} else if t := e.Text(); t != "" {
		out["text"] = t
	}
	return out
}

// first returns the first element at path in xml, or nil.
func first(t testing.TB, xml, path string) *etree.Element {
	t.Helper()
	els := find(t, xml, path)
	if len(els) == 0 {
		return nil
	}
	return els[0]
}

// wantXML parses want (one element, namespaces as in bpmnDoc) for
// comparison with xmlShape.
func wantXML(t testing.TB, want string) any {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(want); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	return xmlShape(doc.Root())
}

// openGroup opens a panel group (by its id) if it is closed. An empty
// list's header cannot open (there is nothing in it yet), so it counts as
// open.
func (c *chrome) openGroup(t testing.TB, id string) {
	t.Helper()
	sel := `[data-group-id="group-` + id + `"] .bio-properties-panel-group-header`
	c.keepOpen(t, "the panel group "+id, sel, `h.classList.contains('open') || h.classList.contains('empty')`, `h.click()`)
}

// openItem opens a list item (by its entry id) if it is collapsed, as a
// user would. The panel opens an item it has just added only when it was
// not re-rendering at that moment (selecting an element re-renders it), so
// a new item may come up closed.
func (c *chrome) openItem(t testing.TB, id string) {
	t.Helper()
	sel := `[data-entry-id="` + id + `"].bio-properties-panel-collapsible-entry`
	c.keepOpen(t, "the list item "+id, sel, `h.classList.contains('open')`, `h.querySelector('.bio-properties-panel-collapsible-entry-header').click()`)
}

// keepOpen clicks the panel element sel open (click and isOpen are
// JavaScript over it, named h) until it stays open. On a busy machine the
// panel may open or close it itself as it re-renders, after the test's
// click: so the check waits for the panel's pending effects (two
// animation frames) and looks again a moment after each click, as a
// person would.
func (c *chrome) keepOpen(t testing.TB, what, sel, isOpen, click string) {
	t.Helper()
	c.run(t, chromedp.WaitReady(sel))
	check := `(() => { const h = document.querySelector(` + jsString(sel) + `); return !!h && (` + isOpen + `); })()`
	for attempt := 0; attempt < 4; attempt++ {
		var open bool
		c.eval(t, `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(`+check+`))))`, &open)
		if !open {
			c.eval(t, `(() => { const h = document.querySelector(`+jsString(sel)+`); `+click+`; return true; })()`, nil)
		}
		time.Sleep(300 * time.Millisecond)
		c.eval(t, check, &open)
		if open {
			return
		}
	}
	var html string
	c.eval(t, `(document.querySelector(`+jsString(sel)+`) || {}).outerHTML || ''`, &html)
	t.Fatalf("%s does not stay open:\n%.1500s", what, html)
}

// A data object reference's state is a bpmn:dataState, shown in its label
// as SpiffArena shows it.
func TestModelerDataState(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:dataObject id="invoice" name="Invoice" /><bpmn:dataObjectReference id="Ref_1" name="Invoice" dataObjectRef="invoice" />`))
	c.selectElement(t, "Ref_1")
	field := `#bio-properties-panel-spiff_data_state`
	c.run(t, chromedp.WaitVisible(field))
	c.typeText(t, field, "approved")
	got := c.waitExport(t, "the data state", func(x string) bool { return first(t, x, "//bpmn:dataState") != nil })
	want := `<bpmn:dataObjectReference id="Ref_1" name="Invoice [approved]" dataObjectRef="invoice"><bpmn:dataState id="DataState_Ref_1" name="approved" /></bpmn:dataObjectReference>`
	if d := cmp.Diff(wantXML(t, want), xmlShape(first(t, got, "//bpmn:dataObjectReference"))); d != "" {
		t.Errorf("reference with a state (-want +got):\n%s", d)
	}
	// Renaming the data object keeps the state in the label.
	c.eval(t, `(() => { const m = window.waymarkModeler.modeler; m.get('selection').select(m.get('canvas').getRootElement()); return true; })()`, nil)
	name := `#bio-properties-panel-spiff_data_object_invoice_name`
	c.run(t, chromedp.WaitReady(name))
	c.openGroup(t, "spiff_data_objects")
	c.openItem(t, "spiff_data_object_invoice")
	c.typeText(t, name, "Paid invoice")
	c.waitExport(t, "the renamed reference", func(x string) bool {
		return first(t, x, "//bpmn:dataObjectReference").SelectAttrValue("name", "") == "Paid invoice [approved]"
	})
	// Clearing the state removes it.
	c.selectElement(t, "Ref_1")
	c.typeText(t, field, "")
	got = c.waitExport(t, "the state removal", func(x string) bool { return first(t, x, "//bpmn:dataState") == nil })
	want = `<bpmn:dataObjectReference id="Ref_1" name="Paid invoice" dataObjectRef="invoice" />`
	if d := cmp.Diff(wantXML(t, want), xmlShape(first(t, got, "//bpmn:dataObjectReference"))); d != "" {
		t.Errorf("reference after clearing the state (-want +got):\n%s", d)
	}
}

// A data store reference picks a store the process groups define, and
// writes what SpiffArena writes.
func TestModelerDataStores(t *testing.T) {
	ta, c := startWithModels(t, t.TempDir(), messageModels)
	c.openModeler(t, ta.url, "sales/kitchen/cook", "cook.bpmn")
	c.importXML(t, bpmnDoc("", `<bpmn:dataStoreReference id="Store_1" />`))
	c.selectElement(t, "Store_1")
	sel := `#bio-properties-panel-spiff_data_store`
	c.waitFor(t, "the data stores", `[...document.querySelector(`+jsString(sel)+`)?.options || []].some(o => o.value === 'stock')`)
	var offered []string
	c.eval(t, `[...document.querySelector(`+jsString(sel)+`).options].map(o => o.value).filter(Boolean)`, &offered)
	if d := cmp.Diff([]string{"menu", "stock"}, offered); d != "" {
		t.Errorf("data stores offered (-want +got):\n%s", d)
	}
	check := func(what, ref, store string) {
		t.Helper()
		got := c.waitExport(t, what, func(x string) bool {
			return cmp.Equal(wantXML(t, ref), xmlShape(first(t, x, "//bpmn:dataStoreReference")))
		})
		var stores []any
		for _, s := range find(t, got, "/bpmn:definitions/bpmn:dataStore") {
			stores = append(stores, xmlShape(s))
		}
		var want []any
		if store != "" {
			want = append(want, wantXML(t, store))
		}
		if d := cmp.Diff(want, stores); d != "" {
			t.Errorf("%s: data stores of the definitions (-want +got):\n%s", what, d)
		}
	}
	c.selectOption(t, sel, "menu")
	check("the menu store",
		`<bpmn:dataStoreReference id="Store_1" name="Menu" dataStoreRef="menu" type="json" />`,
		`<bpmn:dataStore id="menu" name="JSONDataStore" />`)
	// Another store replaces it; the first, unused now, goes.
	c.selectOption(t, sel, "stock")
	check("the stock store",
		`<bpmn:dataStoreReference id="Store_1" name="Stock" dataStoreRef="stock" type="kkv" />`,
		`<bpmn:dataStore id="stock" name="KKVDataStore" />`)
	c.selectOption(t, sel, "")
	check("no store", `<bpmn:dataStoreReference id="Store_1" />`, "")
}

// Tasks list their data inputs and outputs (ioSpecification) as
// SpiffArena's panel does.
func TestModelerInputsOutputs(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:scriptTask id="Calc" />`))
	c.selectElement(t, "Calc")
	add := func(kind string) {
		t.Helper()
		sel := `[data-group-id="group-spiff_io_` + kind + `s"] .bio-properties-panel-add-entry`
		c.run(t, chromedp.WaitReady(sel))
		c.eval(t, `(() => { document.querySelector(`+jsString(sel)+`).click(); return true; })()`, nil)
	}
	io := func(what, want string) {
		t.Helper()
		var w any
		if want != "" {
			w = wantXML(t, want)
		}
		c.waitExport(t, what, func(x string) bool {
			return cmp.Equal(w, xmlShape(first(t, x, "//bpmn:scriptTask/bpmn:ioSpecification")))
		})
	}
	add("input")
	io("a new input", `<bpmn:ioSpecification><bpmn:dataInput id="DataInput_1" name="DataInput_1" /><bpmn:inputSet><bpmn:dataInputRefs>DataInput_1</bpmn:dataInputRefs></bpmn:inputSet></bpmn:ioSpecification>`)
	c.openItem(t, "spiff_io_input_0")
	c.typeText(t, `#bio-properties-panel-spiff_io_input_0_name`, "amount")
	io("the renamed input", `<bpmn:ioSpecification><bpmn:dataInput id="amount" name="amount" /><bpmn:inputSet><bpmn:dataInputRefs>amount</bpmn:dataInputRefs></bpmn:inputSet></bpmn:ioSpecification>`)
	add("output")
	io("a new output", `<bpmn:ioSpecification><bpmn:dataInput id="amount" name="amount" /><bpmn:dataOutput id="DataOutput_1" name="DataOutput_1" />`+
		`<bpmn:inputSet><bpmn:dataInputRefs>amount</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet><bpmn:dataOutputRefs>DataOutput_1</bpmn:dataOutputRefs></bpmn:outputSet></bpmn:ioSpecification>`)
	remove := func(kind string) {
		t.Helper()
		c.eval(t, `(() => { document.querySelector('[data-group-id="group-spiff_io_`+kind+`s"] .bio-properties-panel-remove-entry').click(); return true; })()`, nil)
	}
	remove("input")
	io("the input removed", `<bpmn:ioSpecification><bpmn:dataOutput id="DataOutput_1" name="DataOutput_1" /><bpmn:inputSet /><bpmn:outputSet><bpmn:dataOutputRefs>DataOutput_1</bpmn:dataOutputRefs></bpmn:outputSet></bpmn:ioSpecification>`)
	remove("output")
	io("nothing left", "")
}
