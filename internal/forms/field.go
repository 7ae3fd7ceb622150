package forms

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Field is one node of the form as the templates render it. Objects and
// arrays hold their children in Fields; everything a template needs is
// precomputed here, so rendering makes no decision about the schema.
type Field struct {
	// Path names the field in the form POST and in FieldError: keys and
	// array indexes joined by "." ("address.street", "items.0.name"); a
	// "." or "~" inside a key is written "~1" or "~0".
	Path string
	// ID is the element id of the input (or fieldset).
	ID string
	// Key is the property name, or the index for an array item.
	Key string
	// Type is the JSON type: string, number, integer, boolean, object, array.
	Type string
	// Widget says how to render the field: text, textarea, password, email,
	// url, date, datetime, number, checkbox, select, radio, checkboxes,
	// multiselect, hidden, file, markdown, date-range, typeahead,
	// formatted-number, calculated, object, array.
	Widget string

	Label       string
	HideLabel   bool
	Description string
	Help        string
	Placeholder string
	Required    bool
	ReadOnly    bool
	AutoFocus   bool
	// Trigger marks a field whose value decides which conditional fields
	// appear: the form should be re-rendered when it changes.
	Trigger bool

	// Value is the current value as text (what the input shows); Values
	// holds the selected values of checkboxes and multi-selects.
	Value   string
	Values  []string
	Checked bool
	Options []Option

	// Input constraints, rendered as HTML attributes where they exist.
	Min, Max, Step       string
	MinLength, MaxLength int
	Pattern              string
	Rows                 int
	Inline               bool
	Accept               string
	Autocomplete         string
	// RangeStart and RangeEnd are the two dates of a date-range.
	RangeStart, RangeEnd string
	// FileName is the name of the file an upload field already holds, and
	// FileURL where to fetch it (WithFileLinks; empty for files the
	// server did not store).
	FileName string
	FileURL  string
	// Extra holds widget settings the template passes on as data-*
	// attributes for web/static/js/forms.js: typeahead "category" and
	// "item-format"; formattedNumber "decimals" and "allow-negative";
	// calculated "path", "expression", "format", "currency" and
	// "decimals".
	Extra map[string]string

	// Fields are an object's properties or an array's items.
	Fields []*Field
	// Layout is the ui:layout grid of an object: rows of cells.
	Layout [][]LayoutCell
	// Array controls: on the array field (CanAdd, AddLabel) and on each item
	// (Index, CanRemove, CanMoveUp, CanMoveDown).
	CanAdd      bool
	AddLabel    string
	Index       int
	CanRemove   bool
	CanMoveUp   bool
	CanMoveDown bool
	IsItem      bool

	Errors []string
}

// Option is one choice of a select, radio group or checkbox group.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// LayoutCell is one field in a ui:layout row with its column widths on a
// 12-column grid (0 when not given).
type LayoutCell struct {
	Field      *Field
	SM, MD, LG int
}

// HasErrors reports whether the field or any field inside it has errors.
func (fl *Field) HasErrors() bool {
	if len(fl.Errors) > 0 {
		return true
	}
	for _, c := range fl.Fields {
		if c.HasErrors() {
			return true
		}
	}
	return false
}

// DescribedBy is the aria-describedby value: the ids of the field's
// description, help and error texts that the template renders.
func (fl *Field) DescribedBy() string {
	var ids []string
	if fl.Description != "" {
		ids = append(ids, fl.ID+"-description")
	}
	if fl.Help != "" {
		ids = append(ids, fl.ID+"-help")
	}
	if len(fl.Errors) > 0 {
		ids = append(ids, fl.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// Root returns the form's root field (an object, or a single field when
// the schema describes a scalar).
func (f *Form) Root() *Field {
	// Calculated fields show their value from the current values; an
	// expression error leaves them empty here and is reported at Decode.
	values := deepCopy(f.values).(obj)
	_ = f.calculate(f.schema, f.ui, values, values)
	fl := f.build(f.schema, f.ui, "", "", values, false, f.IsReadOnly())
	fl.Label = ""
	fl.Description = ""
	return fl
}

// Fields returns the top-level fields of the form, with the current values
// and errors.
func (f *Form) Fields() []*Field {
	root := f.Root()
	if root.Type == "object" {
		return root.Fields
	}
	return []*Field{root}
}

// HasTriggers reports whether any field decides which conditional fields
// appear, so that the page offers an "Update form" action.
func (f *Form) HasTriggers() bool {
	var any bool
	var visit func(fl *Field)
	visit = func(fl *Field) {
		if fl.Trigger {
			any = true
		}
		for _, c := range fl.Fields {
			visit(c)
		}
	}
	visit(f.Root())
	return any
}

// widgetName decides how a schema node renders.
func widgetName(s obj, ui obj) string {
	w := str(ui, "ui:widget")
	if w == "hidden" {
		return "hidden"
	}
	switch str(ui, "ui:field") {
	case "calculated":
		return "calculated"
	case "numeric-range":
		return "numeric-range"
	}
	t := typeOf(s)
	switch t {
	case "object":
		return "object"
	case "array":
		items, _ := s["items"].(obj)
		if items != nil && (len(choices(items, sub(ui, "items"))) > 0) {
			if w == "checkboxes" {
				return "checkboxes"
			}
			return "multiselect"
		}
		return "array"
	case "boolean":
		switch w {
		case "radio", "select":
			return w
		}
		return "checkbox"
	}
	if len(choices(s, ui)) > 0 {
		if w == "radio" {
			return "radio"
		}
		return "select"
	}
	switch w {
	case "textarea", "password", "email", "date", "markdown", "date-range", "typeahead", "color":
		return w
	case "datetime", "alt-datetime":
		return "datetime"
	case "alt-date":
		return "date"
	case "uri", "url":
		return "url"
	case "formattedNumber":
		return "formatted-number"
	case "updown", "range":
		return "number"
	case "text":
		return "text"
	}
	if t == "number" || t == "integer" {
		return "number"
	}
	switch str(s, "format") {
	case "data-url":
		return "file"
	case "date":
		return "date"
	case "date-time":
		return "datetime"
	case "email":
		return "email"
	case "uri":
		return "url"
	}
	return "text"
}

func (f *Form) build(s obj, ui obj, path, key string, value any, req, ro bool) *Field {
	s = f.res.resolve(s)
	if ui == nil {
		ui = obj{}
	}
	fl := &Field{
		Path:     path,
		ID:       htmlID(path),
		Key:      key,
		Type:     typeOf(s),
		Widget:   widgetName(s, ui),
		Required: req,
		ReadOnly: ro || boolean(ui, "ui:readonly") || boolean(s, "readOnly") || boolean(ui, "ui:disabled"),
		Errors:   f.errors[path],
	}
	fl.Label = key
	if t := str(s, "title"); t != "" {
		fl.Label = t
	}
	if t := str(ui, "ui:title"); t != "" {
		fl.Label = t
	}
	if v, ok := uiOption(ui, "label"); ok && v == false {
		fl.HideLabel = true
	}
	fl.Description = str(s, "description")
	if d := str(ui, "ui:description"); d != "" {
		fl.Description = d
	}
	fl.Help = strings.TrimSpace(str(ui, "ui:help"))
	fl.Placeholder = str(ui, "ui:placeholder")
	fl.AutoFocus = boolean(ui, "ui:autofocus")
	fl.Autocomplete = str(ui, "ui:autocomplete")
	if value == nil {
		if d, ok := s["default"]; ok {
			value = d
		}
	}
	switch fl.Widget {
	case "object", "numeric-range":
		f.buildObject(fl, s, ui, value)
		return fl
	case "array":
		f.buildArray(fl, s, ui, value)
		return fl
	}
	f.buildScalar(fl, s, ui, value)
	return fl
}

func (f *Form) buildObject(fl *Field, s, ui obj, value any) {
	vo, _ := value.(obj)
	view := f.objectView(s, vo)
	byKey := map[string]*Field{}
	for _, k := range fieldOrder(view.order, ui) {
		ps, _ := view.props[k].(obj)
		var pv any
		if vo != nil {
			pv = vo[k]
		}
		child := f.build(ps, sub(ui, k), joinPath(fl.Path, k), k, pv, view.required[k], fl.ReadOnly)
		child.Trigger = view.triggers[k]
		if fl.Widget == "numeric-range" && child.Widget == "text" {
			child.Widget = "number"
		}
		fl.Fields = append(fl.Fields, child)
		byKey[k] = child
	}
	if fl.Widget == "numeric-range" {
		for _, c := range fl.Fields {
			if lo, ok := s["minimum"]; ok {
				c.Min = display(lo)
			}
			if hi, ok := s["maximum"]; ok {
				c.Max = display(hi)
			}
		}
	}
	rows, _ := ui["ui:layout"].([]any)
	placed := map[string]bool{}
	for _, r := range rows {
		ro, ok := r.(obj)
		if !ok {
			continue
		}
		var row []LayoutCell
		for _, k := range f.propertyOrder(ro) {
			c, ok := byKey[k]
			if !ok {
				continue
			}
			sizes, _ := ro[k].(obj)
			row = append(row, LayoutCell{Field: c, SM: intOf(sizes["sm"]), MD: intOf(sizes["md"]), LG: intOf(sizes["lg"])})
			placed[k] = true
		}
		if len(row) > 0 {
			fl.Layout = append(fl.Layout, row)
		}
	}
	if len(fl.Layout) > 0 {
		// Fields the layout leaves out still render, one per row.
		for _, c := range fl.Fields {
			if !placed[c.Key] {
				fl.Layout = append(fl.Layout, []LayoutCell{{Field: c}})
			}
		}
	}
}

func (f *Form) buildArray(fl *Field, s, ui obj, value any) {
	list, _ := value.([]any)
	items, _ := s["items"].(obj)
	if items == nil {
		if tuple, ok := s["items"].([]any); ok && len(tuple) > 0 {
			items, _ = tuple[0].(obj)
		}
	}
	if items == nil {
		items = obj{"type": "string"}
	}
	iui := sub(ui, "items")
	minItems := intOf(s["minItems"])
	maxItems, hasMax := s["maxItems"]
	opt := func(name string) bool {
		v, ok := uiOption(ui, name)
		return !ok || v != false
	}
	fl.CanAdd = !fl.ReadOnly && opt("addable") && (!hasMax || len(list) < intOf(maxItems))
	fl.AddLabel = "Add"
	if t := str(f.res.resolve(items), "title"); t != "" {
		fl.AddLabel = "Add " + strings.ToLower(t[:1]) + t[1:]
	}
	for i, e := range list {
		child := f.build(items, iui, joinPath(fl.Path, strconv.Itoa(i)), strconv.Itoa(i), e, false, fl.ReadOnly)
		child.IsItem = true
		child.Index = i
		if child.Label == child.Key {
			child.Label = fmt.Sprintf("%s %d", itemNoun(fl.Label), i+1)
		} else {
			child.Label = fmt.Sprintf("%s %d", child.Label, i+1)
		}
		child.CanRemove = !fl.ReadOnly && opt("removable") && len(list) > minItems
		child.CanMoveUp = !fl.ReadOnly && opt("orderable") && i > 0
		child.CanMoveDown = !fl.ReadOnly && opt("orderable") && i < len(list)-1
		fl.Fields = append(fl.Fields, child)
	}
}

func itemNoun(label string) string {
	if label == "" {
		return "Item"
	}
	return label
}

func (f *Form) buildScalar(fl *Field, s, ui obj, value any) {
	fl.Value = display(value)
	if p, ok := uiOption(ui, "rows"); ok {
		fl.Rows = intOf(p)
	}
	if v, ok := uiOption(ui, "inline"); ok && v == true {
		fl.Inline = true
	}
	if a, ok := uiOption(ui, "accept"); ok {
		fl.Accept = display(a)
	}
	fl.MinLength = intOf(s["minLength"])
	fl.MaxLength = intOf(s["maxLength"])
	fl.Pattern = str(s, "pattern")
	if v, ok := s["minimum"]; ok {
		fl.Min = display(v)
	}
	if v, ok := s["maximum"]; ok {
		fl.Max = display(v)
	}
	if fl.Type == "integer" {
		fl.Step = "1"
	} else if fl.Type == "number" {
		fl.Step = "any"
	}
	if v, ok := s["multipleOf"]; ok {
		fl.Step = display(v)
	}
	switch fl.Widget {
	case "checkbox":
		fl.Checked = value == true
		fl.Value = "true"
	case "select", "radio":
		opts := choices(s, ui)
		if fl.Type == "boolean" && len(opts) == 0 {
			opts = []choice{{value: true, label: "Yes"}, {value: false, label: "No"}}
		}
		for _, c := range opts {
			v := display(c.value)
			fl.Options = append(fl.Options, Option{Value: v, Label: c.label, Selected: value != nil && v == fl.Value})
		}
	case "checkboxes", "multiselect":
		items, _ := s["items"].(obj)
		items = f.res.resolve(items)
		list, _ := value.([]any)
		selected := map[string]bool{}
		for _, e := range list {
			fl.Values = append(fl.Values, display(e))
			selected[display(e)] = true
		}
		for _, c := range choices(items, sub(ui, "items")) {
			v := display(c.value)
			fl.Options = append(fl.Options, Option{Value: v, Label: c.label, Selected: selected[v]})
		}
		fl.Value = ""
	case "datetime":
		fl.Value = datetimeLocal(fl.Value)
	case "date-range":
		fl.RangeStart, fl.RangeEnd, _ = strings.Cut(fl.Value, ":::")
		f.dateLimits(fl, s)
	case "date":
		f.dateLimits(fl, s)
	case "file":
		if ref, ok := value.(string); ok {
			fl.FileName = fileName(ref)
			if _, digest, ok := strings.Cut(ref, ";base64,"+DigestPrefix); ok && f.fileLinks != "" && isHexDigest(digest) {
				fl.FileURL = f.fileLinks + digest
			}
		}
	case "hidden":
		if fl.Type == "object" || fl.Type == "array" {
			fl.Value = display(value)
		}
	case "typeahead":
		// forms.js turns the input into a search box over the connector
		// proxy's typeahead for category, listing records as itemFormat
		// ("{name} ({email})") says, and stores the chosen record as a
		// JSON string, as SpiffArena does.
		fl.Extra = map[string]string{}
		if v, ok := uiOption(ui, "category"); ok {
			fl.Extra["category"] = display(v)
		}
		if v, ok := uiOption(ui, "itemFormat"); ok {
			fl.Extra["item-format"] = display(v)
		}
	case "formatted-number":
		// A text input: the bounds are checked on the server.
		fl.Min, fl.Max, fl.Step = "", "", ""
		o := formattedNumberOptions(s, ui)
		if c, ok := canonicalNumber(value); ok {
			fl.Value = formatGrouped(c, o.decimals)
		}
		fl.Extra = map[string]string{"allow-negative": strconv.FormatBool(o.negative)}
		if o.decimals >= 0 {
			fl.Extra["decimals"] = strconv.Itoa(o.decimals)
		}
	case "calculated":
		fl.ReadOnly = true
		fl.Value = calculatedDisplay(value, ui)
		fl.Extra = map[string]string{"path": fl.Path}
		for _, k := range []string{"expression", "format", "currency", "decimals"} {
			if v, ok := uiOption(ui, k); ok {
				fl.Extra[k] = display(v)
			}
		}
	}
}

// dateLimits sets min/max attributes from minimumDate/maximumDate where the
// bound does not depend on another field.
func (f *Form) dateLimits(fl *Field, s obj) {
	if lo := str(s, "minimumDate"); lo != "" {
		if d, _ := f.dateBound(lo, f.values, f.values, true); d != "" {
			fl.Min = d
		}
	}
	if hi := str(s, "maximumDate"); hi != "" {
		if d, _ := f.dateBound(hi, f.values, f.values, false); d != "" {
			fl.Max = d
		}
	}
}

// datetimeLocal turns an RFC 3339 value into what <input
// type="datetime-local"> shows (UTC, minutes); other text passes through.
func datetimeLocal(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format("2006-01-02T15:04")
	}
	return v
}

// fileName extracts name=... from a data-URL reference.
// isHexDigest reports whether s looks like a hex SHA-256, so that nothing
// else from task data ends up in a link.
func isHexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func fileName(ref string) string {
	head, _, ok := strings.Cut(ref, ",")
	if !ok || !strings.HasPrefix(head, "data:") {
		return ""
	}
	for _, p := range strings.Split(head, ";") {
		if n, ok := strings.CutPrefix(p, "name="); ok {
			return n
		}
	}
	return "uploaded file"
}

func intOf(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}
