package bpmn_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// defs wraps BPMN elements into a definitions document.
func defs(body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://waymark.test/reach">
` + body + `
</bpmn:definitions>`)
}

// Flow of a process whose gateway has a flow without a condition that is
// not the default: a real defect when the gateway can run.
const brokenXOR = `
    <bpmn:startEvent id="%[1]s_start"/>
    <bpmn:sequenceFlow id="%[1]s_f0" sourceRef="%[1]s_start" targetRef="%[1]s_gw"/>
    <bpmn:exclusiveGateway id="%[1]s_gw"/>
    <bpmn:sequenceFlow id="%[1]s_fa" sourceRef="%[1]s_gw" targetRef="%[1]s_end"/>
    <bpmn:sequenceFlow id="%[1]s_fb" sourceRef="%[1]s_gw" targetRef="%[1]s_end"/>
    <bpmn:endEvent id="%[1]s_end"/>`

func parseReach(t *testing.T, opts bpmn.Options, body string) (errs, warns []string) {
	t.Helper()
	p := bpmn.NewParser(opts)
	p.Add("m.bpmn", defs(body))
	_, err := p.Finish()
	if err != nil {
		for _, pr := range problemsOf(t, err) {
			if pr.Warning {
				t.Errorf("error %v is marked as a warning", pr)
			}
			errs = append(errs, pr.ElementID)
		}
	}
	for _, w := range p.Warnings() {
		warns = append(warns, w.ElementID)
	}
	slices.Sort(errs)
	slices.Sort(warns)
	return errs, warns
}

func TestReachDecidesWhatBlocks(t *testing.T) {
	xor := func(prefix string) string { return fmt.Sprintf(brokenXOR, prefix) }
	cases := []struct {
		name        string
		opts        bpmn.Options
		body        string
		errs, warns []string
	}{
		{
			name: "executable process: a reachable defect is an error",
			body: `<bpmn:process id="p" isExecutable="true">` + xor("a") + `</bpmn:process>`,
			errs: []string{"a_fa", "a_fb"},
		},
		{
			name: "unreachable defect in an executable process is a warning",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>
    <bpmn:complexGateway id="cx"/>
    <bpmn:scriptTask id="bad"><bpmn:script>x = (</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="bad" targetRef="cx"/>
  </bpmn:process>`,
			warns: []string{"bad", "bad", "cx", "f2"},
		},
		{
			name: "an unsupported element on the path is an error",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="cx"/>
    <bpmn:complexGateway id="cx"/>
  </bpmn:process>`,
			errs: []string{"cx", "f"},
		},
		{
			name: "a pool not marked executable is only warned about",
			body: `<bpmn:collaboration id="c">
    <bpmn:participant id="pa" processRef="pa_p"/><bpmn:participant id="pb" processRef="pb_p"/>
  </bpmn:collaboration>
  <bpmn:process id="pa_p" isExecutable="true">` + xor("ok") + `</bpmn:process>
  <bpmn:process id="pb_p">` + xor("b") + `</bpmn:process>`,
			errs:  []string{"ok_fa", "ok_fb"},
			warns: []string{"b_fa", "b_fb"},
		},
		{
			name:  "isExecutable=false is only warned about, even outside a collaboration",
			body:  `<bpmn:process id="q" isExecutable="false">` + xor("b") + `</bpmn:process>`,
			warns: []string{"b_fa", "b_fb"},
		},
		{
			name: "the primary process is checked in full",
			opts: bpmn.Options{Primary: "q"},
			body: `<bpmn:process id="q" isExecutable="false">` + xor("b") + `</bpmn:process>`,
			errs: []string{"b_fa", "b_fb"},
		},
		{
			name: "a process called from a checked one is checked",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="call"/>
    <bpmn:callActivity id="call" calledElement="q"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
  <bpmn:process id="q" isExecutable="false">` + xor("b") + `</bpmn:process>`,
			errs: []string{"b_fa", "b_fb"},
		},
		{
			name: "link catch events continue the flow of their throw events",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="throw"/>
    <bpmn:intermediateThrowEvent id="throw"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="catch"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="gw"/>

    <bpmn:exclusiveGateway id="gw"/>
    <bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="e"/>
    <bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="e"/>
    <bpmn:endEvent id="e"/>
    <bpmn:intermediateCatchEvent id="lonely"><bpmn:linkEventDefinition name="other"/></bpmn:intermediateCatchEvent>
  </bpmn:process>`,
			errs:  []string{"fa", "fb"},
			warns: []string{"lonely"},
		},
		{
			name: "a link throw event without its catch event is an error",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="throw"/>
    <bpmn:intermediateThrowEvent id="throw"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="catch"><bpmn:linkEventDefinition name="M"/></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>`,
			errs:  []string{"throw"},
			warns: []string{"catch"},
		},
		{
			name: "inside a subprocess no flow reaches, problems are warnings",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:sequenceFlow id="sf" sourceRef="ss" targetRef="mi"/>
      <bpmn:task id="mi"><bpmn:multiInstanceLoopCharacteristics/></bpmn:task></bpmn:subProcess>
  </bpmn:process>`,
			warns: []string{"mi", "sub"},
		},
		{
			name: "duplicate element ids block wherever they are",
			body: `<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>
    <bpmn:task id="t"/><bpmn:task id="t"/>
  </bpmn:process>`,
			errs:  []string{"t"},
			warns: []string{"t"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs, warns := parseReach(t, c.opts, c.body)
			if !slices.Equal(errs, c.errs) || !slices.Equal(warns, c.warns) {
				t.Errorf("errors %q warnings %q, want errors %q warnings %q", errs, warns, c.errs, c.warns)
			}
		})
	}
}
