package forms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FileUpload is one file from a multipart POST.
type FileUpload struct {
	Name        string // the file name the browser sent
	ContentType string
	Data        []byte
}

// Upload is a file Decode took from the POST: the caller stores Data
// (under Digest) and the submitted data holds Ref in its place.
type Upload struct {
	Path string // the field's path
	FileUpload
	// Digest is the hex SHA-256 of Data.
	Digest string
	// Ref is the value placed in the data, SpiffArena's file reference:
	// data:<type>;name=<name>;base64,spifffiledatadigest+<digest>.
	Ref string
}

// DigestPrefix marks a data-URL whose payload is a stored file's digest
// instead of its bytes (SpiffArena's FILE_DATA_DIGEST_PREFIX).
const DigestPrefix = "spifffiledatadigest+"

// FormFiles reads the files of a parsed multipart form, refusing any file
// larger than maxBytes.
func FormFiles(mf *multipart.Form, maxBytes int64) (map[string][]FileUpload, error) {
	out := map[string][]FileUpload{}
	if mf == nil {
		return out, nil
	}
	for name, headers := range mf.File {
		for _, h := range headers {
			if h.Size > maxBytes {
				return nil, fmt.Errorf("file %q in field %s is larger than %d bytes", h.Filename, name, maxBytes)
			}
			r, err := h.Open()
			if err != nil {
				return nil, fmt.Errorf("open upload %q: %w", h.Filename, err)
			}
			data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
			r.Close()
			if err != nil {
				return nil, fmt.Errorf("read upload %q: %w", h.Filename, err)
			}
			if int64(len(data)) > maxBytes {
				return nil, fmt.Errorf("file %q in field %s is larger than %d bytes", h.Filename, name, maxBytes)
			}
			if h.Filename == "" && len(data) == 0 {
				continue // an empty file input
			}
			out[name] = append(out[name], FileUpload{Name: h.Filename, ContentType: h.Header.Get("Content-Type"), Data: data})
		}
	}
	return out, nil
}

// NewUpload computes the digest and reference of a file for field path.
func NewUpload(path string, fu FileUpload) Upload {
	sum := sha256.Sum256(fu.Data)
	digest := hex.EncodeToString(sum[:])
	ct := fu.ContentType
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	name := strings.NewReplacer(";", "_", ",", "_", "\n", "_", "\r", "_").Replace(fu.Name)
	return Upload{
		Path:       path,
		FileUpload: fu,
		Digest:     digest,
		Ref:        "data:" + ct + ";name=" + name + ";base64," + DigestPrefix + digest,
	}
}

// Decode turns an HTML form POST back into data typed per the schema:
// numbers and integers become numbers, checkboxes booleans, selects the
// typed choice value, nested names ("address.street", "items.0.name")
// objects and arrays; empty optional fields are left out, as are keys the
// schema does not know (SpiffArena submits with omitExtraData). Text that
// does not convert (letters in a number field) is kept as typed, so that
// Validate reports it and the re-rendered form shows it. Read-only fields
// keep the form's current value whatever the POST says. Files in files
// (keyed by field path) become Uploads, and their references go into the
// data.
func (f *Form) Decode(values url.Values, files map[string][]FileUpload) (map[string]any, []Upload, error) {
	d := decoder{f: f, values: values, files: files}
	root := f.res.resolve(f.schema)
	if typeOf(root) != "object" {
		return nil, nil, fmt.Errorf("form schema: the top level must describe an object, not %s", typeOf(root))
	}
	v, _ := d.object(root, f.ui, "", f.values, f.IsReadOnly())
	if d.err != nil {
		return nil, nil, d.err
	}
	out, _ := v.(obj)
	if out == nil {
		out = obj{}
	}
	// Calculated fields are recomputed on the server from what was
	// submitted; what the browser sent for them is ignored.
	if err := f.calculate(root, f.ui, out, out); err != nil {
		return nil, nil, err
	}
	return pythonNumbers(out).(obj), d.uploads, nil
}

// pythonNumbers gives a submission the number types SpiffArena's scripts
// see. There the browser builds the submission as JavaScript numbers and
// sends it as JSON, where an integral value is written without a fraction
// ("13", never "13.0"), and Python reads it back as an int. So every
// integral number in a submission becomes an int64 here, whatever the
// field's type (an integer field, a number field, an enum choice, a
// calculated value, JSON typed into a text area), and only numbers with a
// fraction stay float64. JavaScript writes integral values from 1e21 up in
// exponent form, which Python reads as a float; int64 ends sooner, so
// integral values outside its range stay float64 as well.
func pythonNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
			return int64(x)
		}
		return x
	case obj:
		for k, e := range x {
			x[k] = pythonNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = pythonNumbers(e)
		}
		return x
	}
	return v
}

type decoder struct {
	f       *Form
	values  url.Values
	files   map[string][]FileUpload
	uploads []Upload
	err     error
}

// lenKey is the hidden input carrying an array's length, so that an array
// whose items are all empty still decodes to the right number of items.
func lenKey(path string) string { return "__len:" + path }

func (d *decoder) node(s, ui obj, path string, current any, ro bool) (any, bool) {
	s = d.f.res.resolve(s)
	if ui == nil {
		ui = obj{}
	}
	ro = ro || boolean(ui, "ui:readonly") || boolean(s, "readOnly") || boolean(ui, "ui:disabled")
	w := widgetName(s, ui)
	if ro && w != "object" && w != "array" && w != "numeric-range" {
		if current == nil {
			current = s["default"]
		}
		return current, current != nil
	}
	switch w {
	case "object", "numeric-range":
		return d.object(s, ui, path, current, ro)
	case "array":
		return d.array(s, ui, path, current, ro)
	case "hidden":
		raw, ok := d.values[path]
		if !ok || len(raw) == 0 {
			return nil, false
		}
		switch typeOf(s) {
		case "object", "array":
			if raw[0] == "" {
				return nil, false
			}
			var v any
			if err := json.Unmarshal([]byte(raw[0]), &v); err != nil {
				return raw[0], true
			}
			return v, true
		}
		return scalar(s, raw[0])
	case "checkbox":
		raw, ok := d.values[path]
		if !ok {
			return nil, false
		}
		return slices.Contains(raw, "true") || slices.Contains(raw, "on"), true
	case "checkboxes", "multiselect":
		raw, ok := d.values[path]
		if !ok {
			return nil, false
		}
		items, _ := s["items"].(obj)
		items = d.f.res.resolve(items)
		list := []any{}
		for _, r := range raw {
			if r == "" {
				continue
			}
			list = append(list, choose(items, sub(ui, "items"), r))
		}
		return list, true
	case "select", "radio":
		raw := d.values.Get(path)
		if raw == "" {
			return emptyValue(ui)
		}
		if typeOf(s) == "boolean" && len(choices(s, ui)) == 0 {
			if b, err := strconv.ParseBool(raw); err == nil {
				return b, true
			}
			return raw, true
		}
		return choose(s, ui, raw), true
	case "file":
		if fs := d.files[path]; len(fs) > 0 {
			u := NewUpload(path, fs[0])
			// Conditional objects decode more than once; keep one upload
			// per field.
			if i := slices.IndexFunc(d.uploads, func(o Upload) bool { return o.Path == path }); i >= 0 {
				d.uploads[i] = u
			} else {
				d.uploads = append(d.uploads, u)
			}
			return u.Ref, true
		}
		if raw := d.values.Get(path); strings.HasPrefix(raw, "data:") {
			return raw, true
		}
		return nil, false
	case "date-range":
		raw := d.values[path]
		if len(raw) == 1 && strings.Contains(raw[0], ":::") {
			return raw[0], true
		}
		var start, end string
		if len(raw) > 0 {
			start = strings.TrimSpace(raw[0])
		}
		if len(raw) > 1 {
			end = strings.TrimSpace(raw[1])
		}
		if start == "" && end == "" {
			return emptyValue(ui)
		}
		return start + ":::" + end, true
	case "calculated":
		return nil, false // computed by the object that holds it
	}
	raw, ok := d.values[path]
	if !ok || len(raw) == 0 {
		return nil, false
	}
	text := raw[0]
	if strings.TrimSpace(text) == "" {
		return emptyValue(ui)
	}
	if w == "formatted-number" {
		// Thousands separators go; a number type submits a number and a
		// string type the plain numeric text. Text that is no number is
		// kept as typed for Validate to report.
		c, ok := parseGrouped(text)
		if !ok {
			return text, true
		}
		if t := typeOf(s); t == "number" || t == "integer" {
			return scalar(s, c)
		}
		return c, true
	}
	if w == "datetime" {
		text = datetimeValue(text)
	}
	if w == "markdown" || w == "textarea" {
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	return scalar(s, text)
}

// emptyValue is what an empty input submits: nothing, unless ui:emptyValue
// says otherwise.
func emptyValue(ui obj) (any, bool) {
	if v, ok := ui["ui:emptyValue"]; ok {
		return v, true
	}
	return nil, false
}

// scalar converts submitted text to the schema's type, keeping the text
// when it does not convert.
func scalar(s obj, text string) (any, bool) {
	switch typeOf(s) {
	case "number", "integer":
		n, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return text, true
		}
		return n, true
	case "boolean":
		b, err := strconv.ParseBool(text)
		if err != nil {
			return text, true
		}
		return b, true
	}
	return text, true
}

// choose maps a submitted option text back to the typed choice value.
func choose(s, ui obj, raw string) any {
	for _, c := range choices(s, ui) {
		if display(c.value) == raw {
			return c.value
		}
	}
	v, _ := scalar(s, raw)
	return v
}

// datetimeValue turns a datetime-local input ("2006-01-02T15:04") into RFC
// 3339 in UTC, the format JSON schema's date-time asks for.
func datetimeValue(text string) string {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339, time.RFC3339Nano} {
		if t, err := time.Parse(layout, text); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return text
}

func (d *decoder) object(s, ui obj, path string, current any, ro bool) (any, bool) {
	cur, _ := current.(obj)
	out := obj{}
	// Conditional fields depend on the values being decoded: decode, see
	// which fields the values switch on, and decode again until stable.
	var view objView
	for range 4 {
		view = d.f.objectView(s, out)
		next := obj{}
		for _, k := range view.order {
			ps, _ := view.props[k].(obj)
			var pc any
			if cur != nil {
				pc = cur[k]
			}
			if v, ok := d.node(ps, sub(ui, k), joinPath(path, k), pc, ro); ok {
				next[k] = v
			}
		}
		same := len(next) == len(out)
		for k := range next {
			if _, ok := out[k]; !ok {
				same = false
			}
		}
		out = next
		if same {
			break
		}
	}
	return out, true
}

func (d *decoder) array(s, ui obj, path string, current any, ro bool) (any, bool) {
	items, _ := s["items"].(obj)
	if items == nil {
		items = obj{"type": "string"}
	}
	curList, _ := current.([]any)
	n := -1
	if raw := d.values.Get(lenKey(path)); raw != "" {
		if v, err := strconv.Atoi(raw); err == nil && v >= 0 && v <= 10000 {
			n = v
		}
	}
	if n < 0 {
		// Without the length marker, count the indexes that appear.
		prefix := path + "."
		if path == "" {
			prefix = ""
		}
		for key := range d.values {
			rest, ok := strings.CutPrefix(key, prefix)
			if !ok {
				continue
			}
			idx, _, _ := strings.Cut(rest, ".")
			if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < 10000 && i+1 > n {
				n = i + 1
			}
		}
		for key := range d.files {
			rest, ok := strings.CutPrefix(key, prefix)
			if !ok {
				continue
			}
			idx, _, _ := strings.Cut(rest, ".")
			if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < 10000 && i+1 > n {
				n = i + 1
			}
		}
	}
	if n < 0 {
		return nil, false
	}
	iui := sub(ui, "items")
	list := make([]any, 0, n)
	for i := range n {
		var ic any
		if i < len(curList) {
			ic = curList[i]
		}
		v, ok := d.node(items, iui, joinPath(path, strconv.Itoa(i)), ic, ro)
		if !ok {
			switch typeOf(d.f.res.resolve(items)) {
			case "string":
				v = ""
			case "object":
				v = obj{}
			}
		}
		list = append(list, v)
	}
	return list, true
}
