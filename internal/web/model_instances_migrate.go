package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// modelInstancesMigrateShow is the dry run of moving every instance of a
// model that has not ended onto the model as it is now.
func (s *Server) modelInstancesMigrateShow(w http.ResponseWriter, r *http.Request) error {
	modelID := modelIDFromURL(r.PathValue("id"))
	all, err := s.runner.MigrateAll(r.Context(), actor(r), modelID, true)
	if err != nil {
		return err
	}
	b, err := s.base(w, r, "Migrate instances of "+modelID, templates.SectionInstances)
	if err != nil {
		return err
	}
	v := templates.MigrationView{Base: b, Heading: "Migrate the instances of " + modelID + " to the model as it is now",
		BackURL: s.prefix.URL("/instances?model=" + urlID(modelID)), BackText: "Back to the instances"}
	movable := false
	for _, m := range all {
		v.Rows = append(v.Rows, s.migrationRow(m))
		movable = movable || (m.Needed && len(m.Unmappable) == 0 && m.Error == "")
	}
	if movable {
		v.MigrateURL = s.prefix.URL("/process-models/" + urlID(modelID) + "/migrate")
	}
	return s.render(w, r, http.StatusOK, templates.MigrationPage(v), nil)
}

// modelInstancesMigrate moves every instance of the model that can be
// mapped onto the model as it is now; the others are left as they are,
// and the dry run page, shown again, lists why.
func (s *Server) modelInstancesMigrate(w http.ResponseWriter, r *http.Request) error {
	modelID := modelIDFromURL(r.PathValue("id"))
	all, err := s.runner.MigrateAll(r.Context(), actor(r), modelID, false)
	if err != nil {
		return err
	}
	moved, left := 0, 0
	for _, m := range all {
		switch {
		case m.Migrated:
			moved++
		case m.Error != "" || len(m.Unmappable) > 0:
			left++
		}
	}
	msg := fmt.Sprintf("%s migrated, %s left as %s.", templates.Count(moved, "instance", "instances"), templates.Count(left, "instance", "instances"), map[bool]string{true: "it was", false: "they were"}[left == 1])
	return s.flashRedirect(w, r, msg, s.prefix.URL("/process-models/"+urlID(modelID)+"/migrate"))
}
