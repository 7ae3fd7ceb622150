package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// wideJoin is a process that splits into n branches at a gateway of the
// given kind (parallelGateway or inclusiveGateway), sets b<i> = i on
// branch i, joins them at a gateway of the same kind and waits at a user
// task.
func wideJoin(kind string, n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="wide" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
`)
	fmt.Fprintf(&b, "<bpmn:%s id=\"split\"/><bpmn:%s id=\"join\"/>\n", kind, kind)
	for i := 0; i < n; i++ {
		cond := ""
		if kind == "inclusiveGateway" {
			cond = "<bpmn:conditionExpression>True</bpmn:conditionExpression>"
		}
		fmt.Fprintf(&b, `<bpmn:sequenceFlow id="s%[1]d" sourceRef="split" targetRef="t%[1]d">%[2]s</bpmn:sequenceFlow>
<bpmn:scriptTask id="t%[1]d"><bpmn:script>b%[1]d = %[1]d</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="j%[1]d" sourceRef="t%[1]d" targetRef="join"/>
`, i, cond)
	}
	b.WriteString(`<bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="look"/><bpmn:userTask id="look"/>
<bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>`)
	return []byte(b.String())
}

func parseBytes(t testing.TB, name string, data []byte) *spec.Library {
	t.Helper()
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: name, Data: data})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return lib
}

// TestWideJoins: joins wait for every branch however many there are (no
// 64-input limit), fire once, and merge every branch's data.
func TestWideJoins(t *testing.T) {
	for _, c := range []struct {
		kind string
		n    int
	}{
		{"parallelGateway", 65}, {"inclusiveGateway", 65}, {"inclusiveGateway", 130}, {"parallelGateway", 1000},
	} {
		t.Run(fmt.Sprintf("%s with %d inputs", c.kind, c.n), func(t *testing.T) {
			lib := parseBytes(t, "wide.bpmn", wideJoin(c.kind, c.n))
			in, err := engine.Start(lib, engine.StartOptions{Process: "wide"}, engine.Env{})
			if err != nil {
				t.Fatal(err)
			}
			ready := in.ReadyHuman()
			if len(ready) != 1 || ready[0].Node.ID != "look" {
				t.Fatalf("ready %v, want the user task once; status %v err %v", nodeIDs(ready), in.Status(), in.Err())
			}
			for i := 0; i < c.n; i++ {
				if got := ready[0].Data[fmt.Sprintf("b%d", i)]; got != int64(i) {
					t.Fatalf("b%d = %v after the join, want %d", i, got, i)
				}
			}
			joins := 0
			for _, tk := range in.Tasks() {
				if tk.Node.ID == "join" {
					joins++
				}
			}
			if joins != 1 {
				t.Errorf("%d join tasks, want 1", joins)
			}
			if err := in.Complete(ready[0].ID, nil); err != nil {
				t.Fatal(err)
			}
			if in.Status() != engine.Done {
				t.Errorf("status %v", in.Status())
			}
		})
	}
}

// TestParallelJoinWithLoopBack: a parallel gateway joining the way in with
// a flow that loops back from after it fires on the way in (the loop-back
// input cannot have a token yet) and again on each round of the loop, as
// SpiffWorkflow's unstructured join does.
func TestParallelJoinWithLoopBack(t *testing.T) {
	runCases(t, []engineCase{{
		name: "loop back into a parallel join", files: []string{"loop_join.bpmn"}, process: "p_loop_join",
		data: m{"n": int64(0)},
		steps: []step{
			expectNow(strs("work"), strs()),
			complete("work", m{"again": true}),
			expectNow(strs("work"), strs()),
			complete("work", m{"again": true}),
			expectNow(strs("work"), strs()),
			complete("work", m{"again": false}),
		},
		want: outcome{Status: statusDone,
			Trace: strs("start", "split", "a", "b", "join", "count", "work", "more", "join", "count", "work", "more", "join", "count", "work", "more", "end"),
			Ready: strs(), Waiting: strs(), Data: m{"n": int64(3), "a": true, "b": true, "again": false}},
	}})
}
