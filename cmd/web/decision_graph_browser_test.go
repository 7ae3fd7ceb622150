package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDecisionGraphThroughBusinessRuleTask runs a process whose business
// rule task names a decision that requires two others; the next task shows
// the result, and the instance's data holds the top decision's output only.
func TestDecisionGraphThroughBusinessRuleTask(t *testing.T) {
	graph, err := os.ReadFile("../../internal/engine/dmn/testdata/drd.dmn")
	if err != nil {
		t.Fatal(err)
	}
	process := strings.NewReplacer(
		"amount = 500", "claims = 0\nage = 20\nbase = 100",
		"<spiffworkflow:calledDecisionId>discount</spiffworkflow:calledDecisionId>", "<spiffworkflow:calledDecisionId>price</spiffworkflow:calledDecisionId>",
		"Discount is {{ discount }} percent.", "Price is {{ price }}; risk is {{ risk is defined }}.",
	).Replace(orderProcess)
	ta, c := startWithModels(t, filepath.Join(t.TempDir(), "models"), map[string]string{
		"shop/process_group.json":       `{"display_name": "Shop"}`,
		"shop/order/process_model.json": `{"display_name": "Order", "primary_file_name": "order.bpmn", "primary_process_id": "order"}`,
		"shop/order/order.bpmn":         process,
		"shop/order/pricing.dmn":        string(graph),
	})
	c.run(t, chromedp.Navigate(ta.url+"/process-models/shop:order"))
	c.startModel(t, "shop:order")
	c.run(t,
		chromedp.WaitVisible(`#task-form button[type="submit"]`),
		chromedp.Click(`#task-form button[type="submit"]`),
	)
	c.waitFor(t, "the task after the business rule task", `document.querySelector('#task-name') && document.querySelector('#task-name').textContent === 'Show the discount'`)
	var instructions string
	c.run(t, chromedp.Text(`.instructions`, &instructions))
	// A young customer with no claims: risk "low", segment "young", so the
	// price is base - 10.
	if !strings.Contains(instructions, "Price is 90; risk is False.") {
		t.Errorf("instructions = %q, want the graph's price 90 and no risk in the task data", instructions)
	}
}
