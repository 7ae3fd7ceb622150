package models

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DataStoreLocation returns the process group that defines the data store
// of the type ("json", "kkv") and identifier nearest above a model, as
// SpiffArena searches upward from the model, with the check a value
// written to it must pass (its specification's JSON schema, as SpiffArena
// validates writes; nil without a schema); false when no group defines it.
func (r *Repo) DataStoreLocation(modelID, typ, identifier string) (string, func(value []byte) error, bool) {
	for _, d := range r.DataStores(modelID) {
		if d.Type == typ && d.ID == identifier {
			return d.Location, schemaCheck(d), true
		}
	}
	return "", nil, false
}

// noRemote refuses every reference a data store schema makes outside
// itself: a schema in a model repository must not make the server fetch.
type noRemote struct{}

func (noRemote) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: remote and file references are not loaded", url)
}

// schemaCheck compiles a store's schema into a check of JSON values. An
// empty schema ({} or none) accepts everything; one that does not compile
// refuses every write, saying why.
func schemaCheck(d DataStore) func([]byte) error {
	raw := bytes.TrimSpace(d.Schema)
	if len(raw) == 0 || string(raw) == "{}" || string(raw) == "null" {
		return nil
	}
	where := fmt.Sprintf("the schema of data store %q (%s)", d.ID, d.Location)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	var sch *jsonschema.Schema
	if err == nil {
		c := jsonschema.NewCompiler()
		c.UseLoader(noRemote{})
		c.DefaultDraft(jsonschema.Draft7)
		url := "mem:///data-store.json"
		if err = c.AddResource(url, doc); err == nil {
			sch, err = c.Compile(url)
		}
	}
	if err != nil {
		return func([]byte) error { return fmt.Errorf("%s does not compile: %v", where, err) }
	}
	return func(value []byte) error {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(value))
		if err != nil {
			return err
		}
		if err := sch.Validate(v); err != nil {
			return fmt.Errorf("the value does not match %s: %s", where, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		return nil
	}
}
