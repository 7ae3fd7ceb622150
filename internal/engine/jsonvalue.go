package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The engine's values (nil, bool, int64, float64, string, []any and
// map[string]any) are written and read as JSON by hand: snapshots carry
// every data map, and instances are snapshotted after every step.

// appendValue appends v as JSON, keeping floats distinct from integers
// (1.0 stays 1.0) so a restored instance sees the same types. Map keys are
// sorted, so equal data always gives equal bytes.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return appendInt(b, x)
	case int:
		return appendInt(b, int64(x))
	case float64:
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return append(b, "null"...)
		case x == math.Trunc(x) && math.Abs(x) < 1e15:
			return strconv.AppendFloat(b, x, 'f', 1, 64)
		default:
			return strconv.AppendFloat(b, x, 'g', -1, 64)
		}
	case string:
		return appendString(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case map[string]any:
		// Most data maps are small: sort their entries without
		// allocating, and without looking each key up again.
		var small [16]entry
		entries := small[:0]
		for k, v := range x {
			entries = append(entries, entry{k, v})
		}
		return appendEntries(b, entries)
	default:
		s, err := json.Marshal(x)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, s...)
	}
}

// appendEntries appends the entries, sorted by key, as a JSON object.
func appendEntries(b []byte, entries []entry) []byte {
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	b = append(b, '{')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e.key)
		b = append(b, ':')
		b = appendValue(b, e.val)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// parseValue decodes JSON text into the engine's value set in one pass:
// integers without fraction or exponent become int64 (float64 when they do
// not fit), other numbers float64, so the types written by appendValue come
// back as they were.
func parseValue(b []byte) (any, error) {
	p := valueParser{b: b}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.b) {
		return nil, p.errorf("unexpected data after the value")
	}
	return v, nil
}

type valueParser struct {
	b []byte
	i int
	// Entries and items of the objects and lists being read are gathered
	// here first (nested ones above their parents'), so each map and slice
	// is made once at its final size: no map grows and rehashes, no slice
	// is copied on append.
	entries []entry
	items   []any
}

type entry struct {
	key string
	val any
}

const maxValueDepth = 512

func (p *valueParser) errorf(format string, args ...any) error {
	return fmt.Errorf("json offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *valueParser) space() {
	b, i := p.b, p.i
	for i < len(b) {
		if c := b[i]; c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break
		}
		i++
	}
	p.i = i
}

func (p *valueParser) value(depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, p.errorf("nesting too deep")
	}
	if p.i >= len(p.b) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.list(depth)
	case c == '"':
		return p.str()
	case c == 't':
		return p.word("true", true)
	case c == 'f':
		return p.word("false", false)
	case c == 'n':
		return p.word("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.errorf("unexpected character %q", p.b[p.i])
}

func (p *valueParser) object(depth int) (map[string]any, error) {
	p.i++ // {
	base := len(p.entries)
	defer func() {
		clear(p.entries[base:]) // drop references for the collector
		p.entries = p.entries[:base]
	}()
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return map[string]any{}, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.errorf("expected a string key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.i++
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.entries = append(p.entries, entry{k, v})
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			break
		}
		return nil, p.errorf("expected ',' or '}'")
	}
	m := make(map[string]any, len(p.entries)-base)
	for _, e := range p.entries[base:] {
		m[e.key] = e.val
	}
	return m, nil
}

func (p *valueParser) list(depth int) ([]any, error) {
	p.i++ // [
	base := len(p.items)
	defer func() {
		clear(p.items[base:])
		p.items = p.items[:base]
	}()
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return []any{}, nil
	}
	for {
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, v)
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			break
		}
		return nil, p.errorf("expected ',' or ']'")
	}
	return slices.Clone(p.items[base:]), nil
}

func (p *valueParser) word(w string, v any) (any, error) {
	if p.i+len(w) > len(p.b) || string(p.b[p.i:p.i+len(w)]) != w {
		return nil, p.errorf("invalid literal")
	}
	p.i += len(w)
	return v, nil
}

func (p *valueParser) number() (any, error) {
	start := p.i
	isFloat := false
	if p.b[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c >= '0' && c <= '9' {
			p.i++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			isFloat = true
			p.i++
			continue
		}
		break
	}
	digits := p.b[start:p.i]
	if !isFloat {
		// Up to 18 digits always fit an int64: no need for strconv.
		neg := digits[0] == '-'
		if neg {
			digits = digits[1:]
		}
		if n := len(digits); n > 0 && n <= 18 && (digits[0] != '0' || n == 1) {
			var v int64
			for _, d := range digits {
				v = v*10 + int64(d-'0')
			}
			if neg {
				v = -v
			}
			return v, nil
		}
		if n, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64); err == nil {
			return n, nil
		}
	}
	text := string(p.b[start:p.i])
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, p.errorf("invalid number %q", text)
	}
	return f, nil
}

var errBadString = errors.New("invalid string")

func (p *valueParser) str() (string, error) {
	b, err := p.strBytes()
	return string(b), err
}

// strBytes reads a string and returns its text: a slice of the input when
// it has no escapes (the common case), else a decoded copy.
func (p *valueParser) strBytes() ([]byte, error) {
	p.i++ // opening quote
	start := p.i
	b, i := p.b, p.i
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			p.i = i + 1
			return b[start:i], nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	p.i = i
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return buf, nil
		case c < 0x20:
			return nil, p.errorf("control character in string")
		case c == '\\':
			p.i++
			if p.i >= len(p.b) {
				return nil, errBadString
			}
			switch e := p.b[p.i]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4(p.i + 1)
				if !ok {
					return nil, p.errorf("invalid \\u escape")
				}
				p.i += 4
				if utf16.IsSurrogate(r) {
					if r2, ok := p.hex4(p.i + 3); ok && p.i+2 < len(p.b) && p.b[p.i+1] == '\\' && p.b[p.i+2] == 'u' {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							p.i += 6
						}
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, p.errorf("invalid escape")
			}
			p.i++
		default:
			buf = append(buf, c)
			p.i++
		}
	}
	return nil, p.errorf("unterminated string")
}

func (p *valueParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
