package bpmn

import (
	"errors"
	"strings"

	"github.com/waymark-bpm/waymark/internal/engine/dmn"
)

// isDMN tells a decision table file from a BPMN file: by its name, or by
// its root element (a BPMN file may mention the DMN namespace, and many
// do). data is UTF-8.
func isDMN(name string, data []byte) bool {
	if strings.HasSuffix(strings.ToLower(name), ".dmn") {
		return true
	}
	return dmn.IsDMN(data)
}

// addDMN parses a decision table file into the library. Decision ids are
// unique across the library, like process ids.
func (p *Parser) addDMN(name string, data []byte) {
	decisions, err := dmn.Parse(name, data)
	var ps dmn.Problems
	if errors.As(err, &ps) {
		for _, pr := range ps {
			p.problem(pr.File, pr.ElementID, pr.Line, "%s", pr.Msg)
		}
	} else if err != nil {
		p.problem(name, "", 0, "%v", err)
	}
	for _, d := range decisions {
		p.stats.Scripts += d.ExpressionCount()
		p.stats.ScriptsOK += d.ExpressionCount()
		if prev := p.lib.Decision(d.ID); prev != nil {
			p.problem(name, d.ID, d.Line, "duplicate decision id %q: also defined in %s", d.ID, prev.File)
			continue
		}
		p.lib.Decisions[d.ID] = d
	}
}
