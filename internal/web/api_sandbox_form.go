package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/web/templates"
)

// Fields of the sandbox form request that are not form fields.
const (
	sandboxSchemaField   = "wm_sandbox_schema"
	sandboxUISchemaField = "wm_sandbox_uischema"
	sandboxDataField     = "wm_sandbox_data"
	sandboxModeField     = "wm_sandbox_mode"
)

// apiSandboxForm serves a user task's real form during a test run in the
// editor. With wm_sandbox_mode=render it answers the form's fields as HTML,
// filled from the run's data (wm_sandbox_data, JSON); with submit it
// decodes the posted fields as a task submission and answers {"data",
// "problems"}. The schema files (wm_sandbox_schema, wm_sandbox_uischema)
// are read from the model in the URL
// (POST /api/process-models/{id}/sandbox/form). Nothing is stored.
func (s *Server) apiSandboxForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPreviewBytes)
	if err := r.ParseForm(); err != nil {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "The form could not be read: " + err.Error()})
	}
	if s.models == nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Forms are not available on this server."})
	}
	model, schemaName, uiName := pathID(r), r.PostFormValue(sandboxSchemaField), r.PostFormValue(sandboxUISchemaField)
	fail := func(msg string) error {
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": msg})
	}
	schema, err := s.models.ReadFile(model, schemaName)
	if err != nil {
		return fail(fmt.Sprintf("The form schema %s of the model %s cannot be read: %v", schemaName, model, err))
	}
	var ui []byte
	if uiName != "" {
		if ui, err = s.models.ReadFile(model, uiName); err != nil {
			return fail(fmt.Sprintf("The UI schema %s of the model %s cannot be read: %v", uiName, model, err))
		}
	}
	data := map[string]any{}
	if text := strings.TrimSpace(r.PostFormValue(sandboxDataField)); text != "" {
		dec := json.NewDecoder(bytes.NewReader([]byte(text)))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return fail("The run's data is not a JSON object: " + err.Error())
		}
		data = plainNumbers(data).(map[string]any)
	}
	form, err := forms.ParseFiles(schemaName, schema, uiName, ui, data)
	if err != nil {
		return fail("The form cannot be shown: " + err.Error())
	}
	if r.PostFormValue(sandboxModeField) != "submit" {
		v := templates.FormView{ID: "sandbox-form", Form: form, SubmitDefault: "Submit"}
		return s.render(w, r, http.StatusOK, templates.FormFields(v), nil)
	}
	values := url.Values{}
	for k, vs := range r.PostForm {
		if !strings.HasPrefix(k, "wm_sandbox_") {
			values[k] = vs
		}
	}
	submitted, _, err := form.Decode(values, nil)
	if err != nil {
		return fail("The form could not be read: " + err.Error())
	}
	problems := []string{}
	for _, p := range form.Validate(submitted) {
		problems = append(problems, p.Error())
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": submitted, "problems": problems})
}
