package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SaveResult says whether a save went through and what is wrong with the
// content. A draft is saved with its problems.
type SaveResult struct {
	Saved    bool
	Problems []Problem
	// Warnings are what is wrong where no run reaches; they do not block
	// the save.
	Warnings []Problem
}

// File returns the description of one file of a model.
func (r *Repo) File(modelID, name string) (FileInfo, error) {
	m, err := r.Model(modelID)
	if err != nil {
		return FileInfo{}, err
	}
	if name == modelFile {
		info, err := os.Stat(filepath.Join(r.dirOf(modelID), modelFile))
		if err != nil {
			return FileInfo{}, fmt.Errorf("%s/%s: %w", modelID, name, ErrNotFound)
		}
		return FileInfo{Name: modelFile, Type: "json", Size: info.Size(), Updated: info.ModTime().UTC()}, nil
	}
	for _, f := range m.Files {
		if f.Name == name {
			return f, nil
		}
	}
	return FileInfo{}, fmt.Errorf("file %q of model %q: %w", name, modelID, ErrNotFound)
}

// ReadFile returns the content of a file of a model (process_model.json
// included).
func (r *Repo) ReadFile(modelID, name string) ([]byte, error) {
	if _, err := r.File(modelID, name); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(r.dirOf(modelID), name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("file %q of model %q: %w", name, modelID, ErrNotFound)
	}
	return data, err
}

// SaveFile validates content and writes it as the file name of the model,
// creating the file when it does not exist. With problems, nothing is
// written unless draft is set; the result lists the problems either way.
// Content that is refused outright (too large, XML with a DTD, JSON that
// is not UTF-8) is an ErrInvalid error, draft or not.
func (r *Repo) SaveFile(ctx context.Context, modelID, name string, content []byte, draft bool) (SaveResult, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.saveFile(ctx, modelID, name, content, draft, "")
}

// CreateFile adds a new file to a model; it fails with ErrExists when the
// name is taken. An empty .bpmn file gets a diagram with one start event
// and a process id unique in the repository.
func (r *Repo) CreateFile(ctx context.Context, modelID, name string, content []byte) (SaveResult, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, err := r.Model(modelID); err != nil {
		return SaveResult{}, err
	}
	if err := ValidateFileName(name); err != nil {
		return SaveResult{}, err
	}
	if _, err := os.Lstat(filepath.Join(r.dirOf(modelID), name)); err == nil {
		return SaveResult{}, fmt.Errorf("file %q of model %q: %w", name, modelID, ErrExists)
	}
	if len(content) == 0 && fileType(name) == "bpmn" {
		content = newDiagram(r.newProcessID(modelID))
	}
	if len(content) == 0 && fileType(name) == "json" {
		content = []byte("{}\n")
	}
	return r.saveFile(ctx, modelID, name, content, false, "create")
}

func (r *Repo) saveFile(ctx context.Context, modelID, name string, content []byte, draft bool, action string) (SaveResult, error) {
	if _, err := r.Model(modelID); err != nil {
		return SaveResult{}, err
	}
	if err := ValidateFileName(name); err != nil {
		return SaveResult{}, err
	}
	key := modelID + "/" + name
	if err := checkHostile(key, name, content); err != nil {
		return SaveResult{}, err
	}
	var res SaveResult
	res.Problems, res.Warnings = r.validate(r.state(), modelID, name, content)
	if len(res.Problems) > 0 && !draft {
		return res, &ProblemsError{Problems: res.Problems}
	}
	if action == "" {
		action = "save"
		if len(res.Problems) > 0 {
			action = "draft"
		}
	}
	if err := r.writeVersioned(ctx, modelID, name, content, action); err != nil {
		return res, err
	}
	res.Saved = true
	return res, r.refresh(ctx)
}

// writeVersioned writes a file of a model or group atomically and records
// the new version. A file found on disk without history gets its current
// content recorded first (action "original"), so it can be restored.
func (r *Repo) writeVersioned(ctx context.Context, ownerID, name string, content []byte, action string) error {
	path := filepath.Join(r.dirOf(ownerID), name)
	if err := r.recordOriginal(ctx, ownerID, name, path); err != nil {
		return err
	}
	if err := writeFileAtomic(path, content); err != nil {
		return fmt.Errorf("write %s/%s: %w", ownerID, name, err)
	}
	if _, err := r.index.AddFileVersion(ctx, ownerID, name, authorOf(ctx), action, content); err != nil {
		return err
	}
	return nil
}

func (r *Repo) recordOriginal(ctx context.Context, ownerID, name, path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return nil // new file
	}
	versions, err := r.index.FileVersions(ctx, ownerID, name)
	if err != nil {
		return err
	}
	if len(versions) > 0 {
		return nil
	}
	_, err = r.index.AddFileVersion(ctx, ownerID, name, "(found on disk)", "original", old)
	return err
}

// DeleteFile removes a file from a model. Its last content is recorded in
// the history (action "delete"), so it can be restored.
func (r *Repo) DeleteFile(ctx context.Context, modelID, name string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if name == modelFile {
		return fmt.Errorf("%w: process_model.json belongs to the model; delete the model instead", ErrInvalid)
	}
	data, err := r.ReadFile(modelID, name)
	if err != nil {
		return err
	}
	path := filepath.Join(r.dirOf(modelID), name)
	if err := r.recordOriginal(ctx, modelID, name, path); err != nil {
		return err
	}
	if _, err := r.index.AddFileVersion(ctx, modelID, name, authorOf(ctx), actionDelete, data); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("delete %s/%s: %w", modelID, name, err)
	}
	return r.refresh(ctx)
}

// RenameFile renames a file of a model; its history follows it.
func (r *Repo) RenameFile(ctx context.Context, modelID, name, newName string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if name == modelFile || newName == modelFile {
		return fmt.Errorf("%w: process_model.json cannot be renamed", ErrInvalid)
	}
	if _, err := r.File(modelID, name); err != nil {
		return err
	}
	if err := ValidateFileName(newName); err != nil {
		return err
	}
	if fileType(newName) != fileType(name) {
		return fmt.Errorf("%w: %q and %q are different kinds of file; keep the extension", ErrInvalid, name, newName)
	}
	dir := r.dirOf(modelID)
	if _, err := os.Lstat(filepath.Join(dir, newName)); err == nil {
		return fmt.Errorf("file %q of model %q: %w", newName, modelID, ErrExists)
	}
	if err := os.Rename(filepath.Join(dir, name), filepath.Join(dir, newName)); err != nil {
		return fmt.Errorf("rename %s/%s: %w", modelID, name, err)
	}
	if err := r.index.MoveFileHistory(ctx, modelID, name, modelID, newName); err != nil {
		// The history stays with the old name, so the file goes back to it.
		if uerr := os.Rename(filepath.Join(dir, newName), filepath.Join(dir, name)); uerr != nil {
			return fmt.Errorf("rename %s/%s: %w; renaming the file back failed too (%v)", modelID, name, err, uerr)
		}
		return err
	}
	if m, _ := r.Model(modelID); m != nil && m.PrimaryFileName == name {
		in := InputOf(m)
		in.PrimaryFileName = newName
		old, _ := os.ReadFile(filepath.Join(dir, modelFile))
		data, err := mergeJSON(old, modelFields(in))
		if err != nil {
			return err
		}
		if err := r.writeVersioned(ctx, modelID, modelFile, data, "save"); err != nil {
			return err
		}
	}
	return r.refresh(ctx)
}

// newProcessID returns a process id no file of the repository uses, in
// SpiffArena's style: Process_<model>_<7 random letters>.
func (r *Repo) newProcessID(modelID string) string {
	base := "Process_" + strings.NewReplacer("/", "_", "-", "_").Replace(baseID(modelID))
	st := r.state()
	for {
		id := base + "_" + randomSuffix(7)
		if _, taken := st.procs[id]; !taken {
			return id
		}
	}
}

func randomSuffix(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// newDiagram is the content of a new BPMN file: a process with a start
// event, as the modeler would draw it.
func newDiagram(processID string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_` + processID + `" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="` + processID + `" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="EndEvent_1">
      <bpmn:incoming>Flow_1</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="` + processID + `">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="179" y="159" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="272" y="159" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="215" y="177" />
        <di:waypoint x="272" y="177" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`)
}
