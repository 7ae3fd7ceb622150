package engine_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// mallocs returns the number of heap allocations f makes.
func mallocs(f func()) uint64 {
	n, _ := allocated(f)
	return n
}

// allocated returns the number and total size of the heap allocations f
// makes.
func allocated(f func()) (count, bytes uint64) {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.Mallocs - a.Mallocs, b.TotalAlloc - a.TotalAlloc
}

const userLoop = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="loop" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>
<bpmn:userTask id="work"/><bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="count"/>
<bpmn:scriptTask id="count"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="more"/>
<bpmn:exclusiveGateway id="more" default="f_end"/>
<bpmn:sequenceFlow id="f_back" sourceRef="more" targetRef="work"><bpmn:conditionExpression>n &lt; limit</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_end" sourceRef="more" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>`

// TestLoopStepCostStaysFlat: in a 1,600-iteration user-task loop the last
// step looks at as many tasks, and allocates as much, as the first: a step
// does not scan the instance's history.
func TestLoopStepCostStaysFlat(t *testing.T) {
	const iterations = 1600
	lib := parseBytes(t, "loop.bpmn", []byte(userLoop))
	in, err := engine.Start(lib, engine.StartOptions{Process: "loop", Data: map[string]any{"n": 0, "limit": iterations}}, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	step := func(measure bool) (visits int, allocs uint64) {
		ready := in.ReadyHuman()
		if len(ready) != 1 {
			t.Fatalf("ready %v", nodeIDs(ready))
		}
		before := engine.Visits(in)
		complete := func() {
			if err := in.Complete(ready[0].ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		if measure {
			allocs = mallocs(complete)
		} else {
			complete()
		}
		return engine.Visits(in) - before, allocs
	}
	// The first and the last 50 steps, averaged over the window.
	const window = 50
	var firstVisits, lastVisits int
	var firstAllocs, lastAllocs uint64
	for i := 0; i < iterations; i++ {
		switch {
		case i < window:
			v, a := step(true)
			firstVisits, firstAllocs = firstVisits+v, firstAllocs+a
		case i >= iterations-window:
			v, a := step(true)
			lastVisits, lastAllocs = lastVisits+v, lastAllocs+a
		default:
			step(false)
		}
	}
	t.Logf("steps 1-%d: %d task visits, %d allocations; steps %d-%d: %d visits, %d allocations",
		window, firstVisits, firstAllocs, iterations-window+1, iterations, lastVisits, lastAllocs)
	// Finished tasks are dropped from the index in batches, so a window
	// may look at a few more; never at a number that grows with the loop.
	if lastVisits > firstVisits+firstVisits/2 {
		t.Errorf("the last %d steps looked at %d tasks, the first %d at %d", window, lastVisits, window, firstVisits)
	}
	if lastAllocs > firstAllocs+firstAllocs/5 {
		t.Errorf("the last %d steps allocated %d times, the first %d %d times", window, lastAllocs, window, firstAllocs)
	}
	if in.Status() != engine.Done || len(in.Tasks()) < 3*iterations {
		t.Errorf("status %v after %d tasks", in.Status(), len(in.Tasks()))
	}
}

// TestFanOut4000: a parallel split into 4,000 script tasks joined again
// costs a bounded number of task visits and allocations per branch.
func TestFanOut4000(t *testing.T) {
	const n = 4000
	lib := parseBytes(t, "wide.bpmn", wideJoin("parallelGateway", n))
	var in *engine.Instance
	var visits int
	allocs, bytes := allocated(func() {
		var err error
		in, err = engine.Start(lib, engine.StartOptions{Process: "wide"}, engine.Env{})
		if err != nil {
			t.Fatal(err)
		}
		visits = engine.Visits(in)
	})
	t.Logf("%d branches: %d task visits, %d allocations, %d bytes", n, visits, allocs, bytes)
	if bytes > 4<<10*n {
		t.Errorf("%d bytes allocated for %d branches", bytes, n)
	}
	if ready := in.ReadyHuman(); len(ready) != 1 || len(ready[0].Data) != n {
		t.Fatalf("after the join: ready %v", nodeIDs(ready))
	}
	// Linear: a fixed number of visits and allocations per branch.
	if visits > 20*n {
		t.Errorf("%d task visits for %d branches", visits, n)
	}
	if allocs > 60*n {
		t.Errorf("%d allocations for %d branches", allocs, n)
	}
}

// TestFanOutToEndEvents4000: 4,000 branches that each reach an end event
// merge into the process's data in time and allocations linear in the
// branches (each adds one key).
func TestFanOutToEndEvents4000(t *testing.T) {
	const n = 4000
	src := strings.ReplaceAll(string(wideJoin("parallelGateway", n)), `targetRef="join"/>`, `targetRef="end"/>`)
	src = strings.Replace(src, `<bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="look"/><bpmn:userTask id="look"/>
<bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/>`, "", 1)
	src = strings.Replace(src, `<bpmn:parallelGateway id="join"/>`, "", 1)
	lib := parseBytes(t, "ends.bpmn", []byte(src))
	var in *engine.Instance
	allocs, bytes := allocated(func() {
		var err error
		in, err = engine.Start(lib, engine.StartOptions{Process: "wide"}, engine.Env{})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%d branches to end events: %d allocations, %d bytes", n, allocs, bytes)
	if bytes > 4<<10*n {
		t.Errorf("%d bytes allocated for %d branches", bytes, n)
	}
	if in.Status() != engine.Done || len(in.Data()) != n {
		t.Fatalf("status %v, %d keys", in.Status(), len(in.Data()))
	}
	if allocs > 60*n {
		t.Errorf("%d allocations for %d branches", allocs, n)
	}
}
