package script

import (
	"strings"
	"testing"
)

func TestSpiffDataHelpers(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "get_task_data_value present", src: "v = get_task_data_value('a', 'dflt')",
			data: map[string]any{"a": int64(3)}, want: map[string]any{"v": int64(3)}},
		{name: "get_task_data_value missing and None", src: "v = get_task_data_value('zz', 'dflt')\nw = get_task_data_value('n', 7)\nx = get_task_data_value('zz')",
			data: map[string]any{"n": nil}, want: map[string]any{"v": "dflt", "w": int64(7), "x": nil}},
		{name: "get_task_data_value sees names the script assigned", src: "b = [1]\nv = get_task_data_value('b')",
			want: map[string]any{"b": []any{int64(1)}, "v": []any{int64(1)}}},
		{name: "get_task_data_value not a built-in or deleted name", src: "del a\nv = get_task_data_value('a', 1)\nw = get_task_data_value('len', 2)",
			data: map[string]any{"a": int64(3)}, want: map[string]any{"v": int64(1), "w": int64(2)}, gone: []string{"a"}},
		{name: "update_task_data_with_dictionary", src: "update_task_data_with_dictionary({'x': 1, 'y': {'z': 'q'}})\ns = x + 1",
			data: map[string]any{"x": int64(0)}, want: map[string]any{"x": int64(1), "y": map[string]any{"z": "q"}, "s": int64(2)}},
		{name: "get_current_task_data", src: "def f():\n    return 1\nc = 2\nd = get_current_task_data()",
			data: map[string]any{"a": "b"}, want: map[string]any{"c": int64(2), "d": map[string]any{"a": "b", "c": int64(2)}}, gone: []string{"f"}},
		{name: "extract_from_task_data prefix", src: "e = extract_from_task_data('tmp_')",
			data: map[string]any{"tmp_a": int64(1), "tmp_b": "x", "keep": true},
			want: map[string]any{"e": map[string]any{"tmp_a": int64(1), "tmp_b": "x"}}, gone: []string{"tmp_a", "tmp_b"}},
		{name: "extract_from_task_data callable", src: "e = extract_from_task_data(lambda k: k.endswith('_x'))",
			data: map[string]any{"a_x": int64(1), "b": int64(2)},
			want: map[string]any{"e": map[string]any{"a_x": int64(1)}}, gone: []string{"a_x"}},
		{name: "generate_markdown_table", src: "t = generate_markdown_table(['first_name', {'property': 'n', 'label': 'Count', 'sanitize': False}], [{'first_name': 'a|b_c', 'n': 1}, {'n': '**'}])",
			want: map[string]any{"t": "| First name | Count |\n| ---- | ---- |\n| a\\|b\\_c | 1 |\n|  | ** |\n"}},
		{name: "generate_markdown_table keywords and formatter", src: "t = generate_markdown_table(data=[{'at': 5}], columns=[{'property': 'at', 'label': 'At', 'formatter': 'convert_seconds_to_date_time_for_display'}])",
			want: map[string]any{"t": "| At |\n| ---- |\n| SPIFF_FORMAT:::convert_seconds_to_date_time_for_display(5) |\n"}},
		{name: "get_localtime", src: "from datetime import timezone\nu = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)\nl = get_localtime(u, 'Europe/Paris').strftime('%H:%M %Z')\ne = get_localtime(datetime=u).isoformat()",
			want: map[string]any{"l": "14:00 CEST", "e": "2026-07-01T08:00:00-04:00", "u": "2026-07-01 12:00:00+00:00"}},
		{name: "get_localtime naive is the clock's zone", src: "l = str(get_localtime(datetime.utcnow(), 'Asia/Tokyo'))",
			want: map[string]any{"l": "2026-01-05 18:30:15+09:00"}},
	})
}

func TestSpiffHelperErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"update_task_data_with_dictionary([1])", "Expected a dictionary as the first argument."},
		{"get_localtime()", "You must include a datetime to convert."},
		{"get_localtime(timestamp='2026-01-01')", "You must include a datetime to convert."},
		{"get_localtime(datetime.utcnow(), 'Mars/Olympus')", "UnknownTimeZoneError: 'Mars/Olympus'"},
		{"generate_markdown_table(['a'])", "Missing required argument: 'data'"},
		{"extract_from_task_data(3)", "Optional predicate must either be a string or callable."},
	} {
		p, err := Compile("t", tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		_, err = p.Exec(&Env{Now: testClock}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestObjectAndLookup(t *testing.T) {
	calls := 0
	env := &Env{Now: testClock, Lookup: func(name string) (any, bool) {
		if name != "task" {
			return nil, false
		}
		calls++
		return Object{Type: "Task", Attrs: map[string]any{
			"data":      map[string]any{"a": int64(1)},
			"task_spec": Object{Type: "TaskSpec", Attrs: map[string]any{"name": "Act_1", "lane": "Finance"}},
		}}, true
	}}
	p, err := Compile("t", "lane = task.task_spec.lane\nn = task.task_spec.name + str(task.data['a'])\nt = task\nh = hasattr(task, 'nope')")
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Exec(env, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"lane": "Finance", "n": "Act_11", "h": false}
	if d := diffMaps(want, got); d != "" {
		t.Error(d)
	}
	if calls != 1 {
		t.Errorf("Lookup called %d times, want once per run", calls)
	}
	// Task data of the same name wins over the host's value.
	got, err = p.Exec(env, map[string]any{"task": "mine"})
	if err == nil {
		t.Errorf("a data value named task must shadow the object; got %v", got)
	}
	q, _ := Compile("t", "x = undefined_name")
	if _, err := q.Exec(env, nil); err == nil || !strings.Contains(err.Error(), "name 'undefined_name' is not defined") {
		t.Errorf("unknown name: %v", err)
	}
}

func diffMaps(want, got map[string]any) string {
	var b strings.Builder
	for k, v := range want {
		if ToPython(got[k]) != ToPython(v) {
			b.WriteString(k + ": got " + ToPython(got[k]) + ", want " + ToPython(v) + "\n")
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			b.WriteString("unexpected " + k + "\n")
		}
	}
	return b.String()
}

// BenchmarkTaskObject measures a script that reads the task object and
// calls a host helper found through Env.Lookup, against one that does not.
func BenchmarkTaskObject(b *testing.B) {
	obj := Object{Type: "Task", Attrs: map[string]any{
		"id": int64(7), "data": map[string]any{"a": int64(1), "b": "x"},
		"task_spec": Object{Type: "TaskSpec", Attrs: map[string]any{"name": "t", "bpmn_id": "t", "lane": "Finance"}},
	}}
	helper := Func(func([]any, map[string]any) (any, error) { return "v", nil })
	env := &Env{Now: testClock, Lookup: func(name string) (any, bool) {
		switch name {
		case "task":
			return obj, true
		case "helper":
			return helper, true
		}
		return nil, false
	}}
	for _, bc := range []struct{ name, src string }{
		{"plain", "lane = 'Finance'\nv = 'v'"},
		{"task and helper", "lane = task.task_spec.lane\nv = helper()"},
	} {
		p, err := Compile(bc.name, bc.src)
		if err != nil {
			b.Fatal(err)
		}
		data := map[string]any{"a": int64(1)}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Exec(env, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
