package forms

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, schema, ui string, data map[string]any) *Form {
	t.Helper()
	f, err := Parse([]byte(schema), []byte(ui), data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// find returns the field at path in the tree.
func find(t *testing.T, fields []*Field, path string) *Field {
	t.Helper()
	var walk func([]*Field) *Field
	walk = func(fs []*Field) *Field {
		for _, f := range fs {
			if f.Path == path {
				return f
			}
			if g := walk(f.Fields); g != nil {
				return g
			}
		}
		return nil
	}
	if f := walk(fields); f != nil {
		return f
	}
	t.Fatalf("no field %q", path)
	return nil
}

func paths(fields []*Field) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Path)
	}
	return out
}

func TestWidgets(t *testing.T) {
	schema := `{
	  "type": "object",
	  "required": ["name", "age"],
	  "properties": {
	    "name": {"type": "string", "title": "Name", "minLength": 3, "maxLength": 20, "pattern": "^[A-Z]"},
	    "age": {"type": "integer", "minimum": 18, "maximum": 99},
	    "score": {"type": "number"},
	    "email": {"type": "string", "format": "email"},
	    "site": {"type": "string", "format": "uri"},
	    "born": {"type": "string", "format": "date"},
	    "meeting": {"type": "string", "format": "date-time"},
	    "agree": {"type": "boolean", "title": "I agree"},
	    "color": {"type": "string", "enum": ["red", "green"], "enumNames": ["Red", "Green"]},
	    "size": {"type": "string", "oneOf": [{"const": "s", "title": "Small"}, {"const": "l", "title": "Large"}]},
	    "level": {"type": "integer", "anyOf": [{"enum": [1], "title": "One"}, {"enum": [2], "title": "Two"}]},
	    "notes": {"type": "string"},
	    "secret": {"type": "string"},
	    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "uniqueItems": true},
	    "flags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "uniqueItems": true},
	    "file": {"type": "string", "format": "data-url"},
	    "internal": {"type": "string"},
	    "yes": {"type": "boolean"}
	  }
	}`
	ui := `{
	  "notes": {"ui:widget": "textarea", "ui:options": {"rows": 5}, "ui:placeholder": "Say more", "ui:help": "Optional"},
	  "secret": {"ui:widget": "password"},
	  "size": {"ui:widget": "radio", "ui:options": {"inline": true}},
	  "flags": {"ui:widget": "checkboxes"},
	  "file": {"ui:options": {"accept": ".pdf"}},
	  "internal": {"ui:widget": "hidden"},
	  "yes": {"ui:widget": "radio"},
	  "name": {"ui:autofocus": true, "ui:title": "Full name", "ui:description": "As on your passport"},
	  "score": {"ui:readonly": true}
	}`
	f := mustParse(t, schema, ui, map[string]any{"age": 30.0, "color": "green", "tags": []any{"b"}, "meeting": "2024-05-01T10:30:00Z"})
	fields := f.Fields()
	tests := []struct {
		path, widget string
		check        func(t *testing.T, fl *Field)
	}{
		{"name", "text", func(t *testing.T, fl *Field) {
			if fl.Label != "Full name" || !fl.Required || fl.MinLength != 3 || fl.MaxLength != 20 || fl.Pattern != "^[A-Z]" || !fl.AutoFocus || fl.Description != "As on your passport" {
				t.Errorf("name: %+v", fl)
			}
		}},
		{"age", "number", func(t *testing.T, fl *Field) {
			if fl.Min != "18" || fl.Max != "99" || fl.Step != "1" || fl.Value != "30" || !fl.Required {
				t.Errorf("age: %+v", fl)
			}
		}},
		{"score", "number", func(t *testing.T, fl *Field) {
			if !fl.ReadOnly || fl.Step != "any" {
				t.Errorf("score: %+v", fl)
			}
		}},
		{"email", "email", nil},
		{"site", "url", nil},
		{"born", "date", nil},
		{"meeting", "datetime", func(t *testing.T, fl *Field) {
			if fl.Value != "2024-05-01T10:30" {
				t.Errorf("meeting value %q", fl.Value)
			}
		}},
		{"agree", "checkbox", func(t *testing.T, fl *Field) {
			if fl.Checked || fl.Label != "I agree" {
				t.Errorf("agree: %+v", fl)
			}
		}},
		{"color", "select", func(t *testing.T, fl *Field) {
			want := []Option{{"red", "Red", false}, {"green", "Green", true}}
			if d := cmp.Diff(want, fl.Options); d != "" {
				t.Error(d)
			}
		}},
		{"size", "radio", func(t *testing.T, fl *Field) {
			want := []Option{{"s", "Small", false}, {"l", "Large", false}}
			if d := cmp.Diff(want, fl.Options); d != "" || !fl.Inline {
				t.Error(d, fl.Inline)
			}
		}},
		{"level", "select", func(t *testing.T, fl *Field) {
			if len(fl.Options) != 2 || fl.Options[1].Value != "2" || fl.Options[1].Label != "Two" {
				t.Errorf("level options %+v", fl.Options)
			}
		}},
		{"notes", "textarea", func(t *testing.T, fl *Field) {
			if fl.Rows != 5 || fl.Placeholder != "Say more" || fl.Help != "Optional" {
				t.Errorf("notes: %+v", fl)
			}
		}},
		{"secret", "password", nil},
		{"tags", "multiselect", func(t *testing.T, fl *Field) {
			if !fl.Options[1].Selected || fl.Options[0].Selected {
				t.Errorf("tags options %+v", fl.Options)
			}
		}},
		{"flags", "checkboxes", nil},
		{"file", "file", func(t *testing.T, fl *Field) {
			if fl.Accept != ".pdf" {
				t.Errorf("accept %q", fl.Accept)
			}
		}},
		{"internal", "hidden", nil},
		{"yes", "radio", func(t *testing.T, fl *Field) {
			if len(fl.Options) != 2 || fl.Options[0].Label != "Yes" || fl.Options[1].Value != "false" {
				t.Errorf("boolean radio options %+v", fl.Options)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			fl := find(t, fields, tt.path)
			if fl.Widget != tt.widget {
				t.Errorf("widget = %q, want %q", fl.Widget, tt.widget)
			}
			if tt.check != nil {
				tt.check(t, fl)
			}
		})
	}
}

func TestOrderNestedRefsDefaults(t *testing.T) {
	schema := `{
	  "definitions": {"address": {"type": "object", "required": ["street"], "properties": {"street": {"type": "string", "title": "Street"}, "city": {"type": "string", "default": "Paris"}}}},
	  "type": "object",
	  "properties": {
	    "zeta": {"type": "string"},
	    "home": {"$ref": "#/definitions/address", "title": "Home address"},
	    "alpha": {"type": "string", "default": "A"},
	    "mid": {"type": "string"}
	  }
	}`
	tests := []struct {
		name, ui string
		want     []string
	}{
		{"schema order", `{}`, []string{"zeta", "home", "alpha", "mid"}},
		{"ui:order", `{"ui:order": ["mid", "alpha", "zeta", "home"]}`, []string{"mid", "alpha", "zeta", "home"}},
		{"ui:order with star", `{"ui:order": ["alpha", "*", "zeta"]}`, []string{"alpha", "home", "mid", "zeta"}},
		{"ui:order unknown names skipped", `{"ui:order": ["nope", "mid", "*"]}`, []string{"mid", "zeta", "home", "alpha"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, schema, tt.ui, nil)
			if d := cmp.Diff(tt.want, paths(f.Fields())); d != "" {
				t.Error(d)
			}
		})
	}
	f := mustParse(t, schema, `{}`, map[string]any{"alpha": "typed", "home": map[string]any{"street": "Main"}})
	fields := f.Fields()
	home := find(t, fields, "home")
	if home.Widget != "object" || home.Label != "Home address" || len(home.Fields) != 2 {
		t.Fatalf("home: %+v", home)
	}
	if st := find(t, fields, "home.street"); st.Value != "Main" || !st.Required || st.Label != "Street" {
		t.Errorf("street: %+v", st)
	}
	if c := find(t, fields, "home.city"); c.Value != "Paris" {
		t.Errorf("default not applied to city: %q", c.Value)
	}
	if a := find(t, fields, "alpha"); a.Value != "typed" {
		t.Errorf("task data must win over the default: %q", a.Value)
	}
}

func TestJinjaTemplating(t *testing.T) {
	schema := `{
	  "title": "Order for {{ customer.name }}",
	  "type": "object",
	  "properties": {
	    "product": {"type": "string", "title": "Product",
	      "enum": [{% for p in products %}"{{ p.id }}"{% if not loop.last %}, {% endif %}{% endfor %}]},
	    "count": {"type": "integer", "title": "How many (max {{ limit }})", "maximum": {{ limit }}}
	  }
	}`
	ui := `{"product": {"ui:help": "{{ help|default('Pick one') }}"}}`
	data := map[string]any{
		"customer": map[string]any{"name": `Ann "the" <b>`},
		"products": []any{map[string]any{"id": "p1"}, map[string]any{"id": "p2"}},
		"limit":    5.0,
	}
	f := mustParse(t, schema, ui, data)
	if f.Title != `Order for Ann "the" <b>` {
		t.Errorf("title %q: values must be escaped for HTML and come back through JSON", f.Title)
	}
	p := find(t, f.Fields(), "product")
	if len(p.Options) != 2 || p.Options[1].Value != "p2" || p.Help != "Pick one" {
		t.Errorf("product: %+v", p)
	}
	if c := find(t, f.Fields(), "count"); c.Max != "5" || c.Label != "How many (max 5)" {
		t.Errorf("count: %+v", c)
	}

	_, err := Parse([]byte(`{"type": "object", "title": "{% if %}"}`), nil, nil)
	if !errors.Is(err, ErrInvalidSchema) {
		t.Errorf("bad template: %v", err)
	}
	_, err = ParseFiles("a-schema.json", []byte(`{"type": "object",}`), "", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "a-schema.json") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad JSON error should name the file and line: %v", err)
	}
}

func TestOptionsFromTaskDataVar(t *testing.T) {
	schema := `{
	  "definitions": {"Color": {"title": "Color", "type": "string", "anyOf": ["options_from_task_data_var:colors"]}},
	  "type": "object", "required": ["color"],
	  "properties": {"color": {"$ref": "#/definitions/Color", "title": "Pick"}}
	}`
	t.Run("value and label", func(t *testing.T) {
		f := mustParse(t, schema, "", map[string]any{"colors": []any{
			map[string]any{"value": "r", "label": "Red"}, map[string]any{"value": "b", "label": "Blue"},
		}})
		c := find(t, f.Fields(), "color")
		want := []Option{{"r", "Red", false}, {"b", "Blue", false}}
		if d := cmp.Diff(want, c.Options); d != "" || c.Label != "Pick" || c.Widget != "select" {
			t.Error(d, c.Label, c.Widget)
		}
		if errs := f.Validate(map[string]any{"color": "g"}); len(errs) != 1 || errs[0].Message != "must be one of the choices" {
			t.Errorf("validate: %v", errs)
		}
		if errs := f.Validate(map[string]any{"color": "b"}); errs != nil {
			t.Errorf("valid choice refused: %v", errs)
		}
	})
	t.Run("schemas as is", func(t *testing.T) {
		f := mustParse(t, schema, "", map[string]any{"colors": []any{
			map[string]any{"const": "x", "title": "Ex"},
		}})
		if c := find(t, f.Fields(), "color"); len(c.Options) != 1 || c.Options[0].Label != "Ex" {
			t.Errorf("options %+v", c.Options)
		}
	})
	errTests := []struct {
		name string
		data map[string]any
		want error
	}{
		{"missing", map[string]any{}, ErrMissingTaskDataVar},
		{"empty list", map[string]any{"colors": []any{}}, ErrInvalidFormData},
		{"string", map[string]any{"colors": "red"}, ErrInvalidFormData},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(schema), nil, tt.data)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "colors") {
				t.Errorf("err = %v, want %v naming the variable", err, tt.want)
			}
		})
	}
}

func TestHiddenFieldsFromTaskData(t *testing.T) {
	schema := `{"type": "object", "properties": {"a": {"type": "string"}, "obj": {"type": "object", "properties": {"b": {"type": "string"}, "c": {"type": "string"}}}}}`
	f := mustParse(t, schema, "", map[string]any{"form_ui_hidden_fields": []any{"a", "obj.b"}, "a": "keep"})
	fields := f.Fields()
	if a := find(t, fields, "a"); a.Widget != "hidden" || a.Value != "keep" {
		t.Errorf("a: %+v", a)
	}
	if b := find(t, fields, "obj.b"); b.Widget != "hidden" {
		t.Errorf("obj.b: %+v", b)
	}
	if c := find(t, fields, "obj.c"); c.Widget != "text" {
		t.Errorf("obj.c: %+v", c)
	}
}

func TestConditionalFields(t *testing.T) {
	schema := `{
	  "type": "object",
	  "properties": {
	    "kind": {"type": "string", "enum": ["person", "company"]},
	    "hasPet": {"type": "boolean"},
	    "email": {"type": "string"}
	  },
	  "dependencies": {
	    "email": ["kind"],
	    "kind": {"oneOf": [
	      {"properties": {"kind": {"enum": ["person"]}, "birthday": {"type": "string", "format": "date"}}, "required": ["birthday"]},
	      {"properties": {"kind": {"enum": ["company"]}, "vat": {"type": "string"}}}
	    ]}
	  },
	  "if": {"properties": {"hasPet": {"const": true}}, "required": ["hasPet"]},
	  "then": {"properties": {"petName": {"type": "string"}}, "required": ["petName"]},
	  "else": {"properties": {"reason": {"type": "string"}}}
	}`
	tests := []struct {
		name     string
		data     map[string]any
		want     []string
		required []string
	}{
		{"nothing chosen", nil, []string{"kind", "hasPet", "email", "reason"}, nil},
		{"person", map[string]any{"kind": "person"}, []string{"kind", "hasPet", "email", "birthday", "reason"}, []string{"birthday"}},
		{"company", map[string]any{"kind": "company"}, []string{"kind", "hasPet", "email", "vat", "reason"}, nil},
		{"pet", map[string]any{"hasPet": true}, []string{"kind", "hasPet", "email", "petName"}, []string{"petName"}},
		{"email needs kind", map[string]any{"email": "a@b.c"}, []string{"kind", "hasPet", "email", "reason"}, []string{"kind"}},
	}
	f := mustParse(t, schema, "", nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := f.WithValues(tt.data).Fields()
			if d := cmp.Diff(tt.want, paths(fields)); d != "" {
				t.Error(d)
			}
			var req []string
			for _, fl := range fields {
				if fl.Required {
					req = append(req, fl.Path)
				}
			}
			if d := cmp.Diff(tt.required, req); d != "" {
				t.Errorf("required: %s", d)
			}
			if k := find(t, fields, "kind"); !k.Trigger {
				t.Error("kind decides fields and should be a trigger")
			}
		})
	}
	if !f.HasTriggers() {
		t.Error("HasTriggers = false")
	}
	// The validator applies the same conditions.
	errs := f.Validate(map[string]any{"kind": "person", "hasPet": true})
	want := []FieldError{{"birthday", "is required"}, {"petName", "is required"}}
	if d := cmp.Diff(want, errs); d != "" {
		t.Error(d)
	}
}

func TestArrays(t *testing.T) {
	schema := `{"type": "object", "properties": {
	  "people": {"type": "array", "title": "People", "minItems": 1, "maxItems": 3,
	    "items": {"type": "object", "title": "Person", "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}},
	  "words": {"type": "array", "items": {"type": "string"}}
	}}`
	f := mustParse(t, schema, `{"words": {"ui:options": {"orderable": false}}}`, map[string]any{
		"people": []any{map[string]any{"name": "Ann"}, map[string]any{"name": "Bob", "age": 4.0}},
		"words":  []any{"x", "y"},
	})
	fields := f.Fields()
	people := find(t, fields, "people")
	if people.Widget != "array" || len(people.Fields) != 2 || !people.CanAdd || people.AddLabel != "Add person" {
		t.Fatalf("people: %+v", people)
	}
	first, second := people.Fields[0], people.Fields[1]
	if first.Label != "Person 1" || first.CanMoveUp || !first.CanMoveDown || !first.CanRemove {
		t.Errorf("first item: %+v", first)
	}
	if !second.CanMoveUp || second.CanMoveDown {
		t.Errorf("second item: %+v", second)
	}
	if a := find(t, fields, "people.1.age"); a.Value != "4" {
		t.Errorf("age %q", a.Value)
	}
	if n := find(t, fields, "people.0.name"); !n.Required || n.Value != "Ann" {
		t.Errorf("name %+v", n)
	}
	w := find(t, fields, "words")
	if w.Fields[1].CanMoveUp || w.Fields[0].CanMoveDown {
		t.Error("orderable false must hide move buttons")
	}

	// maxItems stops the add button; minItems the remove buttons.
	full := f.WithValues(map[string]any{"people": []any{map[string]any{}, map[string]any{}, map[string]any{}}})
	if p := find(t, full.Fields(), "people"); p.CanAdd {
		t.Error("CanAdd at maxItems")
	}
	one := f.WithValues(map[string]any{"people": []any{map[string]any{}}})
	if p := find(t, one.Fields(), "people"); p.Fields[0].CanRemove {
		t.Error("CanRemove at minItems")
	}
}

func TestApply(t *testing.T) {
	schema := `{"type": "object", "properties": {"items": {"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {"n": {"type": "string", "default": "new"}}}}, "tags": {"type": "array", "items": {"type": "string", "default": "t"}}}}`
	f := mustParse(t, schema, "", nil)
	base := map[string]any{"items": []any{map[string]any{"n": "a"}, map[string]any{"n": "b"}}}
	tests := []struct {
		action string
		want   any
	}{
		{"add:items", []any{map[string]any{"n": "a"}, map[string]any{"n": "b"}, map[string]any{}}},
		{"remove:items.0", []any{map[string]any{"n": "b"}}},
		{"up:items.1", []any{map[string]any{"n": "b"}, map[string]any{"n": "a"}}},
		{"down:items.0", []any{map[string]any{"n": "b"}, map[string]any{"n": "a"}}},
		{"up:items.0", []any{map[string]any{"n": "a"}, map[string]any{"n": "b"}}},
		{"refresh", []any{map[string]any{"n": "a"}, map[string]any{"n": "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			got, err := f.Apply(base, tt.action)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got["items"]); d != "" {
				t.Error(d)
			}
		})
	}
	if got, err := f.Apply(nil, "add:tags"); err != nil || cmp.Diff([]any{"t"}, got["tags"]) != "" {
		t.Errorf("add to a missing list: %v %v", got, err)
	}
	if len(base["items"].([]any)) != 2 {
		t.Error("Apply changed its input")
	}
	for _, bad := range []string{"add:nope", "remove:items.7", "remove:items", "explode:items", "add:items.0.n"} {
		if _, err := f.Apply(base, bad); err == nil {
			t.Errorf("Apply(%q): no error", bad)
		}
	}
	three := map[string]any{"items": []any{map[string]any{}, map[string]any{}, map[string]any{}}}
	if _, err := f.Apply(three, "add:items"); err == nil {
		t.Error("add past maxItems: no error")
	}
}

func TestSpiffArenaExtras(t *testing.T) {
	schema := `{"type": "object", "required": ["eula"], "properties": {
	  "eula": {"type": "boolean", "title": "I accept"},
	  "config": {"type": "string"},
	  "trip": {"type": "string", "minimumDate": "today"},
	  "start": {"type": "string", "format": "date"},
	  "end": {"type": "string", "format": "date", "minimumDate": "field:start", "maximumDate": "field:window:end"},
	  "window": {"type": "string"},
	  "budget": {"type": "object", "minimum": 0, "maximum": 100, "properties": {"min": {"type": "number"}, "max": {"type": "number"}}},
	  "price": {"type": "number"},
	  "qty": {"type": "number"},
	  "total": {"type": "number"},
	  "amount": {"type": "number"},
	  "who": {"type": "string"},
	  "notes": {"type": "string"}
	}}`
	ui := `{
	  "config": {"ui:options": {"validateJson": true}},
	  "trip": {"ui:widget": "date-range"},
	  "window": {"ui:widget": "date-range"},
	  "budget": {"ui:field": "numeric-range"},
	  "total": {"ui:field": "calculated", "ui:options": {"expression": "price * qty + $.amount"}},
	  "amount": {"ui:widget": "formattedNumber", "ui:options": {"decimals": 2}},
	  "who": {"ui:widget": "typeahead", "ui:options": {"category": "users", "itemFormat": "{name}"}},
	  "notes": {"ui:widget": "markdown"},
	  "ui:submitButtonOptions": {"submitText": "Send it"},
	  "ui:layout": [{"price": {"sm": 6}, "qty": {"sm": 6}}, {"total": {"md": 12}}]
	}`
	f := mustParse(t, schema, ui, map[string]any{"price": 2.0, "qty": 3.0, "amount": 1.5}).WithToday(mustDate(t, "2024-06-10"))
	fields := f.Fields()
	if f.SubmitLabel("Submit") != "Send it" {
		t.Errorf("submit label %q", f.SubmitLabel("Submit"))
	}
	if w := find(t, fields, "trip"); w.Widget != "date-range" || w.Min != "2024-06-10" {
		t.Errorf("trip: %+v", w)
	}
	if b := find(t, fields, "budget"); b.Widget != "numeric-range" || len(b.Fields) != 2 || b.Fields[0].Min != "0" || b.Fields[1].Max != "100" {
		t.Errorf("budget: %+v", b)
	}
	if c := find(t, fields, "total"); c.Widget != "calculated" || c.Value != "7.5" || !c.ReadOnly {
		t.Errorf("total: %+v", c)
	}
	if a := find(t, fields, "amount"); a.Widget != "formatted-number" || a.Extra["decimals"] != "2" {
		t.Errorf("amount: %+v", a)
	}
	if w := find(t, fields, "who"); w.Widget != "typeahead" || w.Extra["category"] != "users" {
		t.Errorf("who: %+v", w)
	}
	if n := find(t, fields, "notes"); n.Widget != "markdown" {
		t.Errorf("notes: %+v", n)
	}
	root := f.Root()
	if len(root.Layout) < 2 || len(root.Layout[0]) != 2 || root.Layout[0][0].SM != 6 || root.Layout[1][0].Field.Path != "total" {
		t.Errorf("layout: %+v", root.Layout)
	}

	tests := []struct {
		name string
		data map[string]any
		want []FieldError
	}{
		{"required checkbox unchecked", map[string]any{"eula": false}, []FieldError{{"eula", "must be checked"}}},
		{"required checkbox checked", map[string]any{"eula": true}, nil},
		{"bad json", map[string]any{"eula": true, "config": "{oops"}, []FieldError{{"config", "must be valid JSON"}}},
		{"good json", map[string]any{"eula": true, "config": `{"a": 1}`}, nil},
		{"date before today", map[string]any{"eula": true, "trip": "2024-06-01:::2024-06-20"}, []FieldError{{"trip", "must be on or after today"}}},
		{"range reversed", map[string]any{"eula": true, "trip": "2024-07-02:::2024-07-01"}, []FieldError{{"trip", "start date must not be after the end date"}}},
		{"range incomplete", map[string]any{"eula": true, "trip": "2024-07-02:::"}, []FieldError{{"trip", "must be a start and an end date"}}},
		{"end before start field", map[string]any{"eula": true, "start": "2024-05-05", "end": "2024-05-01"}, []FieldError{{"end", "must be on or after 2024-05-05"}}},
		{"end after window end", map[string]any{"eula": true, "window": "2024-01-01:::2024-01-31", "end": "2024-02-01"}, []FieldError{{"end", "must be on or before 2024-01-31"}}},
		{"numeric range reversed", map[string]any{"eula": true, "budget": map[string]any{"min": 9.0, "max": 3.0}}, []FieldError{{"budget", "minimum must not be greater than maximum"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, f.Validate(tt.data)); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	schema := `{"type": "object", "properties": {"a": {"type": "string"}, "list": {"type": "array", "items": {"type": "string"}}}}`
	f := mustParse(t, schema, "", map[string]any{"list": []any{"x"}})
	if f.IsReadOnly() {
		t.Fatal("read-only by default")
	}
	r := f.ReadOnly()
	fields := r.Fields()
	if a := find(t, fields, "a"); !a.ReadOnly {
		t.Error("a not read-only")
	}
	l := find(t, fields, "list")
	if l.CanAdd || l.Fields[0].CanRemove || !l.Fields[0].ReadOnly {
		t.Errorf("read-only list still editable: %+v", l)
	}
	if !mustParse(t, schema, `{"ui:readonly": true}`, nil).IsReadOnly() {
		t.Error("top-level ui:readonly ignored")
	}
}

func TestRefusesRemoteRefs(t *testing.T) {
	for _, ref := range []string{"http://example.com/s.json", "file:///etc/passwd", "#/definitions/missing"} {
		_, err := Parse([]byte(`{"type": "object", "properties": {"a": {"$ref": "`+ref+`"}}}`), nil, nil)
		if !errors.Is(err, ErrInvalidSchema) {
			t.Errorf("$ref %s: err = %v", ref, err)
		}
	}
}

func mustDate(t *testing.T, s string) (d time.Time) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
