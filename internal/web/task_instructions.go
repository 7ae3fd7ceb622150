package web

import (
	"html"

	"github.com/waymark-bpm/waymark/internal/instructions"
)

// instructionsHTML renders a task's instructions (Jinja over the task
// data, then Markdown, sanitised by internal/instructions). A template
// error is shown in their place, as text, so the task stays usable.
func instructionsHTML(elementID, text string, data map[string]any) string {
	out, err := instructions.Render(elementID, text, data)
	if err != nil {
		return `<p class="field-error">` + html.EscapeString(err.Error()) + `</p>`
	}
	return string(out)
}
