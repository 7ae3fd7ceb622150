package web

import (
	"encoding/json"
	"net/http"
)

// ScriptUnitTest is one spiffworkflow:unitTest as the modeler sends it.
type ScriptUnitTest struct {
	ID                 string `json:"id"`
	InputJSON          string `json:"inputJson"`
	ExpectedOutputJSON string `json:"expectedOutputJson"`
}

// ScriptUnitTestResult is the outcome of one test: passed, or the error
// that stopped it, or where the data differ from the expected output.
type ScriptUnitTestResult struct {
	ID     string   `json:"id"`
	Passed bool     `json:"passed"`
	Error  string   `json:"error,omitempty"`
	Diffs  []string `json:"diffs,omitempty"`
}

// ScriptTester runs script unit tests with the engine (cmd/web wires it).
type ScriptTester interface {
	RunScriptUnitTests(script string, tests []ScriptUnitTest) []ScriptUnitTestResult
}

// maxUnitTests bounds how many tests one request runs.
const maxUnitTests = 200

// apiScriptUnitTests answers POST /api/scripts/unit-tests {"script",
// "tests": [{"id", "inputJson", "expectedOutputJson"}]} with {"results":
// [...]}: the script as the modeler holds it, saved or not, run on each
// test's input. Nothing is stored.
func (s *Server) apiScriptUnitTests(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Script string           `json:"script"`
		Tests  []ScriptUnitTest `json:"tests"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxScriptBytes))
	if err := dec.Decode(&req); err != nil {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "The request body must be JSON {\"script\": \"...\", \"tests\": [...]}: " + err.Error()})
	}
	if len(req.Tests) > maxUnitTests {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"message": "At most 200 unit tests run at once."})
	}
	if s.scriptTests == nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Script unit tests cannot run on this server."})
	}
	results := s.scriptTests.RunScriptUnitTests(req.Script, req.Tests)
	if results == nil {
		results = []ScriptUnitTestResult{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": results})
}
