package models

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Upload limits.
const (
	// MaxArchiveSize is the largest zip file accepted.
	MaxArchiveSize = 64 << 20
	// MaxUnpackedSize bounds the sum of the unpacked files of one upload.
	MaxUnpackedSize = 256 << 20
	// MaxEntries bounds the number of entries of one zip file.
	MaxEntries = 10_000
)

// UploadFile is one loose file of an upload.
type UploadFile struct {
	Name string
	Data []byte
}

// LooseFile is a loose file of an upload read only when the upload's turn
// comes (see LimitUploads): Open reads it, from memory or from the
// temporary file a multipart form keeps for a large part.
type LooseFile struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// UploadOptions say how an upload treats problems.
type UploadOptions struct {
	// Draft writes BPMN, DMN and JSON files with problems as drafts, and
	// everything else that is safe; files refused even as drafts (hostile
	// content, files the layout has no place for) are left out and listed
	// in UploadResult.Refused. Without it, any problem refuses the upload.
	// Archives that are hostile as a whole (paths leaving the folder,
	// links, sizes) are refused either way.
	Draft bool
	// RenameClashes gives uploaded processes whose ids another model
	// already uses a new id (old id + "_2", "_3", ...) instead of refusing
	// the upload. New ids are unique across the repository and the upload:
	// when two uploaded models share an id that the repository lacks, the
	// first in path order keeps it and the other is renamed; when the repository has it,
	// each uploaded model gets its own new id. The renamed model's own
	// references follow (call activities, pools, diagram planes and
	// primary_process_id in its process_model.json); other models keep
	// calling the id they named. Two uploaded files of one model defining
	// the same id are not renamed: that is for the author to sort out.
	RenameClashes bool
}

// UploadResult says what an upload wrote.
type UploadResult struct {
	// Written lists the files written, as paths from the repository root.
	Written []string
	// Renamed lists the process ids renamed (RenameClashes), by model.
	Renamed []Rename
	// Problems are those accepted with Draft: the files they name are
	// written as drafts, to be fixed in the modeler.
	Problems []Problem
	// Drafts lists the files written with problems, as paths from the
	// repository root.
	Drafts []string
	// Refused are the files left out with Draft: hostile or misplaced
	// content that is never written, each with the reason (Refused set).
	Refused []Problem
}

// Rename is one process id renamed by an upload.
type Rename struct {
	Model    string // path of the model from the repository root
	Old, New string
}

// entry is one file of an upload, with its path relative to the target
// folder. Its content is in data (loose files) or in spool, the file a zip
// entry was unpacked to: an upload never holds all its unpacked files in
// memory, only the one being checked or recorded.
type entry struct {
	path  string
	data  []byte
	spool string
	// refused says why the entry is not imported (a hidden file, a name
	// the repository does not allow); such an entry has no content.
	refused string
}

// content returns the entry's bytes, reading its spool file if it has one.
func (e entry) content() ([]byte, error) {
	if e.spool == "" {
		return e.data, nil
	}
	b, err := os.ReadFile(e.spool)
	if err != nil {
		return nil, fmt.Errorf("read unpacked %s: %w", e.path, err)
	}
	return b, nil
}

// checkHostile is checkHostile for the entry. A spooled file that is
// neither JSON nor XML by name is only sniffed, a few bytes past leading
// white space, so a large attachment is never read into memory whole.
func (e entry) checkHostile(key string) error {
	name := path.Base(e.path)
	if e.spool != "" && fileType(name) != "json" && !isXMLFile(name, nil) {
		xml, err := startsWithXMLDecl(e.spool)
		if err != nil {
			return fmt.Errorf("read unpacked %s: %w", e.path, err)
		}
		if !xml {
			return nil // its size was checked as it was unpacked
		}
	}
	data, err := e.content()
	if err != nil {
		return err
	}
	return checkHostile(key, name, data)
}

// startsWithXMLDecl reports whether the file starts, after a byte order
// mark and white space, with "<?xml" (what isXMLFile looks for).
func startsWithXMLDecl(file string) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 4096)
	for {
		r, _, err := br.ReadRune()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !strings.ContainsRune("\ufeff \t\r\n", r) {
			br.UnreadRune()
			break
		}
	}
	head, err := br.Peek(5)
	if err != nil && err != io.EOF {
		return false, err
	}
	return string(head) == "<?xml", nil
}

// at is the entry under another path.
func (e entry) at(p string) entry {
	e.path = p
	return e
}

// writeTo writes the entry's content to the file full, streaming a spooled
// entry.
func (e entry) writeTo(full string) error {
	if e.spool == "" {
		return os.WriteFile(full, e.data, 0o640)
	}
	src, err := os.Open(e.spool)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// ExportZip writes a model or a group (with everything under it) as a zip
// file. Entries sit under a folder named like the model or group; the
// root ("") exports its groups and models at the top.
func (r *Repo) ExportZip(w io.Writer, id string) error {
	st := r.state()
	zw := zip.NewWriter(w)
	prefix := ""
	if id != "" {
		prefix = baseID(id) + "/"
	}
	var err error
	switch {
	case st.models[id] != nil:
		err = r.exportModel(zw, st.models[id], prefix)
	case st.groups[id] != nil:
		err = r.exportGroup(zw, st.groups[id], prefix)
	default:
		return fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return zw.Close()
}

func (r *Repo) exportGroup(zw *zip.Writer, g *Group, prefix string) error {
	// The group's own files: process_group.json and what SpiffArena
	// repositories keep beside it (category.json, README.md, LICENSE).
	entries, err := os.ReadDir(r.dirOf(g.ID))
	if err != nil {
		return fmt.Errorf("export %s: %w", g.ID, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		if err := r.addZipFile(zw, filepath.Join(r.dirOf(g.ID), e.Name()), prefix+e.Name(), true); err != nil {
			return err
		}
	}
	for _, c := range g.Groups {
		if err := r.exportGroup(zw, c, prefix+baseID(c.ID)+"/"); err != nil {
			return err
		}
	}
	for _, m := range g.Models {
		if err := r.exportModel(zw, m, prefix+baseID(m.ID)+"/"); err != nil {
			return err
		}
	}
	return nil
}

func (r *Repo) exportModel(zw *zip.Writer, m *Model, prefix string) error {
	dir := r.dirOf(m.ID)
	names := []string{modelFile}
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := r.addZipFile(zw, filepath.Join(dir, n), prefix+n, false); err != nil {
			return err
		}
	}
	return nil
}

func (r *Repo) addZipFile(zw *zip.Writer, full, name string, optional bool) error {
	info, err := os.Lstat(full)
	if optional && errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: info.ModTime()}
	h.SetMode(0o644)
	fw, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = fw.Write(data)
	return err
}

// UploadZip unpacks a zip file into a model or group (id "" is the root).
// Into a model, the zip holds the model's files (at the top or under one
// folder). Into a group, it holds groups and models as folders (what
// ExportZip writes). Everything is checked before anything is written,
// and the change is applied by renaming prepared folders into place: on
// any error the repository is unchanged.
func (r *Repo) UploadZip(ctx context.Context, targetID string, data []byte, opts UploadOptions) (UploadResult, error) {
	return r.UploadZipFrom(ctx, targetID, bytes.NewReader(data), int64(len(data)), opts)
}

// UploadZipFrom is UploadZip for a zip file read through zf (an uploaded
// file spooled to disk, say) of size bytes. The entries are unpacked one
// at a time, through a small buffer, to files in the staging folder,
// checking their sizes as they stream; the content checks then read one
// file at a time. At most the repository's upload concurrency (see
// LimitUploads) unpack at once; others wait their turn or for ctx.
func (r *Repo) UploadZipFrom(ctx context.Context, targetID string, zf io.ReaderAt, size int64, opts UploadOptions) (UploadResult, error) {
	release, err := r.uploadSlot(ctx)
	if err != nil {
		return UploadResult{}, err
	}
	defer release()
	spool, err := r.stagingTemp("spool-")
	if err != nil {
		return UploadResult{}, fmt.Errorf("unpack upload: %w", err)
	}
	defer r.dropStaging(spool)
	entries, err := readZip(zf, size, spool)
	if err != nil {
		return UploadResult{}, err
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	st := r.state()
	if st.models[targetID] != nil {
		entries = stripCommonFolder(entries)
	}
	return r.applyUpload(ctx, targetID, entries, opts)
}

// UploadFiles adds or replaces loose files of a model, with the same checks
// and atomicity as UploadZip.
func (r *Repo) UploadFiles(ctx context.Context, modelID string, files []UploadFile, opts UploadOptions) (UploadResult, error) {
	loose := make([]LooseFile, len(files))
	for i, f := range files {
		loose[i] = LooseFile{Name: f.Name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.Data)), nil }}
	}
	return r.UploadLooseFiles(ctx, modelID, loose, opts)
}

// UploadLooseFiles is UploadFiles for files read when the upload's turn
// comes; each is copied to a spool file as a zip entry is, never held in
// memory whole.
func (r *Repo) UploadLooseFiles(ctx context.Context, modelID string, files []LooseFile, opts UploadOptions) (UploadResult, error) {
	release, err := r.uploadSlot(ctx)
	if err != nil {
		return UploadResult{}, err
	}
	defer release()
	spool := ""
	defer func() {
		if spool != "" {
			r.dropStaging(spool)
		}
	}()
	var entries []entry
	seen := map[string]bool{}
	var total int64
	buf := make([]byte, 32<<10)
	for _, f := range files {
		name := f.Name
		if err := checkEntryPath(name); err != nil {
			return UploadResult{}, err
		}
		if strings.Contains(name, "/") {
			return UploadResult{}, fmt.Errorf("%w: %q: loose files go into the model itself, without folders", ErrInvalid, name)
		}
		if seen[name] {
			return UploadResult{}, fmt.Errorf("%w: %q is uploaded twice", ErrInvalid, name)
		}
		seen[name] = true
		if spool == "" {
			if spool, err = r.stagingTemp("spool-"); err != nil {
				return UploadResult{}, fmt.Errorf("receive upload: %w", err)
			}
		}
		e := entry{path: name, spool: filepath.Join(spool, fmt.Sprint(len(entries)))}
		size, err := spoolFile(f.Open, e.spool, buf)
		if err != nil {
			return UploadResult{}, fmt.Errorf("%w: %q could not be read: %v", ErrInvalid, name, err)
		}
		if size > MaxFileSize {
			return UploadResult{}, fmt.Errorf("%w: %q is larger than %d MiB", ErrInvalid, name, MaxFileSize>>20)
		}
		total += size
		if total > MaxUnpackedSize {
			return UploadResult{}, fmt.Errorf("%w: the upload is larger than %d MiB", ErrInvalid, MaxUnpackedSize>>20)
		}
		entries = append(entries, e)
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, err := r.Model(modelID); err != nil {
		return UploadResult{}, err
	}
	return r.applyUpload(ctx, modelID, entries, opts)
}

// checkEntryPath refuses paths that would land outside the target folder
// and names that are not allowed in the repository.
func checkEntryPath(name string) error {
	if err := checkEntryEscape(name); err != nil {
		return err
	}
	return checkEntryNames(name)
}

// hiddenPrefix returns the path up to and including the first segment of
// name that starts with a dot, or "".
func hiddenPrefix(name string) string {
	segs := strings.Split(strings.TrimSuffix(name, "/"), "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, ".") && seg != "." && seg != ".." {
			return strings.Join(segs[:i+1], "/")
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkEntryEscape refuses paths that would land outside the target
// folder: an upload holding one is hostile and refused whole.
func checkEntryEscape(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: an entry has an empty name", ErrInvalid)
	case strings.Contains(name, `\`):
		return fmt.Errorf("%w: %q: backslashes are not allowed in paths", ErrInvalid, name)
	case strings.HasPrefix(name, "/"), len(name) >= 2 && name[1] == ':':
		return fmt.Errorf("%w: %q is an absolute path; entries must be relative", ErrInvalid, name)
	}
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("%w: %q leaves the target folder (\"..\" in the path)", ErrInvalid, name)
		}
	}
	return nil
}

// checkEntryNames refuses names the repository does not allow.
func checkEntryNames(name string) error {
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if err := validateUploadSegment(seg); err != nil {
			return fmt.Errorf("%w: entry %q: %v", ErrInvalid, name, strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
		}
	}
	return nil
}

// readZip checks every entry of a zip file of size bytes and unpacks it to
// a file of its own in spool, streaming through a fixed buffer: sizes are
// counted as the bytes come, whatever the headers claim.
func readZip(zf io.ReaderAt, size int64, spool string) ([]entry, error) {
	if size > MaxArchiveSize {
		return nil, fmt.Errorf("%w: the zip file is %d bytes; at most %d MiB are accepted", ErrInvalid, size, MaxArchiveSize>>20)
	}
	zr, err := zip.NewReader(zf, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable zip file: %v", ErrInvalid, err)
	}
	if len(zr.File) > MaxEntries {
		return nil, fmt.Errorf("%w: the zip file has %d entries; at most %d are accepted", ErrInvalid, len(zr.File), MaxEntries)
	}
	var entries []entry
	seen := map[string]bool{}
	var total int64
	buf := make([]byte, 32<<10)
	hidden := map[string]int{} // hidden folder or file -> files under it
	for _, f := range zr.File {
		name := f.Name
		if isJunk(name) {
			continue
		}
		if err := checkEntryEscape(name); err != nil {
			return nil, err
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%w: %q is a symbolic link; links are refused", ErrInvalid, name)
		}
		if mode.IsDir() || strings.HasSuffix(name, "/") {
			continue
		}
		if !mode.IsRegular() {
			return nil, fmt.Errorf("%w: %q is not a regular file", ErrInvalid, name)
		}
		if h := hiddenPrefix(name); h != "" {
			// A repository's .git folder, .gitignore and the like: left
			// out, and reported once per hidden folder.
			hidden[h]++
			continue
		}
		if err := checkEntryNames(name); err != nil {
			entries = append(entries, entry{path: name, refused: strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")})
			continue
		}
		if f.UncompressedSize64 > MaxFileSize {
			return nil, fmt.Errorf("%w: %q is %d bytes unpacked; files may be at most %d MiB", ErrInvalid, name, f.UncompressedSize64, MaxFileSize>>20)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: %q appears twice in the zip file", ErrInvalid, name)
		}
		seen[name] = true
		dst := filepath.Join(spool, fmt.Sprint(len(entries)))
		n, err := unpackEntry(f, dst, buf)
		if err != nil {
			return nil, fmt.Errorf("%w: %q cannot be unpacked: %v", ErrInvalid, name, err)
		}
		if n > MaxFileSize {
			return nil, fmt.Errorf("%w: %q is larger than %d MiB unpacked", ErrInvalid, name, MaxFileSize>>20)
		}
		total += n
		if total > MaxUnpackedSize {
			return nil, fmt.Errorf("%w: the zip file unpacks to more than %d MiB", ErrInvalid, MaxUnpackedSize>>20)
		}
		entries = append(entries, entry{path: name, spool: dst})
	}
	for _, h := range slices.Sorted(maps.Keys(hidden)) {
		entries = append(entries, entry{path: h, refused: fmt.Sprintf("hidden files and folders are not imported (%d %s)", hidden[h], plural(hidden[h], "file", "files"))})
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: the zip file holds no files", ErrInvalid)
	}
	return entries, nil
}

// unpackEntry streams the zip entry f to the file dst through buf and
// returns how many bytes it wrote: at most MaxFileSize+1, since the
// header's size may lie and one byte past the limit is enough to know.
func unpackEntry(f *zip.File, dst string, buf []byte) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, err
	}
	n, err := io.CopyBuffer(out, io.LimitReader(rc, MaxFileSize+1), buf)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// spoolFile copies what open reads to dst through buf, at most one byte
// past MaxFileSize, and returns how many bytes it copied.
func spoolFile(open func() (io.ReadCloser, error), dst string, buf []byte) (int64, error) {
	rc, err := open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, err
	}
	n, err := io.CopyBuffer(out, io.LimitReader(rc, MaxFileSize+1), buf)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// isJunk tells entries operating systems add to archives (macOS resource
// forks, Finder metadata), which are skipped.
func isJunk(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if seg == "__MACOSX" || seg == ".DS_Store" {
			return true
		}
	}
	return false
}

// stripCommonFolder removes a single folder every entry sits in (a model
// exported by ExportZip).
func stripCommonFolder(entries []entry) []entry {
	first := ""
	for _, e := range entries {
		i := strings.IndexByte(e.path, '/')
		if i < 0 {
			return entries
		}
		if first == "" {
			first = e.path[:i]
		} else if e.path[:i] != first {
			return entries
		}
	}
	out := make([]entry, len(entries))
	for i, e := range entries {
		out[i] = e.at(e.path[len(first)+1:])
	}
	return out
}

// applyUpload checks the entries against the target, prepares the new
// folders in the staging area and swaps them in. The caller holds writeMu.
func (r *Repo) applyUpload(ctx context.Context, targetID string, entries []entry, opts UploadOptions) (UploadResult, error) {
	st := r.state()
	_, isModel := st.models[targetID]
	if _, isGroup := st.groups[targetID]; !isModel && !isGroup {
		return UploadResult{}, fmt.Errorf("upload target %q: %w", targetID, ErrNotFound)
	}
	// Path order makes the outcome independent of the archive's order:
	// which of two uploaded models keeps a shared id, which new ids renames
	// get.
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.path, b.path) })
	// Everything is checked before anything is written, and every problem
	// is collected, so one answer lists them all. Hostile or misplaced
	// files are refused: never written, not even as drafts.
	var refused []Problem
	keep := entries[:0:0]
	for _, e := range entries {
		key := joinID(targetID, e.path)
		if e.refused != "" {
			refused = append(refused, Problem{File: key, Message: e.refused, Refused: true})
			continue
		}
		if err := e.checkHostile(key); err != nil {
			refused = append(refused, refusal(key, err))
			continue
		}
		keep = append(keep, e)
	}
	misplaced := r.checkStructure(st, targetID, isModel, keep)
	entries = keep[:0:0]
	for _, e := range keep {
		if p, ok := misplaced[e.path]; ok {
			refused = append(refused, p)
			continue
		}
		entries = append(entries, e)
	}
	// The folders an upload replaces are rebuilt from copies, which hold
	// files and folders only; a link would silently vanish.
	for _, u := range uploadUnits(targetID, isModel, entries) {
		id := targetID
		if u.rel != "" {
			id = joinID(targetID, u.rel)
		}
		if p, err := specialFile(r.dirOf(id)); err != nil {
			return UploadResult{}, fmt.Errorf("check %s: %w", id, err)
		} else if p != "" {
			return UploadResult{}, fmt.Errorf("%w: %s is a symbolic link or another special file; the upload rebuilds %s from a copy, which would drop it. Remove it (or put the file it points to in its place) and upload again", ErrInvalid, joinID(id, p), id)
		}
	}
	var res UploadResult
	problems, clashes := r.checkUploadContent(st, targetID, entries)
	if len(clashes) > 0 && opts.RenameClashes {
		renames := r.renames(st, clashes, entries)
		var err error
		if entries, err = renameProcesses(targetID, entries, renames); err != nil {
			return UploadResult{}, err
		}
		res.Renamed = renameList(renames)
		problems, clashes = r.checkUploadContent(st, targetID, entries)
	}
	if opts.Draft {
		// Two uploaded files defining one id load as the repository
		// loads them from disk: the first in path order has the id, the
		// others are drafts with the clash as their problem.
		var rest []clash
		for _, c := range clashes {
			if c.inUpload {
				problems = append(problems, c.Problem)
			} else {
				rest = append(rest, c)
			}
		}
		clashes = rest
	}
	sortProblems(refused)
	sortProblems(problems)
	if len(clashes) > 0 {
		// An uploaded id that a file of the repository already defines
		// would take calls away from it or leave them ambiguous: refused
		// even as drafts (RenameClashes resolves them).
		ps := make([]Problem, 0, len(clashes)+len(refused)+len(problems))
		for _, c := range clashes {
			ps = append(ps, c.Problem)
		}
		sortProblems(ps)
		return UploadResult{}, &ProblemsError{Problems: append(append(ps, refused...), problems...)}
	}
	if (len(problems) > 0 || len(refused) > 0) && !opts.Draft {
		return UploadResult{}, &ProblemsError{Problems: append(refused, problems...)}
	}
	if len(entries) == 0 {
		return UploadResult{}, &ProblemsError{Problems: append(refused, Problem{Message: "nothing is left to import: every file was refused"})}
	}
	res.Problems, res.Refused = problems, refused
	drafts := map[string]bool{}
	for _, p := range problems {
		if p.File != "" && !drafts[p.File] {
			drafts[p.File] = true
			res.Drafts = append(res.Drafts, p.File)
		}
	}
	slices.Sort(res.Drafts)

	staging, err := r.stagingTemp("upload-")
	if err != nil {
		return UploadResult{}, err
	}
	defer r.dropStaging(staging)
	units := uploadUnits(targetID, isModel, entries)
	// Prepare each unit: a copy of what is there now with the upload laid
	// over it.
	for _, u := range units {
		dst := filepath.Join(staging, "new", filepath.FromSlash(u.rel))
		if u.file {
			// A file at the top of the repository (a README) replaces the
			// file alone.
			if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
				return UploadResult{}, fmt.Errorf("prepare upload: %w", err)
			}
			if err := u.entries[0].writeTo(dst); err != nil {
				return UploadResult{}, fmt.Errorf("prepare upload: %w", err)
			}
			continue
		}
		if err := copyTree(r.dirOf(joinID(targetID, u.rel)), dst); err != nil {
			return UploadResult{}, fmt.Errorf("prepare upload: %w", err)
		}
		for _, e := range u.entries {
			full := filepath.Join(dst, filepath.FromSlash(e.path))
			if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
				return UploadResult{}, fmt.Errorf("prepare upload: %w", err)
			}
			if err := e.writeTo(full); err != nil {
				return UploadResult{}, fmt.Errorf("prepare upload: %w", err)
			}
		}
	}
	// Keep what the history needs before anything moves.
	for _, e := range entries {
		owner, name := ownerOf(targetID, e.path)
		if err := r.recordOriginal(ctx, owner, name, filepath.Join(r.dirOf(owner), name)); err != nil {
			return UploadResult{}, err
		}
	}
	if err := swapUnits(r, targetID, staging, units); err != nil {
		return UploadResult{}, err
	}
	for _, e := range entries {
		owner, name := ownerOf(targetID, e.path)
		data, err := e.content()
		if err != nil {
			return res, err
		}
		if _, err := r.index.AddFileVersion(ctx, owner, name, authorOf(ctx), "upload", data); err != nil {
			return res, err
		}
		res.Written = append(res.Written, joinID(owner, name))
	}
	slices.Sort(res.Written)
	return res, r.refresh(ctx)
}

// ownerOf splits an entry path into the model or group holding the file
// and the file name.
func ownerOf(targetID, p string) (string, string) {
	dir, name := path.Split(p)
	if dir == "" {
		return targetID, name
	}
	return joinID(targetID, strings.TrimSuffix(dir, "/")), name
}

// unit is a folder (or, for a group's own process_group.json, a file)
// replaced as a whole.
type unit struct {
	rel     string // relative to the target folder; "" is the target itself
	entries []entry
	file    bool // a file at the top of the repository, replaced alone
}

func uploadUnits(targetID string, isModel bool, entries []entry) []unit {
	if isModel || targetID != "" {
		// One unit: the target folder itself. A group upload replaces the
		// group folder in one rename.
		return []unit{{rel: "", entries: entries}}
	}
	// The root cannot be renamed: each top-level folder is a unit.
	byTop := map[string]*unit{}
	var order []string
	for _, e := range entries {
		top, rest, folder := strings.Cut(e.path, "/")
		u := byTop[top]
		if u == nil {
			u = &unit{rel: top, file: !folder}
			byTop[top] = u
			order = append(order, top)
		}
		u.entries = append(u.entries, e.at(rest))
	}
	out := make([]unit, 0, len(order))
	for _, t := range order {
		out = append(out, *byTop[t])
	}
	return out
}

// swapUnits renames each prepared unit into place, keeping the old folder
// until all are in; on failure the units already swapped are put back.
func swapUnits(r *Repo, targetID, staging string, units []unit) error {
	type done struct{ live, old string }
	var swapped []done
	undo := func() {
		for i := len(swapped) - 1; i >= 0; i-- {
			s := swapped[i]
			os.RemoveAll(s.live)
			if s.old != "" {
				os.Rename(s.old, s.live)
			}
		}
	}
	for i, u := range units {
		live := r.dirOf(joinID(targetID, u.rel))
		src := filepath.Join(staging, "new", filepath.FromSlash(u.rel))
		old := ""
		if _, err := os.Lstat(live); err == nil {
			old = filepath.Join(staging, "old", fmt.Sprint(i))
			if err := os.MkdirAll(filepath.Dir(old), 0o750); err != nil {
				undo()
				return err
			}
			if err := os.Rename(live, old); err != nil {
				undo()
				return fmt.Errorf("replace %s: %w", joinID(targetID, u.rel), err)
			}
		}
		if err := os.Rename(src, live); err != nil {
			if old != "" {
				os.Rename(old, live)
			}
			undo()
			return fmt.Errorf("replace %s: %w", joinID(targetID, u.rel), err)
		}
		swapped = append(swapped, done{live, old})
	}
	return nil
}

// specialFile returns the path (relative to dir, with "/") of the first
// entry under dir that is neither a folder nor a regular file, or "". A
// missing dir has none.
func specialFile(dir string) (string, error) {
	found := ""
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			found = filepath.ToSlash(rel)
			return filepath.SkipAll
		}
		return nil
	})
	return found, err
}

// copyTree copies the regular files and folders under src to dst. A
// missing src gives an empty dst. Anything else (links, devices) is an
// error: callers check with specialFile first and tell the user.
func copyTree(src, dst string) error {
	if err := os.MkdirAll(dst, 0o750); err != nil {
		return err
	}
	if _, err := os.Lstat(src); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o750)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o640)
		}
		return fmt.Errorf("%s is neither a file nor a folder", p)
	})
}

// checkStructure makes sure the upload keeps the repository's layout: a
// model holds files only; a group holds process_group.json, groups, models
// and other files SpiffArena repositories keep beside them (category.json,
// README.md, LICENSE), which are kept as they are. It returns, by entry
// path, the entries that do not fit, refused with the reason.
func (r *Repo) checkStructure(st *state, targetID string, isModel bool, entries []entry) map[string]Problem {
	out := map[string]Problem{}
	refuse := func(e entry, msg string) {
		out[e.path] = Problem{File: joinID(targetID, e.path), Message: msg, Refused: true}
	}
	if isModel {
		for _, e := range entries {
			if strings.Contains(e.path, "/") {
				refuse(e, "a process model holds files only, no folders")
			}
		}
		return out
	}
	// Folders that are models: uploaded with process_model.json, or models
	// already.
	isModelDir := map[string]bool{}
	for _, e := range entries {
		if path.Base(e.path) == modelFile {
			isModelDir[path.Dir(e.path)] = true
		}
	}
	modelFileInGroup := "a process group holds only process_group.json, groups, models and notes; a BPMN or DMN file belongs in a model (a folder with process_model.json)"
	for _, e := range entries {
		dir := path.Dir(e.path)
		typ := fileType(e.path)
		if dir == "." {
			switch {
			case e.path == modelFile:
				refuse(e, "process_model.json at the top of the zip file would turn the group into a model; put the model in a folder of its own, or upload its files into the model")
			case typ == "bpmn" || typ == "dmn":
				refuse(e, modelFileInGroup)
			}
			continue
		}
		id := joinID(targetID, dir)
		if st.models[id] != nil {
			isModelDir[dir] = true
		}
		if isModelDir[dir] && st.groups[id] != nil {
			refuse(e, fmt.Sprintf("%s is a process group and cannot become a model", id))
			continue
		}
		// No model may sit above this folder.
		nested := false
		for parent := path.Dir(dir); parent != "."; parent = path.Dir(parent) {
			if isModelDir[parent] || st.models[joinID(targetID, parent)] != nil {
				nested = true
				break
			}
		}
		if nested {
			refuse(e, "a process model holds files only, no folders")
			continue
		}
		if !isModelDir[dir] && (typ == "bpmn" || typ == "dmn") {
			refuse(e, fmt.Sprintf("folder %q has no process_model.json, so it is a group; %s", dir, modelFileInGroup))
		}
	}
	return out
}

// refusal turns a refusal of checkHostile into a problem of the file.
func refusal(key string, err error) Problem {
	var ce *contentError
	if errors.As(err, &ce) {
		return Problem{File: key, Line: ce.line, Message: ce.msg, Refused: true}
	}
	msg := strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
	msg = strings.TrimPrefix(msg, key+": ")
	return Problem{File: key, Message: msg, Refused: true}
}

// sortProblems orders problems by file, line and element.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Element, b.Element)
	})
}

// clash is a process or decision id of an uploaded file that another file
// already defines.
type clash struct {
	Problem
	process bool   // a process id (else a decision id)
	owner   string // the model of the uploaded file
	other   string // the model of the other definition
	// inUpload says the other definition is an uploaded file too.
	inUpload bool
}

// checkUploadContent validates the BPMN, DMN and JSON files of an upload
// and returns their problems and, separately, the process and decision ids
// another file of the repository (one the upload does not replace) or of
// the upload already defines.
func (r *Repo) checkUploadContent(st *state, targetID string, entries []entry) (problems []Problem, clashes []clash) {
	replaced := map[location]bool{}
	for _, e := range entries {
		owner, name := ownerOf(targetID, e.path)
		replaced[location{owner, name}] = true
	}
	seenProc := map[string]location{}
	seenDec := map[string]location{}
	// The processes each model will define after the upload, for
	// primary_process_id: its uploaded files and the files it keeps.
	defined := map[string][]string{}
	for _, e := range entries {
		owner, name := ownerOf(targetID, e.path)
		if name != modelFile || defined[owner] != nil {
			continue
		}
		defined[owner] = []string{}
		if m := st.models[owner]; m != nil {
			for _, f := range m.Files {
				if p := st.parsed[joinID(owner, f.Name)]; p != nil && !replaced[location{owner, f.Name}] {
					defined[owner] = append(defined[owner], p.lib.Order...)
				}
			}
		}
	}
	var metas []entry
	for _, e := range entries {
		owner, name := ownerOf(targetID, e.path)
		key := joinID(owner, name)
		typ := fileType(name)
		if typ != "json" && typ != "bpmn" && typ != "dmn" {
			continue
		}
		// One file's content at a time: it is dropped before the next.
		data, err := e.content()
		if err != nil {
			problems = append(problems, Problem{File: key, Message: err.Error()})
			continue
		}
		switch typ {
		case "json":
			ps := checkJSON(key, data)
			problems = append(problems, ps...)
			if name == modelFile && len(ps) == 0 {
				metas = append(metas, e)
			}
			continue
		case "bpmn", "dmn":
		default:
			continue
		}
		p := parseOne(key, data)
		problems = append(problems, p.problems...)
		if defined[owner] != nil {
			defined[owner] = append(defined[owner], p.lib.Order...)
		}
		here := location{owner, name}
		for _, pid := range p.lib.Order {
			line := p.lib.Processes[pid].Line
			if prev, ok := st.procs[pid]; ok && !replaced[prev] {
				clashes = append(clashes, clash{clashProblem(key, pid, line, "process", prev.path()), true, owner, prev.model, false})
			} else if other, ok := seenProc[pid]; ok {
				clashes = append(clashes, clash{clashProblem(key, pid, line, "process", other.path()), true, owner, other.model, true})
			} else {
				seenProc[pid] = here
			}
		}
		for _, id := range slices.Sorted(maps.Keys(p.lib.Decisions)) {
			d := p.lib.Decisions[id]
			if prev, ok := st.decisions[id]; ok && !replaced[prev] {
				clashes = append(clashes, clash{clashProblem(key, id, d.Line, "decision", prev.path()), false, owner, prev.model, false})
			} else if other, ok := seenDec[id]; ok {
				clashes = append(clashes, clash{clashProblem(key, id, d.Line, "decision", other.path()), false, owner, other.model, true})
			} else {
				seenDec[id] = here
			}
		}
	}
	for _, e := range metas {
		owner, name := ownerOf(targetID, e.path)
		var meta modelMeta
		data, err := e.content()
		if err == nil {
			err = json.Unmarshal(data, &meta)
		}
		if err != nil {
			problems = append(problems, Problem{File: joinID(owner, name), Message: "process_model.json: " + err.Error()})
			continue
		}
		saved := ""
		if m := st.models[owner]; m != nil {
			saved = m.PrimaryProcessID
		}
		if msg := primaryProblem(meta.PrimaryProcessID, saved, defined[owner]); msg != "" {
			problems = append(problems, Problem{File: joinID(owner, name), Message: msg})
		}
	}
	return problems, clashes
}

// renames picks a new id for every clashing process id, per uploaded
// model: the old id with "_2", "_3", ... appended, used neither in the
// repository, nor in the upload, nor by another rename. A clash between two
// uploaded files of one model is left alone: renaming the model's
// references would not tell the two apart.
func (r *Repo) renames(st *state, clashes []clash, entries []entry) map[string]map[string]string {
	chosen := map[string]bool{}
	used := func(id string) bool {
		if _, ok := st.procs[id]; ok || chosen[id] {
			return true
		}
		for _, e := range entries {
			// Unreadable content counts as using the id: the rename then
			// picks another, never one that might clash.
			data, err := e.content()
			if err != nil || bytes.Contains(data, []byte(`"`+id+`"`)) || bytes.Contains(data, []byte(`'`+id+`'`)) {
				return true
			}
		}
		return false
	}
	out := map[string]map[string]string{}
	for _, c := range clashes {
		if !c.process || c.inUpload && c.owner == c.other {
			continue
		}
		if _, done := out[c.owner][c.Element]; done {
			continue
		}
		for n := 2; ; n++ {
			cand := fmt.Sprintf("%s_%d", c.Element, n)
			if !used(cand) {
				if out[c.owner] == nil {
					out[c.owner] = map[string]string{}
				}
				out[c.owner][c.Element] = cand
				chosen[cand] = true
				break
			}
		}
	}
	return out
}

// renameList flattens renames for the result, by model and old id.
func renameList(renames map[string]map[string]string) []Rename {
	var out []Rename
	for model, m := range renames {
		for old, nu := range m {
			out = append(out, Rename{Model: model, Old: old, New: nu})
		}
	}
	slices.SortFunc(out, func(a, b Rename) int {
		if c := strings.Compare(a.Model, b.Model); c != 0 {
			return c
		}
		return strings.Compare(a.Old, b.Old)
	})
	return out
}

// renameProcesses rewrites process ids in the uploaded BPMN files of each
// renamed model (the process id, pool processRef, call activity
// calledElement, diagram plane bpmnElement) and primary_process_id in its
// process_model.json.
func renameProcesses(targetID string, entries []entry, renames map[string]map[string]string) ([]entry, error) {
	if len(renames) == 0 {
		return entries, nil
	}
	out := make([]entry, len(entries))
	for i, e := range entries {
		owner, _ := ownerOf(targetID, e.path)
		out[i] = e
		if len(renames[owner]) == 0 || (fileType(e.path) != "bpmn" && path.Base(e.path) != modelFile) {
			continue
		}
		data, err := e.content()
		if err != nil {
			return nil, err
		}
		switch {
		case fileType(e.path) == "bpmn":
			for old, nu := range renames[owner] {
				re := regexp.MustCompile(`(\s(?:id|processRef|calledElement|bpmnElement)\s*=\s*["'])` + regexp.QuoteMeta(old) + `(["'])`)
				data = re.ReplaceAll(data, []byte("${1}"+nu+"${2}"))
			}
		case path.Base(e.path) == modelFile:
			for old, nu := range renames[owner] {
				re := regexp.MustCompile(`("primary_process_id"\s*:\s*")` + regexp.QuoteMeta(old) + `(")`)
				data = re.ReplaceAll(data, []byte("${1}"+nu+"${2}"))
			}
		}
		if e.spool != "" {
			// A spooled entry stays on disk, rewritten in place.
			if err := os.WriteFile(e.spool, data, 0o640); err != nil {
				return nil, fmt.Errorf("rename processes in %s: %w", e.path, err)
			}
			continue
		}
		out[i] = entry{path: e.path, data: data}
	}
	return out, nil
}
