package dmn

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// DecodeXML returns an XML document as UTF-8, whatever encoding it is
// saved in: a UTF-16 byte order mark (or the UTF-16 form of "<?" without
// one), else the encoding its XML declaration names (ISO-8859-1,
// windows-1252, any IANA name golang.org/x/text knows). The declaration of
// the result says UTF-8, and line breaks are kept, so lines reported later
// are the lines of the file. Both the BPMN and the DMN parser read their
// input through it.
func DecodeXML(data []byte) ([]byte, error) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(data, []byte{0x00, '<', 0x00, '?'}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case bytes.HasPrefix(data, []byte{'<', 0x00, '?', 0x00}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	default:
		name := declaredEncoding(data)
		switch strings.ToLower(name) {
		case "", "utf-8", "utf8", "us-ascii", "ascii":
			return data, nil
		}
		e, err := ianaindex.IANA.Encoding(name)
		if err != nil || e == nil {
			return nil, fmt.Errorf("the XML declaration names encoding %q, which is not supported; save the file as UTF-8", name)
		}
		enc = e
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("the file is not valid in its encoding: %v", err)
	}
	return declareUTF8(out), nil
}

var encodingAttr = regexp.MustCompile(`encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']`)

// declaration returns the XML declaration at the start of data, if any.
func declaration(data []byte) []byte {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return nil
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 || end > 512 {
		return nil
	}
	return data[:end]
}

func declaredEncoding(data []byte) string {
	if m := encodingAttr.FindSubmatch(declaration(data)); m != nil {
		return string(m[1])
	}
	return ""
}

// declareUTF8 rewrites the encoding named by the declaration to UTF-8.
func declareUTF8(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	decl := declaration(data)
	loc := encodingAttr.FindSubmatchIndex(decl)
	if loc == nil {
		return data
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, data[loc[3]:]...)
}

// IsDMN reports whether a document's root element is a DMN definitions
// element (any DMN version). data must already be UTF-8 (see DecodeXML).
func IsDMN(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "definitions" && strings.Contains(se.Name.Space, "omg.org/spec/DMN/")
		}
	}
}
