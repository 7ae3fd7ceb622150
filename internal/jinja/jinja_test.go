package jinja

import (
	"errors"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	data := map[string]any{
		"name":  "<b>Ann</b>",
		"n":     float64(3),
		"price": 2.5,
		"d":     map[string]any{"k": `say "hi"`, "nested": map[string]any{"x": float64(7)}},
		"xs":    []any{"a", "b<"},
		"users": []any{map[string]any{"name": "x"}, map[string]any{"name": "y"}},
		"flag":  true,
	}
	tests := []struct {
		name, src, want string
	}{
		{"plain text untouched", `{"a": 1}`, `{"a": 1}`},
		{"variable escaped", `Hi {{ name }}`, `Hi &lt;b&gt;Ann&lt;/b&gt;`},
		{"no spaces", `{{n}}`, `3`},
		{"whole float prints as int", `{{ n }} {{ price }}`, `3 2.5`},
		{"attribute", `{{ d.nested.x }}`, `7`},
		{"subscript", `{{ d['k'] }}`, `say &#34;hi&#34;`},
		{"join filter", `{{ xs|join(', ') }}`, `a, b&lt;`},
		{"tojson", `{{ xs|tojson }}`, `["a","b\u003c"]`},
		{"safe", `{{ name|safe }}`, `<b>Ann</b>`},
		{"default", `{{ missing|default('none') }}`, `none`},
		{"missing is empty", `[{{ missing }}]`, `[]`},
		{"if else", `{% if n > 2 %}big{% else %}small{% endif %}`, `big`},
		{"if comparing int", `{% if n == 3 %}three{% endif %}`, `three`},
		{"for with trim and lstrip", "list:\n  {% for u in users %}\n- {{ u.name }}\n  {% endfor %}\ndone", "list:\n- x\n- y\ndone"},
		{"loop index", `{% for x in xs %}{{ loop.index }}{% endfor %}`, `12`},
		{"set", `{% set y = n * 2 %}{{ y }}`, `6`},
		{"upper length", `{{ xs|length }} {{ d.k|upper }}`, `2 SAY &#34;HI&#34;`},
		{"sanitize filter", `{{ '*b* [x](y)'|sanitize_for_md }}`, `\*b\* \[x\]\(y\)`},
		{"sanitize function", `{{ sanitize_for_md('a_b') }}`, `a\_b`},
		{"comment", `a{# note #}b`, `ab`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render("t.json", tt.src, data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name, src, wantIn string
	}{
		{"unclosed if", "ok\n{% if %}", "syntax error"},
		{"unknown filter", "{{ x|nosuchfilter }}", "nosuchfilter"},
		{"unclosed for", "{% for x in xs %}", "t.json"},
		{"unclosed variable", "{{ x ", "t.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render("t.json", tt.src, map[string]any{"xs": []any{1}})
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not mention %q", err, tt.wantIn)
			}
		})
	}
}

func TestSanitizeForMarkdown(t *testing.T) {
	got := SanitizeForMarkdown("# Title\nline_2 `code` !x {y} a|b 1+1=2 ~s~")
	want := `\# Titleline\_2 \` + "`" + `code\` + "`" + ` \!x \{y\} a\|b 1\+1\=2 \~s\~`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	for _, good := range []string{"plain text", "Hello {{ name }}", "{% for x in items %}{{ x }}{% endfor %}", "{# note #}"} {
		if err := Check("instructions", good); err != nil {
			t.Errorf("Check(%q): %v", good, err)
		}
	}
	for src, line := range map[string]int{
		"Hello {{ name }":                  0,
		"a\n{% for x in items %}{{ x }}":   0,
		"ok\nok\n{% if x %}yes{% endfi %}": 0,
	} {
		err := Check("instructions", src)
		var e *Error
		if !errors.As(err, &e) || e.Name != "instructions" || (line > 0 && e.Line != line) {
			t.Errorf("Check(%q) = %v, want a template error (line %d)", src, err, line)
		}
	}
}
