package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// errNotDMN refuses to open anything but a DMN file in the decision editor.
var errNotDMN = errors.New("not a DMN file")

// decisionEditorConfig is the JSON block the decision editor page reads.
type decisionEditorConfig struct {
	Prefix string `json:"prefix"`
	CSRF   string `json:"csrf"`
	Model  string `json:"model"`
	File   string `json:"file"`
}

// decisionEditorShow opens a DMN file of a model in the decision editor
// (dmn-js). It saves through PUT /api/process-models/{id}/files/{name}, as
// the BPMN modeler does.
func (s *Server) decisionEditorShow(w http.ResponseWriter, r *http.Request) error {
	modelID, name := pathID(r), r.PathValue("name")
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\\\x00") {
		return errPageNotFound
	}
	if !strings.HasSuffix(strings.ToLower(name), ".dmn") {
		return fmt.Errorf("open %s in the decision editor: %w", name, errNotDMN)
	}
	// The file must exist: new DMN files are made on the model page.
	if _, err := s.models.File(modelID, name); err != nil {
		return err
	}
	b, err := s.base(w, r, name+" · "+modelID, templates.SectionModels)
	if err != nil {
		return err
	}
	b.Scripts = append(b.Scripts, s.asset("dmn-js/dist/editor.js"))
	v := templates.DecisionEditorView{
		Base:       b,
		ModelID:    modelID,
		File:       name,
		FileURL:    s.fileURL(modelID, name),
		Stylesheet: s.asset("dmn-js/dist/editor.css"),
		Config:     decisionEditorConfig{Prefix: string(s.prefix), CSRF: b.CSRFToken, Model: modelID, File: name},
	}
	return s.render(w, r, http.StatusOK, templates.DecisionEditorPage(v), nil)
}
