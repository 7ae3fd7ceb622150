package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// TestAPIErrors checks that host calls on the wrong task are refused with
// the error a host branches on, and leave the instance as it was.
func TestAPIErrors(t *testing.T) {
	idOf := func(t *testing.T, r *run, node string, state engine.State) int {
		t.Helper()
		tk := findTask(r.in, node, func(tk *engine.Task) bool { return tk.State == state })
		if tk == nil {
			t.Fatalf("no %v task %q", state, node)
		}
		return tk.ID
	}
	cases := []struct {
		name    string
		c       engineCase
		call    func(t *testing.T, r *run) error
		wantErr error
	}{
		{
			name: "Complete of an unknown task", c: engineCase{files: []string{"basic.bpmn"}, process: "p_manual"},
			call:    func(t *testing.T, r *run) error { return r.in.Complete(999, nil) },
			wantErr: engine.ErrNoTask,
		},
		{
			name: "Complete of a completed task", c: engineCase{files: []string{"basic.bpmn"}, process: "p_manual"},
			call: func(t *testing.T, r *run) error {
				id := idOf(t, r, "manual", engine.Ready)
				if err := r.in.Complete(id, nil); err != nil {
					t.Fatal(err)
				}
				return r.in.Complete(id, nil)
			},
			wantErr: engine.ErrTaskState,
		},
		{
			name: "Complete of a task that is not a human task", c: engineCase{files: []string{"tasks.bpmn"}, process: "p_service_pending", data: m{"question": "q"},
				services: &fakeServices{pending: map[string]bool{"slow/Op": true}}},
			call:    func(t *testing.T, r *run) error { return r.in.Complete(idOf(t, r, "slow", engine.Started), nil) },
			wantErr: engine.ErrNotHuman,
		},
		{
			name: "CompleteStarted of a READY user task", c: engineCase{files: []string{"basic.bpmn"}, process: "p_user"},
			call: func(t *testing.T, r *run) error {
				return r.in.CompleteStarted(idOf(t, r, "ask_order", engine.Ready), nil)
			},
			wantErr: engine.ErrNotStarted,
		},
		{
			name: "CompleteStarted of a running subprocess", c: engineCase{files: []string{"subprocess.bpmn"}, process: "p_bnd_sub"},
			call:    func(t *testing.T, r *run) error { return r.in.CompleteStarted(idOf(t, r, "work", engine.Started), nil) },
			wantErr: engine.ErrNotStarted,
		},
		{
			name: "FailStarted of a READY user task", c: engineCase{files: []string{"basic.bpmn"}, process: "p_user"},
			call:    func(t *testing.T, r *run) error { return r.in.FailStarted(idOf(t, r, "ask_order", engine.Ready), "no") },
			wantErr: engine.ErrNotStarted,
		},
		{
			name: "Retry of a task that is not in ERROR", c: engineCase{files: []string{"basic.bpmn"}, process: "p_user"},
			call:    func(t *testing.T, r *run) error { return r.in.Retry(idOf(t, r, "ask_order", engine.Ready)) },
			wantErr: engine.ErrTaskState,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := startCase(t, tc.c)
			before := observe(r)
			err := tc.call(t, r)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if tc.name == "Complete of a completed task" {
				return // the first Complete moved the instance on
			}
			if after := observe(r); !cmp.Equal(before, after) {
				t.Errorf("a refused call changed the instance: before %+v, after %+v", before, after)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	lib := load(t, "basic.bpmn")
	if _, err := engine.Start(lib, engine.StartOptions{Process: "no_such_process"}, engine.Env{Clock: &testClock{now: t0}}); err == nil {
		t.Error("Start of an unknown process succeeded")
	}
	r := startCase(t, engineCase{files: []string{"tasks.bpmn"}, process: "p_signal"})
	if _, err := r.in.Deliver("escalation", "go", nil); err == nil {
		t.Error("Deliver of an escalation from outside was accepted")
	}
	if got := r.in.Status(); got != engine.Running {
		t.Errorf("status = %v, want running", got)
	}
}

func TestRandomSeed(t *testing.T) {
	const diagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="dice" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="roll"><bpmn:script>import random
a = random.randint(1, 1000000)
b = random.randint(1, 1000000)</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="roll"/>
    <bpmn:sequenceFlow id="f2" sourceRef="roll" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "dice.bpmn", Data: []byte(diagram)})
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed *uint64) *engine.Instance {
		in, err := engine.Start(lib, engine.StartOptions{Process: "dice"}, engine.Env{Clock: benchClock, RandomSeed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	if in := run(nil); in.Status() != engine.Failed || !strings.Contains(in.Err().Msg, "random") {
		t.Fatalf("without a seed import random must fail naming random: %v %v", in.Status(), in.Err())
	}
	s1, s2 := uint64(7), uint64(8)
	a, b, c := run(&s1).Data(), run(&s1).Data(), run(&s2).Data()
	if a["a"] != b["a"] || a["b"] != b["b"] {
		t.Errorf("same seed, different draws: %v %v", a, b)
	}
	if a["a"] == a["b"] && a["a"] == c["a"] {
		t.Errorf("draws do not vary: %v %v", a, c)
	}
}

// TestRestoreRefusesDamagedSnapshots: a cut or altered snapshot is refused
// with ErrSnapshot, never restored half-way and never a panic.
func TestRestoreRefusesDamagedSnapshots(t *testing.T) {
	lib := benchLibrary(t, "par10.bpmn")
	env := engine.Env{Clock: benchClock}
	in, err := engine.Start(lib, engine.StartOptions{Process: "par10"}, env)
	if err != nil {
		t.Fatal(err)
	}
	good, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(good); n++ {
		if _, err := engine.Restore(lib, good[:n], env); !errors.Is(err, engine.ErrSnapshot) {
			t.Fatalf("snapshot cut at %d of %d bytes: err = %v, want ErrSnapshot", n, len(good), err)
		}
	}
	for _, c := range []struct{ from, to string }{
		{fmt.Sprintf(`"version":%d`, engine.SnapshotVersion), `"version":99`},
		{`"node":"b3"`, `"node":"gone"`},
		{`"data":3`, `"data":999`},
		{`"state":"COMPLETED"`, `"state":"SLEEPING"`},
		{`"processes":["par10"]`, `"processes":["nowhere"]`},
	} {
		bad := strings.Replace(string(good), c.from, c.to, 1)
		if bad == string(good) {
			t.Fatalf("%s is not in the snapshot", c.from)
		}
		if _, err := engine.Restore(lib, []byte(bad), env); !errors.Is(err, engine.ErrSnapshot) {
			t.Errorf("%s -> %s: err = %v, want ErrSnapshot", c.from, c.to, err)
		}
	}
}

// FuzzRestore: whatever bytes come in, Restore returns an instance or an
// error; it never panics.
func FuzzRestore(f *testing.F) {
	lib := benchLibrary(f, "par10.bpmn")
	env := engine.Env{Clock: benchClock}
	in, err := engine.Start(lib, engine.StartOptions{Process: "par10"}, env)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := in.Snapshot()
	f.Add(good)
	f.Add([]byte(`{"version":1,"tasks":[{"id":1,"p":0,"node":"start","state":"READY","scope":0,"data":-1}],"processes":["par10"],"values":[],"roots":[0],"data":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		restored, err := engine.Restore(lib, data, env)
		if err == nil && restored == nil {
			t.Fatal("nil instance without an error")
		}
	})
}

// TestMultiInstanceScriptItem: instances of a parallel multi-instance script
// task see their input item, and an instance that fails, or is cancelled
// before its script ran, keeps the item in its data.
func TestMultiInstanceScriptItem(t *testing.T) {
	const diagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="divide">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopDataInputRef>nums</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>out</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="n" name="n"/>
        <bpmn:outputDataItem id="r" name="r"/>
        %s
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>r = 8 // n</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="divide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="divide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`
	type inst struct {
		State string
		Data  map[string]any
	}
	nums := []any{int64(4), int64(0), int64(2)}
	data := func(kv ...any) map[string]any {
		m := map[string]any{"nums": nums, "out": []any{}}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name, completion string
		status           engine.Status
		want             []inst
	}{
		{
			name: "one instance fails", status: engine.Failed,
			want: []inst{
				{"COMPLETED", data("n", int64(4), "r", int64(2))},
				{"ERROR", data("n", int64(0))},
				{"COMPLETED", data("n", int64(2), "r", int64(4))},
			},
		},
		{
			name: "the first instance cancels the others", status: engine.Done,
			completion: "<bpmn:completionCondition>r == 2</bpmn:completionCondition>",
			want: []inst{
				{"COMPLETED", data("n", int64(4), "r", int64(2))},
				{"CANCELLED", data("n", int64(0))},
				{"CANCELLED", data("n", int64(2))},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "mi.bpmn", Data: []byte(fmt.Sprintf(diagram, tc.completion))})
			if err != nil {
				t.Fatal(err)
			}
			in, err := engine.Start(lib, engine.StartOptions{Process: "p", Data: map[string]any{"nums": nums}}, engine.Env{Clock: benchClock})
			if err != nil {
				t.Fatal(err)
			}
			if in.Status() != tc.status {
				t.Fatalf("status = %v, want %v (%v)", in.Status(), tc.status, in.Err())
			}
			var got []inst
			for _, tk := range in.Tasks() {
				if tk.Node.ID == "divide" && tk.Role == engine.RoleInstance {
					got = append(got, inst{tk.State.String(), tk.Data})
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("instances (-want +got):\n%s", d)
			}
		})
	}
}
