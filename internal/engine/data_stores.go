package engine

import (
	"fmt"
	"maps"

	"github.com/waymark-bpm/waymark/internal/engine/script"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// readsAsFunc reports whether a store the task reads is offered to its
// scripts as a function (DataStoreFuncs) instead of read into its data.
func (in *Instance) readsAsFunc(a spec.DataAssociation) bool {
	f, ok := in.env.Stores.(DataStoreFuncs)
	return ok && f.StoreFunc(a.Store, a.StoreClass) != nil
}

// storeFuncs returns the script helpers with the task's function stores
// added under their ids, or nil when the task reads none.
func (in *Instance) storeFuncs(t *Task) map[string]script.Func {
	if len(t.Node.DataInputs) == 0 || in.env.Stores == nil {
		return nil
	}
	f, ok := in.env.Stores.(DataStoreFuncs)
	if !ok {
		return nil
	}
	var out map[string]script.Func
	for _, a := range t.Node.DataInputs {
		if a.Store == "" {
			continue
		}
		fn := f.StoreFunc(a.Store, a.StoreClass)
		if fn == nil {
			continue
		}
		if out == nil {
			out = make(map[string]script.Func, len(in.senv.Funcs)+1)
			maps.Copy(out, in.senv.Funcs)
		}
		out[a.Name] = fn
	}
	return out
}

// unnamedStore is the error of a task reaching a data store reference that
// names no bpmn:dataStore: there is no store to read or write (SpiffWorkflow
// refuses such a diagram when it parses it).
func unnamedStore(t *Task, phase string, a spec.DataAssociation) *TaskError {
	return &TaskError{TaskID: t.ID, NodeID: t.Node.ID, Phase: phase,
		Msg: fmt.Sprintf("data store reference %q names no data store (a bpmn:dataStore with a class such as JSONDataStore), so there is nothing to read or write", a.Store)}
}
