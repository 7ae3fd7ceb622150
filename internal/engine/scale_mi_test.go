package engine_test

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
)

func miProcess(sequential bool) string {
	seq := ""
	if sequential {
		seq = ` isSequential="true"`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="mi" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="each"/>
<bpmn:scriptTask id="each"><bpmn:multiInstanceLoopCharacteristics` + seq + `>
<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>
<bpmn:inputDataItem id="item"/><bpmn:outputDataItem id="result"/>
</bpmn:multiInstanceLoopCharacteristics><bpmn:script>result = item * 2</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f1" sourceRef="each" targetRef="look"/><bpmn:userTask id="look"/>
<bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>`
}

// TestMultiInstance10000: a 10,000-item multi-instance activity, parallel
// and sequential, followed by a user task: the instance is snapshotted,
// restored and completed, and the snapshot holds the input list a bounded
// number of times, not once per item.
func TestMultiInstance10000(t *testing.T) {
	const n = 10000
	items := make([]any, n)
	for i := range items {
		items[i] = int64(i)
	}
	for _, sequential := range []bool{false, true} {
		t.Run(fmt.Sprintf("sequential=%v", sequential), func(t *testing.T) {
			lib := parseBytes(t, "mi.bpmn", []byte(miProcess(sequential)))
			var in *engine.Instance
			allocs := mallocs(func() {
				var err error
				in, err = engine.Start(lib, engine.StartOptions{Process: "mi", Data: map[string]any{"items": items}}, engine.Env{})
				if err != nil {
					t.Fatal(err)
				}
			})
			snap, err := in.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d items: %d allocations to run, snapshot %d bytes", n, allocs, len(snap))
			// Each task costs a bounded record; the input list (about 50 kB
			// of JSON) may appear a few times, never once per item.
			if limit := 300*n + 10*len(fmt.Sprint(items)); len(snap) > limit {
				t.Errorf("snapshot is %d bytes, over %d", len(snap), limit)
			}
			if allocs > 15*n {
				t.Errorf("%d allocations for %d items", allocs, n)
			}
			back, err := engine.Restore(lib, snap, engine.Env{})
			if err != nil {
				t.Fatal(err)
			}
			ready := back.ReadyHuman()
			if len(ready) != 1 {
				t.Fatalf("ready after restore: %v", nodeIDs(ready))
			}
			results, _ := ready[0].Data["results"].([]any)
			if len(results) != n || results[n-1] != int64(2*(n-1)) {
				t.Fatalf("results: %d items", len(results))
			}
			if err := back.Complete(ready[0].ID, nil); err != nil {
				t.Fatal(err)
			}
			if back.Status() != engine.Done {
				t.Errorf("status %v", back.Status())
			}
		})
	}
}

// TestSnapshotDifferencesAreChecked: a data map stored as a difference
// must name an earlier map, and a list prefix must fit its list; anything
// else is a damaged snapshot.
func TestSnapshotDifferencesAreChecked(t *testing.T) {
	lib := parseBytes(t, "mi.bpmn", []byte(miProcess(true)))
	in, err := engine.Start(lib, engine.StartOptions{Process: "mi", Data: map[string]any{"items": []any{int64(1), int64(2), int64(3)}}}, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	delta := regexp.MustCompile(`,\[(\d+),\{`).FindSubmatchIndex(snap)
	prefix := regexp.MustCompile(`\{"results":(\d+)\}\]`).FindSubmatchIndex(snap)
	if delta == nil || prefix == nil {
		t.Fatalf("no difference with a list prefix in %s", snap)
	}
	for _, bad := range [][]byte{
		append(append(append([]byte{}, snap[:delta[2]]...), "9999"...), snap[delta[3]:]...),
		append(append(append([]byte{}, snap[:prefix[2]]...), "9999"...), snap[prefix[3]:]...),
	} {
		if _, err := engine.Restore(lib, bad, engine.Env{}); !errors.Is(err, engine.ErrSnapshot) {
			t.Errorf("damaged difference: err = %v, want ErrSnapshot", err)
		}
	}
}
