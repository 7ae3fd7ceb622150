package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// referencesBPMN is a diagram whose tasks refer to files, processes and
// decisions that may be missing, and whose instructions may be broken.
// Each element sits on its own line, so the report's lines are known.
const referencesBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d">
  <bpmn:process id="refs" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="ask"><bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="ask-schema.json"/><spiffworkflow:property name="formUiSchemaFilename" value="ask-uischema.json"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:userTask id="approve"><bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="approve-schema.json"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:manualTask id="read"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>Hello {{ name }</spiffworkflow:instructionsForEndUser></bpmn:extensionElements></bpmn:manualTask>
    <bpmn:callActivity id="call" calledElement="nowhere_process"/>
    <bpmn:businessRuleTask id="decide"><bpmn:extensionElements><spiffworkflow:calledDecisionId>no_such_decision</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="approve"/>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="read"/>
    <bpmn:sequenceFlow id="f4" sourceRef="read" targetRef="call"/>
    <bpmn:sequenceFlow id="f5" sourceRef="call" targetRef="decide"/>
    <bpmn:sequenceFlow id="f6" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`

// TestCheckReportsReferences: `web check` reports each kind of problem a
// model only shows when it runs, with file, line and element: a missing
// form file and UI-schema file, a form schema that is not valid JSON
// Schema, instructions that are not valid Jinja, and a called process and
// decision no file defines.
func TestCheckReportsReferences(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "group", "refs")
	os.MkdirAll(model, 0o755)
	os.WriteFile(filepath.Join(dir, "group", "process_group.json"), []byte(`{"display_name": "G"}`), 0o644)
	os.WriteFile(filepath.Join(model, "process_model.json"), []byte(`{"display_name": "Refs", "primary_file_name": "refs.bpmn", "primary_process_id": "refs"}`), 0o644)
	os.WriteFile(filepath.Join(model, "refs.bpmn"), []byte(referencesBPMN), 0o644)
	os.WriteFile(filepath.Join(model, "approve-schema.json"), []byte(`{"type": "object", "properties": {"days": {"type": "integr"}}}`), 0o644)

	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"web", "check", dir}, &out, &errOut, func(string) string { return "" })
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut.String())
	}
	for _, want := range []string{
		`group/refs/refs.bpmn:5: ask: the form file "ask-schema.json" (formJsonSchemaFilename) is not a file of model group/refs`,
		`group/refs/refs.bpmn:5: ask: the UI-schema file "ask-uischema.json" (formUiSchemaFilename) is not a file of model group/refs`,
		`group/refs/approve-schema.json: not a valid JSON Schema form: approve-schema.json: invalid form schema: the schema breaks the JSON Schema rules at '/properties/days/type'`,
		`group/refs/refs.bpmn:7: read: the instructions are not a valid Jinja template: instructions: syntax error`,
		`group/refs/refs.bpmn:8: call: `,
		`nowhere_process`,
		`group/refs/refs.bpmn:9: decide: `,
		`no_such_decision`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), `"approve-schema.json" (formJsonSchemaFilename) is not a file`) {
		t.Error("a form file that exists is reported missing")
	}

	// Fixed, the model checks clean.
	os.WriteFile(filepath.Join(model, "ask-schema.json"), []byte(`{"type": "object"}`), 0o644)
	os.WriteFile(filepath.Join(model, "ask-uischema.json"), []byte(`{}`), 0o644)
	os.WriteFile(filepath.Join(model, "approve-schema.json"), []byte(`{"type": "object", "properties": {"days": {"type": "integer"}}}`), 0o644)
	fixed := strings.NewReplacer("{{ name }<", "{{ name }}<", `calledElement="nowhere_process"`, `calledElement="refs"`,
		"<spiffworkflow:calledDecisionId>no_such_decision</spiffworkflow:calledDecisionId>", "<spiffworkflow:calledDecisionId>d1</spiffworkflow:calledDecisionId>").Replace(referencesBPMN)
	os.WriteFile(filepath.Join(model, "refs.bpmn"), []byte(fixed), 0o644)
	os.WriteFile(filepath.Join(model, "d.dmn"), []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D" namespace="x">
  <decision id="d1" name="D1"><decisionTable id="t1"><output id="o1" name="ok" typeRef="boolean"/><rule id="r1"><outputEntry id="e1"><text>True</text></outputEntry></rule></decisionTable></decision>
</definitions>`), 0o644)
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"web", "check", dir}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Errorf("fixed model: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
