package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// DecisionTrier evaluates a decision of a model's DMN file with the
// engine, from input values typed column by column (cmd/web wires it:
// internal/web does not import the engine).
type DecisionTrier interface {
	TryDecision(modelID, file, decisionID string, inputs []string) (DecisionTrial, error)
	// TryDecisionXML does the same with a DMN document as the decision
	// editor holds it, saved or not.
	TryDecisionXML(name string, xml []byte, decisionID string, inputs []string) (DecisionTrial, error)
}

// DecisionTrial is what the "test this table" panel shows.
type DecisionTrial struct {
	// Hits are the 1-based rows of every rule that matches; Used are the
	// rows whose outputs the hit policy returned.
	Hits, Used []int
	// Result is the outputs as JSON, as a business rule task would merge
	// them into the task data.
	Result string
	// Unchecked are the errors of rules after the first match that the
	// hit policy never evaluates; shown as notes.
	Unchecked []string
	// HitIDs and UsedIDs are the same rules by id, for the editor.
	HitIDs, UsedIDs []string
}

// ErrTrial marks a trial the analyst can fix (an input that does not fit
// its column's type, an expression that fails); its message is shown in
// the panel.
var ErrTrial = errors.New("the decision cannot be evaluated")

// maxTrialBytes bounds the form the panel posts.
const maxTrialBytes = 256 << 10

// decisionTry answers the "test this table" panel: it evaluates the
// decision with the posted inputs (form field "input", one per column, in
// column order) and shows the table again with the rules that hit marked
// and the outputs beside it. Nothing is stored.
func (s *Server) decisionTry(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxTrialBytes)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("the test form could not be read: %v: %w", err, errBadRequest)
	}
	modelID, name, decisionID := pathID(r), r.PathValue("name"), r.PathValue("decision")
	try := &decisionTryInput{decisionID: decisionID, inputs: r.PostForm["input"]}
	if s.trier == nil {
		try.err = "Decision tables cannot be evaluated on this server."
	} else {
		trial, err := s.trier.TryDecision(modelID, name, decisionID, try.inputs)
		switch {
		case errors.Is(err, ErrTrial):
			try.err = err.Error()
		case err != nil:
			return err
		default:
			try.trial = &trial
		}
	}
	return s.renderFileTry(w, r, modelID, name, try)
}

// decisionTryInput is a posted trial and its outcome, shown on the table
// it belongs to.
type decisionTryInput struct {
	decisionID string
	inputs     []string
	trial      *DecisionTrial
	err        string
}

// apply puts the trial on its table's view.
func (t *decisionTryInput) apply(dv *templates.DecisionTableView) {
	if t == nil || t.decisionID != dv.ID {
		return
	}
	dv.Tried = true
	dv.Values = make([]string, len(dv.Inputs))
	copy(dv.Values, t.inputs)
	dv.TryError = t.err
	if t.trial == nil {
		return
	}
	dv.Result = t.trial.Result
	dv.Unchecked = t.trial.Unchecked
	hit, used := map[int]bool{}, map[int]bool{}
	for _, n := range t.trial.Hits {
		hit[n] = true
	}
	for _, n := range t.trial.Used {
		used[n] = true
	}
	for i := range dv.Rules {
		dv.Rules[i].Hit = hit[dv.Rules[i].Row]
		dv.Rules[i].Used = used[dv.Rules[i].Row]
	}
	dv.Hits = t.trial.Hits
}
