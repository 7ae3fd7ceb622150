// Package instructions renders the instructions a BPMN task shows its user
// (spiffworkflow:instructionsForEndUser, and guestConfirmation) as safe
// HTML: Jinja over the task data first (internal/jinja, with autoescape as
// in SpiffArena, so HTML inside data values arrives as text), then Markdown
// with GitHub tables, strikethrough, task lists and autolinks
// (github.com/yuin/goldmark), then sanitising with bluemonday's UGC policy.
//
// This package is the XSS boundary for instructions: model authors may
// write raw HTML in Markdown and task data may hold anything, so nothing
// reaches the page without passing the sanitiser. Script, style, iframe
// and event-handler attributes are removed; links keep only http, https and
// mailto URLs (javascript: and data: links lose their href) and get
// rel="nofollow noopener".
//
// It is a leaf: it imports only internal/jinja.
package instructions

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/waymark-bpm/waymark/internal/jinja"
)

var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	// Raw HTML passes goldmark so that authors' <br> or <details> work;
	// the sanitiser below decides what survives.
	goldmark.WithRendererOptions(html.WithUnsafe()),
)

var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	// GFM task lists render disabled checkboxes.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AllowElements("details", "summary")
	return p
}()

// Render turns instruction text into sanitised HTML. name identifies the
// text in template errors (for example the task's id). An empty text gives
// an empty result.
func Render(name, text string, data map[string]any) (template.HTML, error) {
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	md, err := jinja.Render(name, text, data)
	if err != nil {
		return "", fmt.Errorf("instructions: %w", err)
	}
	return Markdown(md)
}

// Markdown renders Markdown without templating, sanitised.
func Markdown(md string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("instructions: markdown: %w", err)
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes())), nil
}
