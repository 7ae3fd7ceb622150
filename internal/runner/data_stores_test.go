package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// groupSpecs adds process groups' data store definitions to dirSpecs:
// "type/identifier" -> the group that defines it.
type groupSpecs struct {
	*dirSpecs
	defined map[string]string
}

// DataStoreLocation refuses to store a value that mentions poison, as a
// schema would refuse it.
func (g groupSpecs) DataStoreLocation(modelID, typ, identifier string) (string, func([]byte) error, bool) {
	loc, ok := g.defined[typ+"/"+identifier]
	check := func(v []byte) error {
		if strings.Contains(string(v), "poison") {
			return errors.New("the value does not match the schema")
		}
		return nil
	}
	return loc, check, ok && strings.HasPrefix(modelID, loc+"/")
}

// taskData returns the data of the task at element (its last one).
func elementData(t *testing.T, r *runner.Runner, id int64, element string) map[string]any {
	t.Helper()
	p, err := r.Instance(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	for _, ti := range p.Tasks {
		if ti.ElementID == element {
			out = nil
			if err := json.Unmarshal([]byte(ti.Data), &out); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// TestDataStoresAtRunTime: instances of a model read and write the JSON,
// key-key-value and typeahead stores its process group defines, in the
// database; what one instance wrote the next one reads; a getter read in a
// later step (a user task's post-script) still works; a model no group
// defines the stores for fails at the task, naming the store, and writes
// nothing.
func TestDataStoresAtRunTime(t *testing.T) {
	ctx := context.Background()
	specs := newSpecs(t, "datastores")
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := runner.New(runner.Options{Store: st, Specs: groupSpecs{specs, map[string]string{"json/menu": "group", "kkv/stock": "group"}}})

	run := func(dish string) (int64, map[string]any) {
		t.Helper()
		id, err := r.Start(ctx, alice, "group/datastores", "", map[string]any{"dish": dish})
		if err != nil {
			t.Fatal(err)
		}
		if in := instance(t, &env{store: st}, id); in.Status != store.StatusRunning {
			t.Fatalf("instance %d is %s: %s", id, in.Status, in.ErrorMessage)
		}
		return id, elementData(t, r, id, "read")
	}
	id1, first := run("soup")
	want := map[string]any{"dish": "soup", "dishes_before": float64(0), "pots_before": nil, "soup_before": map[string]any{}}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first read (-want +got):\n%s", diff)
	}
	_, second := run("stew")
	want = map[string]any{"dish": "stew", "dishes_before": float64(1), "pots_before": float64(1), "soup_before": map[string]any{"pots": float64(1)}}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("second read (-want +got):\n%s", diff)
	}
	if menu, ok, err := st.JSONDataStore(ctx, "group", "menu"); !ok || err != nil || menu != `{"dishes":["soup","stew"]}` {
		t.Errorf("menu store %q %v %v", menu, ok, err)
	}
	if soup, _ := st.KKVEntries(ctx, "group", "stock", "soup"); len(soup) != 1 || soup["pots"] != "2" {
		t.Errorf("soup entries %v, want pots 2 and bowls deleted", soup)
	}
	if cities, ok, err := st.Typeahead(ctx, "cities", "fa", 10); !ok || err != nil || string(cities) != `[{"name":"Faro"},{"name":"Fayzabad"}]` {
		t.Errorf("typeahead %s %v %v", cities, ok, err)
	}

	// The user task's post-script reads the store through its getter in
	// a later step, after the instance was stored and loaded again.
	if err := r.CompleteTask(ctx, alice, id1, openTaskOf(t, st, id1, "check"), nil); err != nil {
		t.Fatal(err)
	}
	if in := instance(t, &env{store: st}, id1); in.Status != store.StatusCompleted {
		t.Fatalf("instance %d is %s: %s", id1, in.Status, in.ErrorMessage)
	}
	if got := elementData(t, r, id1, "check")["loaves_after"]; got != float64(3) {
		t.Errorf("loaves_after %v, want 3", got)
	}

	// A value the store's schema refuses fails the task; nothing is written.
	id, err := r.Start(ctx, alice, "group/datastores", "", map[string]any{"dish": "poison"})
	if err != nil {
		t.Fatal(err)
	}
	if in := instance(t, &env{store: st}, id); in.Status != store.StatusError || !strings.Contains(in.ErrorMessage, "writing menu: the value does not match the schema") {
		t.Errorf("refused value: %s: %s", in.Status, in.ErrorMessage)
	}
	if menu, _, _ := st.JSONDataStore(ctx, "group", "menu"); strings.Contains(menu, "poison") {
		t.Errorf("the refused value was written: %s", menu)
	}

	// No group defines the stores for this model: the task fails, naming
	// the store, and nothing is written.
	bare := runner.New(runner.Options{Store: st, Specs: groupSpecs{specs, map[string]string{}}})
	id, err = bare.Start(ctx, alice, "group/datastores", "", map[string]any{"dish": "pie"})
	if err != nil {
		t.Fatal(err)
	}
	in := instance(t, &env{store: st}, id)
	if in.Status != store.StatusError || in.ErrorElement != "read" || !strings.Contains(in.ErrorMessage, `JSONDataStore "menu"`) {
		t.Errorf("without definitions: %s at %s: %s", in.Status, in.ErrorElement, in.ErrorMessage)
	}
	if menu, _, _ := st.JSONDataStore(ctx, "group", "menu"); strings.Contains(menu, "pie") {
		t.Errorf("the failed task wrote %s", menu)
	}
}

func openTaskOf(t *testing.T, st *store.Store, id int64, element string) int {
	t.Helper()
	return openTask(t, &env{store: st}, id, element)
}

// TestCorpusDataStoreReferences: the SpiffArena corpus's diagrams draw
// data store references without a bpmn:dataStore behind them (which
// SpiffWorkflow refuses to parse). Such a model starts, and the first
// task that reaches the reference fails, naming it, instead of reading or
// writing anything.
func TestCorpusDataStoreReferences(t *testing.T) {
	const corpus = "../../../shared/corpus/sample-process-models/misc/test/c402"
	specs := &dirSpecs{dirs: map[string]string{"misc/test/c402": corpus}, metadata: map[string]map[string]string{}, libs: map[string]*spec.Library{}, read: map[string][]bpmn.File{}}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := runner.New(runner.Options{Store: st, Specs: groupSpecs{specs, map[string]string{}}})
	id, err := r.Start(ctx, alice, "misc/test/c402", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	in := instance(t, &env{store: st}, id)
	if in.Status != store.StatusError || in.ErrorElement != "StartEvent_1" ||
		!strings.Contains(in.ErrorMessage, `data store reference "Employee Details" names no data store`) {
		t.Errorf("c402: %s at %s: %s", in.Status, in.ErrorElement, in.ErrorMessage)
	}
}

// create_unique_kkv_top_level_key gives each call a new key of the store's
// sequence, across instances, and names a store no group defines.
func TestCreateUniqueKKVTopLevelKey(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := runner.New(runner.Options{Store: st, Specs: groupSpecs{newSpecs(t, "uniquekeys"), map[string]string{"kkv/studies": "group"}}})
	keys := func(storeName string) (map[string]any, *store.Instance) {
		t.Helper()
		id, err := r.Start(ctx, alice, "group/uniquekeys", "", map[string]any{"store_name": storeName})
		if err != nil {
			t.Fatal(err)
		}
		in := instance(t, &env{store: st}, id)
		if in.Status != store.StatusRunning {
			return nil, &in
		}
		return elementData(t, r, id, "look"), &in
	}
	for _, want := range [][2]string{{"study1", "study2"}, {"study3", "study4"}} {
		got, in := keys("studies")
		if got == nil || got["first"] != want[0] || got["second"] != want[1] {
			t.Errorf("keys %v (instance %s: %s), want %v", got, in.Status, in.ErrorMessage, want)
		}
	}
	if _, in := keys("nope"); in.Status != store.StatusError || !strings.Contains(in.ErrorMessage, "Could not find KKV data store with the identifier 'nope'") {
		t.Errorf("unknown store: %s: %s", in.Status, in.ErrorMessage)
	}
}
