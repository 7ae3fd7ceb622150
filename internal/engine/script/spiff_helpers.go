package script

import (
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // get_localtime's zones must not depend on the machine's zoneinfo files

	"go.starlark.net/starlark"
)

// SpiffArena's script helpers that need nothing but the running script:
// they read or change the task data (the script's namespace) or only
// compute. Helpers that need the instance, the users or the database are
// the host's (Env.Funcs). Names, arguments and results follow SpiffArena's
// scripts of the same names.

// Object is a host value that scripts read by attribute, such as the task
// object of SpiffWorkflow (task.task_spec.lane, task.data). Attrs holds the
// attribute values (JSON-like values, time.Time, or nested Objects); Type
// is the name type() and repr show. An Object is read-only and, like a
// function, does not survive into task data.
type Object struct {
	Type  string
	Attrs map[string]any
}

// objValue is an Object inside a run.
type objValue struct {
	typ   string
	attrs starlark.StringDict
}

var _ starlark.HasAttrs = (*objValue)(nil)

func (o *objValue) String() string       { return "<" + o.typ + ">" }
func (o *objValue) Type() string         { return o.typ }
func (o *objValue) Freeze()              {}
func (o *objValue) Truth() starlark.Bool { return true }
func (o *objValue) Hash() (uint32, error) {
	return 0, pyErr(excTypeError, "unhashable type: '%s'", o.typ)
}
func (o *objValue) pyStr() string       { return o.String() }
func (o *objValue) pyRepr() string      { return o.String() }
func (o *objValue) AttrNames() []string { return o.attrs.Keys() }
func (o *objValue) Attr(name string) (starlark.Value, error) {
	if v, ok := o.attrs[name]; ok {
		return v, nil
	}
	return nil, nil
}

func objectValue(o Object) (starlark.Value, error) {
	v := &objValue{typ: o.Type, attrs: make(starlark.StringDict, len(o.Attrs))}
	if v.typ == "" {
		v.typ = "object"
	}
	for k, a := range o.Attrs {
		x, err := toValue(a)
		if err != nil {
			return nil, err
		}
		v.attrs[k] = x
	}
	return v, nil
}

func initSpiffHelpers() {
	fns := map[string]builtinFn{
		"get_task_data_value":              bGetTaskDataValue,
		"update_task_data_with_dictionary": bUpdateTaskData,
		"get_current_task_data":            bGetCurrentTaskData,
		"extract_from_task_data":           bExtractFromTaskData,
		"generate_markdown_table":          bGenerateMarkdownTable,
		"get_localtime":                    bGetLocaltime,
	}
	for name, f := range fns {
		builtins[name] = starlark.NewBuiltin(name, metered(f))
	}
}

// dataValue reads a task data name of the running script: a name the
// script assigned, or a key of the task data it did not delete. Host
// globals and built-ins are not task data.
func (ns *namespace) dataValue(name string) (starlark.Value, bool, error) {
	if v, ok := ns.vars[name]; ok {
		return v, true, nil
	}
	if _, ok := ns.dataGet(name); ok && !ns.deleted[name] {
		return ns.Get(starlark.String(name))
	}
	return nil, false, nil
}

// dataNames lists the task data names of the running script, sorted.
func (ns *namespace) dataNames() []string {
	seen := map[string]bool{}
	var out []string
	for n := range ns.data {
		if !ns.deleted[n] && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if n := ns.extraName; ns.hasExtra && !ns.deleted[n] && !seen[n] {
		seen[n] = true
		out = append(out, n)
	}
	for n := range ns.vars {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// isData reports whether a value would be kept in task data (functions,
// modules and classes are not).
func isData(v starlark.Value) bool {
	switch v.(type) {
	case *starlark.Function, *starlark.Builtin, *module, *pyType, *pyExc, *nsView, *objValue:
		return false
	}
	return true
}

func running(th *starlark.Thread, name string) (*execState, error) {
	st := stateOf(th)
	if st == nil {
		return nil, pyErr(excRuntimeError, "%s() needs a running script", name)
	}
	return st, nil
}

// get_task_data_value(name, default=None): the task data value of name,
// or default when it is missing or None.
func bGetTaskDataValue(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var def starlark.Value = starlark.None
	if err := unpack(b.Name(), args, kwargs, "name", &name, "default?", &def); err != nil {
		return nil, err
	}
	st, err := running(th, b.Name())
	if err != nil {
		return nil, err
	}
	v, ok, err := st.ns.dataValue(name)
	if err != nil {
		return nil, err
	}
	if !ok || v == starlark.None {
		return def, nil
	}
	return v, nil
}

// update_task_data_with_dictionary(d): every key of d becomes a task data
// variable with its value.
func bUpdateTaskData(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var d starlark.Value = starlark.None
	if err := unpack(b.Name(), args, kwargs, "dictionary?", &d); err != nil {
		return nil, err
	}
	dict, ok := d.(*starlark.Dict)
	if !ok {
		return nil, pyErr(excValueError, "Expected a dictionary as the first argument.")
	}
	st, err := running(th, b.Name())
	if err != nil {
		return nil, err
	}
	for _, kv := range dict.Items() {
		k, ok := kv[0].(starlark.String)
		if !ok {
			return nil, pyErr(excTypeError, "update_task_data_with_dictionary: variable names must be strings, not %s", kv[0].Type())
		}
		if strings.HasPrefix(string(k), "__w_") || strings.HasPrefix(string(k), "__b_") {
			return nil, pyErr(excValueError, "update_task_data_with_dictionary: the name %q is reserved", string(k))
		}
		if err := st.ns.SetKey(k, kv[1]); err != nil {
			return nil, err
		}
	}
	return starlark.None, nil
}

// get_current_task_data(): a copy of the task data as a dict.
func bGetCurrentTaskData(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpack(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	st, err := running(th, b.Name())
	if err != nil {
		return nil, err
	}
	out := starlark.NewDict(len(st.ns.data) + len(st.ns.vars))
	for _, n := range st.ns.dataNames() {
		v, ok, err := st.ns.dataValue(n)
		if err != nil {
			return nil, err
		}
		if ok && isData(v) {
			if err := out.SetKey(starlark.String(n), v); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// extract_from_task_data(predicate=None): removes the task data variables
// whose names the predicate accepts (a name prefix, or a function of the
// name; none takes every variable) and returns them as a dict.
func bExtractFromTaskData(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pred starlark.Value = starlark.None
	if err := unpack(b.Name(), args, kwargs, "predicate?", &pred); err != nil {
		return nil, err
	}
	st, err := running(th, b.Name())
	if err != nil {
		return nil, err
	}
	accept := func(string) (bool, error) { return true, nil }
	switch p := pred.(type) {
	case starlark.NoneType:
	case starlark.String:
		if p != "" {
			accept = func(n string) (bool, error) { return strings.HasPrefix(n, string(p)), nil }
		}
	case starlark.Callable:
		accept = func(n string) (bool, error) {
			r, err := starlark.Call(th, p, starlark.Tuple{starlark.String(n)}, nil)
			if err != nil {
				return false, err
			}
			return bool(r.Truth()), nil
		}
	default:
		return nil, pyErr(excValueError, "Optional predicate must either be a string or callable.")
	}
	out := starlark.NewDict(4)
	for _, n := range st.ns.dataNames() {
		v, ok, err := st.ns.dataValue(n)
		if err != nil {
			return nil, err
		}
		if !ok || !isData(v) {
			continue
		}
		yes, err := accept(n)
		if err != nil {
			return nil, err
		}
		if !yes {
			continue
		}
		if err := out.SetKey(starlark.String(n), v); err != nil {
			return nil, err
		}
		if err := st.ns.del(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mdEscape escapes what Markdown would read as markup, as SpiffArena's
// sanitize_for_md does, and drops line breaks.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r':
			continue
		}
		if strings.ContainsRune(`_*[]()~`+"`"+`#+-=|{}!`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// generate_markdown_table(columns, data): a Markdown table. A column is a
// property name (its label the name with "_" as spaces, capitalised) or a
// dict with property, label, and optionally sanitize (default True) and
// formatter.
func bGenerateMarkdownTable(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var columns, data starlark.Value = starlark.None, starlark.None
	if err := unpack(b.Name(), args, kwargs, "columns?", &columns, "data?", &data); err != nil {
		return nil, err
	}
	if columns == starlark.None {
		return nil, pyErr(excValueError, "Missing required argument: 'columns'. Ensure that 'columns' is passed as a positional or keyword argument.")
	}
	if data == starlark.None {
		return nil, pyErr(excValueError, "Missing required argument: 'data'. Ensure that 'data' is passed as a positional or keyword argument.")
	}
	cols, err := iterValues(columns)
	if err != nil {
		return nil, err
	}
	type column struct {
		property, label, formatter string
		sanitize                   bool
	}
	heads := make([]column, 0, len(cols))
	for _, c := range cols {
		switch c := c.(type) {
		case starlark.String:
			label := strings.ReplaceAll(string(c), "_", " ")
			if label != "" {
				// Python's str.capitalize: first letter upper, the rest lower.
				label = strings.ToUpper(label[:1]) + strings.ToLower(label[1:])
			}
			heads = append(heads, column{property: string(c), label: label, sanitize: true})
		case *starlark.Dict:
			get := func(k string) (starlark.Value, bool) {
				v, ok, _ := c.Get(starlark.String(k))
				return v, ok
			}
			col := column{sanitize: true}
			p, ok := get("property")
			if !ok {
				return nil, pyErr(excKeyError, "'property'")
			}
			col.property = pyStr(p)
			l, ok := get("label")
			if !ok {
				return nil, pyErr(excKeyError, "'label'")
			}
			col.label = pyStr(l)
			if f, ok := get("formatter"); ok {
				col.formatter = pyStr(f)
			}
			if s, ok := get("sanitize"); ok {
				col.sanitize = s == starlark.True
			}
			heads = append(heads, col)
		default:
			return nil, pyErr(excTypeError, "generate_markdown_table: a column is a name or a dict, not %s", c.Type())
		}
	}
	rows, err := iterValues(data)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	labels := make([]string, len(heads))
	dashes := make([]string, len(heads))
	for i, h := range heads {
		labels[i], dashes[i] = h.label, "----"
	}
	sb.WriteString("| " + strings.Join(labels, " | ") + " |\n")
	sb.WriteString("| " + strings.Join(dashes, " | ") + " |\n")
	cells := make([]string, len(heads))
	for _, row := range rows {
		item, ok := row.(*starlark.Dict)
		if !ok {
			return nil, pyErr(excAttributeError, "'%s' object has no attribute 'get'", row.Type())
		}
		for i, h := range heads {
			value := ""
			if v, found, _ := item.Get(starlark.String(h.property)); found {
				value = pyStr(v)
			}
			switch {
			case h.formatter == "convert_seconds_to_date_time_for_display":
				value = "SPIFF_FORMAT:::convert_seconds_to_date_time_for_display(" + value + ")"
			case h.sanitize:
				value = mdEscape(value)
			}
			cells[i] = value
		}
		sb.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		if err := chargeLen(th, sb.Len()); err != nil {
			return nil, err
		}
	}
	return starlark.String(sb.String()), nil
}

// chargeLen stops a table that outgrows the value size limit while it is
// being built.
func chargeLen(th *starlark.Thread, n int) error {
	if n > maxValueLen {
		return limitErr("string of %d bytes exceeds the limit of %d", n, maxValueLen)
	}
	return nil
}

// get_localtime(datetime, timezone="US/Eastern"): the datetime in the
// named IANA time zone. A naive datetime is read in the zone of the
// script clock (Env.Now), as Python's astimezone reads it in local time.
func bGetLocaltime(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dt, zone starlark.Value = starlark.None, starlark.None
	var extra []starlark.Tuple
	for _, kv := range kwargs {
		switch string(kv[0].(starlark.String)) {
		case "datetime":
			dt = kv[1]
		case "timezone":
			zone = kv[1]
		default:
			extra = append(extra, kv)
		}
	}
	if len(args) > 0 && dt == starlark.None {
		dt = args[0]
	}
	if len(args) > 1 && zone == starlark.None {
		zone = args[1]
	}
	if len(args) == 0 && dt == starlark.None {
		return nil, pyErr(excException, "missing_datetime: You must include a datetime to convert.")
	}
	if len(args) > 2 || len(extra) > 0 {
		return nil, pyErr(excTypeError, "get_localtime() takes a datetime and a timezone name")
	}
	name := "US/Eastern"
	if zone != starlark.None {
		s, ok := zone.(starlark.String)
		if !ok {
			return nil, pyErr(excTypeError, "get_localtime(): the timezone is a name such as 'Europe/Paris', not %s", zone.Type())
		}
		name = string(s)
	}
	d, ok := dt.(*dtValue)
	if !ok || d.isDate {
		return nil, pyErr(excAttributeError, "'%s' object has no attribute 'astimezone'", dt.Type())
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, pyErr(excException, "UnknownTimeZoneError: '%s'", name)
	}
	at := d.t
	if d.tz == nil {
		at = time.Date(at.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second(), at.Nanosecond(), localZone(th))
	}
	return newDatetime(at.In(loc)), nil
}
