package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
)

// MaxFileSize is the largest file the repository accepts.
const MaxFileSize = bpmn.MaxFileSize

// contentError is a refusal located at a line.
type contentError struct {
	line int
	msg  string
}

func (e *contentError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("line %d: %s", e.line, e.msg)
	}
	return e.msg
}

func lineOf(err error) int {
	var ce *contentError
	if errors.As(err, &ce) {
		return ce.line
	}
	return 0
}

func messageOf(err error) string {
	var ce *contentError
	if errors.As(err, &ce) {
		return ce.msg
	}
	return err.Error()
}

// isXMLFile says whether a file is read as XML.
func isXMLFile(name string, data []byte) bool {
	switch strings.ToLower(name[strings.LastIndexByte(name, '.')+1:]) {
	case "bpmn", "dmn", "xml", "svg", "xsd":
		return true
	}
	return bytes.HasPrefix(bytes.TrimLeft(data, "\ufeff \t\r\n"), []byte("<?xml"))
}

// checkXML refuses entity declarations and any document type declaration
// that could bring them in: an internal subset ("[...]") or an external
// DTD (SYSTEM or PUBLIC). They are how external entities and entity
// expansion attacks get in, and BPMN and DMN never need them. A bare
// "<!DOCTYPE name>" declares nothing and is not refused here; the BPMN
// parser reports it as a problem of the file, which can then be saved as a
// draft and fixed.
func checkXML(name string, data []byte) error {
	if i := indexFold(data, "<!ENTITY"); i >= 0 {
		return hostileXML(data, i, "<!ENTITY")
	}
	for from := 0; ; {
		i := indexFold(data[from:], "<!DOCTYPE")
		if i < 0 {
			return nil
		}
		i += from
		if !bareDoctype(data[i+len("<!DOCTYPE"):]) {
			return hostileXML(data, i, "<!DOCTYPE")
		}
		from = i + 1
	}
}

func hostileXML(data []byte, at int, marker string) error {
	return &contentError{line: 1 + bytes.Count(data[:at], []byte("\n")),
		msg: fmt.Sprintf("XML with a document type declaration or entities (%s) is refused: external entities could read files of the server", marker)}
}

// bareDoctype says whether what follows "<!DOCTYPE" is only white space, a
// name and ">": no external identifier, no internal subset.
func bareDoctype(rest []byte) bool {
	end := bytes.IndexByte(rest, '>')
	if end < 0 {
		return false
	}
	fields := bytes.Fields(rest[:end])
	return len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n') &&
		len(fields) == 1 && !bytes.ContainsAny(fields[0], "[]\"'%&<")
}

func indexFold(data []byte, marker string) int {
	m := []byte(marker)
	for i := 0; i+len(m) <= len(data); i++ {
		if data[i] == '<' && bytes.EqualFold(data[i:i+len(m)], m) {
			return i
		}
	}
	return -1
}

// checkHostile returns an error for content that is refused even as a
// draft: too large, XML with DTDs or entities, JSON that is not UTF-8.
func checkHostile(key, name string, data []byte) error {
	if len(data) > MaxFileSize {
		return fmt.Errorf("%w: %s is %d bytes; files may be at most %d MiB", ErrInvalid, key, len(data), MaxFileSize>>20)
	}
	if isXMLFile(name, data) {
		if err := checkXML(name, data); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalid, key, err)
		}
	}
	if fileType(name) == "json" {
		if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
			return fmt.Errorf("%w: %s is UTF-16; JSON files must be UTF-8", ErrInvalid, key)
		}
		if !utf8.Valid(data) {
			off := invalidUTF8Offset(data)
			return fmt.Errorf("%w: %s: line %d: JSON files must be UTF-8; byte %d is not", ErrInvalid, key, 1+bytes.Count(data[:off], []byte("\n")), off)
		}
	}
	return nil
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// checkJSON reports a syntax error as a problem with its line.
func checkJSON(key string, data []byte) []Problem {
	trimmed := bytes.TrimPrefix(data, []byte("\ufeff"))
	var v any
	err := json.Unmarshal(trimmed, &v)
	if err == nil {
		return nil
	}
	line := 0
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line = 1 + bytes.Count(trimmed[:min(int(se.Offset), len(trimmed))], []byte("\n"))
	}
	return []Problem{{File: key, Line: line, Message: "not valid JSON: " + err.Error()}}
}

// validate checks a file's content as it would be saved into the model:
// BPMN and DMN are parsed, and their process and decision ids must not be
// defined by another file of the repository; JSON must be well-formed. It
// returns the problems, which block the save, and the warnings (what is
// wrong where no run reaches, an element no start event leads to), which
// do not.
func (r *Repo) validate(st *state, modelID, name string, data []byte) ([]Problem, []Problem) {
	key := modelID + "/" + name
	switch fileType(name) {
	case "json":
		ps := checkJSON(key, data)
		if ps == nil && name == modelFile {
			var meta modelMeta
			if err := json.Unmarshal(data, &meta); err != nil {
				ps = append(ps, Problem{File: key, Message: "process_model.json: " + err.Error()})
			} else if m := st.models[modelID]; m != nil {
				if msg := primaryProblem(meta.PrimaryProcessID, m.PrimaryProcessID, definedProcesses(st, modelID)); msg != "" {
					ps = append(ps, Problem{File: key, Message: msg})
				}
			}
		}
		if ps == nil && formSchemas(st, modelID)[name] {
			ps = schemaProblems(r.contentChecks(), key, data)
		} else if ps == nil && uiSchemas(st, modelID)[name] {
			ps = uiSchemaProblems(r.contentChecks(), key, data)
		}
		return ps, nil
	case "bpmn", "dmn":
	default:
		return nil, nil
	}
	p := parseOne(key, data)
	problems := append([]Problem(nil), p.problems...)
	here := location{modelID, name}
	for _, pid := range p.lib.Order {
		if prev, ok := st.procs[pid]; ok && prev != here {
			problems = append(problems, clashProblem(key, pid, p.lib.Processes[pid].Line, "process", prev.path()))
		}
	}
	for id, d := range p.lib.Decisions {
		if prev, ok := st.decisions[id]; ok && prev != here {
			problems = append(problems, clashProblem(key, id, d.Line, "decision", prev.path()))
		}
	}
	// What the diagram refers to and is missing (a form file not created
	// yet, a process not uploaded yet) is reported with the element, but
	// does not block the save: the modeler creates such files after.
	warnings := slices.Clone(p.warnings)
	if fileType(name) == "bpmn" {
		has := func(f string) bool {
			if f == name {
				return true
			}
			m := st.models[modelID]
			return m != nil && slices.ContainsFunc(m.Files, func(fi FileInfo) bool { return fi.Name == f })
		}
		warnings = append(warnings, referenceProblems(st, r.contentChecks(), key, p.lib, has, true)...)
	}
	return problems, warnings
}
