package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/store"
)

// Data stores at run time, as SpiffArena's data store classes behave:
//
//   - JSONDataStore: the task that reads it gets the whole JSON value under
//     the store's id; the task that writes it replaces the value.
//   - KKVDataStore (key-key-value): the task that reads it gets a getter
//     under the store's id, store(top, secondary) for one value (None when
//     missing) or store(top, None) for the dict of one top-level key; the
//     task that writes it gives a dict of dicts that is merged in, where
//     None deletes a top-level key or one entry.
//   - TypeaheadDataStore: written only, a dict of category to a list of
//     {"search_term", "result"}; each category given replaces its entries,
//     which then answer form type-aheads (GET /api/typeahead/{category}).
//
// A JSON or key-key-value store must be defined by a process group above
// the instance's model (process_group.json data_store_specifications); the
// nearest defines it. A process a call activity calls finds stores from
// the instance's model too, as in SpiffArena. Reads see the database and what the step wrote
// before; writes are kept with the step and written in its transaction, so
// a step that is retried or fails writes nothing.

// dataStoreFinder finds the process group that defines a data store
// (*models.Repo implements it).
// With the location it gives the check a value written to the store must
// pass (the store's JSON schema), nil for none.
type dataStoreFinder interface {
	DataStoreLocation(modelID, typ, identifier string) (string, func(value []byte) error, bool)
}

// storeTypes maps SpiffArena's class names to the types process groups
// define stores by.
var storeTypes = map[string]string{"JSONDataStore": "json", "KKVDataStore": "kkv", "TypeaheadDataStore": "typeahead"}

// stepStores serves an instance's data store references for one step.
type stepStores struct {
	r     *Runner
	model string
	// ctx is the step's: reads of stored values end with it.
	ctx context.Context
	// json holds the JSON text written in this step, by location and id.
	json map[[2]string]string
	// kkv holds the entries written in this step.
	kkv    map[[2]string]map[string]*kkvTop
	writes []func(ctx context.Context, tx *store.Tx) error
}

// kkvTop is what a step wrote under one top-level key: cleared when the
// key was deleted; an entry of nil was deleted.
type kkvTop struct {
	cleared bool
	entries map[string]any
}

func newStepStores(ctx context.Context, r *Runner, model string) *stepStores {
	return &stepStores{r: r, model: model, ctx: ctx, json: map[[2]string]string{}, kkv: map[[2]string]map[string]*kkvTop{}}
}

// locate finds the group that defines a JSON or key-key-value store.
func (s *stepStores) locate(id, class, typ string) (string, error) {
	loc, _, err := s.locateChecked(id, class, typ)
	return loc, err
}

// locateChecked is locate with the check written values must pass.
func (s *stepStores) locateChecked(id, class, typ string) (string, func([]byte) error, error) {
	if f, ok := s.r.specs.(dataStoreFinder); ok {
		if loc, check, ok := f.DataStoreLocation(s.model, typ, id); ok {
			if check == nil {
				check = func([]byte) error { return nil }
			}
			return loc, check, nil
		}
	}
	return "", nil, fmt.Errorf("no process group above model %s defines the %s %q (process_group.json data_store_specifications, type %q)", s.model, class, id, typ)
}

func unsupportedClass(class string) error {
	return fmt.Errorf("data store class %q is not supported here (JSONDataStore, KKVDataStore, TypeaheadDataStore)", class)
}

// decodeValue reads stored JSON text as task data values.
func decodeValue(text string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return engine.Normalize(v), nil
}

func (s *stepStores) ReadStore(id, class string, data map[string]any) (any, error) {
	switch class {
	case "JSONDataStore":
		loc, err := s.locate(id, class, "json")
		if err != nil {
			return nil, err
		}
		text, ok := s.json[[2]string{loc, id}]
		if !ok {
			if text, ok, err = s.r.store.JSONDataStore(s.ctx, loc, id); err != nil {
				return nil, err
			}
		}
		if !ok {
			return map[string]any{}, nil
		}
		return decodeValue(text)
	case "TypeaheadDataStore":
		return nil, fmt.Errorf("the typeahead store %q is written only: a task can write it, not read it", id)
	}
	return nil, unsupportedClass(class)
}

func (s *stepStores) WriteStore(id, class string, value any, data map[string]any) error {
	switch class {
	case "JSONDataStore":
		loc, check, err := s.locateChecked(id, class, "json")
		if err != nil {
			return err
		}
		b, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("the value of %s is not JSON: %w", id, err)
		}
		if err := check(b); err != nil {
			return fmt.Errorf("writing %s: %w", id, err)
		}
		s.json[[2]string{loc, id}] = string(b)
		s.writes = append(s.writes, func(ctx context.Context, tx *store.Tx) error {
			return tx.PutJSONDataStore(ctx, loc, id, string(b), s.r.now())
		})
		return nil
	case "KKVDataStore":
		return s.writeKKV(id, value)
	case "TypeaheadDataStore":
		return s.writeTypeahead(id, value)
	}
	return unsupportedClass(class)
}

func (s *stepStores) writeKKV(id string, value any) error {
	tops, ok := value.(map[string]any)
	if !ok {
		return fmt.Errorf("when writing to this data store, a dictionary is expected as the value for variable %q", id)
	}
	loc, check, err := s.locateChecked(id, "KKVDataStore", "kkv")
	if err != nil {
		return err
	}
	// Everything is checked before anything is kept, so a refused write
	// leaves the store as it was. Keys are sorted, so the same write gives
	// the same statements.
	type op struct {
		top, sec string
		clear    bool   // delete every entry under top
		value    any    // nil deletes the entry
		text     string // value as JSON
	}
	var ops []op
	for _, top := range slices.Sorted(maps.Keys(tops)) {
		if tops[top] == nil {
			ops = append(ops, op{top: top, clear: true})
			continue
		}
		second, ok := tops[top].(map[string]any)
		if !ok {
			return fmt.Errorf("when writing to this data store, a dictionary is expected as the value for %s[%q]", id, top)
		}
		for _, sec := range slices.Sorted(maps.Keys(second)) {
			v := second[sec]
			if v == nil {
				ops = append(ops, op{top: top, sec: sec})
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("%s[%q][%q] is not JSON: %w", id, top, sec, err)
			}
			if err := check(b); err != nil {
				return fmt.Errorf("writing %s[%q][%q]: %w", id, top, sec, err)
			}
			ops = append(ops, op{top: top, sec: sec, value: v, text: string(b)})
		}
	}
	key := [2]string{loc, id}
	if s.kkv[key] == nil {
		s.kkv[key] = map[string]*kkvTop{}
	}
	for _, o := range ops {
		over := s.kkv[key][o.top]
		if over == nil {
			over = &kkvTop{entries: map[string]any{}}
			s.kkv[key][o.top] = over
		}
		switch {
		case o.clear:
			over.cleared, over.entries = true, map[string]any{}
			s.writes = append(s.writes, func(ctx context.Context, tx *store.Tx) error {
				return tx.DeleteKKVEntries(ctx, loc, id, o.top, nil)
			})
		case o.value == nil:
			over.entries[o.sec] = nil
			s.writes = append(s.writes, func(ctx context.Context, tx *store.Tx) error {
				return tx.DeleteKKVEntries(ctx, loc, id, o.top, &o.sec)
			})
		default:
			over.entries[o.sec] = o.value
			s.writes = append(s.writes, func(ctx context.Context, tx *store.Tx) error {
				return tx.PutKKVEntry(ctx, loc, id, o.top, o.sec, o.text, s.r.now())
			})
		}
	}
	return nil
}

func (s *stepStores) writeTypeahead(id string, value any) error {
	cats, ok := value.(map[string]any)
	if !ok {
		return fmt.Errorf("the typeahead store %q takes a dictionary of category to a list of {\"search_term\", \"result\"}", id)
	}
	var writes []func(ctx context.Context, tx *store.Tx) error
	for _, cat := range slices.Sorted(maps.Keys(cats)) {
		items, ok := cats[cat].([]any)
		if !ok {
			return fmt.Errorf("%s[%q] must be a list of {\"search_term\", \"result\"}", id, cat)
		}
		entries := make([]store.TypeaheadEntry, 0, len(items))
		for i, it := range items {
			m, ok := it.(map[string]any)
			term, okTerm := m["search_term"].(string)
			if !ok || !okTerm || m["result"] == nil {
				return fmt.Errorf("%s[%q][%d] must be a dictionary with a string search_term and a result", id, cat, i)
			}
			b, err := json.Marshal(m["result"])
			if err != nil {
				return fmt.Errorf("%s[%q][%d] result is not JSON: %w", id, cat, i, err)
			}
			entries = append(entries, store.TypeaheadEntry{SearchTerm: term, Result: string(b)})
		}
		writes = append(writes, func(ctx context.Context, tx *store.Tx) error {
			return tx.ReplaceTypeahead(ctx, cat, entries, s.r.now())
		})
	}
	s.writes = append(s.writes, writes...)
	return nil
}

// StoreFunc gives a key-key-value store's getter.
func (s *stepStores) StoreFunc(id, class string) func([]any, map[string]any) (any, error) {
	if class != "KKVDataStore" {
		return nil
	}
	return func(args []any, kwargs map[string]any) (any, error) {
		top, secondary, err := kkvArgs(id, args, kwargs)
		if err != nil {
			return nil, err
		}
		loc, err := s.locate(id, class, "kkv")
		if err != nil {
			return nil, err
		}
		over := s.kkv[[2]string{loc, id}][top]
		if secondary != nil {
			if over != nil {
				if v, ok := over.entries[*secondary]; ok || over.cleared {
					return v, nil
				}
			}
			entries, err := s.r.store.KKVEntries(s.ctx, loc, id, top)
			if err != nil {
				return nil, err
			}
			text, ok := entries[*secondary]
			if !ok {
				return nil, nil
			}
			return decodeValue(text)
		}
		out := map[string]any{}
		if over == nil || !over.cleared {
			entries, err := s.r.store.KKVEntries(s.ctx, loc, id, top)
			if err != nil {
				return nil, err
			}
			for k, text := range entries {
				if out[k], err = decodeValue(text); err != nil {
					return nil, err
				}
			}
		}
		if over != nil {
			for k, v := range over.entries {
				if v == nil {
					delete(out, k)
				} else {
					out[k] = v
				}
			}
		}
		return out, nil
	}
}

// kkvArgs reads store(top_level_key, secondary_key), positional or named.
func kkvArgs(id string, args []any, kwargs map[string]any) (string, *string, error) {
	var topV, secV any
	if len(args) > 0 {
		topV = args[0]
	}
	if len(args) > 1 {
		secV = args[1]
	}
	if len(args) > 2 {
		return "", nil, fmt.Errorf("%s(top_level_key, secondary_key) takes two arguments", id)
	}
	if v, ok := kwargs["top_level_key"]; ok {
		topV = v
	}
	if v, ok := kwargs["secondary_key"]; ok {
		secV = v
	}
	top, ok := topV.(string)
	if !ok {
		return "", nil, errors.New(id + "(top_level_key, secondary_key): top_level_key must be a string")
	}
	if secV == nil {
		return top, nil, nil
	}
	sec, ok := secV.(string)
	if !ok {
		return "", nil, errors.New(id + "(top_level_key, secondary_key): secondary_key must be a string or None")
	}
	return top, &sec, nil
}

// applyStores writes what the step wrote to data stores, in its
// transaction.
func (s *stepStores) apply(ctx context.Context, tx *store.Tx) error {
	if s == nil {
		return nil
	}
	for _, w := range s.writes {
		if err := w(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}
