// Package models is the model repository: process groups, process models
// and their files, kept on disk in SpiffArena's layout so that a checkout of
// a SpiffArena model repository can be used as it is.
//
//	<root>/finance/process_group.json              a process group (groups nest)
//	<root>/finance/invoice-approval/process_model.json  a process model
//	<root>/finance/invoice-approval/invoice.bpmn   its files (.bpmn, .dmn, .json, ...)
//
// A group or model id is its path from the root ("finance/invoice-approval").
// Ids created here are lower-case letters, digits and dashes per segment;
// ids found on disk (SpiffArena allowed more) are accepted as they are.
// Groups and models are listed by display_order, then display name, then id.
//
// Every BPMN and DMN file is parsed with the engine's parser (engine/bpmn)
// when the repository is opened and after every change; parse results are
// cached by file content hash. Process and decision ids must be unique
// across the repository: when two files define the same id, the first in
// path order keeps it and the other file gets a problem naming both files.
// The index of processes (id, name, model, file, element kinds, messages
// and signals thrown and caught, called processes) and decisions lives in
// the store and is rebuilt from disk at start and after every change.
//
// Saving validates first: a file with problems never replaces the file on
// disk unless it is saved as a draft explicitly. Writes are atomic (temporary
// file or directory, then rename). Uploads (zip or loose files, or a folder
// given to ImportDir) are checked completely before anything is written,
// and every problem is reported at once: paths that escape, absolute paths,
// symbolic links and oversize archives and files refuse the upload whole;
// XML with entities or a DTD, JSON that is not UTF-8 and files the layout
// has no place for are refused file by file, left out when drafts are
// accepted (UploadOptions.Draft). A SpiffArena repository's other files
// beside its groups (category.json, README.md, LICENSE) are kept. Their files are
// unpacked or copied one at a time through a small buffer into a spool
// folder under the staging folder, sizes counted as the bytes come, and
// checked one file at a time, so an upload never holds its unpacked files
// in memory together; at most LimitUploads uploads are in progress at once
// (WAYMARK_UPLOAD_CONCURRENCY). Every saved version of
// every file is kept in the store with who saved it, when, its size and
// hash, and can be viewed, compared and restored.
//
// Deleting never loses content: a deleted file, and every file of a
// deleted model or group (even one never edited in Waymark), is recorded
// first as a version marked as a deletion. A deleted model or group comes
// back whole with RestoreDeleted. Restoring one version of a file whose
// model is gone brings the model back with the last recorded version of
// its process_model.json (refused, with what to do, when there is none),
// and groups above that are gone come back with their process_group.json.
// Moves and renames are all or nothing: the folder moves back when its
// history cannot follow.
//
// The package hands out its own plain types (Group, Model, Problem, ...),
// so the web layer never holds engine objects. For the runner it implements
// LoadModel, ResolveProcess, ReadModelFile and MetadataPaths.
//
// Imports: engine/bpmn, engine/spec, engine/dmn and store; never runner,
// web or auth.
package models
