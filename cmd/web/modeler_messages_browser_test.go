package main

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// messageModels is a repository whose process groups define messages and
// data stores, as SpiffArena keeps them in process_group.json.
var messageModels = map[string]string{
	"sales/process_group.json": `{"display_name": "Sales",
		"messages": {
			"order_ready": {"correlation_properties": {"order_id": {"retrieval_expression": "order_id"}}},
			"invoice_sent": {"correlation_properties": {"invoice": {"retrieval_expression": ["invoice_number", "ignored"]}}, "schema": {"type": "object"}}
		},
		"data_store_specifications": {
			"json": {"menu": {"name": "Menu", "identifier": "menu", "location": "sales", "schema": {}, "description": "Dishes and prices"}},
			"kkv": {"stock": {"name": "Stock", "identifier": "stock", "location": "sales", "schema": {}}}
		}}`,
	"sales/kitchen/process_group.json": `{"display_name": "Kitchen",
		"messages": {
			"order_ready": {"correlation_properties": {"order_id": {"retrieval_expression": "order.id"}, "table": {"retrieval_expression": "table_number"}}},
			"ticket_printed": {}
		}}`,
	"sales/kitchen/cook/process_model.json": `{"display_name": "Cook", "primary_file_name": "cook.bpmn", "primary_process_id": "Process_t"}`,
	"other/process_group.json":              `{"display_name": "Other", "messages": {"unrelated": {}}, "data_store_specifications": {"json": {"elsewhere": {"name": "Elsewhere", "identifier": "elsewhere"}}}}`,
}

// The model's messages come from the process groups above it, the nearest
// definition first; so do its data stores.
func TestModelerMessagesAndDataStoresAPI(t *testing.T) {
	ta := startWithRepo(t, t.TempDir(), messageModels)
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")

	type cp struct {
		Identifier          string `json:"identifier"`
		RetrievalExpression string `json:"retrieval_expression"`
	}
	type message struct {
		Identifier            string `json:"identifier"`
		Location              string `json:"location"`
		CorrelationProperties []cp   `json:"correlation_properties"`
	}
	var got struct{ Messages []message }
	if status := modelerAPICall(t, c, "GET", ta.url+"/api/process-models/sales:kitchen:cook/messages", "", "", &got); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	want := []message{
		{"invoice_sent", "sales", []cp{{"invoice", "invoice_number"}}},
		{"order_ready", "sales/kitchen", []cp{{"order_id", "order.id"}, {"table", "table_number"}}},
		{"ticket_printed", "sales/kitchen", []cp{}},
	}
	if d := cmp.Diff(want, got.Messages); d != "" {
		t.Errorf("messages (-want +got):\n%s", d)
	}

	type store struct{ ID, Name, Type, Clz, Location string }
	var stores []store
	if status := modelerAPICall(t, c, "GET", ta.url+"/api/process-models/sales:kitchen:cook/data-stores", "", "", &stores); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	wantStores := []store{
		{"menu", "Menu", "json", "JSONDataStore", "sales"},
		{"stock", "Stock", "kkv", "KKVDataStore", "sales"},
	}
	if d := cmp.Diff(wantStores, stores); d != "" {
		t.Errorf("data stores (-want +got):\n%s", d)
	}

	// A model nobody knows (a made-up path) gets nothing, not an error.
	got.Messages = nil
	if status := modelerAPICall(t, c, "GET", ta.url+"/api/process-models/..:..:etc/messages", "", "", &got); status != http.StatusOK || len(got.Messages) != 0 {
		t.Errorf("made-up model: status %d, messages %v", status, got.Messages)
	}
}

// Choosing a message the process groups define copies it into the diagram
// with its correlation properties and MainCorrelationKey.
func TestModelerMessageFromProcessGroup(t *testing.T) {
	ta, c := startWithModels(t, t.TempDir(), messageModels)
	c.openModeler(t, ta.url, "sales/kitchen/cook", "cook.bpmn")
	c.importXML(t, bpmnDoc("", `<bpmn:receiveTask id="Wait_order" /><bpmn:intermediateThrowEvent id="Printed"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>`))

	c.selectElement(t, "Wait_order")
	sel := `#bio-properties-panel-spiff_message`
	c.waitFor(t, "the group messages", `[...document.querySelector(`+jsString(sel)+`)?.options || []].some(o => o.value === 'ticket_printed')`)
	var offered []string
	c.eval(t, `[...document.querySelector(`+jsString(sel)+`).options].map(o => o.value).filter(Boolean)`, &offered)
	if d := cmp.Diff([]string{"invoice_sent", "order_ready", "ticket_printed"}, offered); d != "" {
		t.Errorf("messages offered (-want +got):\n%s", d)
	}
	c.selectOption(t, sel, "order_ready")
	got := c.waitExport(t, "the message", func(x string) bool { return len(find(t, x, "//bpmn:receiveTask[@messageRef='order_ready']")) == 1 })
	if n := len(find(t, got, "/bpmn:definitions/bpmn:message[@id='order_ready'][@name='order_ready']")); n != 1 {
		t.Errorf("%d bpmn:message order_ready, want 1:\n%s", n, got)
	}
	paths := map[string]string{}
	for _, p := range find(t, got, "/bpmn:definitions/bpmn:correlationProperty") {
		if p.SelectAttrValue("id", "") != p.SelectAttrValue("name", "") {
			t.Errorf("correlation property id %q, name %q: want them equal", p.SelectAttrValue("id", ""), p.SelectAttrValue("name", ""))
		}
		for _, e := range p.FindElements("bpmn:correlationPropertyRetrievalExpression[@messageRef='order_ready']/bpmn:messagePath") {
			paths[p.SelectAttrValue("id", "")] = e.Text()
		}
	}
	if d := cmp.Diff(map[string]string{"order_id": "order.id", "table": "table_number"}, paths); d != "" {
		t.Errorf("retrieval expressions (-want +got):\n%s", d)
	}
	var keyRefs []string
	for _, r := range find(t, got, "/bpmn:definitions/bpmn:correlationKey[@name='MainCorrelationKey']/bpmn:correlationPropertyRef") {
		keyRefs = append(keyRefs, r.Text())
	}
	if d := cmp.Diff([]string{"order_id", "table"}, keyRefs); d != "" {
		t.Errorf("MainCorrelationKey (-want +got):\n%s", d)
	}

	// A message without correlation properties on a throw event.
	c.selectElement(t, "Printed")
	c.waitFor(t, "the group messages", `[...document.querySelector(`+jsString(sel)+`)?.options || []].some(o => o.value === 'ticket_printed')`)
	c.selectOption(t, sel, "ticket_printed")
	got = c.waitExport(t, "the second message", func(x string) bool {
		return len(find(t, x, "//bpmn:intermediateThrowEvent/bpmn:messageEventDefinition[@messageRef='ticket_printed']")) == 1
	})
	if n := len(find(t, got, "/bpmn:definitions/bpmn:correlationProperty")); n != 2 {
		t.Errorf("%d correlation properties after choosing a message without any, want the 2 of order_ready", n)
	}
}
