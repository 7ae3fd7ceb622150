package forms

import (
	"slices"
	"testing"
)

// Object views are kept per form when they do not depend on the value, and
// built anew when they do: validating and checking the same parsed form
// (and its copies) with data that switches conditional fields on and off
// gives each time what a form parsed for that data alone gives.
func TestObjectViewsKeptOnlyWhenFixed(t *testing.T) {
	schema := []byte(`{
	  "type": "object",
	  "required": ["agree", "address"],
	  "properties": {
	    "agree": {"type": "boolean"},
	    "has_pet": {"type": "boolean"},
	    "address": {"type": "object", "required": ["street"], "properties": {"street": {"type": "string"}, "city": {"type": "string"}}},
	    "delivery": {
	      "type": "object",
	      "properties": {"mode": {"type": "string", "enum": ["post", "pickup"]}},
	      "if": {"properties": {"mode": {"const": "post"}}},
	      "then": {"properties": {"postcode": {"type": "string"}}, "required": ["postcode"]}
	    }
	  },
	  "dependencies": {"has_pet": {"properties": {"pet_name": {"type": "string"}}, "required": ["pet_name"]}}
	}`)
	ui := []byte(`{"agree": {"ui:widget": "checkbox"}}`)
	cases := []struct {
		data      map[string]any
		errors    []string // paths
		undefined []string
	}{
		{map[string]any{"agree": false, "address": map[string]any{}},
			[]string{"address.street", "agree"}, nil},
		{map[string]any{"agree": true, "has_pet": true, "address": map[string]any{"street": "Main St"}},
			[]string{"pet_name"}, nil},
		{map[string]any{"agree": true, "address": map[string]any{"street": "Main St"}, "pet_name": "Rex"},
			nil, []string{"pet_name"}},
		{map[string]any{"agree": true, "address": map[string]any{"street": "Main St", "zip": "1"}, "delivery": map[string]any{"mode": "post"}},
			[]string{"delivery.postcode"}, []string{"address.zip"}},
		{map[string]any{"agree": true, "address": map[string]any{"street": "Main St"}, "delivery": map[string]any{"mode": "pickup", "postcode": "1"}},
			nil, []string{"delivery.postcode"}},
		{map[string]any{"agree": true, "has_pet": true, "pet_name": "Rex", "address": map[string]any{"street": "Main St"}, "delivery": map[string]any{"mode": "post", "postcode": "1"}},
			nil, nil},
	}
	shared, err := ParseFiles("s.json", schema, "u.json", ui, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Twice over, so the second round runs on views kept by the first.
	for round := range 2 {
		for i, c := range cases {
			for name, f := range map[string]*Form{"shared": shared, "copy": shared.WithValues(c.data)} {
				var paths []string
				for _, e := range f.Validate(c.data) {
					paths = append(paths, e.Path)
				}
				if !slices.Equal(paths, c.errors) {
					t.Errorf("round %d case %d %s: errors at %q, want %q", round, i, name, paths, c.errors)
				}
				if got := f.UndefinedKeys(c.data); !slices.Equal(got, c.undefined) {
					t.Errorf("round %d case %d %s: undefined %q, want %q", round, i, name, got, c.undefined)
				}
			}
		}
	}
	shared.views.mu.Lock()
	defer shared.views.mu.Unlock()
	if len(shared.views.m) == 0 {
		t.Fatal("no view was kept")
	}
	for _, e := range shared.views.m {
		if e.view.byValue {
			t.Error("a view that depends on the value was kept")
		}
		if _, ok := e.view.props["pet_name"]; ok {
			t.Error("the root view, which depends on has_pet, was kept")
		}
	}
}
