package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// errNotBPMN refuses to open anything but a BPMN file in the modeler.
var errNotBPMN = errors.New("not a BPMN file")

// modelerConfig is the JSON block the modeler page reads.
type modelerConfig struct {
	Prefix string   `json:"prefix"`
	CSRF   string   `json:"csrf"`
	Model  string   `json:"model"`
	File   string   `json:"file"`
	Groups []string `json:"groups"`
	// MetadataKeys are the task metadata keys the panel offers on user
	// and manual tasks. SpiffArena takes them from its frontend's
	// TASK_METADATA setting; Waymark offers the keys the model already
	// names for its metadata (metadata_extraction_paths in
	// process_model.json), so the two line up in the instance list.
	MetadataKeys []string `json:"metadataKeys"`
}

// modelerShow opens a BPMN file of a model in the modeler. A file that does
// not exist yet opens as a new diagram, saved under that name.
func (s *Server) modelerShow(w http.ResponseWriter, r *http.Request) error {
	// Model ids come as the repository has them (SpiffArena folders may
	// hold spaces or '#'); the file name must be a plain name. Saving goes
	// through the repository, which checks both.
	modelID, name := pathID(r), r.PathValue("name")
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\\\x00") {
		return errPageNotFound
	}
	if !strings.HasSuffix(strings.ToLower(name), ".bpmn") {
		return fmt.Errorf("open %s in the modeler: %w", name, errNotBPMN)
	}

	groups, err := s.db.Groups(r.Context())
	if err != nil {
		return err
	}
	b, err := s.base(w, r, name+" · "+modelID, templates.SectionModels)
	if err != nil {
		return err
	}
	b.Scripts = append(b.Scripts, s.asset("bpmn-js-spiff/dist/modeler.js"), s.asset("js/modeler-fit.js"))
	cfg := modelerConfig{Prefix: string(s.prefix), CSRF: b.CSRFToken, Model: modelID, File: name, Groups: []string{}}
	for _, g := range groups {
		cfg.Groups = append(cfg.Groups, g.Name)
	}
	cfg.MetadataKeys = s.metadataKeys(modelID)
	v := templates.ModelerView{
		Base:       b,
		ModelID:    modelID,
		File:       name,
		Stylesheet: s.asset("bpmn-js-spiff/dist/modeler.css"),
		Config:     cfg,
	}
	return s.render(w, r, http.StatusOK, templates.ModelerPage(v), nil)
}

// metadataKeys lists the configured task metadata keys
// (WAYMARK_TASK_METADATA_KEYS), then the keys of the model's
// metadata_extraction_paths, in their order and without repeats. A model
// that does not exist yet (the page can open a file before it is saved)
// adds none.
func (s *Server) metadataKeys(modelID string) []string {
	keys := append([]string{}, s.cfg.TaskMetadataKeys...)
	if s.models == nil {
		return keys
	}
	m, err := s.models.Model(modelID)
	if err != nil {
		return keys
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	for _, p := range m.MetadataExtractionPaths {
		if k := strings.TrimSpace(p.Key); k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}
