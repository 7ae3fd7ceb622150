package forms

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAndFormatGrouped(t *testing.T) {
	parse := []struct {
		in, want string
		ok       bool
	}{
		{"1234567.5", "1234567.5", true},
		{"1,234,567.5", "1234567.5", true},
		{" -1,234 ", "-1234", true},
		{"\u22125", "-5", true},
		{"0012", "12", true},
		{".5", "0.5", true},
		{"5.", "5", true},
		{"-0", "0", true},
		{"1,5", "", false},
		{"12,34", "", false},
		{",123", "", false},
		{"1.2.3", "", false},
		{"abc", "", false},
		{"-", "", false},
		{"1e5", "", false},
	}
	for _, tt := range parse {
		got, ok := parseGrouped(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseGrouped(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	format := []struct {
		in       string
		decimals int
		want     string
	}{
		{"1234567.5", -1, "1,234,567.5"},
		{"1234567.5", 2, "1,234,567.50"},
		{"-1234.567", 2, "-1,234.57"},
		{"999", 0, "999"},
		{"1000", -1, "1,000"},
		{"0.125", 2, "0.13"},
		{"-0.001", 2, "0.00"},
	}
	for _, tt := range format {
		if got := formatGrouped(tt.in, tt.decimals); got != tt.want {
			t.Errorf("formatGrouped(%q, %d) = %q, want %q", tt.in, tt.decimals, got, tt.want)
		}
	}
}

func TestFormattedNumber(t *testing.T) {
	schema := `{"type": "object", "properties": {
	  "amount": {"type": "number", "title": "Amount"},
	  "price": {"type": "number", "minimum": 0},
	  "count": {"type": "integer"},
	  "code": {"type": "string"},
	  "delta": {"type": "number", "minimum": 0}
	}}`
	ui := `{
	  "amount": {"ui:widget": "formattedNumber", "ui:options": {"decimals": 2, "allowNegative": false}},
	  "price": {"ui:widget": "formattedNumber"},
	  "count": {"ui:widget": "formattedNumber"},
	  "code": {"ui:widget": "formattedNumber", "ui:options": {"decimals": 1}},
	  "delta": {"ui:widget": "formattedNumber", "ui:options": {"allowNegative": true}}
	}`
	f := mustParse(t, schema, ui, map[string]any{"amount": 1234567.5, "count": 12000.0, "code": "9876.5"})

	t.Run("render", func(t *testing.T) {
		fields := f.Fields()
		tests := []struct {
			path, value string
			extra       map[string]string
		}{
			{"amount", "1,234,567.50", map[string]string{"decimals": "2", "allow-negative": "false"}},
			{"price", "", map[string]string{"allow-negative": "false"}},
			{"count", "12,000", map[string]string{"decimals": "0", "allow-negative": "true"}},
			{"code", "9,876.5", map[string]string{"decimals": "1", "allow-negative": "true"}},
			{"delta", "", map[string]string{"allow-negative": "true"}},
		}
		for _, tt := range tests {
			fl := find(t, fields, tt.path)
			if fl.Widget != "formatted-number" || fl.Value != tt.value {
				t.Errorf("%s: widget %q value %q, want %q", tt.path, fl.Widget, fl.Value, tt.value)
			}
			if d := cmp.Diff(tt.extra, fl.Extra); d != "" {
				t.Errorf("%s extra: %s", tt.path, d)
			}
		}
	})

	tests := []struct {
		name string
		post url.Values
		data map[string]any
		errs []FieldError
	}{
		{"separators go, numbers come", url.Values{"amount": {"1,234,567.89"}, "count": {"12,000"}, "code": {"1,234.5"}},
			map[string]any{"amount": 1234567.89, "count": int64(12000), "code": "1234.5"}, nil},
		{"no separators typed", url.Values{"amount": {"5"}, "price": {"0.5"}},
			map[string]any{"amount": int64(5), "price": 0.5}, nil},
		{"too many decimals", url.Values{"amount": {"1.234"}, "code": {"1.25"}, "count": {"1.5"}},
			map[string]any{"amount": 1.234, "code": "1.25", "count": 1.5},
			[]FieldError{{"amount", "must have at most 2 decimal places"}, {"code", "must have at most 1 decimal place"}, {"count", "must be a whole number"}}},
		{"negative refused", url.Values{"amount": {"-5"}, "price": {"-1"}, "delta": {"-2"}},
			map[string]any{"amount": int64(-5), "price": int64(-1), "delta": int64(-2)},
			[]FieldError{{"amount", "must not be negative"}, {"delta", "must be at least 0"}, {"price", "must be at least 0"}}},
		{"not a number kept as typed", url.Values{"amount": {"1,5"}, "code": {"12,34"}},
			map[string]any{"amount": "1,5", "code": "12,34"},
			[]FieldError{{"amount", "must be a number"}, {"code", "must be a number, such as 1,234.56"}}},
		{"empty stays out", url.Values{"amount": {""}, "code": {" "}}, map[string]any{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _, err := f.Decode(tt.post, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.data, data); d != "" {
				t.Errorf("decode: %s", d)
			}
			if d := cmp.Diff(tt.errs, f.Validate(data)); d != "" {
				t.Errorf("validate: %s", d)
			}
		})
	}
}

func TestCalculatedFields(t *testing.T) {
	schema := `{"type": "object", "properties": {
	  "price": {"type": "number"},
	  "qty": {"type": "string"},
	  "rate": {"type": "number"},
	  "subtotal": {"type": "number", "title": "Subtotal"},
	  "total": {"type": "number", "title": "Total"},
	  "line": {"type": "object", "properties": {
	    "hours": {"type": "number"},
	    "cost": {"type": "number"},
	    "share": {"type": "number"}
	  }}
	}}`
	ui := `{
	  "qty": {"ui:widget": "formattedNumber"},
	  "subtotal": {"ui:field": "calculated", "ui:options": {"expression": "price * qty", "format": "number", "decimals": 2}},
	  "total": {"ui:field": "calculated", "ui:options": {"expression": "subtotal * (1 + rate / 100)", "format": "currency", "currency": "EUR"}},
	  "line": {
	    "cost": {"ui:field": "calculated", "ui:options": {"expression": "hours * price"}},
	    "share": {"ui:field": "calculated", "ui:options": {"expression": "cost / $.total * 100", "decimals": 1}}
	  }
	}`
	f := mustParse(t, schema, ui, map[string]any{"price": 1000.0, "qty": "3", "rate": 10.0, "line": map[string]any{"hours": 2.5}})

	// subtotal = 3000; total = 3300 (uses another calculated field);
	// line.cost falls back to the root's price (none in the line) = 2500;
	// line.share uses $.total = 75.757… rounded to 75.8.
	fields := f.Fields()
	tests := []struct{ path, value string }{
		{"subtotal", "3,000.00"},
		{"total", "€3,300.00"},
		{"line.cost", "2,500"},
		{"line.share", "75.8"},
	}
	for _, tt := range tests {
		fl := find(t, fields, tt.path)
		if fl.Widget != "calculated" || fl.Value != tt.value || !fl.ReadOnly {
			t.Errorf("%s: widget %q value %q readonly %v; want %q", tt.path, fl.Widget, fl.Value, fl.ReadOnly, tt.value)
		}
	}
	if e := find(t, fields, "line.share").Extra; e["path"] != "line.share" || e["expression"] != "cost / $.total * 100" || e["decimals"] != "1" {
		t.Errorf("share extra: %v", e)
	}

	// The browser's values for calculated fields are ignored at submit.
	data, _, err := f.Decode(url.Values{"price": {"10"}, "qty": {"1,000"}, "rate": {"0"}, "subtotal": {"1"}, "total": {"2"},
		"line.hours": {"4"}, "line.cost": {"3"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Integral values are ints, as Python reads the browser's JSON.
	want := map[string]any{"price": int64(10), "qty": "1000", "rate": int64(0), "subtotal": int64(10000), "total": int64(10000),
		"line": map[string]any{"hours": int64(4), "cost": int64(40), "share": 0.4}}
	if d := cmp.Diff(want, data); d != "" {
		t.Errorf("decode: %s", d)
	}

	// Missing names are 0; a division by zero leaves the field empty.
	data, _, err = f.Decode(url.Values{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]any{"subtotal": int64(0), "total": int64(0), "line": map[string]any{"cost": int64(0)}}
	if d := cmp.Diff(want, data); d != "" {
		t.Errorf("decode empty: %s", d)
	}
	if fl := find(t, f.WithValues(data).Fields(), "line.share"); fl.Value != "" {
		t.Errorf("share after a division by zero shows %q", fl.Value)
	}
}

func TestCalculatedDisplay(t *testing.T) {
	tests := []struct {
		v    any
		ui   string
		want string
	}{
		{1234.5, `{}`, "1,234.5"},
		{1234.5, `{"ui:options": {"decimals": 0}}`, "1,235"},
		{1234.5, `{"ui:options": {"format": "currency"}}`, "$1,234.50"},
		{-1234.5, `{"ui:options": {"format": "currency", "currency": "gbp", "decimals": 1}}`, "-£1,234.5"},
		{2.0, `{"ui:options": {"format": "currency", "currency": "CHF"}}`, "CHF 2.00"},
		{nil, `{"ui:options": {"format": "currency"}}`, ""},
	}
	for _, tt := range tests {
		f := mustParse(t, `{"type": "object"}`, tt.ui, nil)
		if got := calculatedDisplay(tt.v, f.ui); got != tt.want {
			t.Errorf("calculatedDisplay(%v, %s) = %q, want %q", tt.v, tt.ui, got, tt.want)
		}
	}
}
