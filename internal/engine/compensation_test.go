package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// TestCompensation: handlers of completed activities run in reverse order
// of completion, for one activity or all, inside subprocesses and for each
// completed instance of a multi-instance or loop activity; an activity that
// never completed is not compensated, and none is compensated twice.
func TestCompensation(t *testing.T) {
	runCases(t, []engineCase{
		{
			name: "two completed tasks undone in reverse order", files: []string{"compensation.bpmn"}, process: "p_comp_all",
			data: m{"undone": l()},
			steps: []step{
				expectNow(strs("confirm"), strs()),
				complete("confirm", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("start", "book_hotel", "book_flight", "confirm",
					"comp_flight", "undo_flight", "comp_hotel", "undo_hotel", "undo_all", "end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("flight", "hotel"), "hotel": "cancelled", "flight": "cancelled"}},
		},
		{
			name: "a failing handler stops the compensation where it failed", files: []string{"compensation.bpmn"}, process: "p_comp_all",
			steps: []step{complete("confirm", nil)},
			want: outcome{Status: statusFailed,
				Trace: strs("start", "book_hotel", "book_flight", "confirm", "comp_flight"),
				Ready: strs(), Waiting: strs(), ErrTask: "undo_flight", ErrWhere: "script", ErrLine: 2},
			errHas: "undone",
			states: map[string][]string{"undo_all": {"STARTED"}, "undo_hotel": {}, "end": {}},
		},
		{
			name: "activityRef compensates one activity, and nothing is compensated twice", files: []string{"compensation.bpmn"}, process: "p_comp_ref",
			data: m{"undone": l()},
			steps: []step{
				complete("r_confirm", nil),
				expectTrace("r_start", "r_hotel", "r_flight", "r_confirm", "r_comp_hotel", "r_undo_hotel", "r_undo_hotel_only"),
				expectData("r_check", m{"undone": l("hotel"), "hotel": "booked", "flight": "booked"}),
				complete("r_check", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("r_start", "r_hotel", "r_flight", "r_confirm", "r_comp_hotel", "r_undo_hotel", "r_undo_hotel_only",
					"r_check", "r_comp_flight", "r_undo_flight", "r_end_all"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("hotel", "flight"), "hotel": "booked", "flight": "booked"}},
			states: map[string][]string{"r_undo_hotel": {"COMPLETED"}, "r_undo_flight": {"COMPLETED"}},
		},
		{
			name: "a task that never completed has no handler run", files: []string{"compensation.bpmn"}, process: "p_comp_never",
			data: m{"undone": l()},
			steps: []step{
				expectNow(strs("n_approve"), strs("n_late")),
				advance(2 * time.Hour),
			},
			want: outcome{Status: statusDone,
				Trace: strs("n_start", "n_hotel", "n_late", "n_comp_hotel", "n_undo_hotel", "n_undo", "n_end_late"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("hotel"), "hotel": "booked"}},
			states: map[string][]string{"n_approve": {"CANCELLED"}, "n_undo_approve": {}, "n_comp_approve": {}},
		},
		{
			name: "compensation thrown inside an embedded subprocess", files: []string{"compensation.bpmn"}, process: "p_comp_sub",
			data: m{"undone": l(), "undo_inside": true},
			want: outcome{Status: statusDone,
				Trace: strs("s_start", "t_start", "t_hotel", "t_flight", "t_gw",
					"t_comp_flight", "t_undo_flight", "t_comp_hotel", "t_undo_hotel", "t_undo_inside", "t_end", "trip",
					"s_car", "s_comp_car", "s_undo_car", "s_undo_all", "s_end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("flight", "hotel", "car"), "undo_inside": true, "hotel": "booked", "flight": "booked", "car": "booked"}},
		},
		{
			name: "a completed subprocess is compensated by undoing its inside", files: []string{"compensation.bpmn"}, process: "p_comp_sub",
			data: m{"undone": l(), "undo_inside": false},
			want: outcome{Status: statusDone,
				Trace: strs("s_start", "t_start", "t_hotel", "t_flight", "t_gw", "t_end", "trip",
					"s_car", "s_comp_car", "s_undo_car", "t_comp_flight", "t_undo_flight", "t_comp_hotel", "t_undo_hotel", "s_undo_all", "s_end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("car", "flight", "hotel"), "undo_inside": false, "hotel": "booked", "flight": "booked", "car": "booked"}},
		},
		{
			name: "a compensation event subprocess is its subprocess's handler", files: []string{"compensation.bpmn"}, process: "p_comp_handler_sub",
			data: m{"undone": l()},
			steps: []step{
				expectNow(strs("hu_confirm"), strs()),
				expectTrace("h_start", "ht_start", "ht_hotel", "ht_flight", "ht_end", "h_trip", "hu_start", "hu_note"),
				complete("hu_confirm", nil),
			},
			want: outcome{Status: statusDone,
				Trace: strs("h_start", "ht_start", "ht_hotel", "ht_flight", "ht_end", "h_trip",
					"hu_start", "hu_note", "hu_confirm", "ht_comp_flight", "ht_undo_flight", "hu_undo_flight", "hu_end", "ht_on_undo", "h_undo_all", "h_end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("trip: booked, booked", "flight"), "hotel": "booked", "flight": "booked"}},
			states: map[string][]string{"ht_undo_hotel": {}},
		},
		{
			name: "each completed multi-instance instance is compensated", files: []string{"compensation.bpmn"}, process: "p_comp_mi",
			data: m{"rooms": l("r1", "r2", "r3"), "released": l()},
			steps: []step{
				expectNow(strs("reserve", "reserve", "reserve"), strs("m_cancel")),
				completeWhere("reserve", "room", "r3", nil),
				completeWhere("reserve", "room", "r1", nil),
				deliver("message", "cancel", nil, true),
			},
			want: outcome{Status: statusDone,
				Trace: strs("m_start", "reserve", "reserve", "m_cancel",
					"m_comp_reserve", "release", "m_comp_reserve", "release", "m_undo", "m_end_cancelled"),
				Ready: strs(), Waiting: strs(),
				Data: m{"rooms": l("r1", "r2", "r3"), "released": l("r1", "r3")}},
			states: map[string][]string{"release": {"COMPLETED", "COMPLETED"}, "m_end": {}},
		},
		{
			name: "every iteration of a sequential multi-instance and of a loop is compensated", files: []string{"compensation.bpmn"}, process: "p_comp_loops",
			data: m{"amounts": l(int64(10), int64(20), int64(5)), "balance": int64(100), "ticks": int64(0), "refunds": l()},
			want: outcome{Status: statusDone,
				Trace: strs("l_start", "charge", "charge", "charge", "charge", "tick", "tick", "tick",
					"l_comp_tick", "untick", "l_comp_tick", "untick",
					"l_comp_charge", "refund", "l_comp_charge", "refund", "l_comp_charge", "refund", "l_undo"),
				Ready: strs(), Waiting: strs(),
				Data: m{"amounts": l(int64(10), int64(20), int64(5)), "amount": int64(5), "balance": int64(100), "ticks": int64(0), "refunds": l(int64(5), int64(20), int64(10))}},
		},
		{
			name: "a completed call activity is compensated by undoing the called process", files: []string{"compensation.bpmn"}, process: "p_comp_call",
			want: outcome{Status: statusDone,
				Trace: strs("cc_start", "cd_start", "cd_hotel", "cd_end", "cc_call", "cd_comp_hotel", "cd_undo_hotel", "cc_undo"),
				Ready: strs(), Waiting: strs(),
				Data: m{"hotel": "cancelled"}},
		},
		{
			name: "an error event subprocess compensates the process's completed work", files: []string{"compensation.bpmn"}, process: "p_comp_on_error",
			steps: []step{
				complete("e_ship", nil),
				expectData("e_refund", m{"paid": int64(0)}),
				expectData("ee_end", m{"paid": int64(0)}),
			},
			// The event subprocess's data stays inside it, and the error end
			// event's token was taken by the interruption.
			want: outcome{Status: statusDone,
				Trace: strs("e_start", "e_pay", "e_ship", "e_fail", "ee_start", "e_comp_pay", "e_refund", "ee_undo", "ee_end", "e_on_error"),
				Ready: strs(), Waiting: strs(),
				Data: m{}},
		},
		{
			name: "a handler waits for a message in a subprocess that has finished", files: []string{"compensation.bpmn"}, process: "p_comp_wait_msg",
			steps: []step{
				expectNow(strs(), strs("qs_await_refund")),
				expectStatus(engine.Running),
				deliver("message", "refund", m{"amount": int64(12)}, true),
			},
			want: outcome{Status: statusDone,
				Trace: strs("q_start", "qs_start", "qs_order", "qs_end", "q_sub", "qs_comp_order", "qs_await_refund", "q_undo"),
				Ready: strs(), Waiting: strs(), Data: m{"refund": m{"amount": int64(12)}}},
		},
		{
			name: "interrupting the process cancels a handler waiting in a finished subprocess", files: []string{"compensation.bpmn"}, process: "p_comp_interrupted",
			steps: []step{
				expectNow(strs(), strs("ia_start", "is_await_refund")),
				deliver("message", "abort", nil, true),
				deliver("message", "refund", nil, false),
			},
			want: outcome{Status: statusDone,
				Trace: strs("i_start", "is_start", "is_order", "is_end", "i_sub", "is_comp_order", "ia_start", "ia_end", "i_on_abort"),
				Ready: strs(), Waiting: strs(), Data: m{}},
			states: map[string][]string{"i_undo": {"CANCELLED"}, "is_await_refund": {"CANCELLED"}, "i_end": {}},
		},
		{
			name: "without waitForCompletion the throw moves on at once", files: []string{"compensation.bpmn"}, process: "p_comp_nowait",
			steps: []step{
				expectNow(strs("w_call_customer", "w_next"), strs()),
				expectTrace("w_start", "w_order", "w_comp_order", "w_undo"),
				complete("w_next", nil),
				expectStatus(engine.Running),
				complete("w_call_customer", m{"called": true}),
			},
			want: outcome{Status: statusDone,
				Trace: strs("w_start", "w_order", "w_comp_order", "w_undo", "w_next", "w_end", "w_call_customer"),
				Ready: strs(), Waiting: strs(),
				Data: m{"order": "placed"}},
		},
		{
			name: "a cancelled transaction compensates what completed in it first", files: []string{"compensation.bpmn"}, process: "p_comp_tx",
			data: m{"balance": int64(10)},
			want: outcome{Status: statusDone,
				Trace: strs("x_start", "xt_start", "xt_debit", "xt_gw", "xt_cancel", "xt_comp_debit", "xt_credit", "x_cancelled", "x_end_cancelled"),
				Ready: strs(), Waiting: strs(),
				Data: m{"balance": int64(10)}},
			states: map[string][]string{"x_tx": {"CANCELLED"}, "x_end": {}},
		},
		{
			name: "a cancelled transaction compensates inside a subprocess still running in it", files: []string{"compensation.bpmn"}, process: "p_comp_tx_nested",
			data: m{"undone": l()},
			steps: []step{
				expectNow(strs("yt_decide", "yp_receipt"), strs("y_cancelled")),
				complete("yt_decide", m{"cancel": true}),
			},
			want: outcome{Status: statusDone,
				Trace: strs("y_start", "yt_start", "yt_fork", "yt_reserve", "yp_start", "yp_debit", "yt_decide", "yt_gw", "yt_cancel",
					"yp_comp_debit", "yp_credit", "yt_comp_reserve", "yt_release", "y_cancelled", "y_end_cancelled"),
				Ready: strs(), Waiting: strs(),
				Data: m{"undone": l("payment", "seats"), "cancel": true}},
			states: map[string][]string{"y_tx": {"CANCELLED"}, "yt_pay": {"CANCELLED"}, "yp_receipt": {"CANCELLED"}},
		},
		{
			name: "a transaction that completes is not compensated", files: []string{"compensation.bpmn"}, process: "p_comp_tx",
			data: m{"balance": int64(50)},
			want: outcome{Status: statusDone,
				Trace: strs("x_start", "xt_start", "xt_debit", "xt_gw", "xt_end", "x_tx", "x_end"),
				Ready: strs(), Waiting: strs(),
				Data: m{"balance": int64(20)}},
			states: map[string][]string{"xt_credit": {}, "x_cancelled": {"CANCELLED"}},
		},
	})
}

// TestRestoreRefusesBadCompensationState: compensation records and handler
// links that name no task, or a task that did not complete, are refused.
func TestRestoreRefusesBadCompensationState(t *testing.T) {
	snapAt := func(process string, data map[string]any) ([]byte, *run) {
		t.Helper()
		r := startCase(t, engineCase{files: []string{"compensation.bpmn"}, process: process, data: data})
		snap, err := r.in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		return snap, r
	}
	refs, rr := snapAt("p_comp_ref", m{"undone": l()})
	nowait, rn := snapAt("p_comp_nowait", nil)
	confirm := findTask(rr.in, "r_confirm", func(*engine.Task) bool { return true })
	for _, c := range []struct {
		name     string
		snap     []byte
		r        *run
		from, to string
	}{
		{"record of a task that does not exist", refs, rr, `"comp":[`, `"comp":[999,`},
		{"record of a task that did not complete", refs, rr, `"comp":[`, fmt.Sprintf(`"comp":[%d,`, confirm.ID)},
		{"handler waiting on a task that does not exist", nowait, rn, `"comp_for":`, `"comp_for":9`},
		{"throw compensating a task that does not exist", nowait, rn, `"comp_for":`, `"compensate":[77],"comp_for":`},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(string(c.snap), c.from, c.to, 1)
			if bad == string(c.snap) {
				t.Fatalf("%s is not in the snapshot:\n%s", c.from, c.snap)
			}
			if _, err := engine.Restore(c.r.lib, []byte(bad), c.r.env); !errors.Is(err, engine.ErrSnapshot) {
				t.Errorf("err = %v, want ErrSnapshot", err)
			}
		})
	}
	// The unchanged snapshots restore.
	for _, c := range []struct {
		snap []byte
		r    *run
	}{{refs, rr}, {nowait, rn}} {
		if _, err := engine.Restore(c.r.lib, c.snap, c.r.env); err != nil {
			t.Errorf("Restore: %v", err)
		}
	}
}

// BenchmarkCompensate100: a sequential multi-instance script charges 100
// amounts, each instance recorded for compensation, and the end event
// refunds all 100 newest first (plus a two-iteration loop undone the same
// way): 1 instance = 100 charges and 100 refunds.
func BenchmarkCompensate100(b *testing.B) {
	lib := load(b, "compensation.bpmn")
	amounts := make([]any, 100)
	for i := range amounts {
		amounts[i] = int64(i + 1)
	}
	data := map[string]any{"amounts": amounts, "balance": int64(10000), "ticks": int64(0), "refunds": []any{}}
	env := engine.Env{Clock: benchClock}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in, err := engine.Start(lib, engine.StartOptions{Process: "p_comp_loops", Data: data}, env)
		if err != nil {
			b.Fatal(err)
		}
		if in.Status() != engine.Done || in.Data()["balance"] != int64(10000) {
			b.Fatalf("instance did not compensate: %v %v %v", in.Status(), in.Err(), in.Data()["balance"])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
}
