package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataStoreLocation: a store is found in the nearest group above the
// model that defines it, with its schema as the check of written values;
// a store no group defines is not found.
func TestDataStoreLocation(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kitchen/process_group.json", `{"display_name": "Kitchen", "data_store_specifications": {
		"json": {"menu": {"name": "Menu", "identifier": "menu", "location": "kitchen", "schema": {"type": "object", "required": ["dishes"], "properties": {"dishes": {"type": "array", "items": {"type": "string"}}}}}},
		"kkv": {"stock": {"name": "Stock", "identifier": "stock", "location": "kitchen", "schema": {}}}}}`)
	write("kitchen/hot/process_group.json", `{"display_name": "Hot", "data_store_specifications": {
		"json": {"menu": {"name": "Hot menu", "identifier": "menu", "location": "kitchen/hot", "schema": {"$ref": "http://127.0.0.1:1/schema.json"}}}}}`)
	write("kitchen/soup/process_model.json", `{"display_name": "Soup", "primary_file_name": "", "primary_process_id": ""}`)
	write("kitchen/hot/chili/process_model.json", `{"display_name": "Chili", "primary_file_name": "", "primary_process_id": ""}`)
	r, _ := openRepo(t, dir)

	loc, check, ok := r.DataStoreLocation("kitchen/soup", "json", "menu")
	if !ok || loc != "kitchen" || check == nil {
		t.Fatalf("menu for soup: %q %v", loc, ok)
	}
	if err := check([]byte(`{"dishes": ["soup"]}`)); err != nil {
		t.Errorf("a value that fits: %v", err)
	}
	if err := check([]byte(`{"dishes": [1]}`)); err == nil || !strings.Contains(err.Error(), `data store "menu" (kitchen)`) {
		t.Errorf("a value that does not fit: %v", err)
	}
	if loc, check, ok := r.DataStoreLocation("kitchen/soup", "kkv", "stock"); !ok || loc != "kitchen" || check != nil {
		t.Errorf("stock for soup: %q %v, want kitchen without a check", loc, ok)
	}
	// The nearest group wins; its schema refers outside itself and is
	// not fetched, so every write is refused, saying why.
	loc, check, ok = r.DataStoreLocation("kitchen/hot/chili", "json", "menu")
	if !ok || loc != "kitchen/hot" || check == nil {
		t.Fatalf("menu for chili: %q %v", loc, ok)
	}
	if err := check([]byte(`{"dishes": []}`)); err == nil || !strings.Contains(err.Error(), "does not compile") {
		t.Errorf("a schema with a remote reference: %v", err)
	}
	if _, _, ok := r.DataStoreLocation("kitchen/soup", "json", "drinks"); ok {
		t.Error("a store no group defines was found")
	}
}
