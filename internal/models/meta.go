package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// groupMeta is process_group.json as SpiffArena writes it. Fields Waymark
// does not know (admin, parent_groups, cached process_groups...) are kept
// as they are when the file is rewritten.
type groupMeta struct {
	DisplayName  string `json:"display_name"`
	Description  string `json:"description"`
	DisplayOrder int    `json:"display_order"`
}

func (m groupMeta) apply(g *Group) {
	if m.DisplayName != "" {
		g.DisplayName = m.DisplayName
	}
	g.Description = m.Description
	g.DisplayOrder = m.DisplayOrder
}

// modelMeta is process_model.json.
type modelMeta struct {
	DisplayName                    string         `json:"display_name"`
	Description                    string         `json:"description"`
	DisplayOrder                   int            `json:"display_order"`
	PrimaryFileName                string         `json:"primary_file_name"`
	PrimaryProcessID               string         `json:"primary_process_id"`
	MetadataExtractionPaths        []MetadataPath `json:"metadata_extraction_paths"`
	ExceptionNotificationAddresses []string       `json:"exception_notification_addresses"`
	FaultOrSuspendOnException      string         `json:"fault_or_suspend_on_exception"`
}

func (m modelMeta) apply(md *Model) {
	if m.DisplayName != "" {
		md.DisplayName = m.DisplayName
	}
	md.Description = m.Description
	md.DisplayOrder = m.DisplayOrder
	md.PrimaryFileName = m.PrimaryFileName
	md.PrimaryProcessID = m.PrimaryProcessID
	md.MetadataExtractionPaths = m.MetadataExtractionPaths
	md.ExceptionNotificationAddresses = m.ExceptionNotificationAddresses
	if m.FaultOrSuspendOnException != "" {
		md.FaultOrSuspendOnException = m.FaultOrSuspendOnException
	}
}

// groupFields returns the known fields of a group for writing.
func groupFields(g GroupInput) map[string]any {
	return map[string]any{
		"display_name":  g.DisplayName,
		"description":   g.Description,
		"display_order": g.DisplayOrder,
	}
}

// modelFields returns the known fields of a model for writing.
func modelFields(m ModelInput) map[string]any {
	paths := m.MetadataExtractionPaths
	if paths == nil {
		paths = []MetadataPath{}
	}
	addrs := m.ExceptionNotificationAddresses
	if addrs == nil {
		addrs = []string{}
	}
	fault := m.FaultOrSuspendOnException
	if fault == "" {
		fault = "fault"
	}
	return map[string]any{
		"display_name":                     m.DisplayName,
		"description":                      m.Description,
		"display_order":                    m.DisplayOrder,
		"primary_file_name":                m.PrimaryFileName,
		"primary_process_id":               m.PrimaryProcessID,
		"metadata_extraction_paths":        paths,
		"exception_notification_addresses": addrs,
		"fault_or_suspend_on_exception":    fault,
	}
}

// mergeJSON returns the JSON object in old (if any) with fields replaced,
// indented with four spaces and sorted keys, as SpiffArena writes it.
func mergeJSON(old []byte, fields map[string]any) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(old)) > 0 {
		if err := json.Unmarshal(old, &obj); err != nil {
			obj = map[string]json.RawMessage{}
		}
	}
	for k, v := range fields {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		obj[k] = raw
	}
	out, err := json.MarshalIndent(obj, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so readers see the old or the new content, never
// half of it.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".waymark-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(name, 0o640); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("replace %s: %w", filepath.Base(path), err)
	}
	return nil
}
