package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// tierTable is a FIRST table over an integer and a string column, with two
// rules that both match an amount of 500 from a gold customer.
const tierTable = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
  <decision id="discount" name="Discount">
    <decisionTable id="t1" hitPolicy="FIRST">
      <input id="i1" label="Amount"><inputExpression id="e1" typeRef="integer"><text>amount</text></inputExpression></input>
      <input id="i2" label="Tier"><inputExpression id="e2" typeRef="string"><text>tier</text></inputExpression></input>
      <output id="o1" name="discount" typeRef="integer" />
      <output id="o2" name="note" typeRef="string" />
      <rule id="r1"><inputEntry id="r1a"><text>&gt; 1000</text></inputEntry><inputEntry id="r1b"><text>-</text></inputEntry><outputEntry id="r1c"><text>20</text></outputEntry><outputEntry id="r1d"><text>"big"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2a"><text>&gt; 100</text></inputEntry><inputEntry id="r2b"><text>-</text></inputEntry><outputEntry id="r2c"><text>5</text></outputEntry><outputEntry id="r2d"><text>"over " + str(amount)</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="r3a"><text>-</text></inputEntry><inputEntry id="r3b"><text>"gold"</text></inputEntry><outputEntry id="r3c"><text>10</text></outputEntry><outputEntry id="r3d"><text>"gold"</text></outputEntry></rule>
      <rule id="r4"><inputEntry id="r4a"><text>-</text></inputEntry><inputEntry id="r4b"><text>? + missing_name</text></inputEntry><outputEntry id="r4c"><text>0</text></outputEntry><outputEntry id="r4d"><text>""</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
`

func TestDecisionTryPanel(t *testing.T) {
	ta, c, _ := modelsApp(t, map[string]string{
		"shop/process_group.json":          `{"display_name": "Shop"}`,
		"shop/pricing/process_model.json":  `{"display_name": "Pricing"}`,
		"shop/pricing/discount.dmn":        tierTable,
		"shop/pricing/other/ignored.txt":   "",
		"shop/pricing/notes-for-tests.txt": "not a table",
	})
	page := ta.url + "/process-models/shop:pricing/files/discount.dmn"
	_, doc := get(t, c, page)
	form := doc.Find(`section[data-decision="discount"] form.dmn-try`)
	if form.Length() != 1 {
		t.Fatal("the DMN file page has no test panel beside the discount table")
	}
	if got := form.Find(`input[name="input"]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-type", "") }); strings.Join(got, ",") != "integer,string" {
		t.Errorf("panel input types = %v, want the table's integer,string", got)
	}
	action := form.AttrOr("action", "")
	token := csrfToken(t, doc)
	try := func(header http.Header, values ...string) (*http.Response, *goquery.Document) {
		t.Helper()
		return postForm(t, c, ta.url+action, url.Values{"csrf_token": {token}, "input": values}, header)
	}

	// Full page without htmx: rows 2 and 3 hit, FIRST uses row 2.
	resp, doc := try(nil, "500", "gold")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find("tr.dmn-hit").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-row", "") }); strings.Join(got, ",") != "2,3" {
		t.Errorf("rows marked as hits = %v, want 2,3", got)
	}
	if got := doc.Find("tr.dmn-used").AttrOr("data-row", ""); got != "2" {
		t.Errorf("row marked as used = %q, want 2 (FIRST)", got)
	}
	out := doc.Find(".dmn-try-output").Text()
	if !strings.Contains(out, `"discount": 5`) || !strings.Contains(out, `"note": "over 500"`) {
		t.Errorf("outputs shown = %q, want discount 5 and the note built from the amount", out)
	}
	if note := doc.Find(".dmn-try-unchecked").Text(); !strings.Contains(note, `rule "r4"`) {
		t.Errorf("note on the unreached failing rule = %q, want rule r4 named", note)
	}
	if doc.Find(".dmn-try-overlap").Length() != 0 {
		t.Error("a FIRST table whose rules overlap is warned about as if it were UNIQUE")
	}
	if doc.Find("h1#file-name").Length() != 1 {
		t.Error("a post without htmx should get the whole file page")
	}
	if v := doc.Find(`form.dmn-try input[name="input"]`).First().AttrOr("value", ""); v != "500" {
		t.Errorf("typed amount not kept: %q", v)
	}

	// htmx gets the section alone.
	resp, doc = try(http.Header{"Hx-Request": {"true"}}, "5", "silver")
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find("h1#file-name").Length() != 0 || doc.Find(`section#decision-discount`).Length() != 1 {
		t.Error("an htmx post should get the decision section alone")
	}
	// Rule 4 errs for any tier that reaches it; "silver" reaches it.
	if msg := doc.Find(".dmn-try-error").Text(); !strings.Contains(msg, `rule "r4"`) || !strings.Contains(msg, "missing_name") {
		t.Errorf("error shown = %q, want the failing rule r4 and the missing name", msg)
	}

	// A value that does not fit the column's type is refused by name.
	resp, doc = try(nil, "lots", "gold")
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if msg := doc.Find(".dmn-try-error").Text(); !strings.Contains(msg, `input "Amount" is of type integer: "lots" is not a whole number`) {
		t.Errorf("type error shown = %q", msg)
	}
	if doc.Find("tr.dmn-hit").Length() != 0 {
		t.Error("a refused trial marks no rule")
	}

	// An unknown decision is a 404; a missing token is refused.
	resp, _ = postForm(t, c, page+"/decisions/nope/try", url.Values{"csrf_token": {token}, "input": {"1", "x"}}, nil)
	wantStatus(t, resp, http.StatusNotFound)
	resp, _ = postForm(t, c, ta.url+action, url.Values{"input": {"1", "x"}}, nil)
	wantStatus(t, resp, http.StatusForbidden)
}

// A UNIQUE table whose rules overlap for the inputs tried is evaluated as
// SpiffWorkflow does (the first match), and the panel says so.
func TestDecisionTryPanelUniqueOverlap(t *testing.T) {
	unique := strings.Replace(tierTable, `hitPolicy="FIRST"`, `hitPolicy="UNIQUE"`, 1)
	ta, c, _ := modelsApp(t, map[string]string{
		"shop/process_group.json":         `{"display_name": "Shop"}`,
		"shop/pricing/process_model.json": `{"display_name": "Pricing"}`,
		"shop/pricing/discount.dmn":       unique,
	})
	_, doc := get(t, c, ta.url+"/process-models/shop:pricing/files/discount.dmn")
	action := doc.Find(`section[data-decision="discount"] form.dmn-try`).AttrOr("action", "")
	token := csrfToken(t, doc)
	try := func(values ...string) *goquery.Document {
		t.Helper()
		resp, doc := postForm(t, c, ta.url+action, url.Values{"csrf_token": {token}, "input": values}, nil)
		wantStatus(t, resp, http.StatusOK)
		return doc
	}
	doc = try("500", "gold")
	if got := doc.Find("tr.dmn-used").AttrOr("data-row", ""); got != "2" {
		t.Errorf("row used = %q, want 2: the first match, as SpiffWorkflow", got)
	}
	if w := doc.Find(".dmn-try-overlap").Text(); !strings.Contains(w, "UNIQUE table, yet 2 rules match") {
		t.Errorf("overlap warning = %q", w)
	}
	// One match: no warning.
	doc = try("500", "silver")
	if doc.Find(".dmn-try-overlap").Length() != 0 || doc.Find("tr.dmn-hit").Length() != 1 {
		t.Errorf("one match (%d rows hit) still warns of an overlap", doc.Find("tr.dmn-hit").Length())
	}
}

func TestDecisionEditorPage(t *testing.T) {
	ta, c, _ := modelsApp(t, map[string]string{
		"shop/process_group.json":         `{"display_name": "Shop"}`,
		"shop/pricing/process_model.json": `{"display_name": "Pricing"}`,
		"shop/pricing/discount.dmn":       tierTable,
		"shop/pricing/flow.bpmn":          diagramXML("flow", "Flow", ""),
	})
	base := ta.url + "/process-models/shop:pricing/files/"
	_, doc := get(t, c, base+"discount.dmn")
	if href := doc.Find("#open-decision-editor").AttrOr("href", ""); href != "/process-models/shop:pricing/files/discount.dmn/decision-editor" {
		t.Errorf("file page links the editor at %q", href)
	}
	resp, doc := get(t, c, base+"discount.dmn/decision-editor")
	wantStatus(t, resp, http.StatusOK)
	cfg := doc.Find("script#decision-editor-config").Text()
	for _, want := range []string{`"model":"shop/pricing"`, `"file":"discount.dmn"`, `"csrf":"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("editor config %s lacks %s", cfg, want)
		}
	}
	if doc.Find(`script[src^="/static/dmn-js/dist/editor.js?v="]`).Length() != 1 || doc.Find(`link[href^="/static/dmn-js/dist/editor.css?v="]`).Length() != 1 {
		t.Error("the editor page does not load the dmn-js bundle at its content-hash URL")
	}
	// Only existing DMN files open in the editor.
	for _, name := range []string{"flow.bpmn", "missing.dmn", "..%2Fx.dmn"} {
		resp, _ := get(t, c, base+name+"/decision-editor")
		wantStatus(t, resp, http.StatusNotFound)
	}
	// The bundle is served.
	resp, _ = get(t, c, ta.url+"/static/dmn-js/dist/editor.js")
	wantStatus(t, resp, http.StatusOK)
}

func TestDecisionTryXMLAPI(t *testing.T) {
	ta, c, _ := modelsApp(t, nil)
	token := sessionToken(t, c, ta.url)
	xml, _ := json.Marshal(tierTable)
	post := func(body string) (int, map[string]any) {
		resp, data := apiCall(t, c, http.MethodPost, ta.url+"/api/decisions/try", token, []byte(body))
		var out map[string]any
		json.Unmarshal(data, &out)
		return resp.StatusCode, out
	}
	code, out := post(`{"xml": ` + string(xml) + `, "decision": "discount", "inputs": ["500", "gold"]}`)
	if code != http.StatusOK || fmt.Sprint(out["hits"]) != "[r2 r3]" || fmt.Sprint(out["used"]) != "[r2]" || fmt.Sprint(out["result"]) != "map[discount:5 note:over 500]" {
		t.Errorf("try: %d %v", code, out)
	}
	code, out = post(`{"xml": ` + string(xml) + `, "decision": "nope", "inputs": []}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out["message"]), `no decision "nope"`) {
		t.Errorf("unknown decision: %d %v", code, out)
	}
	code, out = post(`{"file": "x.dmn", "xml": "<definitions", "decision": "d", "inputs": []}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out["message"]), "x.dmn") {
		t.Errorf("bad XML: %d %v", code, out)
	}
}
