package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// A business rule task picks its decision from the repository's decision
// tables; user tasks get guest options and task metadata.
func TestModelerDecisionGuestAndMetadata(t *testing.T) {
	models := t.TempDir()
	dmn, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models", "misc", "shared", "currency", "currency-format.dmn"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"shared/process_group.json":           `{"display_name": "Shared"}`,
		"shared/currency/process_model.json":  `{"display_name": "Currency", "primary_file_name": "currency-format.dmn"}`,
		"shared/currency/currency-format.dmn": string(dmn),
		"finance/process_group.json":          `{"display_name": "Finance"}`,
		"finance/invoice/process_model.json": `{"display_name": "Invoice", "primary_file_name": "invoice.bpmn", "primary_process_id": "Process_t",
			"metadata_extraction_paths": [{"key": "priority", "path": "request.priority"}, {"key": "vendor", "path": "invoice.vendor"}]}`,
		"shared/rules/process_model.json": `{"display_name": "Rules"}`,
	}
	// More decisions than one page of results, all sorting before
	// "Currency Format": the picker must find it by typing.
	for i := 1; i <= 25; i++ {
		files[fmt.Sprintf("shared/rules/rule-%02d.dmn", i)] = dmnDoc(fmt.Sprintf("Rule_%02d", i), fmt.Sprintf("Approval rule %02d", i))
	}
	ta, c := startWithModels(t, models, files)
	c.openModeler(t, ta.url, "finance/invoice", "invoice.bpmn")
	c.importXML(t, bpmnDoc("", `<bpmn:businessRuleTask id="Format" /><bpmn:userTask id="Review" name="Review" />`))

	c.selectElement(t, "Format")
	input := `#spiff_called_decision`
	results := `[...document.querySelectorAll('.wm-picker-results li[data-decision-id]')].map(l => l.dataset.decisionId)`
	c.run(t, chromedp.WaitVisible(input), chromedp.Click(input))
	c.waitFor(t, "a first page of decisions", results+`.length === 20`)
	var first []string
	c.eval(t, results, &first)
	if slices.Contains(first, "Currency_Format") {
		t.Fatalf("Currency_Format is on the first page %v; the test needs it further down", first)
	}
	// Type part of its display name only.
	c.run(t, chromedp.SendKeys(input, "currency f"))
	c.waitFor(t, "the search result", results+`.join() === 'Currency_Format'`)
	c.eval(t, `(() => { document.querySelector('.wm-picker-results li[data-decision-id="Currency_Format"]').dispatchEvent(new MouseEvent('mousedown', {bubbles: true})); return true; })()`, nil)
	c.waitExport(t, "the decision", func(x string) bool {
		return strings.Contains(x, "<spiffworkflow:calledDecisionId>Currency_Format</spiffworkflow:calledDecisionId>")
	})
	c.waitFor(t, "the link to the DMN file", `document.querySelector('[data-action="open-decision"]')?.getAttribute('href') === '/process-models/shared:currency/files/currency-format.dmn'`)

	c.selectElement(t, "Review")
	c.run(t, chromedp.WaitReady(`#bio-properties-panel-spiff_allow_guest`))
	c.eval(t, `(() => { document.querySelector('#bio-properties-panel-spiff_allow_guest').click(); return true; })()`, nil)
	c.eval(t, `(() => { const b = document.querySelector('[data-group-id="group-allow_guest_user"] .bio-properties-panel-group-header'); if (!b.classList.contains('open')) b.click(); const g = document.querySelector('[data-group-id="group-task_metadata_properties"] .bio-properties-panel-group-header'); if (!g.classList.contains('open')) g.click(); return true; })()`, nil)
	c.typeText(t, `#spiff_guest_confirmation`, "Thank you, **we got it**.")
	// Markdown, with a preview, as for instructions.
	c.waitFor(t, "the confirmation preview", `document.querySelector('[data-entry-id="spiff_guest_confirmation"] .wm-md-preview strong')?.textContent === 'we got it'`)
	// The model's metadata keys are offered, in their order.
	c.run(t, chromedp.WaitReady(`#bio-properties-panel-spiff_metadata_0`))
	var keys []string
	c.eval(t, `[...document.querySelectorAll('[data-group-id="group-task_metadata_properties"] [data-entry-id^="spiff_metadata_"] label')].map(l => l.textContent)`, &keys)
	if d := cmp.Diff([]string{"priority", "vendor"}, keys); d != "" {
		t.Errorf("metadata keys offered (-want +got):\n%s", d)
	}
	c.typeText(t, `#bio-properties-panel-spiff_metadata_0`, `"high"`)
	got := c.waitExport(t, "guest options and metadata", func(x string) bool {
		return strings.Contains(x, `<spiffworkflow:taskMetadataValue name="priority" value="&#34;high&#34;" />`) &&
			strings.Contains(x, "<spiffworkflow:guestConfirmation>Thank you, **we got it**.</spiffworkflow:guestConfirmation>")
	})
	if !strings.Contains(got, "<spiffworkflow:allowGuest>true</spiffworkflow:allowGuest>") {
		t.Errorf("allowGuest not written:\n%s", got)
	}
	// Unchecking writes false, as SpiffArena does, rather than removing it.
	c.eval(t, `(() => { document.querySelector('#bio-properties-panel-spiff_allow_guest').click(); return true; })()`, nil)
	c.waitExport(t, "allowGuest false", func(x string) bool {
		return strings.Contains(x, "<spiffworkflow:allowGuest>false</spiffworkflow:allowGuest>")
	})
	// Emptying a metadata value removes the entry and its container.
	c.typeText(t, `#bio-properties-panel-spiff_metadata_0`, ``)
	c.waitExport(t, "the metadata removal", func(x string) bool { return !strings.Contains(x, "taskMetadataValues") })
}

// Keys found only in the diagram are shown with a Remove button; with no
// keys at all the group is hidden, as in SpiffArena.
func TestModelerTaskMetadataKeys(t *testing.T) {
	_, c := openBlankModeler(t)
	c.importXML(t, bpmnDoc("", `<bpmn:userTask id="Plain" /><bpmn:manualTask id="Tagged"><bpmn:extensionElements>
      <spiffworkflow:taskMetadataValues><spiffworkflow:taskMetadataValue name="legacy" value="&quot;x&quot;" /></spiffworkflow:taskMetadataValues>
    </bpmn:extensionElements></bpmn:manualTask>`))
	c.selectElement(t, "Plain")
	c.run(t, chromedp.WaitReady(`[data-group-id="group-allow_guest_user"]`))
	var n int
	c.eval(t, `document.querySelectorAll('[data-group-id="group-task_metadata_properties"]').length`, &n)
	if n != 0 {
		t.Errorf("the task metadata group is shown without any keys")
	}
	c.selectElement(t, "Tagged")
	c.run(t, chromedp.WaitReady(`#bio-properties-panel-spiff_metadata_0`))
	var v string
	c.eval(t, `document.querySelector('#bio-properties-panel-spiff_metadata_0').value`, &v)
	if v != `"x"` {
		t.Errorf("legacy value shown as %q", v)
	}
	c.eval(t, `(() => { document.querySelector('[data-entry-id="spiff_metadata_0_remove"] button').click(); return true; })()`, nil)
	c.waitExport(t, "the removal", func(x string) bool { return !strings.Contains(x, "taskMetadataValue") })
}

// dmnDoc is a DMN file with one decision table.
func dmnDoc(id, name string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_` + id + `" name="DRD" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="` + id + `" name="` + name + `">
    <decisionTable id="Table_` + id + `">
      <input id="Input_` + id + `" label="Amount"><inputExpression id="InputExpression_` + id + `" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="Output_` + id + `" label="OK" name="ok" typeRef="boolean" />
      <rule id="Rule_` + id + `_1"><inputEntry id="InputEntry_` + id + `"><text>&gt; 10</text></inputEntry><outputEntry id="OutputEntry_` + id + `"><text>True</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
`
}
