package models

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/forms"
	"github.com/waymark-bpm/waymark/internal/jinja"
)

// refsDiagram has a task of each kind that refers to something, one
// element a line (lines 5 to 9).
const refsDiagram = `<?xml version="1.0" encoding="UTF-8"?>
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

// TestSaveReportsReferences: saving a diagram reports, with element and
// line, the form and UI-schema files its tasks name that the model lacks,
// instructions that are not valid Jinja, and called processes and
// decisions no file defines; they do not block the save (the modeler
// creates the files after). A form schema a task names that is not valid
// JSON Schema is refused like JSON that does not parse.
func TestSaveReportsReferences(t *testing.T) {
	ctx := context.Background()
	r, _, _ := smallRepo(t)
	r.SetChecks(Checks{Schema: forms.CheckSchema, Template: jinja.Check})
	if err := r.CreateModel(ctx, "finance/refs", ModelInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SaveFile(ctx, "finance/refs", "approve-schema.json", []byte(`{"type": "object"}`), false); err != nil {
		t.Fatal(err)
	}
	res, err := r.SaveFile(ctx, "finance/refs", "refs.bpmn", []byte(refsDiagram), false)
	if err != nil || !res.Saved {
		t.Fatalf("save: %+v %v", res, err)
	}
	type located struct {
		Element string
		Line    int
		Msg     string
	}
	var got []located
	for _, p := range res.Warnings {
		if p.File != "finance/refs/refs.bpmn" {
			t.Errorf("warning on %s: %+v", p.File, p)
		}
		msg := p.Message
		if i := strings.Index(msg, ":"); i > 0 {
			msg = msg[:i]
		}
		got = append(got, located{p.Element, p.Line, msg})
	}
	want := []located{
		{"ask", 5, `the form file "ask-schema.json" (formJsonSchemaFilename) is not a file of model finance/refs`},
		{"ask", 5, `the UI-schema file "ask-uischema.json" (formUiSchemaFilename) is not a file of model finance/refs`},
		{"call", 8, `calls process "nowhere_process", which no model of the repository defines`},
		{"decide", 9, `evaluates decision "no_such_decision", which no DMN file of the repository defines`},
		{"read", 7, `the instructions are not a valid Jinja template`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	// The form schema a task names must be valid JSON Schema.
	res, err = r.SaveFile(ctx, "finance/refs", "approve-schema.json", []byte(`{"type": "object", "properties": {"days": {"type": "integr"}}}`), false)
	if !errors.Is(err, ErrInvalid) || res.Saved || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "/properties/days/type") {
		t.Errorf("invalid schema: %+v %v", res, err)
	}
	// The UI schema goes through Jinja too.
	res, err = r.SaveFile(ctx, "finance/refs", "ask-uischema.json", []byte(`{"ui:order": ["{{ first }"]}`), false)
	if !errors.Is(err, ErrInvalid) || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "not a valid Jinja template") {
		t.Errorf("UI schema with a broken template: %+v %v", res, err)
	}
	// A JSON file no task names is only checked for its syntax.
	if _, err := r.SaveFile(ctx, "finance/refs", "notes.json", []byte(`{"type": "integr"}`), false); err != nil {
		t.Errorf("a JSON file that is no form: %v", err)
	}

	// The repository report has the same, by file.
	ps := r.CheckReferences()
	if len(ps) != len(want) {
		t.Errorf("CheckReferences: %d problems, want %d: %+v", len(ps), len(want), ps)
	}
}
