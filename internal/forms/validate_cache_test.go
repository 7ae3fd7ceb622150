package forms

import "testing"

// TestCompiledSchemaShared checks that forms of the same schema share one
// compiled validator, that a schema templated differently by the task
// data gets its own, and that each still validates by its own rules.
func TestCompiledSchemaShared(t *testing.T) {
	schema := []byte(`{"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "maximum": {{ limit }}}}}`)
	parse := func(limit int) *Form {
		t.Helper()
		f, err := ParseFiles("s.json", schema, "", nil, map[string]any{"limit": limit})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a, b, c := parse(10), parse(10), parse(20)
	if a.validator != b.validator {
		t.Error("the same schema was compiled twice")
	}
	if a.validator == c.validator {
		t.Error("schemas that differ share a validator")
	}
	if errs := a.Validate(map[string]any{"n": 15}); len(errs) == 0 {
		t.Error("15 passed a maximum of 10")
	}
	if errs := c.Validate(map[string]any{"n": 15}); len(errs) != 0 {
		t.Errorf("15 failed a maximum of 20: %v", errs)
	}
}
