package forms

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	schema := `{"type": "object", "required": ["name"], "properties": {
	  "name": {"type": "string"},
	  "nickname": {"type": "string"},
	  "age": {"type": "integer"},
	  "price": {"type": "number"},
	  "agree": {"type": "boolean"},
	  "yes": {"type": "boolean"},
	  "level": {"type": "integer", "enum": [1, 2, 3]},
	  "tags": {"type": "array", "uniqueItems": true, "items": {"type": "string", "enum": ["a", "b", "c"]}},
	  "address": {"type": "object", "properties": {"street": {"type": "string"}, "zip": {"type": "string"}}},
	  "invoice.dueDate": {"type": "string", "format": "date"},
	  "meeting": {"type": "string", "format": "date-time"},
	  "amount": {"type": "number"},
	  "blank": {"type": "string"},
	  "locked": {"type": "string"},
	  "period": {"type": "string"},
	  "text": {"type": "string"}
	}}`
	ui := `{"yes": {"ui:widget": "radio"}, "tags": {"ui:widget": "checkboxes"}, "amount": {"ui:widget": "formattedNumber"},
	  "blank": {"ui:emptyValue": ""}, "locked": {"ui:readonly": true}, "period": {"ui:widget": "date-range"}, "text": {"ui:widget": "textarea"}}`
	f := mustParse(t, schema, ui, map[string]any{"locked": "server value"})
	values := url.Values{
		"name":                  {"Ann"},
		"nickname":              {""},
		"age":                   {"42"},
		"price":                 {"9.5"},
		"agree":                 {"false", "true"},
		"yes":                   {"false"},
		"level":                 {"2"},
		"tags":                  {"", "a", "c"},
		"address.street":        {"Main St"},
		"address.zip":           {""},
		"invoice~1dueDate":      {"2024-05-01"},
		"meeting":               {"2024-05-01T10:30"},
		"amount":                {"1,234,567.5"},
		"blank":                 {""},
		"locked":                {"forged"},
		"period":                {"2024-01-01", "2024-01-05"},
		"text":                  {"a\r\nb"},
		"unknown":               {"dropped"},
		"csrf_token":            {"x"},
		ActionField:             {""},
		"address.street.nested": {"ignored"},
	}
	got, uploads, err := f.Decode(values, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name":            "Ann",
		"age":             int64(42),
		"price":           9.5,
		"agree":           true,
		"yes":             false,
		"level":           int64(2),
		"tags":            []any{"a", "c"},
		"address":         map[string]any{"street": "Main St"},
		"invoice.dueDate": "2024-05-01",
		"meeting":         "2024-05-01T10:30:00Z",
		"amount":          1234567.5,
		"blank":           "",
		"locked":          "server value",
		"period":          "2024-01-01:::2024-01-05",
		"text":            "a\nb",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Decode (-want +got):\n%s", d)
	}
	if len(uploads) != 0 {
		t.Errorf("uploads: %v", uploads)
	}
	if errs := f.Validate(got); errs != nil {
		t.Errorf("decoded data does not validate: %v", errs)
	}

	unchecked, _, _ := f.Decode(url.Values{"agree": {"false"}}, nil)
	if unchecked["agree"] != false {
		t.Errorf("unchecked box = %v, want false", unchecked["agree"])
	}
	absent, _, _ := f.Decode(url.Values{}, nil)
	if _, ok := absent["agree"]; ok {
		t.Error("a checkbox not in the POST must stay absent")
	}
}

func TestDecodeKeepsWhatWasTyped(t *testing.T) {
	f := mustParse(t, `{"type": "object", "properties": {"age": {"type": "integer", "title": "Age"}, "size": {"type": "string", "enum": ["s", "m"]}}}`, "", nil)
	got, _, err := f.Decode(url.Values{"age": {"forty"}, "size": {"xl"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got["age"] != "forty" || got["size"] != "xl" {
		t.Fatalf("typed values lost: %v", got)
	}
	errs := f.Validate(got)
	want := []FieldError{{"age", "must be a whole number"}, {"size", "must be one of the choices"}}
	if d := cmp.Diff(want, errs); d != "" {
		t.Error(d)
	}
	re := f.WithValues(got).WithErrors(errs)
	age := find(t, re.Fields(), "age")
	if age.Value != "forty" || cmp.Diff([]string{"must be a whole number"}, age.Errors) != "" {
		t.Errorf("re-render: %+v", age)
	}
}

func TestArrayOfObjectsRoundTrip(t *testing.T) {
	schema := `{"type": "object", "properties": {
	  "team": {"type": "object", "properties": {
	    "members": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
	      "name": {"type": "string"}, "age": {"type": "integer"}, "lead": {"type": "boolean"},
	      "skills": {"type": "array", "items": {"type": "string"}}}}}}}}}`
	data := map[string]any{"team": map[string]any{"members": []any{
		map[string]any{"name": "Ann", "age": int64(30), "lead": true, "skills": []any{"go", "sql"}},
		map[string]any{"name": "Bob", "lead": false, "skills": []any{}},
	}}}
	f := mustParse(t, schema, "", data)
	// Post the values the rendered fields carry, as a browser would.
	values := url.Values{}
	var post func(fl *Field)
	post = func(fl *Field) {
		switch fl.Widget {
		case "object":
		case "array":
			values.Set(lenKey(fl.Path), strconv.Itoa(len(fl.Fields)))
		case "checkbox":
			values.Add(fl.Path, "false")
			if fl.Checked {
				values.Add(fl.Path, "true")
			}
		default:
			values.Add(fl.Path, fl.Value)
		}
		for _, c := range fl.Fields {
			post(c)
		}
	}
	for _, fl := range f.Fields() {
		post(fl)
	}
	got, _, err := f.Decode(values, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(data, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}

	// An added, still empty item survives decoding and fails validation on
	// its own path.
	added, err := f.Apply(got, AddAction("team.members"))
	if err != nil {
		t.Fatal(err)
	}
	values.Set(lenKey("team.members"), "3")
	values.Set("team.members.2.name", "")
	again, _, _ := f.Decode(values, nil)
	if n := len(again["team"].(map[string]any)["members"].([]any)); n != 3 {
		t.Fatalf("members after add = %d", n)
	}
	if d := cmp.Diff(added["team"].(map[string]any)["members"].([]any)[2], map[string]any{}); d != "" {
		t.Errorf("added item: %s", d)
	}
	errs := f.Validate(again)
	if d := cmp.Diff([]FieldError{{"team.members.2.name", "is required"}}, errs); d != "" {
		t.Error(d)
	}
}

func TestDecodeConditional(t *testing.T) {
	schema := `{"type": "object", "properties": {"hasPet": {"type": "boolean"}},
	  "if": {"properties": {"hasPet": {"const": true}}, "required": ["hasPet"]},
	  "then": {"properties": {"petName": {"type": "string"}}, "required": ["petName"]},
	  "else": {"properties": {"reason": {"type": "string"}}}}`
	f := mustParse(t, schema, "", nil)
	got, _, _ := f.Decode(url.Values{"hasPet": {"false", "true"}, "petName": {"Rex"}, "reason": {"allergies"}}, nil)
	if d := cmp.Diff(map[string]any{"hasPet": true, "petName": "Rex"}, got); d != "" {
		t.Errorf("then branch: %s", d)
	}
	got, _, _ = f.Decode(url.Values{"hasPet": {"false"}, "petName": {"Rex"}, "reason": {"allergies"}}, nil)
	if d := cmp.Diff(map[string]any{"hasPet": false, "reason": "allergies"}, got); d != "" {
		t.Errorf("else branch: %s", d)
	}
}

func TestDataURLUpload(t *testing.T) {
	schema := `{"type": "object", "required": ["doc"], "properties": {"doc": {"type": "string", "format": "data-url", "title": "Invoice"}, "note": {"type": "string"}}}`
	f := mustParse(t, schema, `{"doc": {"ui:options": {"accept": ".pdf"}}}`, nil)
	if fl := find(t, f.Fields(), "doc"); fl.Widget != "file" || fl.Accept != ".pdf" {
		t.Fatalf("doc: %+v", fl)
	}
	files := map[string][]FileUpload{"doc": {{Name: "inv;1.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 hello")}}}
	got, uploads, err := f.Decode(url.Values{"note": {"x"}}, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads) != 1 {
		t.Fatalf("uploads = %d", len(uploads))
	}
	u := uploads[0]
	if u.Path != "doc" || string(u.Data) != "%PDF-1.4 hello" || len(u.Digest) != 64 {
		t.Errorf("upload: %+v", u)
	}
	wantRef := "data:application/pdf;name=inv_1.pdf;base64," + DigestPrefix + u.Digest
	if u.Ref != wantRef || got["doc"] != wantRef {
		t.Errorf("ref = %q, data = %v, want %q", u.Ref, got["doc"], wantRef)
	}
	if errs := f.Validate(got); errs != nil {
		t.Errorf("validate: %v", errs)
	}
	// Re-rendered, the field shows the file name and keeps the reference.
	fl := find(t, f.WithValues(got).Fields(), "doc")
	if fl.FileName != "inv_1.pdf" || fl.Value != wantRef || fl.FileURL != "" {
		t.Errorf("re-render: %+v", fl)
	}
	// With file links, a stored file links to prefix + digest; a data URL
	// carrying the content itself (not stored by the server) does not.
	if fl := find(t, f.WithValues(got).WithFileLinks("/instances/7/files/").Fields(), "doc"); fl.FileURL != "/instances/7/files/"+u.Digest {
		t.Errorf("file link %q", fl.FileURL)
	}
	inline := map[string]any{"doc": "data:text/plain;name=a.txt;base64,aGVsbG8="}
	if fl := find(t, f.WithValues(inline).WithFileLinks("/instances/7/files/").Fields(), "doc"); fl.FileURL != "" || fl.FileName != "a.txt" {
		t.Errorf("inline data URL: name %q, link %q", fl.FileName, fl.FileURL)
	}
	forged := map[string]any{"doc": "data:text/plain;name=a.txt;base64," + DigestPrefix + "../../admin"}
	if fl := find(t, f.WithValues(forged).WithFileLinks("/instances/7/files/").Fields(), "doc"); fl.FileURL != "" {
		t.Errorf("forged digest linked as %q", fl.FileURL)
	}
	kept, uploads, _ := f.Decode(url.Values{"doc": {wantRef}}, nil)
	if kept["doc"] != wantRef || len(uploads) != 0 {
		t.Errorf("kept reference: %v %v", kept, uploads)
	}
	missing, _, _ := f.Decode(url.Values{"doc": {"javascript:alert(1)"}}, nil)
	if errs := f.Validate(missing); cmp.Diff([]FieldError{{"doc", "is required"}}, errs) != "" {
		t.Errorf("a non-data value must not count as a file: %v", errs)
	}
	if errs := f.Validate(map[string]any{"doc": "plain text"}); cmp.Diff([]FieldError{{"doc", "must be an uploaded file"}}, errs) != "" {
		t.Errorf("format data-url: %v", errs)
	}
}

func TestCalculatedOnDecode(t *testing.T) {
	schema := `{"type": "object", "properties": {"price": {"type": "number"}, "qty": {"type": "integer"}, "total": {"type": "number"}, "half": {"type": "number"}}}`
	ui := `{"total": {"ui:field": "calculated", "ui:options": {"expression": "(price + 1) * qty"}}, "half": {"ui:field": "calculated", "ui:options": {"expression": "missing / 2 - -1"}}}`
	f := mustParse(t, schema, ui, nil)
	got, _, err := f.Decode(url.Values{"price": {"4"}, "qty": {"3"}, "total": {"999"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got["total"] != int64(15) || got["half"] != int64(1) {
		t.Errorf("calculated: %v", got)
	}
	// A division by zero leaves the field empty (SpiffArena leaves it
	// undefined): the user's input is not refused for it.
	div := mustParse(t, schema, `{"total": {"ui:field": "calculated", "ui:options": {"expression": "price / qty"}}}`, nil)
	got, _, err = div.Decode(url.Values{"price": {"4"}, "qty": {"0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["total"]; ok {
		t.Errorf("division by zero: total = %v, want none", got["total"])
	}
	// A malformed expression is the model's fault and names the field.
	bad := mustParse(t, schema, `{"total": {"ui:field": "calculated", "ui:options": {"expression": "price * (qty"}}}`, nil)
	if _, _, err := bad.Decode(url.Values{"price": {"4"}, "qty": {"0"}}, nil); err == nil || !strings.Contains(err.Error(), "calculated field total") {
		t.Errorf("malformed expression: %v", err)
	}
}
