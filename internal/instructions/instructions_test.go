package instructions

import (
	"errors"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/waymark-bpm/waymark/internal/jinja"
)

func doc(t *testing.T, h string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(h))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMarkdownAndTemplating(t *testing.T) {
	data := map[string]any{
		"name":   "Ann",
		"amount": 1200.0,
		"items": []any{
			map[string]any{"sku": "A-1", "qty": 2.0},
			map[string]any{"sku": "B-2", "qty": 1.0},
		},
		"approved": true,
		"tags":     []any{"urgent", "travel"},
		"person":   map[string]any{"email": "ann@example.com"},
	}
	tests := []struct {
		name, src string
		selector  string
		text      string
	}{
		{"heading with variable", "# Hello {{ name }}", "h1", "Hello Ann"},
		{"whole number prints as int", "Total: **{{ amount }}**", "strong", "1200"},
		{"subscript", "Mail {{ person['email'] }}", "p", "Mail ann@example.com"},
		{"if", "{% if approved %}Approved{% else %}Rejected{% endif %}", "p", "Approved"},
		{"join filter", "Tags: {{ tags|join(', ') }}", "p", "Tags: urgent, travel"},
		{"for loop list", "{% for i in items %}\n- {{ i.sku }} x{{ i.qty }}\n{% endfor %}", "ul li:nth-child(2)", "B-2 x1"},
		{"gfm table", "| SKU | Qty |\n|---|---|\n{% for i in items %}\n| {{ i.sku }} | {{ i.qty }} |\n{% endfor %}", "table tbody tr:nth-child(1) td:nth-child(1)", "A-1"},
		{"table header", "| SKU | Qty |\n|---|---|\n| a | 1 |", "table thead th:nth-child(2)", "Qty"},
		{"strikethrough", "~~old~~ new", "del", "old"},
		{"link", "[docs](https://example.com/docs)", `a[href="https://example.com/docs"][rel~="nofollow"]`, "docs"},
		{"autolink", "see https://example.com", `a[href="https://example.com"]`, "https://example.com"},
		{"code", "`x = 1`", "code", "x = 1"},
		{"task list", "- [x] done\n- [ ] todo", `li input[type="checkbox"][checked][disabled]`, ""},
		{"sanitize_for_md", "{{ '*not bold*'|sanitize_for_md }}", "p", "*not bold*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Render("task", tt.src, data)
			if err != nil {
				t.Fatal(err)
			}
			sel := doc(t, string(h)).Find(tt.selector)
			if sel.Length() == 0 {
				t.Fatalf("no %s in %s", tt.selector, h)
			}
			if got := strings.TrimSpace(sel.First().Text()); got != tt.text {
				t.Errorf("%s text = %q, want %q (html %s)", tt.selector, got, tt.text, h)
			}
		})
	}
}

func TestSanitising(t *testing.T) {
	tests := []struct {
		name string
		src  string
		data map[string]any
		// forbidden selectors that must match nothing
		forbidden []string
		// keep is text that must survive
		keep string
	}{
		{"script tag", "Hi <script>alert(1)</script> there", nil, []string{"script"}, "Hi"},
		{"onerror attribute", `<img src="x.png" onerror="alert(1)">`, nil, []string{"[onerror]"}, ""},
		{"javascript link in html", `<a href="javascript:alert(1)">click</a>`, nil, []string{`a[href^="javascript"]`}, "click"},
		{"javascript link in markdown", `[click](javascript:alert(1))`, nil, []string{`a[href*="javascript"]`}, "click"},
		{"encoded javascript link", `[click](jav&#x09;ascript:alert(1))`, nil, []string{`a[href*="script"]`}, "click"},
		{"data link", `[x](data:text/html;base64,PHNjcmlwdD4=)`, nil, []string{`a[href^="data"]`}, "x"},
		{"iframe", `<iframe src="https://evil.example"></iframe>text`, nil, []string{"iframe"}, "text"},
		{"style and onclick", `<p style="position:fixed" onclick="x()">p</p>`, nil, []string{"[style]", "[onclick]"}, "p"},
		{"form inputs", `<form action="https://evil.example"><input type="password" name="p"></form>`, nil, []string{"form", `input[type="password"]`}, ""},
		{"svg onload", `<svg onload="alert(1)"><circle r="1"/></svg>ok`, nil, []string{"svg", "[onload]"}, "ok"},
		{"raw html in template", `{% if true %}<script>alert(1)</script>{% endif %}done`, nil, []string{"script"}, "done"},
		{"html in a value is text", "Hello {{ name }}", map[string]any{"name": `<script>alert(1)</script><b>x</b>`}, []string{"script", "b"}, "Hello <script>alert(1)</script><b>x</b>"},
		{"value building a javascript link", "[link]({{ url }})", map[string]any{"url": "javascript:alert(1)"}, []string{`a[href*="javascript"]`}, "link"},
		{"value breaking out of an attribute", `<a href="{{ url }}">x</a>`, map[string]any{"url": `" onmouseover="alert(1)`}, []string{"[onmouseover]"}, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Render("task", tt.src, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			d := doc(t, string(h))
			for _, sel := range tt.forbidden {
				if d.Find(sel).Length() > 0 {
					t.Errorf("%s survived: %s", sel, h)
				}
			}
			if low := strings.ToLower(string(h)); strings.Contains(low, "javascript:") || strings.Contains(low, "<script") {
				t.Errorf("dangerous text survived: %s", h)
			}
			if tt.keep != "" && !strings.Contains(d.Text(), tt.keep) {
				t.Errorf("text %q lost: %s", tt.keep, h)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	_, err := Render("approve_task", "Hello\n{{ x|nosuchfilter }}", nil)
	var je *jinja.Error
	if !errors.As(err, &je) || je.Name != "approve_task" || je.Line != 2 {
		t.Fatalf("err = %v, want a template error on line 2 of approve_task", err)
	}
	if h, err := Render("t", "   ", nil); err != nil || h != "" {
		t.Errorf("empty: %q %v", h, err)
	}
}
