package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// maxPreviewBytes bounds what the form preview reads: a schema, its UI
// schema and sample data.
const maxPreviewBytes = 2 << 20

// formFilePair tells, for a JSON file of a model, whether it is a form
// schema or a UI schema and which file is its partner, by SpiffArena's
// names: "x-schema.json" goes with "x-uischema.json". ok is false for
// other files.
func formFilePair(name string) (isUI bool, partner string, ok bool) {
	lower := strings.ToLower(name)
	for _, suf := range []string{"-uischema.json", "_uischema.json", "-ui-schema.json", "_ui_schema.json"} {
		if strings.HasSuffix(lower, suf) {
			return true, name[:len(name)-len(suf)] + suf[:1] + "schema.json", true
		}
	}
	for _, suf := range []string{"-schema.json", "_schema.json"} {
		if strings.HasSuffix(lower, suf) {
			return false, name[:len(name)-len(suf)] + suf[:1] + "uischema.json", true
		}
	}
	return false, "", false
}

// modelFilePreview renders the form a schema file describes, as the
// analyst types it (form field "content"), with its partner file from the
// model (the UI schema for a schema, the schema for a UI schema), filled
// with the sample data (form field "sample", a JSON object) and showing
// what the validation finds in it. htmx swaps the answer beside the
// editor; nothing is stored.
func (s *Server) modelFilePreview(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPreviewBytes)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("the preview form could not be read: %v: %w", err, errBadRequest)
	}
	modelID, name := pathID(r), r.PathValue("name")
	if _, err := s.models.File(modelID, name); err != nil {
		return err
	}
	isUI, partner, ok := formFilePair(name)
	if !ok {
		return fmt.Errorf("%s is not a form schema or UI schema: %w", name, errPageNotFound)
	}
	v := templates.FormPreviewView{}
	typed := []byte(r.PostFormValue("content"))
	schemaName, schema, uiName, ui := name, typed, partner, []byte(nil)
	other, err := s.models.ReadFile(modelID, partner)
	switch {
	case errors.Is(err, models.ErrNotFound):
		if isUI {
			v.Error = fmt.Sprintf("The form schema %s that goes with this UI schema is not in the model.", partner)
			return s.renderPreview(w, r, v)
		}
	case err != nil:
		return err
	default:
		if isUI {
			schemaName, schema, uiName, ui = partner, other, name, typed
		} else {
			ui = other
		}
		v.Partner = partner
	}
	sample := map[string]any{}
	if text := strings.TrimSpace(r.PostFormValue("sample")); text != "" {
		dec := json.NewDecoder(bytes.NewReader([]byte(text)))
		dec.UseNumber()
		if err := dec.Decode(&sample); err != nil {
			v.Error = "The sample data must be a JSON object: " + err.Error()
			return s.renderPreview(w, r, v)
		}
		sample = plainNumbers(sample).(map[string]any)
	}
	form, err := forms.ParseFiles(schemaName, schema, uiName, ui, sample)
	if err != nil {
		v.Error = err.Error()
		return s.renderPreview(w, r, v)
	}
	form = form.WithValues(sample)
	if r.PostFormValue("sample") != "" {
		v.Checked = true
		v.Problems = form.Validate(sample)
		form = form.WithErrors(v.Problems)
	}
	v.Form = &templates.FormView{ID: "form-preview-form", Form: form, SubmitDefault: "Submit"}
	return s.renderPreview(w, r, v)
}

func (s *Server) renderPreview(w http.ResponseWriter, r *http.Request, v templates.FormPreviewView) error {
	status := http.StatusOK
	if v.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, templates.FormPreview(v), templates.FormPreview(v))
}

// plainNumbers turns json.Numbers into int64 when integral, else float64,
// as task data holds them.
func plainNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = plainNumbers(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = plainNumbers(x)
		}
		return v
	}
	return v
}
