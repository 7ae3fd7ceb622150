package script

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the Python tokenizer of the front-end. It follows the
// Python 3 lexical rules (INDENT/DEDENT from leading whitespace, implicit
// line joining inside brackets, backslash continuation, string prefixes,
// implicit concatenation is left to the parser).

type tokKind uint8

const (
	tEOF tokKind = iota
	tNewline
	tIndent
	tDedent
	tName
	tNumber
	tString
	tOp
)

type pos struct{ line, col int } // 1-based

type token struct {
	kind tokKind
	val  string // name, operator, number text, or decoded string value
	pos  pos
	// strings
	fstring bool   // an f-string: val is the raw body
	raw     bool   // r prefix
	bytes   bool   // b prefix
	bodyPos pos    // position of the first body character (f-strings)
	quote   string // the quote that closes the literal
}

// syntaxError is a front-end error at a position of the user's source.
type syntaxError struct {
	pos pos
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.pos.line, e.msg) }

var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true,
	"def": true, "del": true, "elif": true, "else": true, "except": true,
	"finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true,
	"not": true, "or": true, "pass": true, "raise": true, "return": true,
	"try": true, "while": true, "with": true, "yield": true,
}

// Operators, longest first within each leading character.
var pyOps = []string{
	"**=", "//=", ">>=", "<<=", "...", "->", ":=",
	"**", "//", ">>", "<<", "<=", ">=", "==", "!=",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
	"+", "-", "*", "/", "%", "&", "|", "^", "~", "@", "<", ">",
	"(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "!",
}

type lexer struct {
	src      string
	off      int
	line     int
	col      int // 1-based column of src[off]
	depth    int // bracket nesting
	indent   []int
	toks     []token
	atBOL    bool // at beginning of a logical line
	exprMode bool
}

// tokenize splits src into tokens. In exprMode (f-string fields) newlines
// are insignificant and no INDENT/DEDENT tokens are produced.
func tokenize(src string, start pos, exprMode bool) ([]token, error) {
	lx := &lexer{src: src, line: start.line, col: start.col, indent: []int{0}, atBOL: !exprMode, exprMode: exprMode}
	if exprMode {
		lx.depth = 1
	}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

func (lx *lexer) errorf(p pos, format string, args ...any) error {
	return &syntaxError{pos: p, msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) cur() pos { return pos{lx.line, lx.col} }

// advance moves over n bytes, keeping line and column.
func (lx *lexer) advance(n int) {
	for i := 0; i < n && lx.off < len(lx.src); {
		r, size := utf8.DecodeRuneInString(lx.src[lx.off:])
		lx.off += size
		i += size
		if r == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
	}
}

func (lx *lexer) emit(t token) { lx.toks = append(lx.toks, t) }

func (lx *lexer) run() error {
	for {
		if lx.atBOL {
			if done, err := lx.lineStart(); err != nil {
				return err
			} else if done {
				break
			}
		}
		if lx.off >= len(lx.src) {
			break
		}
		c := lx.src[lx.off]
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\r':
			lx.advance(1)
		case c == '#':
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.advance(1)
			}
		case c == '\\':
			rest := lx.src[lx.off+1:]
			if strings.HasPrefix(rest, "\n") {
				lx.advance(2)
			} else if strings.HasPrefix(rest, "\r\n") {
				lx.advance(3)
			} else {
				return lx.errorf(lx.cur(), "unexpected character after line continuation character")
			}
		case c == '\n':
			if lx.depth == 0 {
				if n := len(lx.toks); n > 0 && lx.toks[n-1].kind != tNewline && lx.toks[n-1].kind != tIndent && lx.toks[n-1].kind != tDedent {
					lx.emit(token{kind: tNewline, pos: lx.cur()})
				}
				lx.atBOL = true
			}
			lx.advance(1)
		case isIdentStart(c) || c >= utf8.RuneSelf:
			if err := lx.nameOrString(); err != nil {
				return err
			}
		case c >= '0' && c <= '9' || c == '.' && lx.off+1 < len(lx.src) && isDigit(lx.src[lx.off+1]):
			if err := lx.number(); err != nil {
				return err
			}
		case c == '"' || c == '\'':
			if err := lx.str(""); err != nil {
				return err
			}
		default:
			if err := lx.op(); err != nil {
				return err
			}
		}
	}
	if lx.depth > 0 && !lx.exprMode {
		return lx.errorf(lx.cur(), "unexpected EOF: unclosed bracket")
	}
	if n := len(lx.toks); !lx.exprMode && n > 0 && lx.toks[n-1].kind != tNewline && lx.toks[n-1].kind != tDedent {
		lx.emit(token{kind: tNewline, pos: lx.cur()})
	}
	for len(lx.indent) > 1 {
		lx.indent = lx.indent[:len(lx.indent)-1]
		lx.emit(token{kind: tDedent, pos: lx.cur()})
	}
	lx.emit(token{kind: tEOF, pos: lx.cur()})
	return nil
}

// lineStart measures the indentation of a new logical line and emits
// INDENT/DEDENT tokens. Blank and comment-only lines are skipped.
func (lx *lexer) lineStart() (eof bool, err error) {
	for {
		width := 0
		for lx.off < len(lx.src) {
			c := lx.src[lx.off]
			if c == ' ' {
				width++
			} else if c == '\t' {
				width = (width/8 + 1) * 8
			} else if c == '\f' || c == '\r' {
				// ignored
			} else {
				break
			}
			lx.advance(1)
		}
		if lx.off >= len(lx.src) {
			return true, nil
		}
		c := lx.src[lx.off]
		if c == '\n' {
			lx.advance(1)
			continue
		}
		if c == '#' {
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.advance(1)
			}
			continue
		}
		lx.atBOL = false
		top := lx.indent[len(lx.indent)-1]
		switch {
		case width > top:
			if len(lx.toks) == 0 {
				return false, lx.errorf(lx.cur(), "unexpected indent")
			}
			lx.indent = append(lx.indent, width)
			lx.emit(token{kind: tIndent, pos: lx.cur()})
		case width < top:
			for width < lx.indent[len(lx.indent)-1] {
				lx.indent = lx.indent[:len(lx.indent)-1]
				lx.emit(token{kind: tDedent, pos: lx.cur()})
			}
			if width != lx.indent[len(lx.indent)-1] {
				return false, lx.errorf(lx.cur(), "unindent does not match any outer indentation level")
			}
		}
		return false, nil
	}
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

func (lx *lexer) nameOrString() error {
	p := lx.cur()
	end := lx.off
	for end < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[end:])
		if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || (end > lx.off && unicode.Is(unicode.Mn, r)) {
			end += size
			continue
		}
		break
	}
	if end == lx.off {
		r, _ := utf8.DecodeRuneInString(lx.src[lx.off:])
		return lx.errorf(p, "invalid character '%c' (U+%04X)", r, r)
	}
	word := lx.src[lx.off:end]
	if end < len(lx.src) && (lx.src[end] == '"' || lx.src[end] == '\'') && len(word) <= 2 {
		prefix := strings.ToLower(word)
		switch prefix {
		case "r", "u", "b", "f", "br", "rb", "fr", "rf":
			lx.advance(len(word))
			return lx.str(prefix)
		}
	}
	lx.advance(end - lx.off)
	lx.emit(token{kind: tName, val: word, pos: p})
	return nil
}

func (lx *lexer) number() error {
	p := lx.cur()
	s := lx.src[lx.off:]
	i := 0
	isHex := false
	if len(s) > 1 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		isHex = s[1] == 'x' || s[1] == 'X'
		i = 2
		for i < len(s) && (isDigit(s[i]) || s[i] == '_' || isHex && strings.ContainsRune("abcdefABCDEF", rune(s[i]))) {
			i++
		}
	} else {
		for i < len(s) && (isDigit(s[i]) || s[i] == '_') {
			i++
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && (isDigit(s[i]) || s[i] == '_') {
				i++
			}
		}
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				i = j
				for i < len(s) && (isDigit(s[i]) || s[i] == '_') {
					i++
				}
			}
		}
	}
	if i < len(s) && (s[i] == 'j' || s[i] == 'J') {
		return lx.errorf(p, "complex numbers are not supported")
	}
	if i < len(s) && (isIdentStart(s[i]) || isDigit(s[i])) {
		return lx.errorf(p, "invalid decimal literal")
	}
	text := s[:i]
	if strings.HasSuffix(text, "_") || strings.Contains(text, "__") {
		return lx.errorf(p, "invalid decimal literal")
	}
	lx.advance(i)
	lx.emit(token{kind: tNumber, val: text, pos: p})
	return nil
}

func (lx *lexer) op() error {
	p := lx.cur()
	rest := lx.src[lx.off:]
	for _, o := range pyOps {
		if strings.HasPrefix(rest, o) {
			switch o {
			case "(", "[", "{":
				lx.depth++
			case ")", "]", "}":
				if lx.depth == 0 || (lx.exprMode && lx.depth == 1) {
					return lx.errorf(p, "unmatched '%s'", o)
				}
				lx.depth--
			}
			lx.advance(len(o))
			lx.emit(token{kind: tOp, val: o, pos: p})
			return nil
		}
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return lx.errorf(p, "invalid character '%c' (U+%04X)", r, r)
}

// str scans a string literal starting at the opening quote.
func (lx *lexer) str(prefix string) error {
	p := lx.cur()
	if prefix != "" {
		p.col -= len(prefix)
	}
	q := lx.src[lx.off : lx.off+1]
	if strings.HasPrefix(lx.src[lx.off:], q+q+q) {
		q = q + q + q
	}
	raw := strings.Contains(prefix, "r")
	lx.advance(len(q))
	bodyPos := lx.cur()
	start := lx.off
	for {
		if lx.off >= len(lx.src) {
			if len(q) == 3 {
				return lx.errorf(p, "unterminated triple-quoted string literal (detected at line %d)", lx.line)
			}
			return lx.errorf(p, "unterminated string literal (detected at line %d)", p.line)
		}
		c := lx.src[lx.off]
		if c == '\\' {
			lx.advance(2)
			continue
		}
		if c == '\n' && len(q) == 1 {
			return lx.errorf(p, "unterminated string literal (detected at line %d)", p.line)
		}
		if strings.HasPrefix(lx.src[lx.off:], q) {
			break
		}
		lx.advance(1)
	}
	body := lx.src[start:lx.off]
	lx.advance(len(q))
	t := token{kind: tString, pos: p, raw: raw, bytes: strings.Contains(prefix, "b"), bodyPos: bodyPos, quote: q}
	if strings.Contains(prefix, "f") {
		t.fstring = true
		t.val = body
	} else if raw {
		t.val = body
	} else {
		v, err := unescape(body)
		if err != nil {
			return lx.errorf(p, "%s", err.Error())
		}
		t.val = v
	}
	lx.emit(t)
	return nil
}

// unescape decodes Python backslash escapes. Unknown escapes keep their
// backslash, as Python does.
func unescape(s string) (string, error) {
	if !strings.Contains(s, "\\") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(n))
			i = j - 1
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n > len(s) {
				return "", fmt.Errorf("truncated \\%cXX escape", e)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", fmt.Errorf("truncated \\%cXX escape", e)
			}
			b.WriteRune(rune(v))
			i += n
		case 'N':
			return "", fmt.Errorf("\\N{...} escapes are not supported")
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}
