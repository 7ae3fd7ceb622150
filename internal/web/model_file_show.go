package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// modelFileShow shows one file of a model: BPMN files link to the modeler and
// list their problems, DMN files show their decision tables, text files
// (JSON schemas, Markdown...) open in an editor.
func (s *Server) modelFileShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderFile(w, r, pathID(r), r.PathValue("name"), nil, http.StatusOK, "")
}

// renderFile shows the file page; content, when not nil, is what the user
// typed (kept when a save is refused), and problems replace the file's.
func (s *Server) renderFile(w http.ResponseWriter, r *http.Request, modelID, name string, typed *savedAttempt, status int, errMsg string) error {
	return s.renderFilePage(w, r, modelID, name, typed, status, errMsg, nil)
}

// renderFileTry shows the file page with a decision trial on its table;
// htmx gets the table's section alone.
func (s *Server) renderFileTry(w http.ResponseWriter, r *http.Request, modelID, name string, try *decisionTryInput) error {
	status := http.StatusOK
	if try.err != "" {
		status = http.StatusUnprocessableEntity
	}
	return s.renderFilePage(w, r, modelID, name, nil, status, "", try)
}

func (s *Server) renderFilePage(w http.ResponseWriter, r *http.Request, modelID, name string, typed *savedAttempt, status int, errMsg string, try *decisionTryInput) error {
	f, err := s.models.File(modelID, name)
	if errors.Is(err, models.ErrNotFound) && r.Method == http.MethodGet {
		if _, merr := s.models.Model(modelID); merr == nil {
			return s.renderFileMissing(w, r, modelID, name)
		}
	}
	if err != nil {
		return err
	}
	m, err := s.models.Model(modelID)
	if err != nil {
		return err
	}
	v := templates.FileView{
		ModelID: modelID, ModelURL: s.modelURL(modelID), Name: name, URL: s.fileURL(modelID, name),
		Type: f.Type, Size: f.Size, Updated: templates.FormatTime(f.Updated), Error: errMsg,
		Problems: problemRows(append(slices.Clone(f.Problems), s.models.FileReferences(modelID, name)...)),
		Crumbs:   append(s.groupCrumbs(modelID, false), templates.Crumb{Name: m.DisplayName, URL: s.modelURL(modelID)}),
		Can:      s.fileCan(r, modelID, name),
	}
	switch f.Type {
	case "bpmn":
		v.ModelerURL = v.URL + "/modeler"
		for _, pid := range s.models.ProcessIDs(modelID) {
			if _, file, _ := s.models.ProcessLocation(pid); file != name {
				continue
			}
			callers, err := s.models.CallersOf(r.Context(), pid)
			if err != nil {
				return err
			}
			v.Processes = append(v.Processes, templates.FileProcessView{ProcessID: pid, DisplayName: s.models.ProcessName(pid), Callers: s.processRows(callers)})
		}
	case "dmn":
		v.DecisionEditorURL = v.URL + "/decision-editor"
		tables, err := s.models.DecisionTables(modelID, name)
		if err != nil {
			return err
		}
		for _, t := range tables {
			dv := templates.DecisionTableView{ID: t.ID, Name: t.Name, HitPolicy: t.HitPolicy, Inputs: t.Inputs, Outputs: t.Outputs,
				InputTypes: t.InputTypes, TryURL: v.URL + "/decisions/" + url.PathEscape(t.ID) + "/try"}
			for _, rule := range t.Rules {
				dv.Rules = append(dv.Rules, templates.DecisionRuleView{Row: rule.Row, Inputs: rule.Inputs, Outputs: rule.Outputs, Description: rule.Description})
			}
			try.apply(&dv)
			v.Decisions = append(v.Decisions, dv)
		}
	default:
		data, err := s.models.ReadFile(modelID, name)
		if err != nil {
			return err
		}
		if utf8.Valid(data) {
			v.Editable = true
			v.Content = string(data)
		}
		if _, _, ok := formFilePair(name); ok {
			v.PreviewURL = v.URL + "/preview"
		}
	}
	if typed != nil {
		v.Editable = true
		v.Content = typed.content
		v.Problems = problemRows(typed.problems)
	}
	b, err := s.base(w, r, name+" · "+m.DisplayName, templates.SectionModels)
	if err != nil {
		return err
	}
	v.Base = b
	var fragment templ.Component
	for i := range v.Decisions {
		v.Decisions[i].CSRF = b.CSRFToken
		if try != nil && v.Decisions[i].ID == try.decisionID {
			fragment = templates.DecisionSection(v.Decisions[i])
		}
	}
	if try != nil && fragment == nil {
		return fmt.Errorf("decision %q is not in %s: %w", try.decisionID, name, errPageNotFound)
	}
	return s.render(w, r, status, templates.FilePage(v), fragment)
}

// savedAttempt is a refused save: the text and its problems.
type savedAttempt struct {
	content  string
	problems []models.Problem
}

// renderFileMissing answers for a file the model lacks (the modeler's Edit
// link for a form not created yet, a task's broken form): 404, with a
// button that creates it for users who may add files to the model.
func (s *Server) renderFileMissing(w http.ResponseWriter, r *http.Request, modelID, name string) error {
	m, err := s.models.Model(modelID)
	if err != nil {
		return err
	}
	b, err := s.base(w, r, name, templates.SectionModels)
	if err != nil {
		return err
	}
	v := templates.FileMissingView{Base: b, ModelID: modelID, ModelURL: s.modelURL(modelID), Name: name,
		Crumbs: append(s.groupCrumbs(modelID, false), templates.Crumb{Name: m.DisplayName, URL: s.modelURL(modelID)})}
	switch err := models.ValidateFileName(name); {
	case err != nil:
		v.Why, _ = userMessage(err)
	case !s.modelCan(r, modelID).CreateModel:
		v.Why = "You may not add files to this model; ask someone who edits it."
	default:
		v.CreateURL = s.modelURL(modelID) + "/files"
	}
	return s.render(w, r, http.StatusNotFound, templates.FileMissingPage(v), nil)
}
