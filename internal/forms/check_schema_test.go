package forms

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckSchema(t *testing.T) {
	tests := []struct {
		name, schema, want string // want "" for a good schema
	}{
		{"Good", `{"type": "object", "properties": {"days": {"type": "integer", "minimum": 1}}}`, ""},
		{"TemplatedIsCheckedForSyntaxOnly", `{"type": "object", "title": "{{ title }}", "properties": {"x": {"enum": {{ choices }} }}}`, ""},
		{"OptionsFromTaskData", `{"definitions": {"Color": {"type": "string", "anyOf": ["options_from_task_data_var:colors"]}}, "type": "object",
			"properties": {"c": {"$ref": "#/definitions/Color"}, "many": {"type": "array", "items": ["options_from_task_data_var:colors"]}}}`, ""},
		{"UnknownType", `{"type": "object", "properties": {"days": {"type": "integr"}}}`, "/properties/days/type"},
		{"MinimumNotANumber", `{"type": "object", "properties": {"days": {"type": "integer", "minimum": "one"}}}`, "minimum"},
		{"RefNowhere", `{"type": "object", "properties": {"a": {"$ref": "#/definitions/missing"}}}`, "#/definitions/missing"},
		{"NotAnObject", `["a"]`, "must be a JSON object"},
		{"Empty", ``, "empty"},
		{"TemplateSyntax", `{"title": "{{ title }"}`, "syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSchema("approve-schema.json", []byte(tt.schema))
			if tt.want == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSchema) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrInvalidSchema mentioning %q", err, tt.want)
			}
		})
	}
}
