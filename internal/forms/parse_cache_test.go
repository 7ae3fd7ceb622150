package forms

import "testing"

// A form whose parse does not depend on the task data is parsed once and
// shared; each request still sees its own values, and forms that template,
// draw choices from or hide fields by the task data are parsed per request.
func TestStaticFormsParsedOnce(t *testing.T) {
	schema := []byte(`{"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "maximum": 10}, "c": {"type": "string"}}}`)
	ui := []byte(`{"ui:order": ["n", "c"]}`)
	parse := func(schema, ui []byte, data map[string]any) *Form {
		t.Helper()
		f, err := ParseFiles("s.json", schema, "u.json", ui, data)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a := parse(schema, ui, map[string]any{"n": 1})
	b := parse(schema, ui, map[string]any{"n": 2})
	if a.schema == nil || a.res != b.res {
		t.Error("a plain JSON form was parsed twice")
	}
	if a.Values()["n"] != 1 || b.Values()["n"] != 2 {
		t.Errorf("values %v and %v; want each request's own", a.Values(), b.Values())
	}
	if errs := b.Validate(map[string]any{"n": 11}); len(errs) == 0 {
		t.Error("11 passed a maximum of 10")
	}

	templated := []byte(`{"type": "object", "properties": {"n": {"type": "integer", "maximum": {{ limit }}}}}`)
	if parse(templated, nil, map[string]any{"limit": 1}).res == parse(templated, nil, map[string]any{"limit": 1}).res {
		t.Error("a templated form was shared")
	}
	choices := []byte(`{"type": "object", "properties": {"c": {"type": "string", "anyOf": ["options_from_task_data_var:opts"]}}}`)
	opts := func(v string) map[string]any {
		return map[string]any{"opts": []any{map[string]any{"value": v, "label": v}}}
	}
	x, y := parse(choices, nil, opts("x")), parse(choices, nil, opts("y"))
	if x.res == y.res || len(y.Validate(map[string]any{"c": "y"})) != 0 || len(y.Validate(map[string]any{"c": "x"})) == 0 {
		t.Error("choices from the task data were shared between requests")
	}
	hidden := map[string]any{"form_ui_hidden_fields": []any{"c"}}
	if parse(schema, ui, hidden).res == parse(schema, ui, hidden).res || parse(schema, ui, hidden).res == a.res {
		t.Error("a form with hidden fields was shared")
	}
}
