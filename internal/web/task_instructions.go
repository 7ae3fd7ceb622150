package web

import "html"

// instructionsHTML renders a task's instructions for the page. Until the
// Markdown renderer is wired in, the text is shown escaped, as written.
func instructionsHTML(text string, data map[string]any) string {
	if text == "" {
		return ""
	}
	return `<p class="instructions-text">` + html.EscapeString(text) + `</p>`
}
