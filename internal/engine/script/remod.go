package script

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/dlclark/regexp2"
	"go.starlark.net/starlark"
)

// The re module over github.com/dlclark/regexp2, a backtracking engine
// with the constructs Python's re has and Go's RE2 refuses: lookahead,
// lookbehind, backreferences, conditionals, atomic behaviour of possessive
// forms aside. Its syntax is .NET's, so a Python pattern is translated
// first (translatePattern): groups are numbered left to right as Python
// numbers them ((?P<name>…) and plain groups alike, which .NET would
// number separately), (?P=name) becomes a numbered backreference, \Z
// becomes \z and {,n} becomes {0,n}. Positions are in characters, as
// Python's are. A match that backtracks without end is stopped after
// reMatchTimeout with an error the script cannot catch.

const (
	reIgnoreCase = 2
	reMultiline  = 8
	reDotAll     = 16
	reVerbose    = 64
	// reFull marks the cached variant of a pattern anchored at both ends
	// (fullmatch); it is not a Python flag.
	reFull = 1 << 20
)

// reMatchTimeout bounds one match attempt: patterns such as (a+)+$ take
// exponential time on some inputs, and the script's own time limit cannot
// interrupt the matcher.
const reMatchTimeout = time.Second

type rePattern struct {
	src    string
	flags  int
	re     *regexp2.Regexp
	groups int
	// names maps group names to their numbers; named lists them in
	// pattern order for groupdict.
	names map[string]int
	named []string
}

// reCache keeps compiled patterns (pattern+flags -> *rePattern); it stops
// growing at reCacheMax entries so scripts that build patterns from data
// cannot grow it without bound.
var (
	reCache     sync.Map
	reCacheSize atomic.Int64
)

const reCacheMax = 1000

func compileRe(src string, flags int) (*rePattern, error) {
	key := strconv.Itoa(flags) + "\x00" + src
	if p, ok := reCache.Load(key); ok {
		return p.(*rePattern), nil
	}
	text := src
	if flags&reVerbose != 0 {
		text = stripVerbose(text)
	}
	t, err := translatePattern(text)
	if err != nil {
		return nil, pyErr(excValueError, "re.error: %s in pattern %s", err.Error(), strRepr(src))
	}
	if flags&reFull != 0 {
		t.pattern = "(?:" + t.pattern + ")\\z"
	}
	opts := regexp2.RegexOptions(regexp2.None)
	if flags&reIgnoreCase != 0 {
		opts |= regexp2.IgnoreCase
	}
	if flags&reMultiline != 0 {
		opts |= regexp2.Multiline
	}
	if flags&reDotAll != 0 {
		opts |= regexp2.Singleline
	}
	re, err := regexp2.Compile(t.pattern, opts)
	if err != nil {
		// regexp2 says "error parsing regexp: <what> in `<pattern>`",
		// and its pattern is the translated one: name the user's.
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		if i := strings.LastIndex(msg, " in `"); i >= 0 {
			msg = msg[:i]
		}
		return nil, pyErr(excValueError, "re.error: %s in pattern %s", msg, strRepr(src))
	}
	re.MatchTimeout = reMatchTimeout
	p := &rePattern{src: src, flags: flags &^ reFull, re: re, groups: t.groups, names: t.names, named: t.named}
	if reCacheSize.Load() < reCacheMax {
		if _, loaded := reCache.LoadOrStore(key, p); !loaded {
			reCacheSize.Add(1)
		}
	}
	return p, nil
}

type translated struct {
	pattern string
	groups  int
	names   map[string]int
	named   []string
}

// translatePattern rewrites Python regular-expression syntax as the .NET
// syntax regexp2 reads, numbering every capturing group explicitly.
func translatePattern(src string) (translated, error) {
	t := translated{names: map[string]int{}}
	var b strings.Builder
	r := []rune(src)
	inClass := false
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\':
			if i+1 >= len(r) {
				return t, errors.New("bad escape (end of pattern)")
			}
			i++
			if r[i] == 'Z' && !inClass {
				b.WriteString("\\z")
				continue
			}
			b.WriteRune('\\')
			b.WriteRune(r[i])
		case inClass:
			if c == ']' {
				inClass = false
			}
			if c == '[' {
				// A literal [ inside a class; .NET reads [ followed by
				// a name and : as a class subtraction or POSIX name.
				b.WriteString("\\[")
				continue
			}
			b.WriteRune(c)
		case c == '[':
			inClass = true
			b.WriteRune(c)
			if i+1 < len(r) && r[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
			// Python reads a ] right after [ or [^ as a literal.
			if i+1 < len(r) && r[i+1] == ']' {
				b.WriteString("\\]")
				i++
			}
		case c == '{' && i+1 < len(r) && r[i+1] == ',':
			// {,n} is {0,n} in Python; .NET would read it literally.
			j := i + 2
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			if j > i+2 && j < len(r) && r[j] == '}' {
				b.WriteString("{0")
				continue
			}
			b.WriteRune(c)
		case c == '(' && i+1 < len(r) && r[i+1] == '?':
			rest := string(r[i+2:])
			switch {
			case strings.HasPrefix(rest, "P<"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return t, errors.New("missing >, unterminated name")
				}
				name := rest[2:end]
				if !isGroupName(name) {
					return t, errors.New("bad character in group name " + strRepr(name))
				}
				if _, dup := t.names[name]; dup {
					return t, errors.New("redefinition of group name " + strRepr(name))
				}
				t.groups++
				t.names[name] = t.groups
				t.named = append(t.named, name)
				b.WriteString("(?<" + strconv.Itoa(t.groups) + ">")
				i += 2 + len([]rune(rest[:end+1])) - 1
			case strings.HasPrefix(rest, "P="):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return t, errors.New("missing ), unterminated name")
				}
				name := rest[2:end]
				n, ok := t.names[name]
				if !ok {
					return t, errors.New("unknown group name " + strRepr(name))
				}
				b.WriteString("\\k<" + strconv.Itoa(n) + ">")
				i += 2 + len([]rune(rest[:end+1])) - 1
			case strings.HasPrefix(rest, "("):
				// A conditional on a group, by number or name.
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return t, errors.New("missing ), unterminated name")
				}
				ref := rest[1:end]
				if n, ok := t.names[ref]; ok {
					ref = strconv.Itoa(n)
				} else if _, err := strconv.Atoi(ref); err != nil {
					return t, errors.New("unknown group name " + strRepr(ref))
				}
				b.WriteString("(?(" + ref + ")")
				i += 2 + len([]rune(rest[:end+1])) - 1
			case strings.HasPrefix(rest, "#"):
				// A comment runs to the next ), whatever it holds.
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return t, errors.New("missing ), unterminated comment")
				}
				i += 2 + len([]rune(rest[:end+1])) - 1
			default:
				// (?:, lookaround and inline flags read the same.
				b.WriteString("(?")
				i++
			}
		case c == '(':
			t.groups++
			b.WriteString("(?<" + strconv.Itoa(t.groups) + ">")
		default:
			b.WriteRune(c)
		}
	}
	if inClass {
		return t, errors.New("unterminated character set")
	}
	t.pattern = b.String()
	return t, nil
}

func isGroupName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || unicode.IsLetter(c) || i > 0 && unicode.IsDigit(c)) {
			return false
		}
	}
	return true
}

func stripVerbose(s string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			b.WriteByte(s[i+1])
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == ']':
			inClass = false
			b.WriteByte(c)
		case !inClass && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
		case !inClass && c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (p *rePattern) String() string        { return "re.compile(" + strRepr(p.src) + ")" }
func (p *rePattern) Type() string          { return "Pattern" }
func (p *rePattern) Freeze()               {}
func (p *rePattern) Truth() starlark.Bool  { return true }
func (p *rePattern) Hash() (uint32, error) { return starlark.String(p.src).Hash() }

func (p *rePattern) Attr(name string) (starlark.Value, error) {
	switch name {
	case "pattern":
		return starlark.String(p.src), nil
	case "flags":
		return starlark.MakeInt(p.flags), nil
	case "groups":
		return starlark.MakeInt(p.groups), nil
	case "groupindex":
		d := starlark.NewDict(len(p.named))
		for _, n := range p.named {
			_ = d.SetKey(starlark.String(n), starlark.MakeInt(p.names[n]))
		}
		return d, nil
	}
	if f, ok := reFuncs[name]; ok {
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return f(th, p, args, kwargs)
		}), nil
	}
	return nil, nil
}

func (p *rePattern) AttrNames() []string {
	return []string{"findall", "finditer", "fullmatch", "groupindex", "groups", "match", "pattern", "search", "split", "sub", "subn"}
}

// matches runs the pattern over s from the left and calls each for every
// match (Python's order, empty matches included) until each returns
// false.
func (p *rePattern) matches(s string, each func(*reMatch) bool) error {
	r := []rune(s)
	m, err := p.re.FindRunesMatch(r)
	for err == nil && m != nil {
		if !each(p.newMatch(s, r, m)) {
			return nil
		}
		m, err = p.re.FindNextMatch(m)
	}
	if err != nil {
		return limitErr("re: matching %s took longer than %s (a pattern that backtracks without end?)", strRepr(p.src), reMatchTimeout)
	}
	return nil
}

// first returns the leftmost match, or nil.
func (p *rePattern) first(s string) (*reMatch, error) {
	var out *reMatch
	err := p.matches(s, func(m *reMatch) bool { out = m; return false })
	return out, err
}

func (p *rePattern) newMatch(s string, r []rune, m *regexp2.Match) *reMatch {
	loc := make([]int, 2*(p.groups+1))
	for i := 0; i <= p.groups; i++ {
		loc[2*i], loc[2*i+1] = -1, -1
		g := m.GroupByNumber(i)
		if g != nil && len(g.Captures) > 0 {
			loc[2*i], loc[2*i+1] = g.Index, g.Index+g.Length
		}
	}
	return &reMatch{p: p, s: s, r: r, loc: loc}
}

type reFunc func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var reFuncs map[string]reFunc

// reMatch is a match: loc holds the start and end of each group in
// characters of s (r is s as characters), -1 for a group that took no
// part.
type reMatch struct {
	p   *rePattern
	s   string
	r   []rune
	loc []int
}

func (m *reMatch) String() string {
	return "<re.Match object; span=(" + itoa(m.loc[0]) + ", " + itoa(m.loc[1]) + "), match=" + strRepr(string(m.r[m.loc[0]:m.loc[1]])) + ">"
}
func (m *reMatch) Type() string          { return "Match" }
func (m *reMatch) Freeze()               {}
func (m *reMatch) Truth() starlark.Bool  { return true }
func (m *reMatch) Hash() (uint32, error) { return starlark.String(m.String()).Hash() }

func itoa(n int) string { return starlark.MakeInt(n).String() }

func (m *reMatch) group(g starlark.Value) (int, error) {
	switch v := g.(type) {
	case starlark.Int:
		n, _ := v.Int64()
		if n < 0 || int(n) > m.p.groups {
			return 0, pyErr(excIndexError, "no such group")
		}
		return int(n), nil
	case starlark.String:
		if i, ok := m.p.names[string(v)]; ok {
			return i, nil
		}
	}
	return 0, pyErr(excIndexError, "no such group")
}

func (m *reMatch) text(i int, def starlark.Value) starlark.Value {
	if m.loc[2*i] < 0 {
		return def
	}
	return starlark.String(string(m.r[m.loc[2*i]:m.loc[2*i+1]]))
}

func (m *reMatch) Attr(name string) (starlark.Value, error) {
	switch name {
	case "string":
		return starlark.String(m.s), nil
	case "re":
		return m.p, nil
	case "pos":
		return starlark.MakeInt(0), nil
	case "endpos":
		return starlark.MakeInt(len(m.r)), nil
	case "lastindex":
		last := -1
		for i := 1; i <= m.p.groups; i++ {
			if m.loc[2*i] >= 0 && (last < 0 || m.loc[2*i+1] >= m.loc[2*last+1]) {
				last = i
			}
		}
		if last < 0 {
			return starlark.None, nil
		}
		return starlark.MakeInt(last), nil
	case "group":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) == 0 {
				return m.text(0, starlark.None), nil
			}
			var out starlark.Tuple
			for _, a := range args {
				i, err := m.group(a)
				if err != nil {
					return nil, err
				}
				out = append(out, m.text(i, starlark.None))
			}
			if len(out) == 1 {
				return out[0], nil
			}
			return out, nil
		}), nil
	case "groups":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var def starlark.Value = starlark.None
			if err := unpack(name, args, kwargs, "default?", &def); err != nil {
				return nil, err
			}
			out := make(starlark.Tuple, m.p.groups)
			for i := range out {
				out[i] = m.text(i+1, def)
			}
			return out, nil
		}), nil
	case "groupdict":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var def starlark.Value = starlark.None
			if err := unpack(name, args, kwargs, "default?", &def); err != nil {
				return nil, err
			}
			d := starlark.NewDict(len(m.p.named))
			for _, n := range m.p.named {
				_ = d.SetKey(starlark.String(n), m.text(m.p.names[n], def))
			}
			return d, nil
		}), nil
	case "start", "end", "span":
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var g starlark.Value = starlark.MakeInt(0)
			if err := unpack(name, args, kwargs, "group?", &g); err != nil {
				return nil, err
			}
			i, err := m.group(g)
			if err != nil {
				return nil, err
			}
			s, e := m.loc[2*i], m.loc[2*i+1]
			switch name {
			case "start":
				return starlark.MakeInt(s), nil
			case "end":
				return starlark.MakeInt(e), nil
			}
			return starlark.Tuple{starlark.MakeInt(s), starlark.MakeInt(e)}, nil
		}), nil
	}
	return nil, nil
}

func (m *reMatch) AttrNames() []string {
	return []string{"end", "endpos", "group", "groupdict", "groups", "lastindex", "pos", "re", "span", "start", "string"}
}

// reModuleFn makes a module-level function (re.match(pattern, string,
// flags)) from a pattern method.
func reModuleFn(name string, f reFunc) *starlark.Builtin {
	return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args) == 0 {
			return nil, pyErr(excTypeError, "%s() missing required argument 'pattern'", name)
		}
		flags := 0
		var rest []starlark.Tuple
		for _, kv := range kwargs {
			if string(kv[0].(starlark.String)) == "flags" {
				n, _ := starlark.AsInt32(kv[1])
				flags = n
				continue
			}
			rest = append(rest, kv)
		}
		var p *rePattern
		switch pat := args[0].(type) {
		case *rePattern:
			p = pat
		case starlark.String:
			// flags may also come positionally after the usual arguments
			want := map[string]int{"match": 3, "search": 3, "fullmatch": 3, "findall": 3, "finditer": 3, "split": 4, "sub": 5, "subn": 5}[name]
			if want > 0 && len(args) == want {
				n, _ := starlark.AsInt32(args[want-1])
				flags = n
				args = args[:want-1]
			}
			var err error
			if p, err = compileRe(string(pat), flags); err != nil {
				return nil, err
			}
		default:
			return nil, pyErr(excTypeError, "first argument must be string or compiled pattern")
		}
		return f(th, p, args[1:], rest)
	})
}

func initRe() {
	match := func(mode string) reFunc {
		return func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack(mode, args, kwargs, "string", &s); err != nil {
				return nil, err
			}
			q := p
			if mode == "fullmatch" {
				fp, err := compileRe(p.src, p.flags|reFull)
				if err != nil {
					return nil, err
				}
				q = fp
			}
			m, err := q.first(s)
			if err != nil {
				return nil, err
			}
			// The leftmost match starts at 0 whenever any match does.
			if m == nil || (mode != "search" && m.loc[0] != 0) {
				return starlark.None, nil
			}
			m.p = p
			return m, nil
		}
	}
	reFuncs = map[string]reFunc{
		"match":     match("match"),
		"search":    match("search"),
		"fullmatch": match("fullmatch"),
		"findall": func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("findall", args, kwargs, "string", &s); err != nil {
				return nil, err
			}
			var out []starlark.Value
			err := p.matches(s, func(m *reMatch) bool {
				switch n := p.groups; n {
				case 0:
					out = append(out, m.text(0, starlark.String("")))
				case 1:
					out = append(out, m.text(1, starlark.String("")))
				default:
					t := make(starlark.Tuple, n)
					for i := range t {
						t[i] = m.text(i+1, starlark.String(""))
					}
					out = append(out, t)
				}
				return len(out) <= maxValueLen
			})
			if err != nil {
				return nil, err
			}
			if len(out) > maxValueLen {
				return nil, limitErr("re.findall result exceeds the limit of %d items", maxValueLen)
			}
			return starlark.NewList(out), nil
		},
		"finditer": func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("finditer", args, kwargs, "string", &s); err != nil {
				return nil, err
			}
			var out []starlark.Value
			err := p.matches(s, func(m *reMatch) bool {
				out = append(out, m)
				return len(out) <= maxValueLen
			})
			if err != nil {
				return nil, err
			}
			if len(out) > maxValueLen {
				return nil, limitErr("re.finditer result exceeds the limit of %d items", maxValueLen)
			}
			return starlark.NewList(out), nil
		},
		"split": func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			maxsplit := 0
			if err := unpack("split", args, kwargs, "string", &s, "maxsplit?", &maxsplit); err != nil {
				return nil, err
			}
			var out []starlark.Value
			last, n := 0, 0
			var r []rune
			err := p.matches(s, func(m *reMatch) bool {
				if maxsplit > 0 && n >= maxsplit {
					return false
				}
				r = m.r
				out = append(out, starlark.String(string(r[last:m.loc[0]])))
				for g := 1; g <= p.groups; g++ {
					out = append(out, m.text(g, starlark.None))
				}
				last = m.loc[1]
				n++
				return len(out) <= maxValueLen
			})
			if err != nil {
				return nil, err
			}
			if r == nil {
				return starlark.NewList([]starlark.Value{starlark.String(s)}), nil
			}
			out = append(out, starlark.String(string(r[last:])))
			if len(out) > maxValueLen {
				return nil, limitErr("re.split result exceeds the limit of %d items", maxValueLen)
			}
			return starlark.NewList(out), nil
		},
		"sub":  reSub(false),
		"subn": reSub(true),
	}
	members := starlark.StringDict{
		"compile": fn("compile", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var pat string
			flags := 0
			if err := unpack("compile", args, kwargs, "pattern", &pat, "flags?", &flags); err != nil {
				return nil, err
			}
			return compileRe(pat, flags)
		}),
		"escape": fn("escape", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("escape", args, kwargs, "pattern", &s); err != nil {
				return nil, err
			}
			return starlark.String(pyEscape(s)), nil
		}),
		"IGNORECASE": starlark.MakeInt(reIgnoreCase), "I": starlark.MakeInt(reIgnoreCase),
		"MULTILINE": starlark.MakeInt(reMultiline), "M": starlark.MakeInt(reMultiline),
		"DOTALL": starlark.MakeInt(reDotAll), "S": starlark.MakeInt(reDotAll),
		"VERBOSE": starlark.MakeInt(reVerbose), "X": starlark.MakeInt(reVerbose),
		"error": excValueError,
	}
	for name, f := range reFuncs {
		members[name] = reModuleFn(name, f)
	}
	register(&module{name: "re", members: members})
}

// pyEscape escapes what Python 3.7 and later's re.escape escapes: the
// characters with a meaning in a pattern, and white space (for VERBOSE).
func pyEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`()[]{}?*+-|^$\.&~# `+"\t\n\r\v\f", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func reSub(withCount bool) reFunc {
	name := "sub"
	if withCount {
		name = "subn"
	}
	return func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var repl starlark.Value
		var s string
		count := 0
		if err := unpack(name, args, kwargs, "repl", &repl, "string", &s, "count?", &count); err != nil {
			return nil, err
		}
		var b strings.Builder
		last, n := 0, 0
		var r []rune
		var callErr error
		err := p.matches(s, func(m *reMatch) bool {
			if count > 0 && n >= count {
				return false
			}
			r = m.r
			b.WriteString(string(r[last:m.loc[0]]))
			switch rp := repl.(type) {
			case starlark.String:
				if callErr = expandRepl(&b, string(rp), m); callErr != nil {
					return false
				}
			default:
				v, err := starlark.Call(th, repl, starlark.Tuple{m}, nil)
				if err != nil {
					callErr = err
					return false
				}
				vs, ok := v.(starlark.String)
				if !ok {
					callErr = pyErr(excTypeError, "expected str instance, %s found", typeOf(v).name)
					return false
				}
				b.WriteString(string(vs))
			}
			last = m.loc[1]
			n++
			if b.Len() > maxValueLen {
				callErr = limitErr("re.%s result exceeds the size limit", name)
				return false
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		if callErr != nil {
			return nil, callErr
		}
		out := s
		if r != nil {
			b.WriteString(string(r[last:]))
			out = b.String()
		}
		if withCount {
			return starlark.Tuple{starlark.String(out), starlark.MakeInt(n)}, nil
		}
		return starlark.String(out), nil
	}
}

// expandRepl expands \1, \g<1>, \g<name> and escapes in a replacement.
func expandRepl(b *strings.Builder, repl string, m *reMatch) error {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '\\' || i+1 >= len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		switch d := repl[i]; {
		case d >= '0' && d <= '9':
			g := int(d - '0')
			if i+1 < len(repl) && isDigit(repl[i+1]) {
				g = g*10 + int(repl[i+1]-'0')
				i++
			}
			if g > m.p.groups {
				return pyErr(excValueError, "re.error: invalid group reference %d", g)
			}
			if v, ok := m.text(g, starlark.String("")).(starlark.String); ok {
				b.WriteString(string(v))
			}
		case d == 'g':
			end := strings.IndexByte(repl[i:], '>')
			if i+1 >= len(repl) || repl[i+1] != '<' || end < 0 {
				return pyErr(excValueError, "re.error: missing group name")
			}
			ref := repl[i+2 : i+end]
			var gv starlark.Value = starlark.String(ref)
			if isAllDigits(ref) {
				n, _ := starlark.AsInt32(mustInt(ref))
				gv = starlark.MakeInt(n)
			}
			g, err := m.group(gv)
			if err != nil {
				return pyErr(excValueError, "re.error: unknown group name '%s'", ref)
			}
			if v, ok := m.text(g, starlark.String("")).(starlark.String); ok {
				b.WriteString(string(v))
			}
			i += end
		case d == 'n':
			b.WriteByte('\n')
		case d == 't':
			b.WriteByte('\t')
		case d == '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(d)
		}
	}
	return nil
}

func mustInt(s string) starlark.Value {
	v, _ := parseIntStr(s, 10)
	return v
}
