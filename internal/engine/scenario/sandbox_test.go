package scenario

import (
	"strings"
	"testing"
)

// sandboxDiagram waits for a user task, a message and a one-day timer.
const sandboxDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:message id="msg_go" name="go" />
  <bpmn:process id="trial" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="fill" name="Fill in" />
    <bpmn:intermediateCatchEvent id="wait_go" name="Go">
      <bpmn:messageEventDefinition id="med" messageRef="msg_go" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="wait_day" name="One day">
      <bpmn:timerEventDefinition id="ted"><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="calc"><bpmn:script>total = amount * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="wait_go" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait_go" targetRef="wait_day" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait_day" targetRef="calc" />
    <bpmn:sequenceFlow id="f5" sourceRef="calc" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`

func TestRunFilesInMemory(t *testing.T) {
	files := map[string][]byte{"trial.bpmn": []byte(sandboxDiagram)}
	run := func(steps ...Step) *Result {
		t.Helper()
		s := &Scenario{Files: []string{"trial.bpmn"}, Process: "trial", StartTime: "2026-05-01T08:00:00+00:00", Steps: steps}
		res, err := s.RunFiles(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run()
	if res.Status != "waiting" || strings.Join(res.Ready, ",") != "fill" || res.Clock != "2026-05-01T08:00:00Z" {
		t.Errorf("at start: %s ready %v clock %s", res.Status, res.Ready, res.Clock)
	}
	res = run(Step{Complete: "fill", Data: map[string]any{"amount": 21.0}}, Step{Message: "go"})
	if res.Status != "waiting" || strings.Join(res.Waiting, ",") != "wait_day" {
		t.Errorf("after the message: %s waiting %v", res.Status, res.Waiting)
	}
	res = run(Step{Complete: "fill", Data: map[string]any{"amount": 21.0}}, Step{Message: "go"}, Step{Advance: "PT23H"})
	if res.Status != "waiting" {
		t.Errorf("23 hours later: %s", res.Status)
	}
	// The engine fires a timer once the clock is past its due time.
	res = run(Step{Complete: "fill", Data: map[string]any{"amount": int64(21)}}, Step{Message: "go"}, Step{Advance: "P1D"}, Step{Advance: "PT1S"})
	if res.Status != "completed" || res.Data["total"] != int64(42) || res.Clock != "2026-05-02T08:00:01Z" {
		t.Errorf("a day later: %s data %v clock %s waiting %v trace %v err %s", res.Status, res.Data, res.Clock, res.Waiting, res.Trace, res.Error)
	}
	s := &Scenario{Files: []string{"other.bpmn"}, Process: "trial"}
	if _, err := s.RunFiles(files, Options{}); err == nil || !strings.Contains(err.Error(), `"other.bpmn"`) {
		t.Errorf("missing file: %v", err)
	}
}
