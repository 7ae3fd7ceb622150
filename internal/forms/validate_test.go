package forms

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidationMessages(t *testing.T) {
	schema := `{"type": "object", "required": ["name"], "properties": {
	  "name": {"type": "string", "minLength": 3, "maxLength": 5},
	  "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
	  "age": {"type": "integer", "minimum": 18, "maximum": 65},
	  "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
	  "step": {"type": "number", "multipleOf": 5},
	  "email": {"type": "string", "format": "email"},
	  "site": {"type": "string", "format": "uri"},
	  "born": {"type": "string", "format": "date"},
	  "at": {"type": "string", "format": "date-time"},
	  "ok": {"type": "boolean"},
	  "color": {"type": "string", "enum": ["red"]},
	  "list": {"type": "array", "minItems": 2, "maxItems": 3, "uniqueItems": true, "items": {"type": "string"}},
	  "one": {"type": "string", "minLength": 1},
	  "pair": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
	}}`
	f := mustParse(t, schema, "", nil)
	tests := []struct {
		name string
		data map[string]any
		want []FieldError
	}{
		{"valid", map[string]any{"name": "Ann"}, nil},
		{"required", map[string]any{}, []FieldError{{"name", "is required"}}},
		{"too short", map[string]any{"name": "Al"}, []FieldError{{"name", "must be at least 3 characters"}}},
		{"too long", map[string]any{"name": "Alexander"}, []FieldError{{"name", "must be at most 5 characters"}}},
		{"pattern", map[string]any{"name": "Ann", "code": "abc"}, []FieldError{{"code", "must match the pattern ^[A-Z]{2}$"}}},
		{"below minimum", map[string]any{"name": "Ann", "age": 17.0}, []FieldError{{"age", "must be at least 18"}}},
		{"above maximum", map[string]any{"name": "Ann", "age": 66.0}, []FieldError{{"age", "must be at most 65"}}},
		{"not whole", map[string]any{"name": "Ann", "age": 20.5}, []FieldError{{"age", "must be a whole number"}}},
		{"exclusive bounds", map[string]any{"name": "Ann", "ratio": 1.0}, []FieldError{{"ratio", "must be less than 1"}}},
		{"multiple", map[string]any{"name": "Ann", "step": 7.0}, []FieldError{{"step", "must be a multiple of 5"}}},
		{"email", map[string]any{"name": "Ann", "email": "nope"}, []FieldError{{"email", "must be an email address"}}},
		{"uri", map[string]any{"name": "Ann", "site": "not a uri"}, []FieldError{{"site", "must be a full web address, such as https://example.com"}}},
		{"date", map[string]any{"name": "Ann", "born": "31/12/2000"}, []FieldError{{"born", "must be a date (YYYY-MM-DD)"}}},
		{"date-time", map[string]any{"name": "Ann", "at": "2024-01-01"}, []FieldError{{"at", "must be a date and time"}}},
		{"boolean", map[string]any{"name": "Ann", "ok": "yes"}, []FieldError{{"ok", "must be true or false"}}},
		{"enum", map[string]any{"name": "Ann", "color": "blue"}, []FieldError{{"color", "must be one of the choices"}}},
		{"min items", map[string]any{"name": "Ann", "list": []any{"a"}}, []FieldError{{"list", "must have at least 2 items"}}},
		{"max items", map[string]any{"name": "Ann", "list": []any{"a", "b", "c", "d"}}, []FieldError{{"list", "must have at most 3 items"}}},
		{"unique", map[string]any{"name": "Ann", "list": []any{"a", "a"}}, []FieldError{{"list", "must not contain the same value twice"}}},
		{"item type", map[string]any{"name": "Ann", "list": []any{"a", 3.0}}, []FieldError{{"list.1", "must be text"}}},
		{"empty", map[string]any{"name": "Ann", "one": ""}, []FieldError{{"one", "must not be empty"}}},
		{"nested required", map[string]any{"name": "Ann", "pair": map[string]any{}}, []FieldError{{"pair.a", "is required"}}},
		{"several, sorted by path", map[string]any{"age": 1.0, "email": "x"}, []FieldError{{"age", "must be at least 18"}, {"email", "must be an email address"}, {"name", "is required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, f.Validate(tt.data)); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestDrafts(t *testing.T) {
	// 2020-12 keywords apply when the schema says so; draft-07 is the
	// default, where "dependencies" is the keyword.
	s2020 := `{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
	  "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
	  "dependentRequired": {"a": ["b"]}, "$defs": {"x": {"type": "string", "minLength": 2}}}`
	f := mustParse(t, s2020, "", nil)
	if d := cmp.Diff([]FieldError{{"b", "is required"}}, f.Validate(map[string]any{"a": "x"})); d != "" {
		t.Errorf("2020-12: %s", d)
	}
	s7 := `{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "dependencies": {"a": ["b"]}}`
	f = mustParse(t, s7, "", nil)
	if d := cmp.Diff([]FieldError{{"b", "is required"}}, f.Validate(map[string]any{"a": "x"})); d != "" {
		t.Errorf("draft-07: %s", d)
	}
}

func TestDottedKeys(t *testing.T) {
	schema := `{"type": "object", "required": ["invoice.id"], "properties": {"invoice.id": {"type": "integer", "title": "Id"}}}`
	f := mustParse(t, schema, `{"invoice.id": {"ui:help": "From the top left"}}`, nil)
	fl := find(t, f.Fields(), "invoice~1id")
	if fl.Help != "From the top left" || fl.ID != "f-invoice_1id" {
		t.Errorf("field: %+v", fl)
	}
	if d := cmp.Diff([]FieldError{{"invoice~1id", "is required"}}, f.Validate(nil)); d != "" {
		t.Error(d)
	}
}

// TestDependentKeywords checks that 2019-09/2020-12's dependentRequired and
// dependentSchemas show and mark the fields the validator then asks for, as
// "dependencies" does in draft-07; a draft-07 schema ignores them on both
// sides.
func TestDependentKeywords(t *testing.T) {
	body := `"type": "object",
	  "properties": {"card": {"type": "string", "title": "Card"}, "billing": {"type": "string"}, "note": {"type": "string"}},
	  "dependentRequired": {"card": ["billing"]},
	  "dependentSchemas": {"card": {"properties": {"cvv": {"type": "string", "title": "CVV", "minLength": 3}}, "required": ["cvv"]}}`
	tests := []struct {
		name, schema string
		data         map[string]any
		fields       []string
		required     []string
		errs         []FieldError
	}{
		{"2020-12 nothing typed", `{"$schema": "https://json-schema.org/draft/2020-12/schema", ` + body + `}`,
			nil, []string{"card", "billing", "note"}, nil, nil},
		{"2020-12 card typed", `{"$schema": "https://json-schema.org/draft/2020-12/schema", ` + body + `}`,
			map[string]any{"card": "4111"}, []string{"card", "billing", "note", "cvv"}, []string{"billing", "cvv"},
			[]FieldError{{"billing", "is required"}, {"cvv", "is required"}}},
		{"2019-09 card typed", `{"$schema": "https://json-schema.org/draft/2019-09/schema", ` + body + `}`,
			map[string]any{"card": "4111"}, []string{"card", "billing", "note", "cvv"}, []string{"billing", "cvv"},
			[]FieldError{{"billing", "is required"}, {"cvv", "is required"}}},
		{"draft-07 ignores them", `{` + body + `}`,
			map[string]any{"card": "4111"}, []string{"card", "billing", "note"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.schema, "", nil).WithValues(tt.data)
			fields := f.Fields()
			if d := cmp.Diff(tt.fields, paths(fields)); d != "" {
				t.Errorf("fields: %s", d)
			}
			var req []string
			for _, fl := range fields {
				if fl.Required {
					req = append(req, fl.Path)
				}
			}
			if d := cmp.Diff(tt.required, req); d != "" {
				t.Errorf("required marks: %s", d)
			}
			errs := f.Validate(tt.data)
			if d := cmp.Diff(tt.errs, errs); d != "" {
				t.Errorf("validate: %s", d)
			}
			// Every error sits beside a field the user can see.
			shown := f.WithErrors(errs)
			if fe := shown.FormErrors(); len(fe) != 0 {
				t.Errorf("errors without a field: %v", fe)
			}
			if len(tt.required) > 0 && !find(t, fields, "card").Trigger {
				t.Error("card decides fields and should re-render the form when it changes")
			}
		})
	}
	// Filling what they ask for validates, and the decoded POST keeps the
	// switched-on field.
	f := mustParse(t, tests[1].schema, "", nil)
	data, _, err := f.Decode(url.Values{"card": {"4111"}, "billing": {"Main St"}, "cvv": {"123"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]any{"card": "4111", "billing": "Main St", "cvv": "123"}, data); d != "" {
		t.Errorf("decode: %s", d)
	}
	if errs := f.Validate(data); errs != nil {
		t.Errorf("valid data refused: %v", errs)
	}
	if errs := f.Validate(map[string]any{"card": "4111", "billing": "x", "cvv": "1"}); len(errs) != 1 || errs[0].Path != "cvv" {
		t.Errorf("cvv too short: %v", errs)
	}
}

// TestErrorsWithoutAField checks that an error whose path names no field
// the form shows is listed at the top instead of being lost.
func TestErrorsWithoutAField(t *testing.T) {
	f := mustParse(t, `{"type": "object", "properties": {"a": {"type": "string"}}}`, "", nil).
		WithErrors([]FieldError{{"", "Something is off"}, {"a", "is required"}, {"gone.x~1y", "is required"}})
	want := []string{"Something is off", "gone › x.y is required"}
	if d := cmp.Diff(want, f.FormErrors()); d != "" {
		t.Error(d)
	}
}
