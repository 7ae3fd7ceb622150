package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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

// TestDecisionEditorOpensCorpus opens every DMN file of SpiffArena's
// sample repository in the decision editor: each opens with its decisions
// as views, or, for a file that is not DMN, says so.
func TestDecisionEditorOpensCorpus(t *testing.T) {
	models := copyDir(t, corpusModels)
	var files []string
	err := filepath.WalkDir(models, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".dmn") {
			rel, _ := filepath.Rel(models, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no DMN files in the corpus (%v)", err)
	}
	ta := startWithRepo(t, models, nil)
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	opened, notDMN := 0, 0
	for _, f := range files {
		model, name := filepath.Dir(f), filepath.Base(f)
		id := strings.ReplaceAll(model, "/", ":")
		page := ta.url + "/process-models/" + pathEscapeModel(id) + "/files/" + pathEscapeSegment(name) + "/decision-editor"
		c.run(t, chromedp.Navigate(page), chromedp.WaitVisible(`[data-decision-editor][data-ready="true"]`))
		var got struct {
			Status    string   `json:"status"`
			Views     []string `json:"views"`
			Decisions int      `json:"decisions"`
			Dropped   int      `json:"dropped"`
		}
		c.eval(t, `(() => {
			const p = window.waymarkDecisions;
			const defs = p.modeler.getDefinitions();
			return {
				status: document.querySelector('[data-status]').textContent,
				views: p.modeler.getViews().map(v => v.type),
				decisions: defs ? defs.get('drgElement').filter(e => e.$type === 'dmn:Decision').length : 0,
				dropped: (p.dropped || []).length,
			};
		})()`, &got)
		raw, err := os.ReadFile(filepath.Join(models, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "https://www.omg.org/spec/DMN/") {
			notDMN++
			if !strings.Contains(got.Status, "could not be opened as DMN") {
				t.Errorf("%s is not DMN; the editor says %q", f, got.Status)
			}
			continue
		}
		opened++
		if got.Status != "Opened "+name+"." || got.Decisions == 0 || len(got.Views) < 1+got.Decisions || got.Dropped != 0 {
			t.Errorf("%s: status %q, %d decisions, views %v, %d unreadable parts", f, got.Status, got.Decisions, got.Views, got.Dropped)
		}
	}
	t.Logf("%d corpus DMN files opened in the decision editor, %d not DMN", opened, notDMN)
	if opened == 0 {
		t.Error("no corpus DMN file opened")
	}
}

// pathEscapeModel escapes a model id for a URL, keeping ':' separators.
func pathEscapeModel(id string) string {
	return strings.ReplaceAll(url.PathEscape(id), "%3A", ":")
}

func pathEscapeSegment(s string) string { return url.PathEscape(s) }

// TestDecisionEditorKeepsWhatItDoesNotKnow saves a file holding foreign
// attributes, extension elements and an element dmn-js cannot read: the
// first two are kept; the third blocks the save until the analyst agrees.
func TestDecisionEditorKeepsWhatItDoesNotKnow(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	odd := strings.NewReplacer(
		`namespace="http://camunda.org/schema/1.0/dmn">`, `namespace="http://camunda.org/schema/1.0/dmn" xmlns:x="http://example.com/x">
  <extensionElements><x:keep a="1">hello</x:keep></extensionElements>`,
		`<decision id="discount" name="Discount">`, `<decision id="discount" name="Discount" x:owner="pricing team">
    <x:stray>outside any extension</x:stray>`,
	).Replace(editTable)
	ta, c := startWithModels(t, models, map[string]string{
		"shop/process_group.json":       `{"display_name": "Shop"}`,
		"shop/order/process_model.json": `{"display_name": "Order"}`,
		"shop/order/discount.dmn":       odd,
	})
	c.run(t,
		chromedp.Navigate(ta.url+"/process-models/shop:order/files/discount.dmn/decision-editor"),
		chromedp.WaitVisible(`[data-decision-editor][data-ready="true"]`),
		chromedp.WaitVisible(`[data-dropped]`),
	)
	var dropped string
	c.run(t, chromedp.Text(`[data-dropped] ul`, &dropped))
	if !strings.Contains(dropped, "x:stray") {
		t.Errorf("the notice lists %q, want the x:stray element", dropped)
	}
	file := filepath.Join(models, "shop/order/discount.dmn")
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the refusal", `document.querySelector('[data-status]').textContent.startsWith('Not saved: this file holds parts')`)
	if now, _ := os.ReadFile(file); string(now) != odd {
		t.Fatal("a refused save changed the file")
	}
	c.run(t, chromedp.Click(`[data-accept-drop]`), chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the save", `document.querySelector('[data-status]').textContent === 'Saved.'`)
	saved, _ := os.ReadFile(file)
	for _, want := range []string{`x:owner="pricing team"`, `<x:keep a="1">hello</x:keep>`, `<text>&gt; 100</text>`, `dmnElementRef="discount"`} {
		if !strings.Contains(string(saved), want) {
			t.Errorf("saved file lacks %s:\n%s", want, saved)
		}
	}
	if strings.Contains(string(saved), "x:stray") {
		t.Errorf("the dropped element is still there:\n%s", saved)
	}
}

// TestDecisionEditorProblemsAndDraft types an entry that does not compile:
// the save is refused with the problem listed and the cell marked, the
// local copy survives a reload, and "Save as draft" stores it anyway.
func TestDecisionEditorProblemsAndDraft(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	ta, c := startWithModels(t, models, map[string]string{
		"shop/process_group.json":       `{"display_name": "Shop"}`,
		"shop/order/process_model.json": `{"display_name": "Order"}`,
		"shop/order/discount.dmn":       editTable,
	})
	editor := ta.url + "/process-models/shop:order/files/discount.dmn/decision-editor"
	c.run(t, chromedp.Navigate(editor), chromedp.WaitVisible(`[data-decision-editor][data-ready="true"]`))
	c.eval(t, `window.waymarkDecisions.openView('discount')`, nil)
	cell := `td[data-element-id="r1i"] [contenteditable]`
	c.waitFor(t, "the table", `document.querySelector('`+cell+`')`)
	// The cell is a CodeMirror editor: clear it key by key, as selecting
	// across its highlighted spans makes the browser's own editing write
	// style attributes.
	c.run(t, chromedp.Click(cell), chromedp.KeyEvent(kb.End), chromedp.KeyEvent(strings.Repeat(kb.Backspace, 8)))
	c.run(t, chromedp.KeyEvent("> (1 +"))
	c.waitFor(t, "the edit", `window.waymarkDecisions.dirty`)
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the refusal", `document.querySelector('[data-status]').textContent.startsWith('Not saved: 1 problem')`)
	var got struct {
		Problem string `json:"problem"`
		Marked  bool   `json:"marked"`
		Draft   bool   `json:"draft"`
	}
	c.eval(t, `({
		problem: document.querySelector('[data-problems] .wm-problem-item')?.textContent || '',
		marked: !!document.querySelector('td[data-element-id="r1i"].wm-problem'),
		draft: !document.querySelector('[data-action="save-draft"]').hidden,
	})`, &got)
	if !strings.HasPrefix(got.Problem, "r1i") || !strings.Contains(got.Problem, "does not compile") || !got.Marked || !got.Draft {
		t.Errorf("after the refused save: %+v", got)
	}
	if saved, _ := os.ReadFile(filepath.Join(models, "shop/order/discount.dmn")); string(saved) != editTable {
		t.Fatal("a refused save changed the file")
	}

	// The local copy brings the edit back after a reload (leaving the
	// unsaved page is confirmed).
	chromedp.ListenTarget(c.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Run(c.ctx, page.HandleJavaScriptDialog(true))
		}
	})
	c.run(t, chromedp.Reload(), chromedp.WaitVisible(`[data-decision-editor][data-ready="true"]`), chromedp.WaitVisible(`[data-draft-notice]`))
	var xml string
	c.eval(t, `window.waymarkDecisions.exportXML()`, &xml)
	if !strings.Contains(xml, "&gt; (1 +") {
		t.Errorf("the reloaded editor lost the unsaved edit:\n%s", xml)
	}

	// Saved as a draft despite the problem.
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.waitFor(t, "the refusal again", `!document.querySelector('[data-action="save-draft"]').hidden`)
	c.run(t, chromedp.Click(`[data-action="save-draft"]`))
	c.waitFor(t, "the draft save", `document.querySelector('[data-status]').textContent === 'Saved as a draft with 1 problem to fix.'`)
	if saved, _ := os.ReadFile(filepath.Join(models, "shop/order/discount.dmn")); !strings.Contains(string(saved), "&gt; (1 +") {
		t.Errorf("the draft was not stored:\n%s", saved)
	}
}

// TestDecisionEditorTestPanel evaluates the table in the editor from the
// panel beside it, rows that hit marked, then again after an unsaved edit:
// the panel evaluates the table as it is in the editor.
func TestDecisionEditorTestPanel(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	ta, c := startWithModels(t, models, map[string]string{
		"shop/process_group.json":       `{"display_name": "Shop"}`,
		"shop/order/process_model.json": `{"display_name": "Order"}`,
		"shop/order/discount.dmn":       editTable,
	})
	c.run(t, chromedp.Navigate(ta.url+"/process-models/shop:order/files/discount.dmn/decision-editor"),
		chromedp.WaitVisible(`[data-decision-editor][data-ready="true"]`))
	c.eval(t, `window.waymarkDecisions.openView('discount')`, nil)
	c.run(t, chromedp.WaitVisible(`#try-input-0`), chromedp.SendKeys(`#try-input-0`, "500"), chromedp.Click(`[data-action="try-table"]`))
	c.waitFor(t, "the hits", `document.querySelector('[data-try-hits]')`)
	var got struct {
		Hits   string `json:"hits"`
		Text   string `json:"text"`
		Output string `json:"output"`
		Used   bool   `json:"used"`
		Hit2   bool   `json:"hit2"`
	}
	read := `({
		hits: document.querySelector('[data-try-hits]').dataset.tryHits,
		text: document.querySelector('[data-try-hits]').textContent,
		output: document.querySelector('[data-try-output]').textContent,
		used: !!document.querySelector('td.wm-used[data-row-id="r1"]'),
		hit2: !!document.querySelector('td.wm-hit[data-row-id="r2"]'),
	})`
	c.eval(t, read, &got)
	if got.Hits != "r1,r2" || got.Text != "Rules that hit: 1, 2" || !strings.Contains(got.Output, `"discount": 5`) || !got.Used || !got.Hit2 {
		t.Errorf("first evaluation: %+v", got)
	}

	// Edit rule 1's output without saving and evaluate again.
	cell := `td[data-element-id="r1o"] [contenteditable]`
	c.run(t, chromedp.Click(cell), chromedp.KeyEvent(kb.End), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent("30"))
	c.waitFor(t, "the edit", `window.waymarkDecisions.dirty && !document.querySelector('td.wm-hit')`)
	c.run(t, chromedp.Click(`[data-action="try-table"]`))
	c.waitFor(t, "the new output", `document.querySelector('[data-try-output]')?.textContent.includes('"discount": 30')`)
	if saved, _ := os.ReadFile(filepath.Join(models, "shop/order/discount.dmn")); string(saved) != editTable {
		t.Error("evaluating saved the file")
	}
}
