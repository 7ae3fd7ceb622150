package dmn

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/script"
)

func TestFEELTemporalLiterals(t *testing.T) {
	day := func(s string) time.Time {
		v, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		entry string
		match []any
		miss  []any
	}{
		// Date fields of forms store ISO text; datetimes compare by date.
		{`< date("2024-01-01")`, []any{"2023-12-24", day("2023-12-31")}, []any{"2024-01-01", "2024-06-30"}},
		{`date("2024-02-29")`, []any{"2024-02-29"}, []any{"2024-03-01"}},
		{`[date("2024-01-01")..date("2024-12-31")]`, []any{"2024-01-01", "2024-07-04", "2024-12-31"}, []any{"2023-12-31", "2025-01-01"}},
		{`]date("2024-01-01")..date("2024-12-31")[`, []any{"2024-07-04"}, []any{"2024-01-01", "2024-12-31"}},
		{`date("2024-01-01"), date("2024-12-25")`, []any{"2024-12-25"}, []any{"2024-12-24"}},
		{`not(date("2024-01-01"))`, []any{"2024-01-02"}, []any{"2024-01-01"}},
		{`>= date and time("2024-03-01T09:00:00")`, []any{"2024-03-01T09:00:00", "2024-03-02T00:00:00"}, []any{"2024-03-01T08:59:59"}},
		{`< date  and  time("2024-03-01T09:00:00Z")`, []any{"2024-03-01T08:00:00+00:00"}, []any{"2024-03-01T10:00:00+00:00"}},
		{`[time("09:00:00")..time("17:00:00")]`, []any{"09:00:00", "12:30:00", "17:00:00"}, []any{"08:59:59", "17:00:01"}},
		// Inside a string the words are text, not literals.
		{`"date(\"2024-01-01\")"`, []any{`date("2024-01-01")`}, []any{"2024-01-01"}},
	}
	for _, tt := range tests {
		d := mustParse(t, table{
			inputs:  []col{{expr: "x"}},
			outputs: []col{{name: "hit"}},
			rules:   [][]string{{tt.entry, "True"}},
		}.xml())
		check := func(v any, want bool) {
			out, err := d.Evaluate(&script.Env{}, map[string]any{"x": v})
			if err != nil {
				t.Errorf("%s with x=%v: %v (source %s)", tt.entry, v, err, d.Rules[0].Inputs[0].Source)
				return
			}
			if got := out["hit"] == true; got != want {
				t.Errorf("%s with x=%#v: match %v, want %v (source %s)", tt.entry, v, got, want, d.Rules[0].Inputs[0].Source)
			}
		}
		for _, v := range tt.match {
			check(v, true)
		}
		for _, v := range tt.miss {
			check(v, false)
		}
	}
}

// Durations compare with the timedeltas scripts compute.
func TestFEELDurationLiterals(t *testing.T) {
	tests := []struct {
		entry       string
		match, miss []int64 // seconds
	}{
		{`> duration("P2DT12H")`, []int64{3 * 86400}, []int64{2 * 86400, 60 * 3600}},
		{`<= duration("PT90M")`, []int64{3600, 5400}, []int64{5460}},
		{`[duration("PT1H")..duration("P1D")]`, []int64{3600, 86400}, []int64{3599, 86401}},
		{`duration("-PT1.5S"), duration("PT0S")`, []int64{0}, []int64{-1, 1}},
	}
	for _, tt := range tests {
		d := mustParse(t, table{
			inputs:  []col{{expr: "timedelta(seconds=s)"}},
			outputs: []col{{name: "hit"}},
			rules:   [][]string{{tt.entry, "True"}},
		}.xml())
		for _, list := range []struct {
			secs []int64
			want bool
		}{{tt.match, true}, {tt.miss, false}} {
			for _, s := range list.secs {
				out, err := d.Evaluate(&script.Env{}, map[string]any{"s": s})
				if err != nil {
					t.Errorf("%s with %ds: %v", tt.entry, s, err)
				} else if got := out["hit"] == true; got != list.want {
					t.Errorf("%s with %ds: match %v, want %v", tt.entry, s, got, list.want)
				}
			}
		}
	}
	d := mustParse(t, table{
		inputs:  []col{{expr: "timedelta(microseconds=us)"}},
		outputs: []col{{name: "hit"}},
		rules:   [][]string{{`duration("-PT1.5S")`, "True"}},
	}.xml())
	if out, err := d.Evaluate(&script.Env{}, map[string]any{"us": int64(-1500000)}); err != nil || out["hit"] != true {
		t.Errorf("-PT1.5S: %v %v, want a match", out, err)
	}
}

// Text input values read as durations: ISO 8601 or Python's str().
func TestFEELDurationTextInputs(t *testing.T) {
	d := mustParse(t, table{
		inputs:  []col{{expr: "x"}},
		outputs: []col{{name: "hit"}},
		rules:   [][]string{{`> duration("P1D")`, "True"}},
	}.xml())
	for x, want := range map[string]bool{"P2D": true, "PT24H": false, "1 day, 0:00:01": true, "23:59:59": false, "2 days, 0:00:00.500000": true} {
		out, err := d.Evaluate(&script.Env{}, map[string]any{"x": x})
		if err != nil || (out["hit"] == true) != want {
			t.Errorf("x=%q: %v %v, want match %v", x, out, err, want)
		}
	}
	for _, x := range []string{"tomorrow", "99999999999:00:00", "P1Y"} {
		if _, err := d.Evaluate(&script.Env{}, map[string]any{"x": x}); err == nil || !strings.Contains(err.Error(), strconv.Quote(x)) {
			t.Errorf("x=%q: %v, want an error naming the value", x, err)
		}
	}
}

// Output entries give the values task data stores: ISO text for a date,
// Python's str() for a timedelta.
func TestFEELTemporalOutputs(t *testing.T) {
	d := mustParse(t, table{
		inputs:  []col{{expr: "x"}},
		outputs: []col{{name: "due"}, {name: "grace"}},
		rules:   [][]string{{"-", `date("2024-03-01")`, `duration("P1DT2H")`}},
	}.xml())
	out, err := d.Evaluate(&script.Env{}, map[string]any{"x": int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if out["due"] != "2024-03-01" || out["grace"] != "1 day, 2:00:00" {
		t.Errorf("outputs = %#v, want due 2024-03-01 and grace 1 day, 2:00:00", out)
	}
}

func TestFEELTemporalLiteralProblems(t *testing.T) {
	for entry, why := range map[string]string{
		`< date("2024-13-01")`:            "not a date of the form YYYY-MM-DD",
		`date("01/02/2024")`:              "not a date of the form YYYY-MM-DD",
		`date and time("2024-03-01 9am")`: "not a date and time",
		`time("25:00:00")`:                "not a time",
		`> duration("P1Y")`:               "years and months have no fixed length",
		`> duration("1 day")`:             "not an ISO 8601 duration",
		`> duration("P99999999999D")`:     "longer than the largest timedelta",
	} {
		_, err := Parse("t.dmn", table{
			inputs:  []col{{expr: "x"}},
			outputs: []col{{name: "hit"}},
			rules:   [][]string{{entry, "True"}},
		}.xml())
		var ps Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].ElementID != "r1_inputEntry_1" || !strings.Contains(ps[0].Error(), why) || !strings.Contains(ps[0].Error(), strconv.Quote(entry)) {
			t.Errorf("entry %q: %v, want one problem at the entry quoting it and saying %q", entry, err, why)
		}
	}
	// A bad literal in an output entry names the output.
	_, err := Parse("t.dmn", table{
		inputs:  []col{{expr: "x"}},
		outputs: []col{{name: "due"}},
		rules:   [][]string{{"-", `date("tomorrow")`}},
	}.xml())
	if err == nil || !strings.Contains(err.Error(), `output "due"`) || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("output literal: %v, want a problem naming output \"due\"", err)
	}
}

func TestDayTimeDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"P1D": 24 * time.Hour, "PT1H30M": 90 * time.Minute, "PT0.25S": 250 * time.Millisecond,
		"-P1DT1S": -(24*time.Hour + time.Second), "P0D": 0,
	} {
		us, err := dayTimeDuration(in)
		if err != nil || time.Duration(us)*time.Microsecond != want {
			t.Errorf("%s = %d µs, %v; want %v", in, us, err, want)
		}
	}
	for _, in := range []string{"P", "PT", "P1DT", "1D", "P1W"} {
		if _, err := dayTimeDuration(in); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}
