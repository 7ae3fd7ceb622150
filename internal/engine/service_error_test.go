package engine_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/engine"
)

// A service call that fails is offered to the diagram as SpiffArena offers
// a connector's failure: an error with the failure's code, caught by an
// error boundary event on the task (matching code) or around it (a
// catcher without a code), the failure's details in the catching event's
// variable; uncaught, the task goes to ERROR.
func TestServiceFailureCaughtByBoundary(t *testing.T) {
	lib := load(t, "service_errors.bpmn")
	payload := map[string]any{"error_code": "ServiceTaskHttpError404", "message": "GET https://example.com/x answered 404 Not Found",
		"operator_identifier": "http/GetRequest", "status_code": int64(404)}
	for _, tc := range []struct {
		name, process, code string
		caught              bool
		trace               []string
		data                map[string]any
	}{
		{"a boundary on the task catches its code", "p_caught_by_code", "ServiceTaskHttpError404", true,
			[]string{"start", "missing", "note", "end_missing"}, map[string]any{"failure": payload, "status": int64(404)}},
		{"another code is not caught there", "p_caught_by_code", "ServiceTaskHttpError500", false, []string{"start"}, nil},
		{"a catch-all boundary around the task catches any code", "p_caught_around", "ConnectionError", true,
			[]string{"start", "sub_start", "any", "end_failed"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			services := &fakeServices{pending: map[string]bool{"http/GetRequest": true}}
			in, err := engine.Start(lib, engine.StartOptions{Process: tc.process}, engine.Env{Clock: &testClock{now: t0}, Services: services})
			if err != nil {
				t.Fatal(err)
			}
			call := findTask(in, "fetch", func(tk *engine.Task) bool { return tk.State == engine.Started })
			if call == nil {
				t.Fatal("the service task is not STARTED")
			}
			p := map[string]any{}
			for k, v := range payload {
				p[k] = v
			}
			p["error_code"] = tc.code
			caught, err := in.FailStartedWith(call.ID, tc.code, "the call failed", p)
			if err != nil {
				t.Fatal(err)
			}
			if caught != tc.caught {
				t.Fatalf("caught = %v, want %v", caught, tc.caught)
			}
			if d := cmp.Diff(tc.trace, in.Trace()); d != "" {
				t.Errorf("trace (-want +got):\n%s", d)
			}
			if !tc.caught {
				if in.Status() != engine.Failed || in.Err() == nil || in.Err().NodeID != "fetch" || in.Err().Msg != "the call failed" {
					t.Errorf("status %v, error %+v; want the service task in ERROR", in.Status(), in.Err())
				}
				return
			}
			if in.Status() != engine.Done {
				t.Errorf("status %v, want completed", in.Status())
			}
			if got := findTask(in, "fetch", func(tk *engine.Task) bool { return tk.State == engine.Cancelled }); got == nil {
				t.Error("the interrupted service task is not CANCELLED")
			}
			if tc.data != nil {
				if d := cmp.Diff(tc.data, in.Data()); d != "" {
					t.Errorf("data (-want +got):\n%s", d)
				}
			}
		})
	}
}
