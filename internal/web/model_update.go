package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
)

// modelUpdate saves a model's settings (process_model.json).
func (s *Server) modelUpdate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	m, err := s.models.Model(id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm(err)
	}
	in := models.ModelInput{
		DisplayName:               r.PostFormValue("display_name"),
		Description:               r.PostFormValue("description"),
		PrimaryFileName:           r.PostFormValue("primary_file_name"),
		PrimaryProcessID:          strings.TrimSpace(r.PostFormValue("primary_process_id")),
		FaultOrSuspendOnException: r.PostFormValue("fault_or_suspend_on_exception"),
	}
	for _, line := range strings.Split(r.PostFormValue("exception_notification_addresses"), "\n") {
		if a := strings.TrimSpace(line); a != "" {
			in.ExceptionNotificationAddresses = append(in.ExceptionNotificationAddresses, a)
		}
	}
	keys, paths := r.PostForm["metadata_key"], r.PostForm["metadata_path"]
	for i := range keys {
		k, p := strings.TrimSpace(keys[i]), ""
		if i < len(paths) {
			p = strings.TrimSpace(paths[i])
		}
		if k == "" && p == "" {
			continue
		}
		in.MetadataExtractionPaths = append(in.MetadataExtractionPaths, models.MetadataPath{Key: k, Path: p})
	}
	in.DisplayOrder, err = formInt(r, "display_order")
	if err == nil {
		err = s.models.UpdateModel(r.Context(), id, in)
	}
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return s.renderModelForm(w, r, m, in, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return s.flashRedirect(w, r, "Settings saved.", s.modelURL(id)+"/settings")
}

// errBadForm wraps a form that could not be parsed.
func errBadForm(err error) error {
	return &badFormError{err}
}

type badFormError struct{ err error }

func (e *badFormError) Error() string { return "read form: " + e.err.Error() }
func (e *badFormError) Unwrap() error { return models.ErrInvalid }
