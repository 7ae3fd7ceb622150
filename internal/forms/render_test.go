package forms_test

import (
	"bytes"
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/web/templates"
)

var update = flag.Bool("update", false, "rewrite the golden HTML files in testdata")

func render(t *testing.T, f *forms.Form) (string, *goquery.Document) {
	t.Helper()
	var buf bytes.Buffer
	v := templates.FormView{Action: "/tasks/7/complete", CSRFToken: "tok", Form: f, SubmitDefault: "Submit"}
	if err := templates.Form(v).Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), doc
}

func parse(t *testing.T, schema, ui string, data map[string]any) *forms.Form {
	t.Helper()
	f, err := forms.Parse([]byte(schema), []byte(ui), data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// pretty puts one tag per line so that golden diffs are readable.
func pretty(html string) string {
	return strings.ReplaceAll(html, "><", ">\n<") + "\n"
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name, schema, ui string
		data             map[string]any
		errs             []forms.FieldError
	}{
		{
			name: "invoice",
			schema: `{"title": "Submit invoice", "description": "For {{ vendor }}", "type": "object",
			  "required": ["amount", "due"],
			  "properties": {
			    "amount": {"type": "number", "title": "Amount", "minimum": 0},
			    "due": {"type": "string", "format": "date", "title": "Due date"},
			    "currency": {"type": "string", "title": "Currency", "oneOf": [{"const": "EUR", "title": "Euro"}, {"const": "USD", "title": "Dollar"}]},
			    "pdf": {"type": "string", "format": "data-url", "title": "Invoice PDF"},
			    "notes": {"type": "string", "title": "Notes"}
			  }}`,
			ui:   `{"notes": {"ui:widget": "textarea", "ui:help": "Anything else?"}, "currency": {"ui:widget": "radio"}, "pdf": {"ui:options": {"accept": ".pdf"}}, "ui:submitButtonOptions": {"submitText": "Send invoice"}}`,
			data: map[string]any{"vendor": "ACME & Co", "currency": "EUR"},
			errs: []forms.FieldError{{Path: "amount", Message: "is required"}},
		},
		{
			name: "approvers",
			schema: `{"type": "object", "properties": {
			  "approvers": {"type": "array", "title": "Approvers", "items": {"type": "object", "title": "Approver",
			    "required": ["email"], "properties": {"email": {"type": "string", "format": "email", "title": "Email"}, "final": {"type": "boolean", "title": "Final say"}}}}}}`,
			data: map[string]any{"approvers": []any{map[string]any{"email": "a@example.com", "final": true}, map[string]any{"email": "b@example.com"}}},
		},
		{
			name:   "spiff-widgets",
			schema: spiffWidgetsSchema,
			ui:     spiffWidgetsUI,
			data:   spiffWidgetsData,
			errs:   []forms.FieldError{{Path: "when", Message: "is required"}},
		},
		{
			name: "conditional-readonly",
			schema: `{"type": "object", "properties": {"kind": {"type": "string", "title": "Kind", "enum": ["a", "b"]}},
			  "dependencies": {"kind": {"oneOf": [{"properties": {"kind": {"enum": ["a"]}, "detail": {"type": "string", "title": "Detail"}}}, {"properties": {"kind": {"enum": ["b"]}}}]}}}`,
			data: map[string]any{"kind": "a", "detail": "x"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := parse(t, tc.schema, tc.ui, tc.data)
			if tc.errs != nil {
				f = f.WithErrors(tc.errs)
			}
			if tc.name == "conditional-readonly" {
				f = f.ReadOnly()
			}
			html, _ := render(t, f)
			got := pretty(html)
			path := filepath.Join("testdata", tc.name+".golden.html")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the rendering; run go test ./internal/forms -update and review the diff\n got:\n%s", path, got)
			}
		})
	}
}

func TestRenderAccessibility(t *testing.T) {
	schema := `{"type": "object", "required": ["name"], "properties": {
	  "name": {"type": "string", "title": "Name", "description": "Your legal name", "minLength": 2},
	  "agree": {"type": "boolean", "title": "I agree"},
	  "size": {"type": "string", "title": "Size", "enum": ["s", "m"]},
	  "tags": {"type": "array", "title": "Tags", "items": {"type": "string", "enum": ["x", "y"]}, "uniqueItems": true},
	  "secret": {"type": "string"},
	  "hide": {"type": "string"},
	  "period": {"type": "string", "title": "Period"}
	}}`
	ui := `{"name": {"ui:help": "First and last", "ui:autofocus": true, "ui:placeholder": "Jane Doe"},
	  "tags": {"ui:widget": "checkboxes"}, "secret": {"ui:widget": "password"}, "hide": {"ui:widget": "hidden"},
	  "period": {"ui:widget": "date-range"}}`
	f := parse(t, schema, ui, map[string]any{"hide": "h1", "tags": []any{"y"}, "name": "J"}).
		WithErrors([]forms.FieldError{{Path: "name", Message: "must be at least 2 characters"}, {Path: "", Message: "Something is off"}})
	_, doc := render(t, f)

	checks := []struct {
		name, selector string
		count          int
	}{
		{"label for name", `label[for="f-name"]`, 1},
		{"required mark", `label[for="f-name"] .required`, 1},
		{"input keeps value", `input#f-name[name="name"][value="J"][minlength="2"][placeholder="Jane Doe"][autofocus]`, 1},
		{"describedby", `input#f-name[aria-describedby="f-name-description f-name-help f-name-error"][aria-invalid="true"][aria-required="true"]`, 1},
		{"description", `#f-name-description`, 1},
		{"help", `#f-name-help`, 1},
		{"error text", `#f-name-error`, 1},
		{"form error", `.alert[role="alert"]`, 1},
		{"checkbox with false marker", `input[type="hidden"][name="agree"][value="false"]`, 1},
		{"checkbox", `input#f-agree[type="checkbox"][value="true"]`, 1},
		{"select with empty choice", `select#f-size option[value=""]`, 1},
		{"checkbox group fieldset", `fieldset#f-tags legend`, 1},
		{"checkbox group options", `fieldset#f-tags input[type="checkbox"][name="tags"]`, 2},
		{"checked option", `fieldset#f-tags input[value="y"][checked]`, 1},
		{"password", `input#f-secret[type="password"]`, 1},
		{"hidden", `input#f-hide[type="hidden"][value="h1"]`, 1},
		{"date range", `fieldset#f-period input[type="date"][name="period"]`, 2},
		{"csrf", `input[name="csrf_token"][value="tok"]`, 1},
		{"multipart", `form[enctype="multipart/form-data"][method="post"][action="/tasks/7/complete"]`, 1},
		{"submit", `button[type="submit"]:not([name])`, 1},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if n := doc.Find(c.selector).Length(); n != c.count {
				t.Errorf("%s: %d matches, want %d", c.selector, n, c.count)
			}
		})
	}
	if got := strings.TrimSpace(doc.Find("#f-name-error").Text()); got != "Name must be at least 2 characters" {
		t.Errorf("error text %q", got)
	}
}

func TestRenderArrayButtons(t *testing.T) {
	schema := `{"type": "object", "properties": {"items": {"type": "array", "title": "Lines", "items": {"type": "object", "title": "Line", "properties": {"sku": {"type": "string"}}}}}}`
	f := parse(t, schema, "", map[string]any{"items": []any{map[string]any{"sku": "A"}, map[string]any{"sku": "B"}}})
	_, doc := render(t, f)
	checks := []struct {
		selector string
		count    int
	}{
		{`input[type="hidden"][name="__len:items"][value="2"]`, 1},
		{`button[name="__action"][value="add:items"][formnovalidate]`, 1},
		{`button[name="__action"][value="remove:items.0"][aria-label="Remove Line 1"]`, 1},
		{`button[name="__action"][value="up:items.1"]`, 1},
		{`button[name="__action"][value="down:items.0"]`, 1},
		{`button[name="__action"][value="up:items.0"]`, 0},
		{`button[name="__action"][hx-post="/tasks/7/complete"][hx-target="#task-form"][hx-select="#task-form"]`, 5},
		{`input[name="items.1.sku"][value="B"]`, 1},
		{`fieldset#f-items > legend`, 1},
	}
	for _, c := range checks {
		if n := doc.Find(c.selector).Length(); n != c.count {
			t.Errorf("%s: %d matches, want %d", c.selector, n, c.count)
		}
	}

	// The buttons' POST, decoded and applied, moves the items.
	values := url.Values{"__len:items": {"2"}, "items.0.sku": {"A"}, "items.1.sku": {"B"}, "__action": {"up:items.1"}}
	data, _, err := f.Decode(values, nil)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := f.Apply(data, forms.Action(values))
	if err != nil {
		t.Fatal(err)
	}
	_, doc = render(t, f.WithValues(moved))
	if v, _ := doc.Find(`input[name="items.0.sku"]`).Attr("value"); v != "B" {
		t.Errorf("after moving up, first sku = %q", v)
	}
}

func TestRenderReadOnlyAndTriggers(t *testing.T) {
	schema := `{"type": "object", "properties": {"pet": {"type": "boolean", "title": "Pet"}, "name": {"type": "string"}},
	  "if": {"properties": {"pet": {"const": true}}, "required": ["pet"]}, "then": {"properties": {"petName": {"type": "string"}}}}`
	f := parse(t, schema, "", nil)
	_, doc := render(t, f)
	if doc.Find(`input#f-pet[hx-trigger="change"]`).Length() != 1 {
		t.Error("the trigger checkbox should re-render the form on change")
	}
	if doc.Find(`button[value="refresh"]`).Length() != 1 {
		t.Error("no Update form button for conditional fields")
	}
	_, doc = render(t, f.WithValues(map[string]any{"pet": true, "name": "Ann"}).ReadOnly())
	if doc.Find(`input#f-petName`).Length() != 1 {
		t.Error("then-branch field missing")
	}
	if doc.Find(`button`).Length() != 0 {
		t.Error("a read-only form has no buttons")
	}
	if doc.Find(`input#f-name[readonly][value="Ann"]`).Length() != 1 || doc.Find(`input#f-pet[disabled][checked]`).Length() != 1 {
		t.Error("read-only fields must be readonly or disabled and keep their values")
	}
}

func TestRenderEscapesValues(t *testing.T) {
	schema := `{"type": "object", "title": "{{ title }}", "properties": {"a": {"type": "string", "title": "A"}}}`
	f := parse(t, schema, "", map[string]any{"title": `<script>alert(1)</script>`, "a": `"><img src=x onerror=alert(1)>`})
	html, doc := render(t, f)
	if doc.Find("script, img").Length() != 0 || strings.Contains(html, "<script>") {
		t.Errorf("values reached the page as markup:\n%s", html)
	}
	if got := doc.Find("h2.form-title").Text(); got != `<script>alert(1)</script>` {
		t.Errorf("title text %q", got)
	}
}

// spiffWidgetsSchema and spiffWidgetsUI are a form built from SpiffArena's
// own widgets and fields; TestRenderSpiffArenaWidgets checks it by
// selector and TestGolden keeps its whole rendering.
const spiffWidgetsSchema = `{"title": "Expense claim", "type": "object", "required": ["amount", "when"],
  "properties": {
    "employee": {"type": "string", "title": "Employee"},
    "amount": {"type": "number", "title": "Amount", "minimum": 0},
    "quantity": {"type": "integer", "title": "Quantity"},
    "total": {"type": "number", "title": "Total"},
    "budget": {"type": "object", "title": "Budget", "minimum": 0, "maximum": 5000,
      "properties": {"min": {"type": "number", "title": "From"}, "max": {"type": "number", "title": "To"}}},
    "notes": {"type": "string", "title": "Notes"},
    "when": {"type": "string", "title": "Day"},
    "meeting": {"type": "string", "title": "Meeting"},
    "kind": {"type": "string", "title": "Kind", "enum": ["travel", "meal"]},
    "paid": {"type": "boolean", "title": "Paid already"}
  }}`

const spiffWidgetsUI = `{
  "employee": {"ui:widget": "typeahead", "ui:options": {"category": "employees", "itemFormat": "{name} ({email})"}},
  "amount": {"ui:widget": "formattedNumber", "ui:options": {"decimals": 2}},
  "quantity": {"ui:widget": "formattedNumber"},
  "total": {"ui:field": "calculated", "ui:options": {"expression": "amount * quantity", "format": "currency", "currency": "EUR"}},
  "budget": {"ui:field": "numeric-range"},
  "notes": {"ui:widget": "markdown", "ui:options": {"rows": 4}},
  "when": {"ui:widget": "date"},
  "meeting": {"ui:widget": "datetime"},
  "kind": {"ui:widget": "select"},
  "paid": {"ui:widget": "select"},
  "ui:layout": [
    {"employee": {"sm": 12}},
    {"amount": {"sm": 6, "md": 4}, "quantity": {"sm": 6, "md": 4}, "total": {"md": 4}},
    {"when": {"sm": 6}, "meeting": {"sm": 6}}
  ]
}`

var spiffWidgetsData = map[string]any{
	"employee": `{"name": "Ann Lee", "email": "ann@example.com"}`,
	"amount":   1234.5, "quantity": 3.0,
	"meeting": "2024-05-01T10:30:00Z",
	"budget":  map[string]any{"min": 100.0, "max": 2500.0},
	"notes":   "**bold** <script>x</script>",
}

func TestRenderSpiffArenaWidgets(t *testing.T) {
	f := parse(t, spiffWidgetsSchema, spiffWidgetsUI, spiffWidgetsData)
	_, doc := render(t, f)
	checks := []struct {
		name, selector string
		count          int
	}{
		// ui:layout: rows of cells with their grid classes; fields the
		// layout leaves out follow one per row.
		{"layout rows", `form > .form-row`, 7},
		{"layout first row", `form > .form-row:nth-of-type(1) > .form-cell.sm-12 #f-employee`, 1},
		{"layout second row", `form > .form-row:nth-of-type(2) > .form-cell`, 3},
		{"layout cell sizes", `form > .form-row:nth-of-type(2) > .form-cell.sm-6.md-4 #f-amount`, 1},
		{"layout md only", `form > .form-row:nth-of-type(2) > .form-cell.md-4:not(.sm-6) #f-total`, 1},
		{"layout left-out field", `form > .form-row > .form-cell:only-child #f-notes`, 1},
		// typeahead: a plain text input that carries its settings.
		{"typeahead", `.field-typeahead input#f-employee[type="text"][name="employee"][data-widget="typeahead"][data-category="employees"][data-item-format="{name} ({email})"]`, 1},
		{"typeahead value", `input#f-employee[value='{"name": "Ann Lee", "email": "ann@example.com"}']`, 1},
		// formattedNumber: text with separators, settings as data.
		{"formatted number", `.field-formatted-number input#f-amount[type="text"][name="amount"][inputmode="decimal"][data-widget="formatted-number"][data-decimals="2"][data-allow-negative="false"][value="1,234.50"][aria-required="true"]`, 1},
		{"formatted integer", `input#f-quantity[data-decimals="0"][data-allow-negative="true"][value="3"]`, 1},
		// calculated: a read-only output the server filled.
		{"calculated", `.field-calculated output#f-total[data-widget="calculated"][data-path="total"][data-expression="amount * quantity"][data-format="currency"][data-currency="EUR"][aria-live="polite"]`, 1},
		{"calculated not submitted", `[name="total"]`, 0},
		{"calculated label", `label[for="f-total"]`, 1},
		// numeric-range: two number inputs bounded by the object's limits.
		{"numeric range", `fieldset#f-budget > legend`, 1},
		{"numeric range inputs", `fieldset#f-budget input[type="number"][min="0"][max="5000"]`, 2},
		{"numeric range from", `fieldset#f-budget input#f-budget-min[name="budget.min"][value="100"]`, 1},
		{"numeric range to", `fieldset#f-budget input#f-budget-max[name="budget.max"][value="2500"]`, 1},
		// markdown: the text as typed in a textarea, an empty preview the
		// script fills from the server.
		{"markdown", `.field-markdown textarea#f-notes[name="notes"][rows="4"][data-widget="markdown"][aria-controls="f-notes-preview"]`, 1},
		{"markdown preview", `section.markdown-preview#f-notes-preview[hidden][aria-live="polite"]:empty`, 1},
		{"markdown not rendered", `.field-markdown strong, script`, 0},
		// Explicit widgets.
		{"date", `.field-date input#f-when[type="date"][name="when"][aria-required="true"]`, 1},
		{"datetime", `.field-datetime input#f-meeting[type="datetime-local"][name="meeting"][value="2024-05-01T10:30"]`, 1},
		{"select", `.field-select select#f-kind[name="kind"] option`, 3},
		{"boolean select", `.field-select select#f-paid[name="paid"] option[value="true"]`, 1},
		{"boolean select choices", `select#f-paid option`, 3},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if n := doc.Find(c.selector).Length(); n != c.count {
				t.Errorf("%s: %d matches, want %d", c.selector, n, c.count)
			}
		})
	}
	if got := doc.Find("output#f-total").Text(); got != "€3,703.50" {
		t.Errorf("calculated total shows %q", got)
	}
	if got := doc.Find("textarea#f-notes").Text(); got != "**bold** <script>x</script>" {
		t.Errorf("markdown text %q", got)
	}
}
