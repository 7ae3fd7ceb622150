package models

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Message is a message model that a process group defines for the models
// under it, as SpiffArena keeps them in process_group.json:
//
//	"messages": {
//	  "order_ready": {
//	    "correlation_properties": {"order_id": {"retrieval_expression": "order_id"}},
//	    "schema": {...}
//	  }
//	}
//
// The modeler offers them on message events and tasks; choosing one copies
// the message and its correlation properties into the diagram.
type Message struct {
	Identifier string
	// Location is the id of the group that defines it.
	Location              string
	CorrelationProperties []CorrelationProperty
	// Schema is the message's JSON schema as written, or nil.
	Schema json.RawMessage
}

// CorrelationProperty is one correlation property of a message: its id
// and the expression that reads its value from the payload.
type CorrelationProperty struct {
	Identifier          string
	RetrievalExpression string
}

// groupDefinitions is the part of process_group.json that defines things for the
// models below the group.
type groupDefinitions struct {
	Messages map[string]struct {
		CorrelationProperties map[string]struct {
			// A string, or (older files) a list whose first item counts.
			RetrievalExpression json.RawMessage `json:"retrieval_expression"`
		} `json:"correlation_properties"`
		Schema json.RawMessage `json:"schema"`
	} `json:"messages"`
	DataStoreSpecifications map[string]map[string]struct {
		Name        string          `json:"name"`
		Identifier  string          `json:"identifier"`
		Description string          `json:"description"`
		Schema      json.RawMessage `json:"schema"`
	} `json:"data_store_specifications"`
}

// groupsAbove returns the known groups that contain id (a model or group
// id, which need not exist yet), nearest first, and id itself when it is
// a group. Only ids of groups the repository knows are returned, so a path
// made up in a request never reaches the disk.
func (r *Repo) groupsAbove(id string) []string {
	st := r.state()
	var out []string
	segs := strings.Split(id, "/")
	for i := len(segs); i >= 1; i-- {
		g := strings.Join(segs[:i], "/")
		if _, ok := st.groups[g]; ok && g != "" {
			out = append(out, g)
		}
	}
	// The root may hold definitions too, in a process_group.json of its own.
	return append(out, "")
}

// readGroupFile reads the definitions of a known group; a group without a
// readable process_group.json defines nothing (the scan reports broken
// metadata).
func (r *Repo) readGroupFile(groupID string) groupDefinitions {
	var f groupDefinitions
	b, err := os.ReadFile(filepath.Join(r.dirOf(groupID), groupFile))
	if err != nil {
		return f
	}
	if err := json.Unmarshal(b, &f); err != nil {
		r.log.Debug("process_group.json: definitions not read", "group", groupID, "err", err)
		return groupDefinitions{}
	}
	return f
}

// Messages lists the message models defined by the groups that contain id
// (a model or group id), as SpiffArena's message-model list does: a
// message defined in several of them is taken from the nearest. Sorted by
// identifier.
func (r *Repo) Messages(id string) []Message {
	seen := map[string]bool{}
	out := []Message{}
	for _, g := range r.groupsAbove(id) {
		f := r.readGroupFile(g)
		for name, def := range f.Messages {
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			m := Message{Identifier: name, Location: g, CorrelationProperties: []CorrelationProperty{}}
			if len(def.Schema) > 0 && string(def.Schema) != "null" {
				m.Schema = def.Schema
			}
			for pid, cp := range def.CorrelationProperties {
				m.CorrelationProperties = append(m.CorrelationProperties, CorrelationProperty{pid, retrievalExpression(cp.RetrievalExpression)})
			}
			sort.Slice(m.CorrelationProperties, func(i, j int) bool {
				return m.CorrelationProperties[i].Identifier < m.CorrelationProperties[j].Identifier
			})
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out
}

// retrievalExpression reads a string, or the first string of a list.
func retrievalExpression(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0]
	}
	return ""
}

// DataStore is a data store a process group defines for the models under
// it (process_group.json "data_store_specifications", by type then
// identifier), as SpiffArena lists them for the modeler.
type DataStore struct {
	ID   string
	Name string
	// Type is "json", "kkv" or "typeahead".
	Type string
	// Class is the SpiffArena class implementing the type
	// ("JSONDataStore"); the modeler writes it as the bpmn:dataStore name.
	Class       string
	Location    string
	Description string
	// Schema is the JSON schema values written to the store must meet;
	// empty for none.
	Schema json.RawMessage
}

// dataStoreClasses names SpiffArena's data store classes by type.
var dataStoreClasses = map[string]string{
	"json":      "JSONDataStore",
	"kkv":       "KKVDataStore",
	"typeahead": "TypeaheadDataStore",
}

// DataStores lists the data stores defined by the groups that contain id,
// the nearest first where an identifier repeats. Sorted by type, then
// identifier.
func (r *Repo) DataStores(id string) []DataStore {
	seen := map[string]bool{}
	out := []DataStore{}
	for _, g := range r.groupsAbove(id) {
		f := r.readGroupFile(g)
		for typ, stores := range f.DataStoreSpecifications {
			for key, spec := range stores {
				ident := spec.Identifier
				if ident == "" {
					ident = key
				}
				if ident == "" || seen[typ+"\x00"+ident] {
					continue
				}
				seen[typ+"\x00"+ident] = true
				name := spec.Name
				if name == "" {
					name = ident
				}
				class := dataStoreClasses[typ]
				if class == "" {
					class = typ
				}
				out = append(out, DataStore{ID: ident, Name: name, Type: typ, Class: class, Location: g, Description: spec.Description, Schema: spec.Schema})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out
}
