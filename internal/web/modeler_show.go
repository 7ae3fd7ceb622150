package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// modelIDPattern is a model id as it appears in URLs: path segments joined
// with ':' (SpiffArena's convention for '/').
var modelIDPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)*$`)

// fileNamePattern is a file name inside a model directory.
var fileNamePattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_. -]*$`)

// errNotBPMN refuses to open anything but a BPMN file in the modeler.
var errNotBPMN = errors.New("not a BPMN file")

// modelerConfig is the JSON block the modeler page reads.
type modelerConfig struct {
	Prefix string   `json:"prefix"`
	CSRF   string   `json:"csrf"`
	Model  string   `json:"model"`
	File   string   `json:"file"`
	Groups []string `json:"groups"`
}

// modelerShow opens a BPMN file of a model in the modeler. A file that does
// not exist yet opens as a new diagram, saved under that name.
func (s *Server) modelerShow(w http.ResponseWriter, r *http.Request) error {
	rawID, name := r.PathValue("id"), r.PathValue("name")
	if !modelIDPattern.MatchString(rawID) || !fileNamePattern.MatchString(name) || strings.Contains(name, "..") {
		return errPageNotFound
	}
	if !strings.HasSuffix(strings.ToLower(name), ".bpmn") {
		return fmt.Errorf("open %s in the modeler: %w", name, errNotBPMN)
	}
	modelID := strings.ReplaceAll(rawID, ":", "/")
	groups, err := s.db.Groups(r.Context())
	if err != nil {
		return err
	}
	b, err := s.base(w, r, name+" · "+modelID, templates.SectionModels)
	if err != nil {
		return err
	}
	b.Scripts = append(b.Scripts, s.asset("bpmn-js-spiff/dist/modeler.js"))
	cfg := modelerConfig{Prefix: string(s.prefix), CSRF: b.CSRFToken, Model: modelID, File: name, Groups: []string{}}
	for _, g := range groups {
		cfg.Groups = append(cfg.Groups, g.Name)
	}
	v := templates.ModelerView{
		Base:       b,
		ModelID:    modelID,
		File:       name,
		Stylesheet: s.asset("bpmn-js-spiff/dist/modeler.css"),
		Config:     cfg,
	}
	return s.render(w, r, http.StatusOK, templates.ModelerPage(v), nil)
}
