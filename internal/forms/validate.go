package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// noLoader refuses every external reference: forms never reach the network
// or the file system.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: remote and file references are not loaded", url)
}

const schemaURL = "mem:///form.json"

// compile builds the validator. Without "$schema" the schema is read as
// draft-07, the draft SpiffArena's form library (ajv 8) uses; a "$schema"
// naming 2020-12 (or 2019-09, draft-06, draft-04) is honoured.
func compile(schema obj) (*jsonschema.Schema, error) {
	b, err := json.Marshal(schema)
	if err != nil {
		return nil, err
	}
	key := string(b)
	if v, ok := compiled.get(key); ok {
		return v, nil
	}
	v, err := compileJSON(b)
	if err != nil {
		return nil, err
	}
	compiled.put(key, v)
	return v, nil
}

// compiled keeps the validators of recently used schemas, by their JSON
// (after templating and task-data options, so two tasks share an entry
// only when they validate alike). Compiling a schema cost a tenth of a
// form post; a compiled validator is immutable and safe to share.
var compiled = &schemaCache{m: map[string]*jsonschema.Schema{}}

// maxCompiled bounds the cache; when it is full it starts over, which
// costs one compile per schema in use.
const maxCompiled = 256

type schemaCache struct {
	mu sync.Mutex
	m  map[string]*jsonschema.Schema
}

func (c *schemaCache) get(key string) (*jsonschema.Schema, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *schemaCache) put(key string, v *jsonschema.Schema) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCompiled {
		clear(c.m)
	}
	c.m[key] = v
}

func compileJSON(b []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "data-url", Validate: validateDataURL})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

func validateDataURL(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if !strings.HasPrefix(s, "data:") || !strings.Contains(s, ",") {
		return errors.New("not a data URL")
	}
	return nil
}

// matches reports whether value satisfies the subschema s (an "if", or a
// dependency branch's property schema). The root's definitions travel with
// it so that its $refs resolve.
func (f *Form) matches(s obj, value any) bool {
	doc := obj{}
	for k, v := range s {
		doc[k] = v
	}
	for _, k := range []string{"definitions", "$defs", "$schema"} {
		if v, ok := f.schema[k]; ok {
			if _, own := doc[k]; !own {
				doc[k] = v
			}
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return false
	}
	key := string(b)
	f.subs.mu.Lock()
	sch, ok := f.subs.m[key]
	f.subs.mu.Unlock()
	if !ok {
		sch, err = compile(doc)
		if err != nil {
			return false
		}
		f.subs.mu.Lock()
		f.subs.m[key] = sch
		f.subs.mu.Unlock()
	}
	if value == nil {
		value = obj{}
		if typeOf(s) != "object" {
			return false
		}
	}
	return sch.Validate(jsonValue(value)) == nil
}

// jsonValue converts Go values to what the validator expects (encoding/json
// shapes: float64 numbers, map[string]any, []any).
func jsonValue(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case map[string]any:
		out := make(obj, len(v))
		for k, e := range v {
			out[k] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}

// Validate checks data (usually what Decode returned) against the schema
// with the JSON-schema validator, then applies SpiffArena's own checks
// (required checkbox, validateJson, minimumDate/maximumDate, numeric-range,
// date-range). It returns nil when data is valid; otherwise one FieldError
// per problem, in plain words, ordered by field path.
func (f *Form) Validate(data map[string]any) []FieldError {
	var out []FieldError
	seen := map[FieldError]bool{}
	add := func(e FieldError) {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	err := f.validator.Validate(jsonValue(data))
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		for _, e := range flatten(ve) {
			add(e)
		}
	} else if err != nil {
		add(FieldError{Message: err.Error()})
	}
	f.customChecks(f.schema, f.ui, "", data, data, add)
	slices.SortStableFunc(out, func(a, b FieldError) int { return strings.Compare(a.Path, b.Path) })
	return out
}

var printer = message.NewPrinter(language.English)

// flatten turns the validator's error tree into field errors.
func flatten(e *jsonschema.ValidationError) []FieldError {
	var out []FieldError
	path := pathOf(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			out = append(out, FieldError{Path: joinPath(path, m), Message: "is required"})
		}
		return out
	case *kind.Dependency:
		for _, m := range k.Missing {
			out = append(out, FieldError{Path: joinPath(path, m), Message: "is required"})
		}
		return out
	case *kind.DependentRequired:
		for _, m := range k.Missing {
			out = append(out, FieldError{Path: joinPath(path, m), Message: "is required"})
		}
		return out
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			out = append(out, FieldError{Path: joinPath(path, p), Message: "is not a field of this form"})
		}
		return out
	case *kind.AnyOf, *kind.OneOf:
		if oneOf, ok := k.(*kind.OneOf); ok && len(oneOf.Subschemas) > 1 {
			return []FieldError{{Path: path, Message: "matches more than one of the allowed options"}}
		}
		if choiceCauses(e) {
			return []FieldError{{Path: path, Message: "must be one of the choices"}}
		}
		// Report the branch that came closest: the one with the fewest
		// problems.
		var best []FieldError
		for _, c := range e.Causes {
			fe := flatten(c)
			if best == nil || len(fe) < len(best) {
				best = fe
			}
		}
		if best == nil {
			return []FieldError{{Path: path, Message: "does not match any of the allowed options"}}
		}
		return best
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []FieldError{{Path: path, Message: message1(e.ErrorKind)}}
}

// choiceCauses reports whether every branch failed on const or enum: the
// anyOf/oneOf is a list of choices, and the value is none of them.
func choiceCauses(e *jsonschema.ValidationError) bool {
	if len(e.Causes) == 0 {
		return true
	}
	for _, c := range e.Causes {
		leaves := c
		for len(leaves.Causes) == 1 {
			leaves = leaves.Causes[0]
		}
		switch leaves.ErrorKind.(type) {
		case *kind.Const, *kind.Enum, *kind.Type:
		default:
			return false
		}
	}
	return true
}

func message1(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "must be " + typeWords(k.Want)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters", k.Want)
	case *kind.MaxLength:
		if k.Want == 1 {
			return "must be at most 1 character"
		}
		return fmt.Sprintf("must be at most %d characters", k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("must match the pattern %s", k.Want)
	case *kind.Format:
		return formatWords(k.Want)
	case *kind.Minimum:
		return "must be at least " + ratString(k.Want)
	case *kind.Maximum:
		return "must be at most " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + ratString(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + ratString(k.Want)
	case *kind.Enum:
		return "must be one of the choices"
	case *kind.Const:
		return "must be " + display(k.Want)
	case *kind.MinItems:
		if k.Want == 1 {
			return "must have at least 1 item"
		}
		return fmt.Sprintf("must have at least %d items", k.Want)
	case *kind.MaxItems:
		if k.Want == 1 {
			return "must have at most 1 item"
		}
		return fmt.Sprintf("must have at most %d items", k.Want)
	case *kind.UniqueItems:
		return "must not contain the same value twice"
	case *kind.MinProperties:
		return fmt.Sprintf("must have at least %d entries", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("must have at most %d entries", k.Want)
	case *kind.FalseSchema, *kind.Not:
		return "is not allowed"
	}
	return k.LocalizedString(printer)
}

func typeWords(want []string) string {
	words := map[string]string{
		"string": "text", "number": "a number", "integer": "a whole number",
		"boolean": "true or false", "object": "a group of fields", "array": "a list", "null": "empty",
	}
	var parts []string
	for _, w := range want {
		if s, ok := words[w]; ok {
			parts = append(parts, s)
		} else {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, " or ")
}

func formatWords(format string) string {
	switch format {
	case "date":
		return "must be a date (YYYY-MM-DD)"
	case "date-time":
		return "must be a date and time"
	case "time":
		return "must be a time"
	case "email":
		return "must be an email address"
	case "uri", "url":
		return "must be a full web address, such as https://example.com"
	case "data-url":
		return "must be an uploaded file"
	case "ipv4", "ipv6":
		return "must be an IP address"
	case "uuid":
		return "must be a UUID"
	}
	return "must be a valid " + format
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return display(f)
}

// customChecks walks the schema with the data and applies the checks
// SpiffArena adds to JSON-schema validation.
func (f *Form) customChecks(s obj, ui obj, path string, value any, root obj, add func(FieldError)) {
	s = f.res.resolve(s)
	switch typeOf(s) {
	case "object":
		vo, _ := value.(obj)
		if str(ui, "ui:field") == "numeric-range" && vo != nil {
			lo, okLo := number(vo["min"])
			hi, okHi := number(vo["max"])
			if okLo && okHi && lo > hi {
				add(FieldError{Path: path, Message: "minimum must not be greater than maximum"})
			}
		}
		view := f.objectView(s, vo)
		for _, k := range view.order {
			ps, _ := view.props[k].(obj)
			pui := sub(ui, k)
			pp := joinPath(path, k)
			var pv any
			if vo != nil {
				pv = vo[k]
			}
			rs := f.res.resolve(ps)
			if view.required[k] && typeOf(rs) == "boolean" && pv == false && widgetName(rs, pui) == "checkbox" {
				add(FieldError{Path: pp, Message: "must be checked"})
			}
			f.customChecks(ps, pui, pp, pv, root, add)
		}
	case "array":
		list, _ := value.([]any)
		items, _ := s["items"].(obj)
		iui := sub(ui, "items")
		for i, e := range list {
			f.customChecks(items, iui, joinPath(path, fmt.Sprint(i)), e, root, add)
		}
	case "number", "integer":
		if widgetName(s, ui) == "formatted-number" {
			if c, ok := canonicalNumber(value); ok {
				numberChecks(c, formattedNumberOptions(s, ui), path, add)
			}
		}
	case "string":
		sv, ok := value.(string)
		if !ok || sv == "" {
			return
		}
		if widgetName(s, ui) == "formatted-number" {
			if c, ok := canonicalNumber(sv); ok {
				numberChecks(c, formattedNumberOptions(s, ui), path, add)
			} else {
				add(FieldError{Path: path, Message: "must be a number, such as 1,234.56"})
			}
		}
		if v, _ := uiOption(ui, "validateJson"); v == true {
			if !json.Valid([]byte(sv)) {
				add(FieldError{Path: path, Message: "must be valid JSON"})
			}
		}
		isRange := widgetName(s, ui) == "date-range"
		start, end := sv, sv
		if isRange {
			var ok bool
			start, end, ok = strings.Cut(sv, ":::")
			if !ok || !isDate(start) || !isDate(end) {
				add(FieldError{Path: path, Message: "must be a start and an end date"})
				return
			}
			if start > end {
				add(FieldError{Path: path, Message: "start date must not be after the end date"})
			}
		}
		lo, hi := str(s, "minimumDate"), str(s, "maximumDate")
		if lo == "" && hi == "" {
			return
		}
		parent := parentObject(root, splitPath(path))
		if lo != "" && isDate(start[:min(10, len(start))]) {
			if bound, label := f.dateBound(lo, parent, root, true); bound != "" && start[:10] < bound {
				add(FieldError{Path: path, Message: "must be on or after " + label})
			}
		}
		if hi != "" && isDate(end[:min(10, len(end))]) {
			if bound, label := f.dateBound(hi, parent, root, false); bound != "" && end[:10] > bound {
				add(FieldError{Path: path, Message: "must be on or before " + label})
			}
		}
	}
}

// dateBound evaluates a minimumDate/maximumDate list ("today",
// "field:name", "field:name:start|end"): the latest bound for a minimum,
// the earliest for a maximum. It returns the date and words for messages.
func (f *Form) dateBound(spec string, parent, root obj, isMin bool) (string, string) {
	best, label := "", ""
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		var d, l string
		switch {
		case part == "today":
			d, l = f.now().Format(time.DateOnly), "today"
		case strings.HasPrefix(part, "field:"):
			rest := strings.TrimPrefix(part, "field:")
			name, which, _ := strings.Cut(rest, ":")
			v, _ := lookupField(parent, root, name).(string)
			if s, e, ok := strings.Cut(v, ":::"); ok {
				v = s
				if which == "end" {
					v = e
				}
			}
			if len(v) >= 10 && isDate(v[:10]) {
				d, l = v[:10], v[:10]
			}
		}
		if d == "" {
			continue
		}
		if best == "" || (isMin && d > best) || (!isMin && d < best) {
			best, label = d, l
		}
	}
	return best, label
}

func lookupField(parent, root obj, name string) any {
	if strings.HasPrefix(name, "$.") {
		return walk(root, strings.Split(strings.TrimPrefix(name, "$."), "."))
	}
	if v, ok := parent[name]; ok {
		return v
	}
	return walk(root, strings.Split(name, "."))
}

func walk(v any, segs []string) any {
	for _, s := range segs {
		o, ok := v.(obj)
		if !ok {
			return nil
		}
		v = o[s]
	}
	return v
}

// parentObject returns the object holding the value at segs.
func parentObject(root obj, segs []string) obj {
	var cur any = root
	for _, s := range segs[:max(0, len(segs)-1)] {
		switch c := cur.(type) {
		case obj:
			cur = c[s]
		case []any:
			var i int
			if _, err := fmt.Sscan(s, &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	o, _ := cur.(obj)
	return o
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// numberChecks applies a formattedNumber field's allowNegative and decimals
// to its value (canonical decimal text).
func numberChecks(c string, o numberOptions, path string, add func(FieldError)) {
	if !o.negative && !o.schemaMin && strings.HasPrefix(c, "-") {
		add(FieldError{Path: path, Message: "must not be negative"})
	}
	if o.decimals >= 0 && decimalPlaces(c) > o.decimals {
		switch o.decimals {
		case 0:
			add(FieldError{Path: path, Message: "must be a whole number"})
		case 1:
			add(FieldError{Path: path, Message: "must have at most 1 decimal place"})
		default:
			add(FieldError{Path: path, Message: fmt.Sprintf("must have at most %d decimal places", o.decimals)})
		}
	}
}
