package forms

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/waymark-bpm/waymark/internal/jinja"
)

// Errors Parse wraps, for callers that map them to responses (SpiffArena
// answers both with HTTP 500: the model, not the user, is at fault).
var (
	// ErrMissingTaskDataVar: options_from_task_data_var names a variable
	// the task data does not have.
	ErrMissingTaskDataVar = errors.New("missing task data variable")
	// ErrInvalidFormData: the variable is empty or not a list.
	ErrInvalidFormData = errors.New("invalid form data")
	// ErrInvalidSchema: the schema or UI schema does not render, parse or
	// compile.
	ErrInvalidSchema = errors.New("invalid form schema")
)

// Form is a parsed form: the Jinja-rendered schema and UI schema, the
// compiled validator, and the values and errors the next render shows.
// A Form is not changed by its methods; WithValues, WithErrors and
// ReadOnly return copies, so one parsed Form can serve several renders.
type Form struct {
	// Title and Description come from the root schema.
	Title       string
	Description string

	schema    obj
	ui        obj
	res       *resolver
	order     map[uintptr][]string
	validator *jsonschema.Schema
	subs      *subCache
	views     *viewCache

	values   obj
	errors   map[string][]string
	readOnly bool
	today    time.Time
	// fileLinks is the URL prefix of stored uploads (WithFileLinks).
	fileLinks string
	// draft2019 is set when the schema names draft 2019-09 or 2020-12,
	// whose dependentRequired and dependentSchemas the form applies.
	draft2019 bool
}

// FieldError is one validation failure: Path is the field's form path (see
// Field.Path; "" for the form as a whole) and Message plain words such as
// "is required" or "must be at least 3 characters".
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + " " + e.Message
}

// Parse renders schemaJSON and uiSchemaJSON through Jinja with data as the
// context, parses them, fills options_from_task_data_var choices and
// form_ui_hidden_fields from data, compiles the validator, and prefills the
// form from data. uiSchemaJSON may be empty.
func Parse(schemaJSON, uiSchemaJSON []byte, data map[string]any) (*Form, error) {
	return ParseFiles("form schema", schemaJSON, "UI schema", uiSchemaJSON, data)
}

// CheckSchema reports what is wrong with a form's JSON-schema file before
// any task uses it: a Jinja syntax error, JSON that is not an object, a
// "$ref" that does not resolve, or a schema the JSON Schema validator
// refuses ("type": "strnig"). A file that templates task data into its
// JSON is checked for its template syntax only, since its JSON depends on
// the data.
func CheckSchema(name string, schemaJSON []byte) error {
	src := string(schemaJSON)
	if jinja.HasMarkup(src) {
		if err := jinja.Check(name, src); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidSchema, err)
		}
		return nil
	}
	f := &Form{order: map[uintptr][]string{}, subs: &subCache{m: map[string]*jsonschema.Schema{}}, views: &viewCache{}}
	schema, err := f.load(name, schemaJSON, map[string]any{})
	if err != nil {
		return err
	}
	if schema == nil {
		return fmt.Errorf("%s: %w: the file is empty", name, ErrInvalidSchema)
	}
	if err := (&resolver{root: schema}).checkRefs(schema, "#"); err != nil {
		return fmt.Errorf("%s: %w: %v", name, ErrInvalidSchema, err)
	}
	placeholderOptions(schema)
	if _, err := compile(schema); err != nil {
		return fmt.Errorf("%s: %w: %s", name, ErrInvalidSchema, schemaMessage(err))
	}
	return nil
}

// placeholderOptions stands one option in for each list of options a
// form takes from task data (SpiffArena's "options_from_task_data_var:"),
// so the schema can be checked without the data.
func placeholderOptions(v any) {
	switch v := v.(type) {
	case obj:
		for _, key := range []string{"anyOf", "items"} {
			list, ok := v[key].([]any)
			if !ok || len(list) != 1 {
				continue
			}
			if s, ok := list[0].(string); !ok || !strings.HasPrefix(s, "options_from_task_data_var:") {
				continue
			}
			opts := []any{obj{"enum": []any{""}, "title": ""}}
			if key == "anyOf" {
				v[key] = opts
			} else {
				v[key] = obj{"type": "string", "anyOf": opts}
			}
		}
		for _, e := range v {
			placeholderOptions(e)
		}
	case []any:
		for _, e := range v {
			placeholderOptions(e)
		}
	}
}

// schemaMessage turns the validator's report on a schema into one line
// for people: the places where the schema breaks the JSON Schema rules,
// without the internal address the schema was compiled under.
func schemaMessage(err error) string {
	lines := strings.Split(err.Error(), "\n")
	var out []string
	for _, l := range lines[1:] {
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "- "))
		if l != "" && !strings.HasSuffix(l, "'anyOf' failed") && !strings.HasSuffix(l, "'oneOf' failed") && !strings.HasSuffix(l, "'allOf' failed") {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return strings.ReplaceAll(lines[0], schemaURL, "the schema")
	}
	return "the schema breaks the JSON Schema rules " + strings.Join(out, "; ")
}

// ParseFiles is Parse with the file names used in error messages.
func ParseFiles(schemaName string, schemaJSON []byte, uiName string, uiSchemaJSON []byte, data map[string]any) (*Form, error) {
	if data == nil {
		data = map[string]any{}
	}
	key, static := staticFormKey(schemaName, schemaJSON, uiName, uiSchemaJSON, data)
	if static {
		if f, ok := parsed.get(key); ok {
			return f.WithValues(data), nil
		}
	}
	f, err := parseFiles(schemaName, schemaJSON, uiName, uiSchemaJSON, data)
	if err == nil && static {
		parsed.put(key, f)
	}
	return f, err
}

// parsed keeps the forms whose parse does not depend on the task data, by
// their files' names and contents: most forms are plain JSON, and decoding
// and checking them again took most of the time a form post spends on its
// form. A Form is not changed by its methods, so copies made from the
// cached one with the request's values can serve concurrent requests.
var parsed = &formCache{m: map[string]*Form{}}

// staticFormKey returns the cache key of a form, and whether its parse is
// the same whatever the task data: neither file has Jinja markup, the
// schema draws no choices from the task data, and the data hides no
// fields.
func staticFormKey(schemaName string, schemaJSON []byte, uiName string, uiSchemaJSON []byte, data map[string]any) (string, bool) {
	for _, text := range [][]byte{schemaJSON, uiSchemaJSON} {
		if jinja.HasMarkup(string(text)) {
			return "", false
		}
	}
	if bytes.Contains(schemaJSON, []byte("options_from_task_data_var:")) {
		return "", false
	}
	if _, ok := data["form_ui_hidden_fields"]; ok {
		return "", false
	}
	return schemaName + "\x00" + string(schemaJSON) + "\x00" + uiName + "\x00" + string(uiSchemaJSON), true
}

type formCache struct {
	mu sync.Mutex
	m  map[string]*Form
}

func (c *formCache) get(key string) (*Form, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.m[key]
	return f, ok
}

// put keeps f; like the validator cache it starts over when full.
func (c *formCache) put(key string, f *Form) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCompiled {
		clear(c.m)
	}
	c.m[key] = f
}

func parseFiles(schemaName string, schemaJSON []byte, uiName string, uiSchemaJSON []byte, data map[string]any) (*Form, error) {
	f := &Form{order: map[uintptr][]string{}, subs: &subCache{m: map[string]*jsonschema.Schema{}}, views: &viewCache{}}
	schema, err := f.load(schemaName, schemaJSON, data)
	if err != nil {
		return nil, err
	}
	if schema == nil {
		return nil, fmt.Errorf("%s: %w: the file is empty", schemaName, ErrInvalidSchema)
	}
	f.schema = schema
	if len(strings.TrimSpace(string(uiSchemaJSON))) > 0 {
		ui, err := f.load(uiName, uiSchemaJSON, data)
		if err != nil {
			return nil, err
		}
		f.ui = ui
	}
	if f.ui == nil {
		f.ui = obj{}
	}
	f.res = &resolver{root: f.schema}
	if err := f.res.checkRefs(f.schema, "#"); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", schemaName, ErrInvalidSchema, err)
	}
	if err := fillTaskDataOptions(f.schema, data); err != nil {
		return nil, fmt.Errorf("%s: %w", schemaName, err)
	}
	if err := hideFields(f.ui, data["form_ui_hidden_fields"]); err != nil {
		return nil, fmt.Errorf("form_ui_hidden_fields: %w", err)
	}
	root := f.res.resolve(f.schema)
	f.Title = str(root, "title")
	f.Description = str(root, "description")
	f.draft2019 = isDraft2019(str(f.schema, "$schema"))
	f.validator, err = compile(f.schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", schemaName, ErrInvalidSchema, err)
	}
	f.values = prefill(data)
	return f, nil
}

// load renders one file through Jinja and decodes it.
func (f *Form) load(name string, text []byte, data map[string]any) (obj, error) {
	rendered, err := jinja.Render(name, string(text), data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSchema, err)
	}
	if strings.TrimSpace(rendered) == "" {
		return nil, nil
	}
	v, err := decodeOrdered([]byte(rendered), f.order)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: not valid JSON after templating: %v", name, ErrInvalidSchema, err)
	}
	o, ok := v.(obj)
	if !ok {
		return nil, fmt.Errorf("%s: %w: the top level must be a JSON object", name, ErrInvalidSchema)
	}
	if rendered != string(text) {
		unescapeStrings(o)
	}
	return o, nil
}

// unescapeStrings undoes Jinja's HTML autoescaping inside the parsed JSON
// strings. Autoescaping keeps a task-data value from breaking the JSON (a
// quote becomes &#34;); once parsed, the value itself is wanted, so that a
// choice "R&D" submits "R&D" and not "R&amp;D". The templates escape text
// again when they render it.
func unescapeStrings(v any) {
	switch v := v.(type) {
	case obj:
		for k, e := range v {
			if s, ok := e.(string); ok {
				v[k] = html.UnescapeString(s)
			} else {
				unescapeStrings(e)
			}
		}
	case []any:
		for i, e := range v {
			if s, ok := e.(string); ok {
				v[i] = html.UnescapeString(s)
			} else {
				unescapeStrings(e)
			}
		}
	}
}

// prefill copies task data for the form's values. Nulls are dropped, as
// SpiffArena's client turns them into undefined so that defaults apply.
func prefill(data map[string]any) obj {
	out := obj{}
	for k, v := range data {
		if v == nil {
			continue
		}
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(obj, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// WithValues returns a copy of the form showing data instead of the
// prefilled task data: after a failed submission, pass what Decode returned
// so that the user sees what they typed.
func (f *Form) WithValues(data map[string]any) *Form {
	g := *f
	g.values = prefill(data)
	return &g
}

// WithErrors returns a copy of the form that shows errs beside their
// fields. Errors whose path matches no field are shown at the top.
func (f *Form) WithErrors(errs []FieldError) *Form {
	g := *f
	g.errors = map[string][]string{}
	for _, e := range errs {
		g.errors[e.Path] = append(g.errors[e.Path], e.Message)
	}
	return &g
}

// WithFileLinks returns a copy whose upload fields link the file they hold
// to prefix + its digest, for files the server stored (see Decode).
func (f *Form) WithFileLinks(prefix string) *Form {
	g := *f
	g.fileLinks = prefix
	return &g
}

// ReadOnly returns a copy whose every field is read-only, for showing a
// task that is not ready (SpiffArena sets ui:readonly on the root).
func (f *Form) ReadOnly() *Form {
	g := *f
	g.readOnly = true
	return &g
}

// IsReadOnly reports whether the whole form is read-only, from ReadOnly or
// a top-level ui:readonly.
func (f *Form) IsReadOnly() bool {
	return f.readOnly || boolean(f.ui, "ui:readonly")
}

// WithToday returns a copy that takes t as today's date for the
// minimumDate/maximumDate "today" bound (by default the current date).
func (f *Form) WithToday(t time.Time) *Form {
	g := *f
	g.today = t
	return &g
}

func (f *Form) now() time.Time {
	if f.today.IsZero() {
		return time.Now()
	}
	return f.today
}

// Values returns the values the form shows (prefilled task data, or what
// WithValues set).
func (f *Form) Values() map[string]any {
	return deepCopy(f.values).(obj)
}

// SubmitLabel is the label of the submit button: the UI schema's
// ui:submitButtonOptions.submitText (also accepted inside ui:options),
// else def ("Submit" for user tasks, "Continue" for manual tasks in
// SpiffArena).
func (f *Form) SubmitLabel(def string) string {
	for _, o := range []obj{sub(f.ui, "ui:submitButtonOptions"), sub(sub(f.ui, "ui:options"), "submitButtonOptions")} {
		if s := str(o, "submitText"); s != "" {
			return s
		}
	}
	return def
}

// HidesSubmit reports whether the UI schema asks for no submit button
// (ui:submitButtonOptions.norender).
func (f *Form) HidesSubmit() bool {
	for _, o := range []obj{sub(f.ui, "ui:submitButtonOptions"), sub(sub(f.ui, "ui:options"), "submitButtonOptions")} {
		if boolean(o, "norender") {
			return true
		}
	}
	return false
}

// FormErrors returns the errors that belong to no field (the form-level
// list shown above the fields): those for the form as a whole, and those
// whose path names no field the form shows now, prefixed with the path so
// that no error the user must fix is hidden.
func (f *Form) FormErrors() []string {
	out := append([]string(nil), f.errors[""]...)
	var paths []string
	for p := range f.errors {
		if p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return out
	}
	sortStrings(paths)
	shown := map[string]bool{}
	var visit func(fl *Field)
	visit = func(fl *Field) {
		shown[fl.Path] = true
		for _, c := range fl.Fields {
			visit(c)
		}
	}
	visit(f.Root())
	for _, p := range paths {
		if shown[p] {
			continue
		}
		for _, m := range f.errors[p] {
			out = append(out, strings.Join(splitPath(p), " › ")+" "+m)
		}
	}
	return out
}

// fillTaskDataOptions replaces SpiffArena's "options_from_task_data_var:NAME"
// placeholders (a one-element anyOf or items list) with the choices held in
// task-data variable NAME.
func fillTaskDataOptions(v any, data map[string]any) error {
	switch v := v.(type) {
	case obj:
		for _, key := range []string{"anyOf", "items"} {
			list, ok := v[key].([]any)
			if !ok || len(list) != 1 {
				continue
			}
			s, ok := list[0].(string)
			if !ok || !strings.HasPrefix(s, "options_from_task_data_var:") {
				continue
			}
			name := strings.TrimPrefix(s, "options_from_task_data_var:")
			opts, err := taskDataOptions(name, data)
			if err != nil {
				return err
			}
			if key == "anyOf" {
				v[key] = opts
			} else {
				v[key] = obj{"type": "string", "anyOf": opts}
			}
		}
		for _, k := range sortedKeys(v) {
			if err := fillTaskDataOptions(v[k], data); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := fillTaskDataOptions(e, data); err != nil {
				return err
			}
		}
	}
	return nil
}

func taskDataOptions(name string, data map[string]any) ([]any, error) {
	raw, ok := data[name]
	if !ok {
		return nil, fmt.Errorf("%w: options_from_task_data_var:%s: the task data has no variable %q", ErrMissingTaskDataVar, name, name)
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: options_from_task_data_var:%s: variable %q is not a list", ErrInvalidFormData, name, name)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: options_from_task_data_var:%s: variable %q is an empty list", ErrInvalidFormData, name, name)
	}
	labelled := true
	for _, e := range list {
		o, ok := e.(map[string]any)
		if !ok {
			labelled = false
			break
		}
		if _, ok := o["value"]; !ok {
			labelled = false
		}
		if _, ok := o["label"]; !ok {
			labelled = false
		}
	}
	if !labelled {
		return deepCopy(list).([]any), nil
	}
	out := make([]any, len(list))
	for i, e := range list {
		o := e.(map[string]any)
		out[i] = obj{"type": "string", "enum": []any{o["value"]}, "title": display(o["label"])}
	}
	return out, nil
}

// hideFields applies SpiffArena's form_ui_hidden_fields: each dotted path
// gets ui:widget hidden in the UI schema.
func hideFields(ui obj, paths any) error {
	if paths == nil {
		return nil
	}
	list, ok := paths.([]any)
	if !ok {
		return fmt.Errorf("must be a list of field paths, not %T", paths)
	}
	for _, p := range list {
		s, ok := p.(string)
		if !ok || s == "" {
			return fmt.Errorf("entry %v is not a field path", p)
		}
		node := ui
		for _, seg := range strings.Split(s, ".") {
			next, ok := node[seg].(obj)
			if !ok {
				next = obj{}
				node[seg] = next
			}
			node = next
		}
		node["ui:widget"] = "hidden"
	}
	return nil
}

func sortedKeys(m obj) []string {
	keys := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// subCache holds compiled subschemas (if, dependency branches) by their
// JSON text, shared by the copies of a Form.
type subCache struct {
	mu sync.Mutex
	m  map[string]*jsonschema.Schema
}

// isDraft2019 reports whether a "$schema" URI names draft 2019-09 or
// 2020-12 (the drafts with dependentRequired and dependentSchemas).
func isDraft2019(uri string) bool {
	return strings.Contains(uri, "/draft/2019-09/") || strings.Contains(uri, "/draft/2020-12/")
}
