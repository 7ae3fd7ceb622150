package dmn

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// scanXML reads the document once with encoding/xml before any tree is
// built. It refuses DOCTYPE and every other <!...> directive, so no entity
// declaration (internal or external) can ever reach a parser, and it records
// the line of every start element in document order: etree keeps no
// positions, and the tree walk in the same order pairs each element with its
// line.
func scanXML(file string, data []byte) ([]int, *Problem) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	// d.Entity stays nil: only the five predefined XML entities exist.
	d.CharsetReader = charsetReader
	var lines []int
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &Problem{File: file, Line: se.Line, Msg: "malformed XML: " + se.Msg}
			}
			return nil, &Problem{File: file, Line: line, Msg: "malformed XML: " + strings.TrimPrefix(err.Error(), "xml: ")}
		}
		switch t := tok.(type) {
		case xml.Directive:
			text := strings.TrimSpace(string(t))
			if len(text) >= 7 && strings.EqualFold(text[:7], "DOCTYPE") {
				return nil, &Problem{File: file, Line: line, Msg: "DOCTYPE is not allowed in a DMN file (document type and entity declarations are refused)"}
			}
			word, _, _ := strings.Cut(text, " ")
			return nil, &Problem{File: file, Line: line, Msg: fmt.Sprintf("XML directive <!%s ...> is not allowed in a DMN file", word)}
		case xml.StartElement:
			lines = append(lines, line)
		}
	}
}

// charsetReader accepts the encodings a DMN file may honestly declare
// besides UTF-8: ASCII (a subset of it) and ISO-8859-1 (mapped byte by byte
// to Unicode). Anything else is refused rather than read as garbage.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return &latin1Reader{r: bufio.NewReader(input)}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported; save the file as UTF-8", charset)
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r       *bufio.Reader
	pending []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.pending) > 0 {
			c := copy(p[n:], l.pending)
			l.pending = l.pending[c:]
			n += c
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < utf8.RuneSelf {
			p[n] = b
			n++
			continue
		}
		l.pending = utf8.AppendRune(nil, rune(b))
	}
	return n, nil
}
