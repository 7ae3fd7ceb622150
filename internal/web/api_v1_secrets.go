package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/waymark-bpm/waymark/internal/secrets"
	"github.com/waymark-bpm/waymark/internal/store"
)

// The secrets of the machine API, as the admin page has them (the same
// permissions, the same audit entries): names and dates are listed, values
// are set and deleted, and no answer ever holds a value.

// apiV1Secret is a secret as the API lists it: never its value.
type apiV1Secret struct {
	Name      string `json:"name"`
	CreatedBy string `json:"created_by"`
	CreatedAt string `json:"created_at"`
	UpdatedBy string `json:"updated_by"`
	UpdatedAt string `json:"updated_at"`
}

func toAPIV1Secret(s store.Secret) apiV1Secret {
	return apiV1Secret{Name: s.Name, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt.UTC().Format(time.RFC3339),
		UpdatedBy: s.UpdatedBy, UpdatedAt: s.UpdatedAt.UTC().Format(time.RFC3339)}
}

// maxSecretBody bounds the JSON body that sets a secret.
const maxSecretBody = 1 << 20

// apiV1SecretList answers GET /api/v1/secrets: {"results": [...]} sorted
// by name.
func (s *Server) apiV1SecretList(w http.ResponseWriter, r *http.Request) error {
	if s.secrets == nil {
		return errPageNotFound
	}
	list, err := s.secrets.List(r.Context())
	if err != nil {
		return err
	}
	out := []apiV1Secret{}
	for _, sec := range list {
		out = append(out, toAPIV1Secret(sec))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

// apiV1SecretCreate answers POST /api/v1/secrets with {"name", "value"}:
// 201 with the new secret, 409 when the name is taken (PUT replaces).
func (s *Server) apiV1SecretCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	}
	if err := s.decodeSecret(w, r, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return badInput("name: give the secret's name")
	}
	if _, err := s.secretByName(r, *in.Name); err == nil {
		return fmt.Errorf("secret %s exists: %w", *in.Name, store.ErrConflict)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.setSecret(w, r, *in.Name, in.Value, http.StatusCreated)
}

// apiV1SecretUpdate answers PUT /api/v1/secrets/{name} with {"value"}: it
// gives the secret a new value, or creates it.
func (s *Server) apiV1SecretUpdate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Value *string `json:"value"`
	}
	if err := s.decodeSecret(w, r, &in); err != nil {
		return err
	}
	return s.setSecret(w, r, r.PathValue("name"), in.Value, http.StatusOK)
}

// apiV1SecretDelete answers DELETE /api/v1/secrets/{name}: 204, or 404.
func (s *Server) apiV1SecretDelete(w http.ResponseWriter, r *http.Request) error {
	if s.secrets == nil {
		return errPageNotFound
	}
	name := r.PathValue("name")
	err := s.secrets.Delete(r.Context(), name)
	if errors.Is(err, secrets.ErrNotFound) {
		return fmt.Errorf("secret %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, eventSecretDeleted, "", name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decodeSecret reads a JSON object with only the fields of dst.
func (s *Server) decodeSecret(w http.ResponseWriter, r *http.Request, dst any) error {
	if s.secrets == nil {
		return errPageNotFound
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSecretBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badInput("the body must be a JSON object with the fields name and value (a string each): %v", err)
	}
	return nil
}

// setSecret checks and stores a value, audits it and answers with the
// secret's name and dates.
func (s *Server) setSecret(w http.ResponseWriter, r *http.Request, name string, value *string, status int) error {
	if err := secrets.CheckName(name); err != nil {
		return badInput("name %q: use letters, digits and _ only (SPIFF_SECRET:name stops at any other character)", name)
	}
	if value == nil || *value == "" {
		return badInput("value: give the secret a value")
	}
	if err := s.secrets.Set(r.Context(), name, *value, state(r).user.Username); err != nil {
		return err
	}
	if err := s.adminAudit(r, eventSecretSet, "", name); err != nil {
		return err
	}
	sec, err := s.secretByName(r, name)
	if err != nil {
		return err
	}
	return writeJSON(w, status, toAPIV1Secret(sec))
}

// secretByName finds a secret's row (without its value), or
// store.ErrNotFound.
func (s *Server) secretByName(r *http.Request, name string) (store.Secret, error) {
	return s.secrets.Info(r.Context(), name)
}
