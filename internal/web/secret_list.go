package web

import (
	"context"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// Secrets keeps the values service tasks and scripts use by name
// (internal/secrets); the pages list names and set and delete values, and
// never show a value.
type Secrets interface {
	Set(ctx context.Context, name, value, by string) error
	List(ctx context.Context) ([]store.Secret, error)
	// Info returns one secret's row without its value, or an error
	// matching store.ErrNotFound.
	Info(ctx context.Context, name string) (store.Secret, error)
	Delete(ctx context.Context, name string) error
}

// secretList is the admin page of the secrets.
func (s *Server) secretList(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecrets(w, r, http.StatusOK, "", "")
}

func (s *Server) renderSecrets(w http.ResponseWriter, r *http.Request, status int, name, msg string) error {
	if s.secrets == nil {
		return errPageNotFound
	}
	b, err := s.base(w, r, "Secrets", "")
	if err != nil {
		return err
	}
	list, err := s.secrets.List(r.Context())
	if err != nil {
		return err
	}
	v := templates.SecretsView{Base: b, Name: name, Error: msg}
	for _, sec := range list {
		v.Secrets = append(v.Secrets, templates.SecretRow{Name: sec.Name, UpdatedBy: sec.UpdatedBy, Updated: sec.UpdatedAt})
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, templates.SecretsPage(v), nil)
}
