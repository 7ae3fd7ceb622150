package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

const previewSchema = `{
  "title": "Purchase request",
  "type": "object",
  "required": ["item"],
  "properties": {
    "item": {"type": "string", "title": "Item"},
    "amount": {"type": "integer", "title": "Amount", "minimum": 1}
  }
}`

const previewUISchema = `{"amount": {"ui:help": "Whole units only"}}`

func previewRepo() map[string]string {
	return map[string]string{
		"shop/process_group.json":             `{"display_name": "Shop"}`,
		"shop/buy/process_model.json":         `{"display_name": "Buy"}`,
		"shop/buy/request-schema.json":        previewSchema,
		"shop/buy/request-uischema.json":      previewUISchema,
		"shop/buy/lonely-uischema.json":       `{}`,
		"shop/buy/notes.json":                 `{"a": 1}`,
		"shop/buy/other-schema.json":          `{"type": "object", "properties": {"x": {"type": "string", "title": "X"}}}`,
		"shop/buy/unrelated/process_model.js": ``,
	}
}

func TestFormPreview(t *testing.T) {
	ta, c, _ := modelsApp(t, previewRepo())
	base := ta.url + "/process-models/shop:buy/files/"
	_, doc := get(t, c, base+"request-schema.json")
	panel := doc.Find("#form-preview")
	if panel.AttrOr("hx-post", "") != "/process-models/shop:buy/files/request-schema.json/preview" {
		t.Fatalf("schema page has no preview panel posting to its preview URL (hx-post %q)", panel.AttrOr("hx-post", ""))
	}
	token := csrfToken(t, doc)
	preview := func(file, content, sample string) (*http.Response, string, []string) {
		t.Helper()
		resp, doc := postForm(t, c, base+file+"/preview", url.Values{"content": {content}, "sample": {sample}},
			http.Header{"X-Csrf-Token": {token}, "Hx-Request": {"true"}})
		return resp, doc.Find(".form-preview-result").AttrOr("data-preview-state", ""), doc.Find("label").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	}

	// The typed schema (not the saved one) is rendered, with the UI
	// schema from the model.
	typed := strings.Replace(previewSchema, `"title": "Item"`, `"title": "What to buy"`, 1)
	resp, state, labels := preview("request-schema.json", typed, "")
	wantStatus(t, resp, http.StatusOK)
	if state != "shown" || !containsPrefix(labels, "What to buy") || !containsPrefix(labels, "Amount") {
		t.Errorf("preview state %q labels %q; want the typed title", state, labels)
	}
	_, doc = postForm(t, c, base+"request-schema.json/preview", url.Values{"content": {typed}}, http.Header{"X-Csrf-Token": {token}, "Hx-Request": {"true"}})
	if !strings.Contains(doc.Text(), "Whole units only") || !strings.Contains(doc.Find(".form-preview-partner").Text(), "request-uischema.json") {
		t.Error("the preview does not use the UI schema from the model")
	}

	// Sample data is validated and shown in the fields.
	resp, state, _ = preview("request-schema.json", previewSchema, `{"amount": 0}`)
	wantStatus(t, resp, http.StatusOK)
	_, doc = postForm(t, c, base+"request-schema.json/preview", url.Values{"content": {previewSchema}, "sample": {`{"amount": 0}`}}, http.Header{"X-Csrf-Token": {token}, "Hx-Request": {"true"}})
	problems := doc.Find(".form-preview-problems li").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if state != "invalid" || len(problems) != 2 {
		t.Errorf("sample {amount: 0}: state %q problems %q; want the missing item and the minimum", state, problems)
	}
	if v := doc.Find(`input[name="amount"]`).AttrOr("value", ""); v != "0" {
		t.Errorf("amount field shows %q, want the sample's 0", v)
	}
	if _, state, _ = preview("request-schema.json", previewSchema, `{"item": "desk", "amount": 2}`); state != "valid" {
		t.Errorf("valid sample: state %q", state)
	}

	// The UI schema's page renders its schema partner with the typed UI schema.
	resp, doc = postForm(t, c, base+"request-uischema.json/preview", url.Values{"content": {`{"amount": {"ui:help": "Typed help"}}`}}, http.Header{"X-Csrf-Token": {token}, "Hx-Request": {"true"}})
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(doc.Text(), "Typed help") || !strings.Contains(doc.Text(), "Item") {
		t.Errorf("UI schema preview: %q", doc.Find(".form-preview-result").Text())
	}

	// Errors are shown in the panel, named.
	for _, tc := range []struct{ file, content, sample, want string }{
		{"request-schema.json", `{"type": "object", "properties": `, "", "request-schema.json"},
		{"request-schema.json", previewSchema, `[1]`, "The sample data must be a JSON object"},
		{"lonely-uischema.json", `{}`, "", "The form schema lonely-schema.json that goes with this UI schema is not in the model."},
	} {
		resp, doc := postForm(t, c, base+tc.file+"/preview", url.Values{"content": {tc.content}, "sample": {tc.sample}}, http.Header{"X-Csrf-Token": {token}, "Hx-Request": {"true"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if msg := doc.Find(".form-preview-error").Text(); !strings.Contains(msg, tc.want) {
			t.Errorf("%s with %q: error %q, want %q", tc.file, tc.content, msg, tc.want)
		}
	}

	// Other files have no preview; a missing token is refused.
	_, doc = get(t, c, base+"notes.json")
	if doc.Find("#form-preview").Length() != 0 {
		t.Error("notes.json shows a form preview")
	}
	resp, _ = postForm(t, c, base+"notes.json/preview", url.Values{"content": {"{}"}}, http.Header{"X-Csrf-Token": {token}})
	wantStatus(t, resp, http.StatusNotFound)
	resp, _ = postForm(t, c, base+"request-schema.json/preview", url.Values{"content": {"{}"}}, nil)
	wantStatus(t, resp, http.StatusForbidden)
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
