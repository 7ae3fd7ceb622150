package forms

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const undefinedSchema = `{
  "type": "object",
  "properties": {
    "amount": {"type": "number"},
    "kind": {"type": "string", "enum": ["travel", "other"]},
    "lines": {"type": "array", "items": {"type": "object", "properties": {"what": {"type": "string"}}}},
    "extra": {"type": "object"}
  },
  "dependencies": {
    "kind": {"oneOf": [
      {"properties": {"kind": {"const": "travel"}, "destination": {"type": "string"}}},
      {"properties": {"kind": {"const": "other"}}}
    ]}
  }
}`

func TestUndefinedKeys(t *testing.T) {
	f := mustParse(t, undefinedSchema, "", nil)
	tests := []struct {
		name string
		data map[string]any
		want []string
	}{
		{"Defined", map[string]any{"amount": 3, "lines": []any{map[string]any{"what": "x"}}}, nil},
		{"LaneOwners", map[string]any{"amount": 3, "lane_owners": map[string]any{"Approvers": []any{"carol"}}}, []string{"lane_owners"}},
		{"NestedInArray", map[string]any{"lines": []any{map[string]any{"what": "x", "approved": true}}}, []string{"lines.0.approved"}},
		{"ConditionalOn", map[string]any{"kind": "travel", "destination": "Oslo"}, nil},
		{"ConditionalOff", map[string]any{"kind": "other", "destination": "Oslo"}, []string{"destination"}},
		{"FreeFormObject", map[string]any{"extra": map[string]any{"anything": 1}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, f.UndefinedKeys(tt.data)); diff != "" {
				t.Errorf("undefined keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUndefinedFields(t *testing.T) {
	f := mustParse(t, undefinedSchema, "", nil)
	values := url.Values{
		"csrf_token":    {"t"},
		ActionField:     {""},
		"__len:lines":   {"1"},
		"amount":        {"3"},
		"lines.0.what":  {"x"},
		"lines.0.owner": {"me"},
		"lane_owners":   {"carol"},
		"kind":          {"other"},
		"destination":   {"Oslo"},
	}
	data := map[string]any{"kind": "other"}
	want := []string{"destination", "lane_owners", "lines.0.owner"}
	if diff := cmp.Diff(want, f.UndefinedFields(values, data, "csrf_token")); diff != "" {
		t.Errorf("undefined fields (-want +got):\n%s", diff)
	}
	data["kind"] = "travel"
	if diff := cmp.Diff([]string{"lane_owners", "lines.0.owner"}, f.UndefinedFields(values, data, "csrf_token")); diff != "" {
		t.Errorf("with the travel branch (-want +got):\n%s", diff)
	}
}
