package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/forms"
)

// TestCorpusScriptsSeeTypedFormData runs every script and condition of the
// corpus that reads a field of one of its model's forms, with the data
// those forms submit when a person fills them in: each field typed as text
// into the browser form ("13" into an integer field, "2.5" into a number,
// a date, the first choice of a list, "on" for a checkbox) and decoded by
// the forms package exactly as a real submission is. A script that counts
// with an integer field (range(days)), formats a number or compares a date
// then sees the Python types SpiffArena hands it.
//
// A script may also read data that no form gives (a service task's result,
// another script's variable); it stops at the first such name. That is
// counted, not failed: the question here is how form data is typed. Every
// other failure fails the test.
func TestCorpusScriptsSeeTypedFormData(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models")
	var models []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "process_model.json" {
			models = append(models, filepath.Dir(path))
		}
		return nil
	})
	if err != nil || len(models) == 0 {
		t.Fatalf("no corpus models under %s: %v", root, err)
	}
	env := &script.Env{Now: func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }}
	var ran, ok, otherData int
	var failures []string
	for _, dir := range models {
		data, fields := modelFormData(t, dir)
		if len(fields) == 0 {
			continue
		}
		for _, it := range modelScripts(t, dir) {
			if !readsAny(it.src, fields) {
				continue
			}
			ran++
			in := deepCopy(data)
			var err error
			if it.expr {
				var x *script.Expr
				if x, err = script.CompileExpr(it.where, it.src); err == nil {
					_, err = x.Eval(env, in)
				}
			} else {
				var p *script.Program
				if p, err = script.Compile(it.where, it.src); err == nil {
					_, err = p.Exec(env, in)
				}
			}
			var se *script.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &se) && strings.Contains(se.Msg, "is not defined") && !mentionsField(se.Msg, fields):
				otherData++
			default:
				rel, _ := filepath.Rel(root, dir)
				failures = append(failures, fmt.Sprintf("%s: %s: %v", rel, it.where, err))
			}
		}
	}
	t.Logf("%d scripts and conditions read form fields: %d ran to the end, %d stopped at data no form gives", ran, ok, otherData)
	if ran < 10 || ok == 0 {
		t.Errorf("only %d scripts read form fields (%d ran through): the corpus walk finds too little", ran, ok)
	}
	for _, f := range failures {
		t.Errorf("fails with the data its forms submit: %s", f)
	}
}

// modelFormData fills every form of a model's user tasks and returns the
// decoded submissions merged, as the instance's data would hold them once
// every form was submitted, with the field names.
func modelFormData(t *testing.T, dir string) (map[string]any, map[string]bool) {
	t.Helper()
	data, fields := map[string]any{}, map[string]bool{}
	schemas, _ := filepath.Glob(filepath.Join(dir, "*.bpmn"))
	seen := map[string]bool{}
	for _, bpmnPath := range schemas {
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(bpmnPath); err != nil {
			continue
		}
		for _, p := range doc.FindElements("//property[@name='formJsonSchemaFilename']") {
			name := p.SelectAttrValue("value", "")
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			schema, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				continue // a missing form file is web check's business
			}
			var ui []byte
			if up := p.Parent().FindElement("property[@name='formUiSchemaFilename']"); up != nil {
				ui, _ = os.ReadFile(filepath.Join(dir, up.SelectAttrValue("value", "")))
			}
			f, err := forms.Parse(schema, ui, nil)
			if err != nil {
				continue
			}
			values := url.Values{}
			for _, fl := range f.Fields() {
				fill(values, fl)
			}
			sub, _, err := f.Decode(values, nil)
			if err != nil {
				t.Errorf("%s: the filled form does not decode: %v", filepath.Join(dir, name), err)
				continue
			}
			for k, v := range sub {
				data[k] = v
				fields[k] = true
			}
			// A whole number typed into an integer field reaches scripts
			// as a Python int, as in SpiffArena.
			for _, fl := range f.Fields() {
				if fl.Type == "integer" && sub[fl.Key] != nil {
					if _, isInt := sub[fl.Key].(int64); !isInt {
						t.Errorf("%s: integer field %q decodes to %T, want int64", filepath.Join(dir, name), fl.Key, sub[fl.Key])
					}
				}
			}
		}
	}
	return data, fields
}

// fill types a plausible value into a field as a person would.
func fill(values url.Values, fl *forms.Field) {
	switch {
	case len(fl.Fields) > 0:
		for _, c := range fl.Fields {
			fill(values, c)
		}
		return
	case fl.ReadOnly:
		return
	case len(fl.Options) > 0:
		values.Set(fl.Path, fl.Options[0].Value)
		return
	}
	switch fl.Widget {
	case "checkbox":
		values.Set(fl.Path, "on")
	case "date":
		values.Set(fl.Path, "2026-03-02")
	case "datetime":
		values.Set(fl.Path, "2026-03-02T10:00")
	case "date-range":
		values.Set(fl.Path+".start", "2026-03-02")
		values.Set(fl.Path+".end", "2026-03-06")
	case "email":
		values.Set(fl.Path, "ann@example.com")
	case "url":
		values.Set(fl.Path, "https://example.com/")
	case "file", "calculated", "markdown", "hidden":
	default:
		switch fl.Type {
		case "integer":
			values.Set(fl.Path, "13")
		case "number":
			values.Set(fl.Path, "2.5")
		case "boolean":
			values.Set(fl.Path, "true")
		default:
			values.Set(fl.Path, "some text")
		}
	}
}

type corpusScript struct {
	where, src string
	expr       bool
}

// modelScripts lists the scripts, pre- and post-scripts and conditions of
// a model's diagrams.
func modelScripts(t *testing.T, dir string) []corpusScript {
	var out []corpusScript
	files, _ := filepath.Glob(filepath.Join(dir, "*.bpmn"))
	for _, path := range files {
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(path); err != nil {
			continue
		}
		base := filepath.Base(path)
		for _, el := range doc.FindElements("//*") {
			switch el.Tag {
			case "script":
				if p := el.Parent(); p != nil && p.Tag == "scriptTask" && strings.TrimSpace(el.Text()) != "" {
					out = append(out, corpusScript{where: base + " " + p.SelectAttrValue("id", "") + " script", src: el.Text()})
				}
			case "preScript", "postScript":
				if strings.TrimSpace(el.Text()) != "" {
					owner := ""
					if p := el.Parent(); p != nil && p.Parent() != nil {
						owner = p.Parent().SelectAttrValue("id", "")
					}
					out = append(out, corpusScript{where: base + " " + owner + " " + el.Tag, src: el.Text()})
				}
			case "conditionExpression":
				if strings.TrimSpace(el.Text()) != "" {
					owner := ""
					if p := el.Parent(); p != nil {
						owner = p.SelectAttrValue("id", "")
					}
					out = append(out, corpusScript{where: base + " " + owner + " condition", src: el.Text(), expr: true})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].where < out[j].where })
	return out
}

var identRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// readsAny reports whether src names one of the fields.
func readsAny(src string, fields map[string]bool) bool {
	for _, id := range identRe.FindAllString(src, -1) {
		if fields[id] {
			return true
		}
	}
	return false
}

// mentionsField reports whether a "name 'x' is not defined" error is about
// a form field (which would mean the form data did not reach the script).
func mentionsField(msg string, fields map[string]bool) bool {
	for f := range fields {
		if strings.Contains(msg, "'"+f+"'") {
			return true
		}
	}
	return false
}

// deepCopy copies decoded form data, so one script's changes do not reach
// the next.
func deepCopy(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = copyValue(x)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}
