package main

import (
	"os"
	"path/filepath"
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
	ta, c := startWithModels(t, models, map[string]string{
		"shared/process_group.json":           `{"display_name": "Shared"}`,
		"shared/currency/process_model.json":  `{"display_name": "Currency", "primary_file_name": "currency-format.dmn"}`,
		"shared/currency/currency-format.dmn": string(dmn),
		"finance/process_group.json":          `{"display_name": "Finance"}`,
		"finance/invoice/process_model.json": `{"display_name": "Invoice", "primary_file_name": "invoice.bpmn", "primary_process_id": "Process_t",
			"metadata_extraction_paths": [{"key": "priority", "path": "request.priority"}, {"key": "vendor", "path": "invoice.vendor"}]}`,
	})
	c.openModeler(t, ta.url, "finance/invoice", "invoice.bpmn")
	c.importXML(t, bpmnDoc("", `<bpmn:businessRuleTask id="Format" /><bpmn:userTask id="Review" name="Review" />`))

	c.selectElement(t, "Format")
	sel := `#bio-properties-panel-spiff_called_decision`
	c.waitFor(t, "the decision list", `[...document.querySelector(`+jsString(sel)+`)?.options || []].some(o => o.value === 'Currency_Format')`)
	c.selectOption(t, sel, "Currency_Format")
	c.waitExport(t, "the decision", func(x string) bool {
		return strings.Contains(x, "<spiffworkflow:calledDecisionId>Currency_Format</spiffworkflow:calledDecisionId>")
	})

	c.selectElement(t, "Review")
	c.run(t, chromedp.WaitReady(`#bio-properties-panel-spiff_allow_guest`))
	c.eval(t, `(() => { document.querySelector('#bio-properties-panel-spiff_allow_guest').click(); return true; })()`, nil)
	c.eval(t, `(() => { const b = document.querySelector('[data-group-id="group-allow_guest_user"] .bio-properties-panel-group-header'); if (!b.classList.contains('open')) b.click(); const g = document.querySelector('[data-group-id="group-task_metadata_properties"] .bio-properties-panel-group-header'); if (!g.classList.contains('open')) g.click(); return true; })()`, nil)
	c.typeText(t, `#bio-properties-panel-spiff_guest_confirmation`, "Thank you, we got it.")
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
			strings.Contains(x, "<spiffworkflow:guestConfirmation>Thank you, we got it.</spiffworkflow:guestConfirmation>")
	})
	if !strings.Contains(got, "<spiffworkflow:allowGuest>true</spiffworkflow:allowGuest>") {
		t.Errorf("allowGuest not written:\n%s", got)
	}
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
