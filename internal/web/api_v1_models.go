package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/models"
)

// apiV1Model is a process model as the v1 API shows it.
type apiV1Model struct {
	ID               string   `json:"id"`
	DisplayName      string   `json:"display_name"`
	Description      string   `json:"description"`
	PrimaryFileName  string   `json:"primary_file_name"`
	PrimaryProcessID string   `json:"primary_process_id"`
	Files            []string `json:"files,omitempty"`
}

func toAPIV1Model(m *models.Model, files bool) apiV1Model {
	out := apiV1Model{ID: m.ID, DisplayName: m.DisplayName, Description: m.Description,
		PrimaryFileName: m.PrimaryFileName, PrimaryProcessID: m.PrimaryProcessID}
	if files {
		out.Files = []string{}
		for _, f := range m.Files {
			out.Files = append(out.Files, f.Name)
		}
	}
	return out
}

// apiV1ModelList lists the process models the caller may read, in the
// repository's order.
func (s *Server) apiV1ModelList(w http.ResponseWriter, r *http.Request) error {
	out := []apiV1Model{}
	var walk func(g *models.Group)
	walk = func(g *models.Group) {
		if g == nil {
			return
		}
		for _, m := range g.Models {
			if s.can(r, "read", "/process-models/"+urlID(m.ID)) {
				out = append(out, toAPIV1Model(m, false))
			}
		}
		for _, sub := range g.Groups {
			walk(sub)
		}
	}
	walk(s.models.Tree())
	return writeJSON(w, http.StatusOK, map[string]any{"results": out,
		"pagination": map[string]int{"count": len(out), "total": len(out), "pages": 1}})
}

// apiV1ModelShow shows one process model with its file names.
func (s *Server) apiV1ModelShow(w http.ResponseWriter, r *http.Request) error {
	m, err := s.models.Model(modelIDFromURL(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAPIV1Model(m, true))
}
