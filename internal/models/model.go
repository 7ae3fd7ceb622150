package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ModelInput is what a user sets on a process model.
type ModelInput struct {
	DisplayName                    string
	Description                    string
	DisplayOrder                   int
	PrimaryFileName                string
	PrimaryProcessID               string
	MetadataExtractionPaths        []MetadataPath
	ExceptionNotificationAddresses []string
	FaultOrSuspendOnException      string
}

// InputOf returns the editable fields of a model.
func InputOf(m *Model) ModelInput {
	return ModelInput{
		DisplayName: m.DisplayName, Description: m.Description, DisplayOrder: m.DisplayOrder,
		PrimaryFileName: m.PrimaryFileName, PrimaryProcessID: m.PrimaryProcessID,
		MetadataExtractionPaths:        m.MetadataExtractionPaths,
		ExceptionNotificationAddresses: m.ExceptionNotificationAddresses,
		FaultOrSuspendOnException:      m.FaultOrSuspendOnException,
	}
}

// check validates the input. defined lists the process ids the model's
// BPMN files define, for primary_process_id.
func (in *ModelInput) check(id string, existing *Model, defined []string) error {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" {
		in.DisplayName = baseID(id)
	}
	if len(in.DisplayName) > 200 {
		return fmt.Errorf("%w: the display name is longer than 200 characters", ErrInvalid)
	}
	switch in.FaultOrSuspendOnException {
	case "":
		in.FaultOrSuspendOnException = "fault"
	case "fault", "suspend":
	default:
		return fmt.Errorf("%w: fault_or_suspend_on_exception must be \"fault\" or \"suspend\", not %q", ErrInvalid, in.FaultOrSuspendOnException)
	}
	for i, a := range in.ExceptionNotificationAddresses {
		a = strings.TrimSpace(a)
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("%w: exception notification address %q is not an email address", ErrInvalid, a)
		}
		in.ExceptionNotificationAddresses[i] = a
	}
	seen := map[string]bool{}
	for _, p := range in.MetadataExtractionPaths {
		if strings.TrimSpace(p.Key) == "" || strings.TrimSpace(p.Path) == "" {
			return fmt.Errorf("%w: every metadata extraction path needs a key and a path", ErrInvalid)
		}
		if seen[p.Key] {
			return fmt.Errorf("%w: metadata key %q is listed twice", ErrInvalid, p.Key)
		}
		seen[p.Key] = true
	}
	if in.PrimaryFileName != "" && existing != nil {
		found := false
		for _, f := range existing.Files {
			if f.Name == in.PrimaryFileName {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%w: the primary file %q is not a file of this model", ErrInvalid, in.PrimaryFileName)
		}
	}
	in.PrimaryProcessID = strings.TrimSpace(in.PrimaryProcessID)
	old := ""
	if existing != nil {
		old = existing.PrimaryProcessID
	}
	if msg := primaryProblem(in.PrimaryProcessID, old, defined); msg != "" {
		return fmt.Errorf("%w: %s", ErrInvalid, msg)
	}
	return nil
}

// primaryProblem checks primary_process_id against the processes the
// model's BPMN files define and says what is wrong, or "". An id that is
// already saved is left alone, so a model copied from SpiffArena with a
// stale id can still be edited; a new or changed id must be defined.
func primaryProblem(id, saved string, defined []string) string {
	if id == "" || id == saved || slices.Contains(defined, id) {
		return ""
	}
	if len(defined) == 0 {
		return fmt.Sprintf("primary process id (primary_process_id) %q: this model's BPMN files define no process yet", id)
	}
	return fmt.Sprintf("primary process id (primary_process_id) %q is not a process of this model's BPMN files; they define %s", id, strings.Join(defined, ", "))
}

// definedProcesses lists every process id the BPMN files of a model
// define, in file order (clashing ids included: they are still defined
// there).
func definedProcesses(st *state, modelID string) []string {
	m := st.models[modelID]
	if m == nil {
		return nil
	}
	var ids []string
	for _, f := range m.Files {
		if p := st.parsed[modelID+"/"+f.Name]; p != nil {
			ids = append(ids, p.lib.Order...)
		}
	}
	return ids
}

// Model returns a process model by id.
func (r *Repo) Model(id string) (*Model, error) {
	m, ok := r.state().models[id]
	if !ok {
		return nil, fmt.Errorf("process model %q: %w", id, ErrNotFound)
	}
	return m, nil
}

// CreateModel creates an empty process model.
func (r *Repo) CreateModel(ctx context.Context, id string, in ModelInput) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if err := r.idFree(id); err != nil {
		return err
	}
	if err := in.check(id, nil, nil); err != nil {
		return err
	}
	if in.PrimaryFileName != "" {
		return fmt.Errorf("%w: a new model has no files yet; set the primary file after adding it", ErrInvalid)
	}
	data, err := mergeJSON(nil, modelFields(in))
	if err != nil {
		return err
	}
	dir := r.dirOf(id)
	if err := os.Mkdir(dir, 0o750); err != nil {
		return fmt.Errorf("create model %q: %w", id, err)
	}
	if err := r.writeVersioned(ctx, id, modelFile, data, "create"); err != nil {
		os.RemoveAll(dir)
		return err
	}
	return r.refresh(ctx)
}

// UpdateModel changes a model's metadata; fields of process_model.json
// Waymark does not know are kept.
func (r *Repo) UpdateModel(ctx context.Context, id string, in ModelInput) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	m, err := r.Model(id)
	if err != nil {
		return err
	}
	if err := in.check(id, m, definedProcesses(r.state(), id)); err != nil {
		return err
	}
	old, err := os.ReadFile(filepath.Join(r.dirOf(id), modelFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	data, err := mergeJSON(old, modelFields(in))
	if err != nil {
		return err
	}
	if err := r.writeVersioned(ctx, id, modelFile, data, "save"); err != nil {
		return err
	}
	return r.refresh(ctx)
}

// DeleteModel removes a model and its files. The content of every file
// (process_model.json included) is recorded in the history first (action
// "delete-model"), so the model can be restored (RestoreDeleted).
func (r *Repo) DeleteModel(ctx context.Context, id string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, err := r.Model(id); err != nil {
		return err
	}
	if err := r.removeDir(ctx, id, actionDeleteModel); err != nil {
		return err
	}
	return r.refresh(ctx)
}

// MoveModel renames a model or moves it to another group.
func (r *Repo) MoveModel(ctx context.Context, id, newID string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, err := r.Model(id); err != nil {
		return err
	}
	if newID == id {
		return nil
	}
	if err := r.idFree(newID); err != nil {
		return err
	}
	if err := r.moveDir(ctx, id, newID, false); err != nil {
		return fmt.Errorf("move model %q: %w", id, err)
	}
	return r.refresh(ctx)
}
