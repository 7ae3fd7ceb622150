package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// File names SpiffArena gives group and model metadata.
const (
	groupFile = "process_group.json"
	modelFile = "process_model.json"
)

// stagingDir is the hidden folder under the root where uploads and
// replacements are prepared before they are renamed into place. Scans skip
// hidden folders.
const stagingDir = ".waymark-staging"

// Index is what the repository needs from the store.
type Index interface {
	ReplaceModelIndex(ctx context.Context, procs []store.IndexedProcess, decisions []store.IndexedDecision) error
	SearchProcesses(ctx context.Context, q string, limit int) ([]store.ProcessMatch, error)
	SearchDecisions(ctx context.Context, q string, limit int) ([]store.IndexedDecision, error)
	ProcessCallers(ctx context.Context, calledIDs []string) ([]store.ProcessMatch, error)
	AddFileVersion(ctx context.Context, modelID, file, author, action string, content []byte) (store.FileVersion, error)
	AddFileVersions(ctx context.Context, versions []store.NewFileVersion) ([]store.FileVersion, error)
	DeletedFiles(ctx context.Context, id string, subtree bool) ([]store.FileVersion, error)
	FileVersions(ctx context.Context, modelID, file string) ([]store.FileVersion, error)
	FileVersionContent(ctx context.Context, modelID, file string, version int) (store.FileVersion, error)
	MoveFileHistory(ctx context.Context, oldModel, oldFile, newModel, newFile string) error
	MoveHistory(ctx context.Context, oldID, newID string, subtree bool) error
}

// Problem is one thing wrong with a file, located as precisely as the
// parser could: the file (path from the repository root), the element id
// and the line.
type Problem struct {
	File    string `json:"file"`
	Element string `json:"element"`
	Line    int    `json:"line"`
	Message string `json:"message"`
	// Warning marks a problem that blocks nothing (see FileInfo.Warnings).
	Warning bool `json:"warning,omitempty"`
	// Refused marks a file an upload never writes, not even as a draft
	// (hostile content, a file where the repository's layout has no place
	// for it).
	Refused bool `json:"refused,omitempty"`
}

// ProblemFiles counts the files the problems are in.
func ProblemFiles(ps []Problem) int {
	files := make(map[string]bool, len(ps))
	for _, p := range ps {
		files[p.File] = true
	}
	return len(files)
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Element != "" {
		b.WriteString(": " + p.Element)
	}
	return b.String() + ": " + p.Message
}

// ProblemsError is returned when a save or upload is refused because of
// problems in the content; it wraps ErrInvalid.
type ProblemsError struct {
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problems:\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

func (e *ProblemsError) Unwrap() error { return ErrInvalid }

// maxUserProblems bounds how many problems UserMessage lists.
const maxUserProblems = 5

// UserMessage names the problems (file, line, element, what is wrong) for
// the refusal page and the API's JSON error; they are the model's own
// content, so nothing of the server is shown.
func (e *ProblemsError) UserMessage() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("The model's files have a problem:")
	} else {
		b.WriteString("The model's files have problems:")
	}
	for i, p := range e.Problems {
		if i == maxUserProblems {
			fmt.Fprintf(&b, " (and %d more)", len(e.Problems)-maxUserProblems)
			break
		}
		line := p.String()
		if len(line) > maxUserProblemBytes {
			line = strings.ToValidUTF8(line[:maxUserProblemBytes], "") + "…"
		}
		b.WriteString(" " + line)
		if !strings.HasSuffix(line, ".") {
			b.WriteString(".")
		}
	}
	return b.String()
}

// maxUserProblemBytes bounds one problem in UserMessage, which a refused
// form post carries to the next page in the session cookie.
const maxUserProblemBytes = 240

// NoProcessError refuses to load a model that has no BPMN file defining a
// process; it wraps ErrInvalid.
type NoProcessError struct {
	ModelID string
}

func (e *NoProcessError) Error() string {
	return fmt.Sprintf("model %q defines no process", e.ModelID)
}

func (e *NoProcessError) Unwrap() error { return ErrInvalid }

// UserMessage says what to do about it.
func (e *NoProcessError) UserMessage() string {
	return fmt.Sprintf("The model %s has no BPMN file with a process, so there is nothing to start. Add a .bpmn file to it and name it as the primary file in the model's settings.", e.ModelID)
}

// Group is a process group.
type Group struct {
	ID           string
	DisplayName  string
	Description  string
	DisplayOrder int
	Groups       []*Group
	Models       []*Model
}

// MetadataPath is one entry of metadata_extraction_paths.
type MetadataPath struct {
	Key  string `json:"key"`
	Path string `json:"path"`
}

// Model is a process model with its metadata (process_model.json) and files.
type Model struct {
	ID                             string
	DisplayName                    string
	Description                    string
	DisplayOrder                   int
	PrimaryFileName                string
	PrimaryProcessID               string
	MetadataExtractionPaths        []MetadataPath
	ExceptionNotificationAddresses []string
	// FaultOrSuspendOnException is "fault" or "suspend".
	FaultOrSuspendOnException string
	Files                     []FileInfo
}

// FileInfo describes one file of a model.
type FileInfo struct {
	Name     string
	Type     string // bpmn, dmn, json, markdown or other
	Size     int64
	Updated  time.Time
	Problems []Problem
	// Warnings are problems where no run reaches (elements no start event
	// leads to, pools that are not executable): the file still loads.
	Warnings []Problem
}

// parsed is the parse result of one BPMN or DMN file.
type parsed struct {
	hash     string
	lib      *spec.Library
	problems []Problem
	warnings []Problem
}

// location says where a process or decision is defined.
type location struct {
	model, file string // model id and file name
}

func (l location) path() string { return l.model + "/" + l.file }

// state is one consistent picture of the repository, rebuilt after every
// change and swapped in whole.
type state struct {
	groups    map[string]*Group // "" is the root
	models    map[string]*Model
	procs     map[string]location
	decisions map[string]location
	parsed    map[string]*parsed // by path from the root
	// problems found while scanning that belong to no file (unreadable
	// folders, symbolic links, broken metadata), by path.
	problems []Problem
	indexed  []store.IndexedProcess
	decIdx   []store.IndexedDecision
	// fingerprint identifies the index rows, to skip rewriting an
	// unchanged index.
	fingerprint string
	// stamp is the tree's stamp (watch.go) taken before the scan that
	// built this state; Watch rescans when the tree's differs.
	stamp [32]byte
	// loaded caches LoadModel's libraries by model id. A state lives
	// until the next change (save, move, upload, restore, Refresh), so the
	// cache is dropped with it; the libraries are immutable and shared by
	// every instance of the model.
	loaded sync.Map // model id -> loadedModel
	// files caches ReadModelFile's contents by path, each checked against
	// its file's stamp on use.
	files sync.Map // path -> cachedFile
}

// cachedFile is one file's content as ReadModelFile read it.
type cachedFile struct {
	data  []byte
	stamp fileStamp
}

// loadedModel is one LoadModel result.
type loadedModel struct {
	lib     *spec.Library
	primary string
	stamps  []fileStamp
}

// Repo is a model repository on disk.
type Repo struct {
	root  string
	index Index
	log   *slog.Logger

	writeMu sync.Mutex // one change at a time
	cur     atomic.Pointer[state]

	cacheMu sync.Mutex
	cache   map[string]*parsed // path -> last parse, valid while the hash matches

	uploads uploadSlots

	checksMu sync.Mutex
	checks   Checks
}

// Open opens (creating if needed) the repository at dir, scans it and
// rebuilds the index in the store.
func Open(ctx context.Context, dir string, index Index, log *slog.Logger) (*Repo, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("model repository %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create model repository: %w", err)
	}
	r := &Repo{root: abs, index: index, log: log, cache: map[string]*parsed{}}
	r.clearStaging()
	if err := r.refresh(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// clearStaging removes what an interrupted change left in the staging
// folder. Prepared copies are simply dropped; but an upload stopped between
// its two renames may have left a replaced folder under "old", and a
// deletion stopped before its content was recorded a folder under
// "delete-*", the only copy of their content, so such a staging folder is
// kept under a visible name and reported instead.
func (r *Repo) clearStaging() {
	base := filepath.Join(r.root, stagingDir)
	olds, _ := filepath.Glob(filepath.Join(base, "upload-*", "old", "*"))
	deleted, _ := filepath.Glob(filepath.Join(base, "delete-*", "x"))
	olds = append(olds, deleted...)
	if len(olds) == 0 {
		_ = os.RemoveAll(base)
		return
	}
	keep := filepath.Join(r.root, fmt.Sprintf(".waymark-interrupted-%d", time.Now().Unix()))
	if err := os.Rename(base, keep); err != nil {
		r.log.Error("an interrupted upload left folders behind; keeping them", "dir", base, "err", err)
		return
	}
	r.log.Warn("an interrupted upload left replaced folders behind; check them and delete the folder", "dir", keep)
}

// Root returns the repository directory.
func (r *Repo) Root() string { return r.root }

func (r *Repo) state() *state { return r.cur.Load() }

// Refresh rescans the disk and rebuilds the index; call it after editing
// files outside Waymark. Every change made through Repo does it itself.
func (r *Repo) Refresh(ctx context.Context) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.refresh(ctx)
}

// refresh is Refresh for callers holding writeMu.
func (r *Repo) refresh(ctx context.Context) error {
	// Taken first, so a change made while the scan runs differs from it
	// and is rescanned by Watch. A tree that cannot be stamped cannot be
	// scanned either: the scan reports it.
	stamp, _ := treeStamp(r.root)
	st, err := r.scan(r.root)
	if err != nil {
		return err
	}
	st.stamp = stamp
	st.fingerprint = indexFingerprint(st)
	// Most changes (forms, settings, layout-only diagram edits) leave the
	// index as it was; rewriting it is then skipped.
	if prev := r.cur.Load(); prev == nil || prev.fingerprint != st.fingerprint {
		if err := r.index.ReplaceModelIndex(ctx, st.indexed, st.decIdx); err != nil {
			return fmt.Errorf("rebuild model index: %w", err)
		}
	}
	r.cur.Store(st)
	return nil
}

// indexFingerprint hashes every row of the index a state would write.
func indexFingerprint(st *state) string {
	h := sha256.New()
	for _, p := range st.indexed {
		fmt.Fprintf(h, "%q %q %q %q %q %q %q %q %q %q\n", p.ProcessID, p.DisplayName, p.ModelID, p.File,
			p.Kinds, p.MessagesThrown, p.MessagesCaught, p.SignalsThrown, p.SignalsCaught, p.Calls)
	}
	for _, d := range st.decIdx {
		fmt.Fprintf(h, "%q %q %q %q\n", d.DecisionID, d.Name, d.ModelID, d.File)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// scan reads the tree under root into a state.
func (r *Repo) scan(root string) (*state, error) {
	st := &state{
		groups: map[string]*Group{}, models: map[string]*Model{},
		procs: map[string]location{}, decisions: map[string]location{}, parsed: map[string]*parsed{},
	}
	rootGroup := &Group{DisplayName: "Process groups"}
	st.groups[""] = rootGroup
	if err := r.scanGroup(root, st, rootGroup); err != nil {
		return nil, err
	}
	r.buildIndex(st)
	return st, nil
}

func (r *Repo) scanGroup(root string, st *state, g *Group) error {
	dir := filepath.Join(root, filepath.FromSlash(g.ID))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read group %q: %w", g.ID, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !e.IsDir() {
			if e.Type()&fs.ModeSymlink != 0 {
				st.problems = append(st.problems, Problem{File: joinID(g.ID, name), Message: "symbolic link ignored: the repository never follows links"})
			}
			continue
		}
		id := joinID(g.ID, name)
		sub := filepath.Join(dir, name)
		if fileExists(filepath.Join(sub, modelFile)) {
			m, err := r.scanModel(root, st, id)
			if err != nil {
				return err
			}
			g.Models = append(g.Models, m)
			continue
		}
		child := &Group{ID: id, DisplayName: name}
		if data, err := os.ReadFile(filepath.Join(sub, groupFile)); err == nil {
			var meta groupMeta
			if err := json.Unmarshal(data, &meta); err != nil {
				st.problems = append(st.problems, Problem{File: id + "/" + groupFile, Message: "not valid JSON: " + err.Error()})
			} else {
				meta.apply(child)
			}
		} else if !os.IsNotExist(err) {
			return fmt.Errorf("read %s/%s: %w", id, groupFile, err)
		}
		st.groups[id] = child
		if err := r.scanGroup(root, st, child); err != nil {
			return err
		}
		// A folder with neither metadata nor anything inside is not a group.
		if !fileExists(filepath.Join(sub, groupFile)) && len(child.Groups) == 0 && len(child.Models) == 0 {
			delete(st.groups, id)
			continue
		}
		g.Groups = append(g.Groups, child)
	}
	sortGroups(g.Groups)
	sortModels(g.Models)
	return nil
}

func (r *Repo) scanModel(root string, st *state, id string) (*Model, error) {
	dir := filepath.Join(root, filepath.FromSlash(id))
	m := &Model{ID: id, DisplayName: baseID(id), FaultOrSuspendOnException: "fault"}
	data, err := os.ReadFile(filepath.Join(dir, modelFile))
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", id, modelFile, err)
	}
	var meta modelMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		st.problems = append(st.problems, Problem{File: id + "/" + modelFile, Message: "not valid JSON: " + err.Error()})
	} else {
		meta.apply(m)
	}
	st.models[id] = m
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read model %q: %w", id, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || name == modelFile {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			st.problems = append(st.problems, Problem{File: id + "/" + name, Message: "symbolic link ignored: the repository never follows links"})
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat %s/%s: %w", id, name, err)
		}
		fi := FileInfo{Name: name, Type: fileType(name), Size: info.Size(), Updated: info.ModTime().UTC()}
		if fi.Type == "bpmn" || fi.Type == "dmn" {
			p, err := r.parseFile(id, name, filepath.Join(dir, name), info.Size())
			if err != nil {
				return nil, err
			}
			st.parsed[id+"/"+name] = p
			fi.Problems = p.problems
			fi.Warnings = p.warnings
		}
		m.Files = append(m.Files, fi)
	}
	slices.SortFunc(m.Files, func(a, b FileInfo) int { return strings.Compare(a.Name, b.Name) })
	return m, nil
}

// parseFile parses one BPMN or DMN file, reusing the last result when the
// content did not change.
func (r *Repo) parseFile(modelID, name, full string, size int64) (*parsed, error) {
	key := modelID + "/" + name
	if size > bpmn.MaxFileSize {
		return &parsed{problems: []Problem{{File: key, Message: fmt.Sprintf("file is larger than %d MiB", bpmn.MaxFileSize>>20)}}}, nil
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return r.parseData(key, data), nil
}

func (r *Repo) parseData(key string, data []byte) *parsed {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	r.cacheMu.Lock()
	p := r.cache[key]
	r.cacheMu.Unlock()
	if p != nil && p.hash == hash {
		return p
	}
	p = parseOne(key, data)
	p.hash = hash
	r.cacheMu.Lock()
	r.cache[key] = p
	r.cacheMu.Unlock()
	return p
}

// parseOne parses one file on its own: messages, signals and errors are
// declared per file, and called processes are resolved later through the
// repository, so nothing else is needed.
func parseOne(key string, data []byte) *parsed {
	p := &parsed{}
	if err := checkXML(key, data); err != nil {
		p.problems = []Problem{{File: key, Line: lineOf(err), Message: messageOf(err)}}
		p.lib = spec.NewLibrary()
		return p
	}
	parser := bpmn.NewParser(bpmn.Options{})
	parser.Add(key, data)
	lib, err := parser.Finish()
	p.lib = lib
	p.problems = toProblems(err)
	p.warnings = toProblems(parser.Warnings())
	return p
}

func toProblems(err error) []Problem {
	if err == nil {
		return nil
	}
	var out []Problem
	if ps, ok := err.(bpmn.Problems); ok {
		for _, pr := range ps {
			out = append(out, Problem{File: pr.File, Element: pr.ElementID, Line: pr.Line, Message: pr.Msg})
		}
		return out
	}
	return []Problem{{Message: err.Error()}}
}

// buildIndex walks the parsed files in path order, gives each process and
// decision id to the first file defining it, and reports later definitions
// as clashes naming both files.
func (r *Repo) buildIndex(st *state) {
	keys := make([]string, 0, len(st.parsed))
	for k := range st.parsed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		p := st.parsed[key]
		modelID, file := path.Split(key)
		modelID = strings.TrimSuffix(modelID, "/")
		loc := location{modelID, file}
		var clashes []Problem
		for _, pid := range p.lib.Order {
			proc := p.lib.Processes[pid]
			if prev, ok := st.procs[pid]; ok {
				clashes = append(clashes, clashProblem(key, pid, proc.Line, "process", prev.path()))
				continue
			}
			st.procs[pid] = loc
			st.indexed = append(st.indexed, indexProcess(proc, modelID, file))
		}
		for _, id := range slices.Sorted(maps.Keys(p.lib.Decisions)) {
			d := p.lib.Decisions[id]
			if prev, ok := st.decisions[id]; ok {
				clashes = append(clashes, clashProblem(key, id, d.Line, "decision", prev.path()))
				continue
			}
			st.decisions[id] = loc
			st.decIdx = append(st.decIdx, store.IndexedDecision{DecisionID: id, Name: d.Name, ModelID: modelID, File: file})
		}
		if len(clashes) > 0 {
			// The parse result is shared through the cache; the clash
			// belongs to this scan only.
			m := st.models[modelID]
			for i := range m.Files {
				if m.Files[i].Name == file {
					m.Files[i].Problems = append(slices.Clone(m.Files[i].Problems), clashes...)
				}
			}
		}
	}
}

func clashProblem(file, id string, line int, what, other string) Problem {
	return Problem{File: file, Element: id, Line: line,
		Message: fmt.Sprintf("%s id %q is also defined in %s; %s ids must be unique across the repository", what, id, other, what)}
}

// indexProcess derives the index row of a process.
func indexProcess(p *spec.Process, modelID, file string) store.IndexedProcess {
	ip := store.IndexedProcess{ProcessID: p.ID, DisplayName: p.Name, ModelID: modelID, File: file}
	if ip.DisplayName == "" {
		ip.DisplayName = p.ID
	}
	kinds := map[string]bool{}
	add := func(list *[]string, name string) {
		if name != "" && !slices.Contains(*list, name) {
			*list = append(*list, name)
		}
	}
	for _, n := range p.AllNodes {
		kinds[n.Kind.String()] = true
		if n.Kind == spec.KindCallActivity {
			add(&ip.Calls, n.CalledElement)
		}
		throw := false
		switch n.Kind {
		case spec.KindIntermediateThrowEvent, spec.KindEndEvent, spec.KindSendTask:
			throw = true
		}
		for _, ev := range n.Events {
			// Only named messages and signals (messageRef, signalRef) are
			// indexed: without a reference the parser falls back to the
			// element's label, which names no message anyone can send.
			if (ev.Type == spec.EventMessage || ev.Type == spec.EventSignal) && ev.RefID == "" {
				continue
			}
			switch {
			case ev.Type == spec.EventMessage && throw:
				add(&ip.MessagesThrown, ev.Name)
			case ev.Type == spec.EventMessage:
				add(&ip.MessagesCaught, ev.Name)
			case ev.Type == spec.EventSignal && throw:
				add(&ip.SignalsThrown, ev.Name)
			case ev.Type == spec.EventSignal:
				add(&ip.SignalsCaught, ev.Name)
			}
		}
	}
	for k := range kinds {
		ip.Kinds = append(ip.Kinds, k)
	}
	for _, l := range [][]string{ip.Kinds, ip.Calls, ip.MessagesThrown, ip.MessagesCaught, ip.SignalsThrown, ip.SignalsCaught} {
		slices.Sort(l)
	}
	return ip
}

func sortGroups(gs []*Group) {
	slices.SortStableFunc(gs, func(a, b *Group) int {
		return compareOrder(a.DisplayOrder, b.DisplayOrder, a.DisplayName, b.DisplayName, a.ID, b.ID)
	})
}

func sortModels(ms []*Model) {
	slices.SortStableFunc(ms, func(a, b *Model) int {
		return compareOrder(a.DisplayOrder, b.DisplayOrder, a.DisplayName, b.DisplayName, a.ID, b.ID)
	})
}

func compareOrder(oa, ob int, na, nb, ia, ib string) int {
	if oa != ob {
		return oa - ob
	}
	if c := strings.Compare(strings.ToLower(na), strings.ToLower(nb)); c != 0 {
		return c
	}
	return strings.Compare(ia, ib)
}

// fileType classifies a file by its name.
func fileType(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".bpmn"), strings.HasSuffix(lower, ".bpmn20.xml"):
		return "bpmn"
	case strings.HasSuffix(lower, ".dmn"):
		return "dmn"
	case strings.HasSuffix(lower, ".json"):
		return "json"
	case strings.HasSuffix(lower, ".md"):
		return "markdown"
	}
	return "other"
}

func fileExists(p string) bool {
	info, err := os.Lstat(p)
	return err == nil && info.Mode().IsRegular()
}

// dirOf returns the folder of a group or model id.
func (r *Repo) dirOf(id string) string {
	return filepath.Join(r.root, filepath.FromSlash(id))
}
