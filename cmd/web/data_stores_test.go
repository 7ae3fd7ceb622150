package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// kitchenModel fills a JSON store, a key-key-value store and the typeahead
// store, then shows a task whose instructions read what the stores hold.
const kitchenModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_kitchen" targetNamespace="http://waymark.test/kitchen">
  <bpmn:dataStore id="menu" name="JSONDataStore" />
  <bpmn:dataStore id="stock" name="KKVDataStore" />
  <bpmn:dataStore id="typeahead" name="TypeaheadDataStore" />
  <bpmn:process id="kitchen" name="Kitchen" isExecutable="true">
    <bpmn:dataStoreReference id="MenuRef" name="Menu" dataStoreRef="menu" type="json" />
    <bpmn:dataStoreReference id="StockRef" name="Stock" dataStoreRef="stock" type="kkv" />
    <bpmn:dataStoreReference id="SuggestRef" name="Suggestions" dataStoreRef="typeahead" type="typeahead" />
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:scriptTask id="fill" name="Fill the stores">
      <bpmn:dataOutputAssociation id="o1"><bpmn:targetRef>MenuRef</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:dataOutputAssociation id="o2"><bpmn:targetRef>StockRef</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:dataOutputAssociation id="o3"><bpmn:targetRef>SuggestRef</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>menu = {"dishes": ["soup", "stew"]}
stock = {"soup": {"pots": 2}}
typeahead = {"dishes": [{"search_term": "Soup", "result": {"dish": "soup", "label": "Soup of the day"}}, {"search_term": "Stew", "result": {"dish": "stew", "label": "Irish stew"}}]}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="read" />
    <bpmn:scriptTask id="read" name="Read the stores">
      <bpmn:property id="p1" name="__targetRef_placeholder" />
      <bpmn:dataInputAssociation id="i1"><bpmn:sourceRef>MenuRef</bpmn:sourceRef><bpmn:targetRef>p1</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:dataInputAssociation id="i2"><bpmn:sourceRef>StockRef</bpmn:sourceRef><bpmn:targetRef>p1</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:script>summary = "%d dishes, %d pots of soup" % (len(menu["dishes"]), stock("soup", "pots"))</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="read" targetRef="look" />
    <bpmn:manualTask id="look" name="Look at the kitchen">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Kitchen: {{ summary }}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f4" sourceRef="look" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// TestDataStoresInTheApp: a process group defines a JSON and a
// key-key-value store (process_group.json, as SpiffArena writes it); a
// model under it writes and reads them and the typeahead store, and the
// form type-ahead answers the written category from the database without
// any connector proxy, while an unknown category still says no proxy is
// configured.
func TestDataStoresInTheApp(t *testing.T) {
	vars := workflowVars(t, t.TempDir())
	group := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases")
	os.WriteFile(filepath.Join(group, "process_group.json"), []byte(`{"display_name": "Purchases", "description": "", "display_order": 0,
 "data_store_specifications": {
  "json": {"menu": {"name": "Menu", "identifier": "menu", "location": "purchases", "schema": {}}},
  "kkv": {"stock": {"name": "Stock", "identifier": "stock", "location": "purchases", "schema": {}}}}}`), 0o644)
	dir := filepath.Join(group, "kitchen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "process_model.json"), []byte(`{"display_name": "Kitchen", "description": "", "display_order": 0, "primary_file_name": "kitchen.bpmn", "primary_process_id": "kitchen"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "kitchen.bpmn"), []byte(kitchenModel), 0o644)
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	var none map[string]any
	if resp := getJSON(t, alice, ta.url+"/api/typeahead/dishes?prefix=s", &none); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("before the store is written: %d, want 503 (no proxy)", resp.StatusCode)
	}
	_, inbox := get(t, alice, ta.url+"/inbox")
	resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:kitchen/start", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	var taskURL string
	for deadline := time.Now().Add(30 * time.Second); taskURL == "" && time.Now().Before(deadline); {
		_, doc := get(t, alice, ta.url+"/inbox?view=mine")
		if taskURL = doc.Find(`tr.task a.task-link`).First().AttrOr("href", ""); taskURL == "" {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if taskURL == "" {
		_, doc := get(t, alice, ta.url+"/instances/1")
		t.Fatalf("the task never reached the inbox; instance: %s %s", text(doc, "#instance-status"), text(doc, "#instance-error"))
	}
	_, page := get(t, alice, ta.url+taskURL)
	if got := text(page, ".instructions p"); got != "Kitchen: 2 dishes, 2 pots of soup" {
		t.Errorf("instructions %q", got)
	}

	var got []map[string]any
	resp = getJSON(t, alice, ta.url+"/api/typeahead/dishes?prefix=s", &got)
	wantStatus(t, resp, http.StatusOK)
	want := []map[string]any{{"dish": "soup", "label": "Soup of the day"}, {"dish": "stew", "label": "Irish stew"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("typeahead (-want +got):\n%s", d)
	}
	resp = getJSON(t, alice, ta.url+"/api/typeahead/dishes?prefix=STE&limit=5", &got)
	if wantStatus(t, resp, http.StatusOK); len(got) != 1 || got[0]["dish"] != "stew" {
		t.Errorf("prefix STE: %v", got)
	}
	if resp := getJSON(t, alice, ta.url+"/api/typeahead/drinks?prefix=s", &none); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a category no store holds: %d, want 503", resp.StatusCode)
	}
	if logs := ta.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("errors in the log:\n%s", logs)
	}
}
