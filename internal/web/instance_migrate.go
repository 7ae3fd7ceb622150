package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/web/templates"
)

// instanceMigrateShow is the dry run of moving an instance onto its model
// as it is now: what stays as history, and what cannot be mapped. It
// writes nothing; its form posts to instanceMigrate.
func (s *Server) instanceMigrateShow(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	m, err := s.runner.Migrate(r.Context(), actor(r), id, true)
	if err != nil {
		return err
	}
	b, err := s.base(w, r, fmt.Sprintf("Migrate instance %d", id), templates.SectionInstances)
	if err != nil {
		return err
	}
	v := templates.MigrationView{Base: b, Heading: fmt.Sprintf("Migrate instance #%d to the model as it is now", id),
		BackURL: s.prefix.URL(fmt.Sprintf("/instances/%d", id)), BackText: "Back to the instance",
		Rows: []templates.MigrationRow{s.migrationRow(m)}}
	if m.Needed && len(m.Unmappable) == 0 {
		v.MigrateURL = s.prefix.URL(fmt.Sprintf("/instances/%d/migrate", id))
	}
	return s.render(w, r, http.StatusOK, templates.MigrationPage(v), nil)
}

// instanceMigrate moves an instance onto its model as it is now and shows
// it again; it is refused, naming the tasks, when one cannot be mapped.
func (s *Server) instanceMigrate(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	m, err := s.runner.Migrate(r.Context(), actor(r), id, false)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Instance #%d already runs on the model as it is now; nothing was changed.", id)
	if m.Migrated {
		msg = fmt.Sprintf("Instance #%d migrated to the model as it is now.", id) + s.instanceOutcome(r, id)
	}
	return s.flashRedirect(w, r, msg, s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}

func (s *Server) migrationRow(m runner.Migration) templates.MigrationRow {
	row := templates.MigrationRow{InstanceID: m.InstanceID, InstanceURL: s.prefix.URL(fmt.Sprintf("/instances/%d", m.InstanceID)),
		Status: m.Status, Needed: m.Needed, Error: m.Error}
	for _, u := range m.Unmappable {
		row.Unmappable = append(row.Unmappable, u.Message)
	}
	for _, rm := range m.Removed {
		row.Removed = append(row.Removed, rm.Message)
	}
	return row
}
