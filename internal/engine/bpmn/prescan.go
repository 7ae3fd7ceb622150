package bpmn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// prescan reads a file once with encoding/xml before etree builds its tree. It
// refuses document type declarations outright (no DTD, no entity of any kind
// is ever expanded: this is the XXE boundary), reports malformed XML with its
// line, and records the line of every element that has an id, because etree
// keeps no positions.
func prescan(data []byte) (lines map[string]int, err error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	// No entity map: only the five predefined XML entities are accepted.
	dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", charset)
	}
	lines = map[string]int{}
	for {
		tok, err := dec.Token()
		line, _ := dec.InputPos()
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, lineError{se.Line, "malformed XML: " + se.Msg}
			}
			return nil, lineError{line, "malformed XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return nil, lineError{line, "document type declarations (DTD) are not allowed: entities are never expanded"}
			}
			return nil, lineError{line, "XML directives are not allowed"}
		case xml.StartElement:
			for _, a := range t.Attr {
				if a.Name.Local == "id" && a.Name.Space == "" {
					if _, seen := lines[a.Value]; !seen {
						lines[a.Value] = line
					}
				}
			}
		}
	}
}

type lineError struct {
	line int
	msg  string
}

func (e lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }
