package templates

import (
	"github.com/a-h/templ"

	"github.com/waymark-bpm/waymark/internal/forms"
)

// FormView is what the Form component needs to render a task form.
type FormView struct {
	// ID is the <form> element's id (default "task-form"); htmx swaps the
	// form by it.
	ID string
	// Action is the URL the form posts to (already prefixed).
	Action    string
	CSRFToken string
	Form      *forms.Form
	// SubmitDefault is the submit label when the UI schema names none
	// ("Submit" for user tasks, "Continue" for manual tasks).
	SubmitDefault string
}

func (v FormView) formID() string {
	if v.ID == "" {
		return "task-form"
	}
	return v.ID
}

// actionAttrs are the htmx attributes of the buttons and fields that
// re-render the form: post it and swap in the same form from the answer.
func (v FormView) actionAttrs() templ.Attributes {
	id := "#" + v.formID()
	return templ.Attributes{
		"hx-post":   v.Action,
		"hx-target": id,
		"hx-select": id,
		"hx-swap":   "outerHTML",
	}
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

// inputType maps a field's widget to an <input type>.
func inputType(fl *forms.Field) string {
	switch fl.Widget {
	case "password", "email", "url", "date", "number", "color":
		return fl.Widget
	case "datetime":
		return "datetime-local"
	}
	return "text"
}

// inputMode helps phone keyboards for formatted numbers.
func inputMode(fl *forms.Field) string {
	if fl.Widget == "formatted-number" {
		return "decimal"
	}
	return ""
}

func cellClass(c forms.LayoutCell) string {
	class := "form-cell"
	if c.SM > 0 {
		class += " sm-" + itoa(c.SM)
	}
	if c.MD > 0 {
		class += " md-" + itoa(c.MD)
	}
	if c.LG > 0 {
		class += " lg-" + itoa(c.LG)
	}
	return class
}

// extraAttrs passes widget settings on as data-* attributes.
func extraAttrs(fl *forms.Field) templ.Attributes {
	out := templ.Attributes{}
	for k, v := range fl.Extra {
		out["data-"+k] = v
	}
	return out
}

func lenName(fl *forms.Field) string { return "__len:" + fl.Path }

func itemCount(fl *forms.Field) string { return itoa(len(fl.Fields)) }
