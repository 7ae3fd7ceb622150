package models

import (
	"fmt"
	"slices"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/dmn"
)

// DecisionTable is a DMN decision table as pages show it: column headings
// and the cells as written.
type DecisionTable struct {
	ID, Name, HitPolicy string
	Inputs, Outputs     []string
	// InputTypes are the inputs' typeRefs ("integer", "string", ...; ""
	// when the file names none), lined up with Inputs.
	InputTypes []string
	Rules      []DecisionRule
}

// DecisionRule is one row of a decision table.
type DecisionRule struct {
	Row             int
	Inputs, Outputs []string
	Description     string
}

// DecisionTables returns the decision tables of a DMN file of a model, in
// document order.
func (r *Repo) DecisionTables(modelID, name string) ([]DecisionTable, error) {
	f, err := r.File(modelID, name)
	if err != nil {
		return nil, err
	}
	if f.Type != "dmn" {
		return nil, nil
	}
	p, err := r.parsedAt(location{modelID, name})
	if err != nil {
		return nil, err
	}
	var out []DecisionTable
	for _, d := range p.lib.Decisions {
		if d.Literal != nil {
			continue // a literal expression, not a table
		}
		t := DecisionTable{ID: d.ID, Name: d.Name, HitPolicy: d.HitPolicy}
		if d.Aggregation != "" {
			t.HitPolicy += " " + d.Aggregation
		}
		for _, in := range d.Inputs {
			t.Inputs = append(t.Inputs, in.Column())
			t.InputTypes = append(t.InputTypes, in.TypeRef)
		}
		for _, o := range d.Outputs {
			h := o.Label
			if h == "" {
				h = o.Name
			}
			t.Outputs = append(t.Outputs, h)
		}
		for _, rule := range d.Rules {
			row := DecisionRule{Row: rule.Row, Description: rule.Description}
			for _, e := range rule.Inputs {
				row.Inputs = append(row.Inputs, strings.TrimSpace(e.Text))
			}
			for _, e := range rule.Outputs {
				row.Outputs = append(row.Outputs, strings.TrimSpace(e.Text))
			}
			t.Rules = append(t.Rules, row)
		}
		out = append(out, t)
	}
	lines := map[string]int{}
	for _, d := range p.lib.Decisions {
		lines[d.ID] = d.Line
	}
	slices.SortFunc(out, func(a, b DecisionTable) int { return lines[a.ID] - lines[b.ID] })
	return out, nil
}

// FileDecision returns the parsed decision id of a DMN file of a model, as
// the engine would evaluate it. An unknown id is an error wrapping
// ErrNotFound.
func (r *Repo) FileDecision(modelID, name, id string) (*dmn.Decision, error) {
	f, err := r.File(modelID, name)
	if err != nil {
		return nil, err
	}
	if f.Type != "dmn" {
		return nil, fmt.Errorf("%s is not a DMN file: %w", name, ErrNotFound)
	}
	p, err := r.parsedAt(location{modelID, name})
	if err != nil {
		return nil, err
	}
	d := p.lib.Decision(id)
	if d == nil {
		return nil, fmt.Errorf("decision %q is not in %s: %w", id, name, ErrNotFound)
	}
	return d, nil
}
