package engine_test

import (
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// A service task parameter whose value does not parse (an API key written
// without quotes) does not stop the model from loading, as in
// SpiffWorkflow, which evaluates parameters only when the task runs: the
// parser warns, the tasks before it run, and the service task fails with an
// error naming the element and the parameter, without calling the
// connector.
func TestServiceParamThatDoesNotParseFailsAtRunTime(t *testing.T) {
	p := bpmn.NewParser(bpmn.Options{})
	for _, f := range readTestdata(t, "service_param_unparsed.bpmn") {
		p.Add(f.Name, f.Data)
	}
	lib, err := p.Finish()
	if err != nil {
		t.Fatalf("the model is refused: %v", err)
	}
	var warned bool
	for _, w := range p.Warnings() {
		if w.ElementID == "pay_rate" && strings.Contains(w.Msg, "parameter api_key does not parse") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("warnings %v; want one on pay_rate naming parameter api_key", p.Warnings())
	}

	services := &fakeServices{pending: map[string]bool{"bamboohr/GetPayRate": true}}
	in, err := engine.Start(lib, engine.StartOptions{Process: "p_unparsed_param"}, engine.Env{Clock: &testClock{now: t0}, Services: services})
	if err != nil {
		t.Fatal(err)
	}
	if in.Status() != engine.Failed {
		t.Fatalf("status %v, want failed", in.Status())
	}
	te := in.Err()
	if te == nil || te.NodeID != "pay_rate" || te.Where != "parameter api_key" || !strings.Contains(te.Msg, "does not parse") {
		t.Fatalf("error %+v; want pay_rate's parameter api_key that does not parse", te)
	}
	if !strings.Contains(te.Error(), "pay_rate parameter api_key") {
		t.Errorf("error text %q does not name the element and the parameter", te.Error())
	}
	if len(services.calls) != 0 {
		t.Errorf("the connector was called: %+v", services.calls)
	}
	if prep := findTask(in, "prepare", func(tk *engine.Task) bool { return tk.State == engine.Completed }); prep == nil {
		t.Error("the script task before the service task did not run")
	}
}
