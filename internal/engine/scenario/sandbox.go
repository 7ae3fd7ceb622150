package scenario

import (
	"fmt"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// RunFiles runs the scenario on files held in memory (name to content),
// as a test run in the modeler does with the diagram as it is in the
// editor: nothing is read from disk or written anywhere, and the clock is
// the scenario's virtual clock. s.Files names the files to use, in order.
func (s *Scenario) RunFiles(files map[string][]byte, o Options) (*Result, error) {
	var list []bpmn.File
	for _, name := range s.Files {
		data, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("the scenario names the file %q, which was not given", name)
		}
		list = append(list, bpmn.File{Name: name, Data: data})
	}
	return s.run(list, o)
}
