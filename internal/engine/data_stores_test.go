package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/engine"
)

// memStores is a host's data stores in memory: JSON stores read as a
// value, key-key-value stores read through a getter, as SpiffArena has them.
type memStores struct {
	json   map[string]any
	kkv    map[string]map[string]any
	writes []string
}

func (m *memStores) ReadStore(id, class string, data map[string]any) (any, error) {
	if class != "JSONDataStore" {
		return nil, fmt.Errorf("class %q is not read as a value", class)
	}
	v, ok := m.json[id]
	if !ok {
		return nil, errors.New("no such store")
	}
	return v, nil
}

func (m *memStores) WriteStore(id, class string, value any, data map[string]any) error {
	m.writes = append(m.writes, class+" "+id)
	switch class {
	case "JSONDataStore":
		m.json[id] = value
	case "KKVDataStore":
		for top, second := range value.(map[string]any) {
			m.kkv[top] = second.(map[string]any)
		}
	default:
		return fmt.Errorf("class %q is not written", class)
	}
	return nil
}

func (m *memStores) StoreFunc(id, class string) func([]any, map[string]any) (any, error) {
	if class != "KKVDataStore" {
		return nil
	}
	return func(args []any, _ map[string]any) (any, error) {
		top, _ := args[0].(string)
		if len(args) > 1 && args[1] != nil {
			return m.kkv[top][args[1].(string)], nil
		}
		return m.kkv[top], nil
	}
}

const dataStoresXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:dataStore id="menu" name="JSONDataStore" />
  <bpmn:dataStore id="stock" name="KKVDataStore" />
  <bpmn:process id="p" isExecutable="true">
    <bpmn:dataStoreReference id="MenuRef" name="Menu" dataStoreRef="menu" />
    <bpmn:dataStoreReference id="StockRef" name="Stock" dataStoreRef="stock" />
    <bpmn:dataStoreReference id="Drawn" name="Drawn only" />
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="read" />
    <bpmn:scriptTask id="read">
      <bpmn:property id="p1" name="__targetRef_placeholder" />
      <bpmn:dataInputAssociation id="i1"><bpmn:sourceRef>MenuRef</bpmn:sourceRef><bpmn:targetRef>p1</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:dataInputAssociation id="i2"><bpmn:sourceRef>StockRef</bpmn:sourceRef><bpmn:targetRef>p1</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:dataOutputAssociation id="o1"><bpmn:targetRef>MenuRef</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:dataOutputAssociation id="o2"><bpmn:targetRef>StockRef</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>dishes = len(menu["dishes"])
soup = stock("soup", "pots")
menu["dishes"].append("stew")
stock = {"bread": {"loaves": 3}}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="read" targetRef="skip" />
    <bpmn:scriptTask id="skip">
      <bpmn:dataOutputAssociation id="o3"><bpmn:targetRef>MenuRef</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>note = "no menu variable: nothing written"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="skip" targetRef="drawn" />
    <bpmn:scriptTask id="drawn">
      <bpmn:property id="p2" name="__targetRef_placeholder" />
      <bpmn:dataInputAssociation id="i3"><bpmn:sourceRef>Drawn</bpmn:sourceRef><bpmn:targetRef>p2</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:script>x = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="drawn" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// TestDataStores: a task reads a JSON store into its data under the
// store's id and a key-key-value store through a getter, writes both when
// it completes and loses the variables; a task without the variable writes
// nothing; a reference that names no bpmn:dataStore fails the task when it
// runs, naming the store.
func TestDataStores(t *testing.T) {
	lib := parseBytes(t, "stores.bpmn", []byte(dataStoresXML))
	m := &memStores{json: map[string]any{"menu": map[string]any{"dishes": []any{"soup"}}},
		kkv: map[string]map[string]any{"soup": {"pots": int64(2)}}}
	in, err := engine.Start(lib, engine.StartOptions{Process: "p"}, engine.Env{Stores: m})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"JSONDataStore menu", "KKVDataStore stock"}, m.writes); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"dishes": []any{"soup", "stew"}}, m.json["menu"]); diff != "" {
		t.Errorf("menu store (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"loaves": int64(3)}, m.kkv["bread"]); diff != "" {
		t.Errorf("stock store (-want +got):\n%s", diff)
	}
	read := in.Task(2)
	if read == nil || read.Node.ID != "read" {
		t.Fatalf("task 2 is %v", read)
	}
	if _, ok := read.Data["menu"]; ok {
		t.Errorf("the menu variable stayed in task data: %v", read.Data)
	}
	if read.Data["dishes"] != int64(1) || read.Data["soup"] != int64(2) {
		t.Errorf("task data %v: want dishes 1 (read from the store) and soup 2 (from the getter)", read.Data)
	}
	te := in.Err()
	if in.Status() != engine.Failed || te == nil || te.NodeID != "drawn" || !strings.Contains(te.Error(), `reference "Drawn only" names no data store`) {
		t.Errorf("status %v, error %v: want the drawn-only reference to fail its task", in.Status(), te)
	}

	// Without a host the engine says the store has no implementation.
	in, err = engine.Start(lib, engine.StartOptions{Process: "p"}, engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if te := in.Err(); te == nil || te.NodeID != "read" || !strings.Contains(te.Error(), "has no implementation") {
		t.Errorf("without stores: %v", te)
	}
}
