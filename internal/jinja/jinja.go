// Package jinja renders the Jinja templates SpiffArena models carry: form
// schema files, UI-schema files and end-user instructions. SpiffArena renders
// them with Python's jinja2 (autoescape on, trim_blocks, lstrip_blocks) and
// the task data as the context; this package does the same over
// github.com/nikolalohinski/gonja/v2, a Go implementation of the Jinja
// language, so {{ var }}, {{ a.b }}, {{ d['k'] }}, filters (join, tojson,
// default, upper, round, ...), {% if %}, {% for %} and {% set %} behave as
// model authors expect.
//
// Differences from jinja2 worth knowing: numbers that arrive from JSON as
// whole floats are passed in as integers (so {{ n }} prints 3, not 3.0, as
// it would for a Python int), and templates can neither include other
// templates nor reach the file system (there is no loader beyond the one
// template). The helper sanitize_for_md is available as a filter and as a
// function, as in SpiffArena.
//
// It is a leaf: it imports no project package.
package jinja

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
)

// Error is a template that failed to parse or render. Line is 1-based, 0
// when the underlying library did not say.
type Error struct {
	Name string // the template's name, usually its file name
	Line int
	Text string // the offending line, when Line is known
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Text != "" {
		fmt.Fprintf(&b, " (in %q)", e.Text)
	}
	return b.String()
}

var environment = func() *exec.Environment {
	filters := exec.NewFilterSet(map[string]exec.FilterFunction{})
	filters.Update(builtins.Filters)
	_ = filters.Register("sanitize_for_md", func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		return exec.AsValue(SanitizeForMarkdown(in.String()))
	})
	ctx := gonja.DefaultContext.Inherit()
	ctx.Set("sanitize_for_md", func(s string) string { return SanitizeForMarkdown(s) })
	return &exec.Environment{
		Context:           ctx,
		Filters:           filters,
		Tests:             builtins.Tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           builtins.Methods,
	}
}()

func newConfig() *config.Config {
	cfg := config.New()
	cfg.AutoEscape = true
	cfg.TrimBlocks = true
	cfg.LeftStripBlocks = true
	cfg.KeepTrailingNewline = true
	return cfg
}

// HasMarkup reports whether src holds any Jinja markup: an expression,
// a statement or a comment. Text without any renders as itself.
func HasMarkup(src string) bool {
	return strings.Contains(src, "{{") || strings.Contains(src, "{%") || strings.Contains(src, "{#")
}

// Render renders src with data as the context. name identifies the template
// in errors (a file name, or "instructions"). Values substituted into the
// output are HTML-escaped unless marked |safe, as in SpiffArena.
func Render(name, src string, data map[string]any) (out string, err error) {
	if !HasMarkup(src) {
		return src, nil
	}
	defer func() {
		// The library panics on a few malformed inputs; report them as
		// template errors rather than taking the request down.
		if r := recover(); r != nil {
			out, err = "", &Error{Name: name, Msg: fmt.Sprint(r)}
		}
	}()
	loader, err := loaders.NewMemoryLoader(map[string]string{"/" + "template": src})
	if err != nil {
		return "", &Error{Name: name, Msg: err.Error()}
	}
	tpl, err := exec.NewTemplate("/template", newConfig(), loader, environment)
	if err != nil {
		return "", wrap(name, src, err)
	}
	out, err = tpl.ExecuteToString(exec.NewContext(Context(data)))
	if err != nil {
		return "", wrap(name, src, err)
	}
	return out, nil
}

// Check parses src without rendering it and returns its syntax error, if
// any, as *Error: saving a model and `web check` find a broken template
// before a task shows it.
func Check(name, src string) (err error) {
	if !HasMarkup(src) {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Name: name, Msg: fmt.Sprint(r)}
		}
	}()
	loader, err := loaders.NewMemoryLoader(map[string]string{"/" + "template": src})
	if err != nil {
		return &Error{Name: name, Msg: err.Error()}
	}
	if _, err := exec.NewTemplate("/template", newConfig(), loader, environment); err != nil {
		return wrap(name, src, err)
	}
	return nil
}

// Context converts task data to the values a template sees: whole float64
// numbers (how encoding/json decodes every number) become ints, so that
// they print and compare as the Python ints they were.
func Context(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = pythonish(v)
	}
	return out
}

func pythonish(v any) any {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v)
		}
		return v
	case map[string]any:
		return Context(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = pythonish(e)
		}
		return out
	}
	return v
}

var parseFailRe = regexp.MustCompile(`(?s)^failed to parse template '.*?': `)

var lineRe = regexp.MustCompile(`[Ll]ine[ :=]*(\d+)`)

// wrap turns a library error into *Error, finding the line number in its
// message where it gives one.
func wrap(name, src string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "unable to execute template: ")
	if m := parseFailRe.FindStringSubmatchIndex(msg); m != nil {
		msg = "syntax error: " + msg[m[1]:]
	}
	e := &Error{Name: name, Msg: msg}
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			e.Line = n
			lines := strings.Split(src, "\n")
			if n >= 1 && n <= len(lines) {
				e.Text = strings.TrimSpace(lines[n-1])
			}
		}
	}
	return e
}

// IsError reports whether err is a template error.
func IsError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// SanitizeForMarkdown backslash-escapes the characters Markdown gives a
// meaning to and drops newlines, so a task-data value can be placed in
// Markdown as plain text (SpiffArena's sanitize_for_md).
func SanitizeForMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r':
			continue
		case '_', '*', '[', ']', '(', ')', '~', '`', '#', '+', '-', '=', '|', '{', '}', '!':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
