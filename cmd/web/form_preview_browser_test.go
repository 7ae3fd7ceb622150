package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFormPreviewInBrowser edits a form schema on its file page and sees the
// rendered form beside the editor follow the text, then types sample data
// and sees what the validation finds, all without leaving the page.
func TestFormPreviewInBrowser(t *testing.T) {
	ta, c := startWithModels(t, filepath.Join(t.TempDir(), "models"), previewRepo())
	c.run(t,
		chromedp.Navigate(ta.url+"/process-models/shop:buy/files/request-schema.json"),
		chromedp.WaitVisible(`#form-preview input[name="item"]`),
	)
	c.eval(t, `window.__sameDocument = true`, nil)

	// The analyst renames a field and adds one: the preview follows.
	c.eval(t, `(() => {
		const ta = document.querySelector('#file-content');
		const schema = JSON.parse(ta.value);
		schema.properties.item.title = 'What to buy';
		schema.properties.note = {type: 'string', title: 'Note for the buyer'};
		ta.focus();
		ta.value = JSON.stringify(schema, null, 2);
		ta.dispatchEvent(new Event('input', {bubbles: true}));
		return true;
	})()`, nil)
	c.waitFor(t, "the preview to show the new field", `document.querySelector('#form-preview input[name="note"]')`)
	var labels []string
	c.eval(t, `[...document.querySelectorAll('#form-preview label')].map(l => l.textContent.trim())`, &labels)
	if !containsPrefix(labels, "What to buy") || !containsPrefix(labels, "Note for the buyer") {
		t.Errorf("preview labels after the edit: %q", labels)
	}

	// Half-typed JSON shows the parse error, then the form comes back.
	c.eval(t, `(() => { const ta = document.querySelector('#file-content'); ta.value = ta.value.slice(0, -3); ta.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, nil)
	c.waitFor(t, "the parse error", `document.querySelector('#form-preview .form-preview-error')`)

	c.eval(t, `(() => { const ta = document.querySelector('#file-content'); ta.value = ta.defaultValue; ta.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, nil)
	c.waitFor(t, "the form again", `document.querySelector('#form-preview input[name="item"]')`)

	// Sample data typed key by key is validated against the form.
	c.run(t, chromedp.SendKeys(`#preview-sample`, `{"amount": 0}`))
	c.waitFor(t, "the validation of the sample", `document.querySelector('#form-preview [data-preview-state="invalid"]')`)
	var problems string
	var same bool
	c.eval(t, `document.querySelector('.form-preview-problems').textContent`, &problems)
	c.eval(t, `window.__sameDocument === true`, &same)
	if !strings.Contains(problems, "item") || !same {
		t.Errorf("problems shown %q (same page: %v), want the missing item", problems, same)
	}
}
