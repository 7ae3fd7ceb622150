package script

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// The re module over Go's RE2 engine: the common API (match, search,
// fullmatch, findall, sub, split, compile and match objects). Python-only
// syntax that RE2 lacks (backreferences, lookaround) fails with re.error
// (a ValueError) naming the problem.

const (
	reIgnoreCase = 2
	reMultiline  = 8
	reDotAll     = 16
	reVerbose    = 64
)

type rePattern struct {
	src   string
	flags int
	re    *regexp.Regexp
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
	key := string(rune(flags)) + src
	if p, ok := reCache.Load(key); ok {
		return p.(*rePattern), nil
	}
	goSrc := src
	if flags&reVerbose != 0 {
		goSrc = stripVerbose(goSrc)
	}
	prefix := ""
	if flags&reIgnoreCase != 0 {
		prefix += "i"
	}
	if flags&reMultiline != 0 {
		prefix += "m"
	}
	if flags&reDotAll != 0 {
		prefix += "s"
	}
	if prefix != "" {
		goSrc = "(?" + prefix + ")" + goSrc
	}
	// Python's \Z is Go's \z.
	goSrc = strings.ReplaceAll(goSrc, `\Z`, `\z`)
	re, err := regexp.Compile(goSrc)
	if err != nil {
		return nil, pyErr(excValueError, "re.error: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	p := &rePattern{src: src, flags: flags, re: re}
	if reCacheSize.Load() < reCacheMax {
		if _, loaded := reCache.LoadOrStore(key, p); !loaded {
			reCacheSize.Add(1)
		}
	}
	return p, nil
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
		return starlark.MakeInt(p.re.NumSubexp()), nil
	}
	if f, ok := reFuncs[name]; ok {
		return fn(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return f(th, p, args, kwargs)
		}), nil
	}
	return nil, nil
}

func (p *rePattern) AttrNames() []string {
	return []string{"findall", "fullmatch", "groups", "match", "pattern", "search", "split", "sub"}
}

type reFunc func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var reFuncs map[string]reFunc

// charOffset converts a byte offset in s to a character offset.
func charOffset(s string, b int) int {
	if b < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:b])
}

type reMatch struct {
	p   *rePattern
	s   string
	loc []int
}

func (m *reMatch) String() string {
	return "<re.Match object; span=(" + itoa(charOffset(m.s, m.loc[0])) + ", " + itoa(charOffset(m.s, m.loc[1])) + "), match=" + strRepr(m.s[m.loc[0]:m.loc[1]]) + ">"
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
		if n < 0 || int(n) > m.p.re.NumSubexp() {
			return 0, pyErr(excIndexError, "no such group")
		}
		return int(n), nil
	case starlark.String:
		if i := m.p.re.SubexpIndex(string(v)); i >= 0 {
			return i, nil
		}
	}
	return 0, pyErr(excIndexError, "no such group")
}

func (m *reMatch) text(i int, def starlark.Value) starlark.Value {
	if m.loc[2*i] < 0 {
		return def
	}
	return starlark.String(m.s[m.loc[2*i]:m.loc[2*i+1]])
}

func (m *reMatch) Attr(name string) (starlark.Value, error) {
	switch name {
	case "string":
		return starlark.String(m.s), nil
	case "re":
		return m.p, nil
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
			out := make(starlark.Tuple, m.p.re.NumSubexp())
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
			d := starlark.NewDict(0)
			for i, n := range m.p.re.SubexpNames() {
				if n != "" {
					_ = d.SetKey(starlark.String(n), m.text(i, def))
				}
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
			s, e := charOffset(m.s, m.loc[2*i]), -1
			if m.loc[2*i] >= 0 {
				e = charOffset(m.s, m.loc[2*i+1])
			}
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
	return []string{"end", "group", "groupdict", "groups", "re", "span", "start", "string"}
}

// patternArgs resolves (pattern, string, flags) for module-level calls.
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
			re := p.re
			if mode == "fullmatch" {
				fp, err := compileRe(`(?:`+p.src+`)\z`, p.flags)
				if err != nil {
					return nil, err
				}
				re = fp.re
			}
			loc := re.FindStringSubmatchIndex(s)
			if loc == nil || (mode != "search" && loc[0] != 0) {
				return starlark.None, nil
			}
			return &reMatch{p: p, s: s, loc: loc}, nil
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
			for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
				m := &reMatch{p: p, s: s, loc: loc}
				switch n := p.re.NumSubexp(); n {
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
			}
			return starlark.NewList(out), nil
		},
		"finditer": func(th *starlark.Thread, p *rePattern, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := unpack("finditer", args, kwargs, "string", &s); err != nil {
				return nil, err
			}
			var out []starlark.Value
			for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
				out = append(out, &reMatch{p: p, s: s, loc: loc})
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
			last := 0
			for i, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
				if maxsplit > 0 && i >= maxsplit {
					break
				}
				out = append(out, starlark.String(s[last:loc[0]]))
				m := &reMatch{p: p, s: s, loc: loc}
				for g := 1; g <= p.re.NumSubexp(); g++ {
					out = append(out, m.text(g, starlark.None))
				}
				last = loc[1]
			}
			out = append(out, starlark.String(s[last:]))
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
			return starlark.String(regexp.QuoteMeta(s)), nil
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
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			if count > 0 && n >= count {
				break
			}
			b.WriteString(s[last:loc[0]])
			m := &reMatch{p: p, s: s, loc: loc}
			switch r := repl.(type) {
			case starlark.String:
				if err := expandRepl(&b, string(r), m); err != nil {
					return nil, err
				}
			default:
				v, err := starlark.Call(th, repl, starlark.Tuple{m}, nil)
				if err != nil {
					return nil, err
				}
				vs, ok := v.(starlark.String)
				if !ok {
					return nil, pyErr(excTypeError, "expected str instance, %s found", typeOf(v).name)
				}
				b.WriteString(string(vs))
			}
			last = loc[1]
			n++
			if b.Len() > maxValueLen {
				return nil, limitErr("re.%s result exceeds the size limit", name)
			}
		}
		b.WriteString(s[last:])
		if withCount {
			return starlark.Tuple{starlark.String(b.String()), starlark.MakeInt(n)}, nil
		}
		return starlark.String(b.String()), nil
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
			if g > m.p.re.NumSubexp() {
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
