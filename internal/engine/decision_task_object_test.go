package engine_test

import (
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// TestDecisionSeesItsTask: a decision table's expressions read the
// business rule task that evaluates it as `task`, not the task whose
// script ran last.
func TestDecisionSeesItsTask(t *testing.T) {
	const diagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="p_rules" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>ready = True</bpmn:script></bpmn:scriptTask>
    <bpmn:businessRuleTask id="classify">
      <bpmn:extensionElements><spiffworkflow:calledDecisionId>which_task</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="classify"/>
    <bpmn:sequenceFlow id="f3" sourceRef="classify" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`
	const table = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drd" name="DRD" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="which_task" name="which_task">
    <decisionTable id="t">
      <input id="i" label="task"><inputExpression id="ie" typeRef="string"><text>task.task_spec.name</text></inputExpression></input>
      <output id="o" label="seen" name="seen" typeRef="string"/>
      <rule id="r"><inputEntry id="re"><text></text></inputEntry><outputEntry id="ro"><text>task.task_spec.name</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "rules.bpmn", Data: []byte(diagram)}, bpmn.File{Name: "rules.dmn", Data: []byte(table)})
	if err != nil {
		t.Fatal(err)
	}
	in, err := engine.Start(lib, engine.StartOptions{Process: "p_rules"}, engine.Env{Clock: &testClock{now: t0}})
	if err != nil {
		t.Fatal(err)
	}
	if e := in.Err(); e != nil {
		t.Fatalf("instance failed: %+v", e)
	}
	if got := in.Data()["seen"]; got != "classify" {
		t.Errorf("the table saw task %v, want classify", got)
	}
}
