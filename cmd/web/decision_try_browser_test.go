package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDecisionTryPanelInBrowser types inputs into the panel beside a
// decision table and sees, without leaving the page, the rules that hit
// marked in the table and the outputs beside it.
func TestDecisionTryPanelInBrowser(t *testing.T) {
	ta, c := startWithModels(t, filepath.Join(t.TempDir(), "models"), map[string]string{
		"shop/process_group.json":         `{"display_name": "Shop"}`,
		"shop/pricing/process_model.json": `{"display_name": "Pricing"}`,
		"shop/pricing/discount.dmn":       tierTable,
	})
	c.run(t,
		chromedp.Navigate(ta.url+"/process-models/shop:pricing/files/discount.dmn"),
		chromedp.WaitVisible(`form.dmn-try`),
	)
	c.eval(t, `window.__sameDocument = true`, nil)
	c.run(t,
		chromedp.SendKeys(`#try-discount-0`, "2000"),
		chromedp.SendKeys(`#try-discount-1`, "gold"),
		chromedp.Click(`form.dmn-try button[type="submit"]`),
		chromedp.WaitVisible(`.dmn-try-hits strong`),
	)
	var got struct {
		Same   bool     `json:"same"`
		Hits   []string `json:"hits"`
		Used   string   `json:"used"`
		Rows   string   `json:"rows"`
		Output string   `json:"output"`
		Amount string   `json:"amount"`
	}
	c.eval(t, `({
		same: window.__sameDocument === true,
		hits: [...document.querySelectorAll('tr.dmn-hit')].map(r => r.dataset.row),
		used: document.querySelector('tr.dmn-used')?.dataset.row || '',
		rows: document.querySelector('.dmn-try-hits strong').textContent,
		output: document.querySelector('.dmn-try-output').textContent,
		amount: document.querySelector('#try-discount-0').value,
	})`, &got)
	if !got.Same {
		t.Error("the panel left the page; htmx should swap the table's section")
	}
	if strings.Join(got.Hits, ",") != "1,2,3" || got.Used != "1" || got.Rows != "1, 2, 3" {
		t.Errorf("hits %v used %q shown %q; want rows 1, 2, 3 hit and row 1 used (FIRST)", got.Hits, got.Used, got.Rows)
	}
	if !strings.Contains(got.Output, `"discount": 20`) || !strings.Contains(got.Output, `"note": "big"`) {
		t.Errorf("outputs shown %q, want rule 1's", got.Output)
	}
	if got.Amount != "2000" {
		t.Errorf("typed amount after the swap = %q", got.Amount)
	}

	// A second try from the swapped-in form works the same way.
	c.run(t,
		chromedp.SetValue(`#try-discount-0`, "50"),
		chromedp.SetValue(`#try-discount-1`, "gold"),
		chromedp.Click(`form.dmn-try button[type="submit"]`),
		chromedp.WaitVisible(`tr.dmn-used[data-row="3"]`),
	)
}
