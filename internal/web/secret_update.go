package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/secrets"
)

const (
	eventSecretSet     = "secret-set"
	eventSecretDeleted = "secret-deleted"
)

// secretUpdate sets a secret from the admin page (creating it, or giving
// an existing one a new value). The value is never sent back.
func (s *Server) secretUpdate(w http.ResponseWriter, r *http.Request) error {
	if s.secrets == nil {
		return errPageNotFound
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	value := r.PostFormValue("value")
	if err := secrets.CheckName(name); err != nil {
		return s.renderSecrets(w, r, http.StatusUnprocessableEntity, name, "The name may use letters, digits and _ only (SPIFF_SECRET:name stops at any other character).")
	}
	if value == "" {
		return s.renderSecrets(w, r, http.StatusUnprocessableEntity, name, "Give the secret a value.")
	}
	st := state(r)
	if err := s.secrets.Set(r.Context(), name, value, st.user.Username); err != nil {
		return err
	}
	if err := s.adminAudit(r, eventSecretSet, "", name); err != nil {
		return err
	}
	st.session.SetFlash("The secret " + name + " was saved.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/admin/secrets"))
	return nil
}

// secretDelete deletes a secret.
func (s *Server) secretDelete(w http.ResponseWriter, r *http.Request) error {
	if s.secrets == nil {
		return errPageNotFound
	}
	name := r.PathValue("name")
	err := s.secrets.Delete(r.Context(), name)
	if errors.Is(err, secrets.ErrNotFound) {
		return errPageNotFound
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, eventSecretDeleted, "", name); err != nil {
		return err
	}
	st := state(r)
	st.session.SetFlash("The secret " + name + " was deleted.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/admin/secrets"))
	return nil
}
