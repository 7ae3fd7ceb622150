package script

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// Methods of the built-in types that Starlark lacks or implements with
// byte offsets instead of characters. The translator routes these
// attribute names through __w_getattr.

func hGetattr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return getAttrPatched(args[0], string(args[1].(starlark.String)))
}

// getAttr is x.name on the value's own attributes.
func getAttr(x starlark.Value, name string) (starlark.Value, error) {
	if ha, ok := x.(starlark.HasAttrs); ok {
		v, err := ha.Attr(name)
		if err != nil {
			if _, ok := err.(starlark.NoSuchAttrError); !ok {
				return nil, err
			}
		} else if v != nil {
			return v, nil
		}
	}
	if m, ok := x.(*module); ok {
		return nil, pyErr(excAttributeError, "module '%s' has no attribute '%s'", m.name, name)
	}
	if t, ok := x.(*pyType); ok {
		return nil, pyErr(excAttributeError, "type object '%s' has no attribute '%s'", t.name, name)
	}
	return nil, pyErr(excAttributeError, "'%s' object has no attribute '%s'", typeOf(x).name, name)
}

func getAttrPatched(x starlark.Value, name string) (starlark.Value, error) {
	var table map[string]builtinFn
	switch x.(type) {
	case starlark.String:
		table = strMethods
	case *starlark.List:
		table = listMethods
	case *starlark.Dict:
		table = dictMethods
	case *starlark.Set:
		table = setMethods
	case starlark.Bytes:
		table = bytesMethods
	}
	if fn, ok := table[name]; ok {
		return starlark.NewBuiltin(name, metered(fn)).BindReceiver(x), nil
	}
	m, err := getAttr(x, name)
	if err != nil {
		return nil, err
	}
	if nb, ok := m.(*starlark.Builtin); ok && buildsValues(x, name) {
		// Starlark's own methods that build strings or lists (replace,
		// split, upper, items ...) are charged like the patched ones.
		return starlark.NewBuiltin(name, metered(func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			v, err := nb.CallInternal(th, args, kwargs)
			if l, ok := v.(*starlark.List); ok && name == "items" {
				// Each item is a new (key, value) pair as well.
				if err := charge(th, 48*uint64(l.Len())); err != nil {
					return nil, err
				}
			}
			return v, err
		})).BindReceiver(x), nil
	}
	return m, nil
}

// buildsValues reports whether Starlark's method name on x returns a new
// string, list or bytes value (rather than an item, a count or None).
func buildsValues(x starlark.Value, name string) bool {
	switch x.(type) {
	case starlark.String, starlark.Bytes:
		switch name {
		case "find", "rfind", "index", "rindex", "count", "startswith", "endswith",
			"isalnum", "isalpha", "isdigit", "islower", "isspace", "istitle", "isupper":
			return false
		}
		return true
	case *starlark.Dict:
		return name == "items" || name == "keys" || name == "values"
	}
	return false
}

var strMethods, listMethods, dictMethods, setMethods, bytesMethods map[string]builtinFn

func initMethods() {
	strMethods = map[string]builtinFn{
		"format": func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			s, err := strFormat(th, string(b.Receiver().(starlark.String)), args, kwargs)
			return starlark.String(s), err
		},
		"zfill":  sZfill,
		"center": sJustify('^'), "ljust": sJustify('<'), "rjust": sJustify('>'),
		"casefold": sMap(func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "ß", "ss") }), "swapcase": sMap(swapCase),
		"expandtabs": sExpandtabs,
		"isdecimal":  sTest(unicode.IsDigit, false), "isnumeric": sTest(func(r rune) bool { return unicode.IsDigit(r) || unicode.IsNumber(r) }, false),
		"isascii":      sTest(func(r rune) bool { return r < utf8.RuneSelf }, true),
		"isprintable":  sTest(unicode.IsPrint, true),
		"isidentifier": sIsidentifier,
		"find":         sFind("find", false, false), "rfind": sFind("rfind", true, false),
		"index": sFind("index", false, true), "rindex": sFind("rindex", true, true),
		"count":  sCount,
		"encode": sEncode,
		"join":   sJoin,
	}
	listMethods = map[string]builtinFn{
		"sort": lSort, "copy": lCopy, "count": lCount, "reverse": lReverse,
		"index": lIndex, "extend": lExtend,
	}
	dictMethods = map[string]builtinFn{"copy": dCopy, "fromkeys": bFromkeys}
	setMethods = map[string]builtinFn{"copy": setCopy}
	bytesMethods = map[string]builtinFn{"decode": bDecode}
}

func recvStr(b *starlark.Builtin) string { return string(b.Receiver().(starlark.String)) }

func sZfill(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var width int
	if err := unpack("zfill", args, kwargs, "width", &width); err != nil {
		return nil, err
	}
	s := recvStr(b)
	n := utf8.RuneCountInString(s)
	if width > maxValueLen {
		return nil, limitErr("zfill width too large")
	}
	if width <= n {
		return starlark.String(s), nil
	}
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	return starlark.String(sign + strings.Repeat("0", width-n) + s), nil
}

func sJustify(align byte) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var width int
		fill := " "
		if err := unpack(b.Name(), args, kwargs, "width", &width, "fillchar?", &fill); err != nil {
			return nil, err
		}
		if utf8.RuneCountInString(fill) != 1 {
			return nil, pyErr(excTypeError, "The fill character must be exactly one character long")
		}
		if width > maxValueLen {
			return nil, limitErr("%s width too large", b.Name())
		}
		r, _ := utf8.DecodeRuneInString(fill)
		s := recvStr(b)
		if align == '^' {
			// Python centres with the extra fill on the right when the
			// string length is even, on the left when odd.
			n := utf8.RuneCountInString(s)
			gap := width - n
			if gap <= 0 {
				return starlark.String(s), nil
			}
			left := gap / 2
			if gap%2 == 1 && width%2 == 1 {
				left++
			}
			return starlark.String(strings.Repeat(fill, left) + s + strings.Repeat(fill, gap-left)), nil
		}
		return starlark.String(pad(s, fmtSpec{fill: r, align: align, width: width}, align)), nil
	}
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

func sMap(f func(string) string) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := unpack(b.Name(), args, kwargs); err != nil {
			return nil, err
		}
		return starlark.String(f(recvStr(b))), nil
	}
}

func sTest(f func(rune) bool, emptyOK bool) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := unpack(b.Name(), args, kwargs); err != nil {
			return nil, err
		}
		s := recvStr(b)
		if s == "" {
			return starlark.Bool(emptyOK), nil
		}
		for _, r := range s {
			if !f(r) {
				return starlark.False, nil
			}
		}
		return starlark.True, nil
	}
}

func sIsidentifier(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	s := recvStr(b)
	if s == "" {
		return starlark.False, nil
	}
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return starlark.False, nil
		}
	}
	return starlark.True, nil
}

func sExpandtabs(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	size := 8
	if err := unpack("expandtabs", args, kwargs, "tabsize?", &size); err != nil {
		return nil, err
	}
	var sb strings.Builder
	col := 0
	for _, r := range recvStr(b) {
		switch r {
		case '\t':
			if size > 0 {
				n := size - col%size
				sb.WriteString(strings.Repeat(" ", n))
				col += n
			}
		case '\n', '\r':
			sb.WriteRune(r)
			col = 0
		default:
			sb.WriteRune(r)
			col++
		}
	}
	return starlark.String(sb.String()), nil
}

// runeSpan resolves optional start/end character offsets.
func runeSpan(rs []rune, start, end starlark.Value) (int, int, error) {
	lo, hi, _, err := sliceIndices(len(rs), start, end, starlark.None)
	if err != nil {
		return 0, 0, err
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi, nil
}

func sFind(name string, last, mustFind bool) builtinFn {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var sub string
		var start, end starlark.Value = starlark.None, starlark.None
		if err := unpack(name, args, kwargs, "sub", &sub, "start?", &start, "end?", &end); err != nil {
			return nil, err
		}
		rs := []rune(recvStr(b))
		lo, hi, err := runeSpan(rs, start, end)
		if err != nil {
			return nil, err
		}
		hay := string(rs[lo:hi])
		var i int
		if last {
			i = strings.LastIndex(hay, sub)
		} else {
			i = strings.Index(hay, sub)
		}
		if i < 0 || lo > len(rs) {
			if mustFind {
				return nil, pyErr(excValueError, "substring not found")
			}
			return starlark.MakeInt(-1), nil
		}
		return starlark.MakeInt(lo + utf8.RuneCountInString(hay[:i])), nil
	}
}

func sCount(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var sub string
	var start, end starlark.Value = starlark.None, starlark.None
	if err := unpack("count", args, kwargs, "sub", &sub, "start?", &start, "end?", &end); err != nil {
		return nil, err
	}
	rs := []rune(recvStr(b))
	lo, hi, err := runeSpan(rs, start, end)
	if err != nil {
		return nil, err
	}
	hay := string(rs[lo:hi])
	if sub == "" {
		return starlark.MakeInt(utf8.RuneCountInString(hay) + 1), nil
	}
	return starlark.MakeInt(strings.Count(hay, sub)), nil
}

func sEncode(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	enc, errs := "utf-8", "strict"
	if err := unpack("encode", args, kwargs, "encoding?", &enc, "errors?", &errs); err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
	case "utf-8", "utf8":
		return starlark.Bytes(recvStr(b)), nil
	}
	return nil, pyErr(excValueError, "unknown encoding: %s (scripts support utf-8)", enc)
}

func bDecode(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	enc, errs := "utf-8", "strict"
	if err := unpack("decode", args, kwargs, "encoding?", &enc, "errors?", &errs); err != nil {
		return nil, err
	}
	return starlark.String(string(b.Receiver().(starlark.Bytes))), nil
}

func recvList(b *starlark.Builtin) *starlark.List { return b.Receiver().(*starlark.List) }

func setList(l *starlark.List, elems []starlark.Value) error {
	if err := l.Clear(); err != nil {
		return pyErr(excRuntimeError, "%s", err.Error())
	}
	for _, e := range elems {
		l.Append(e)
	}
	return nil
}

func lSort(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key starlark.Value
	reverse := false
	if err := unpack("sort", args, kwargs, "key?", &key, "reverse?", &reverse); err != nil {
		return nil, err
	}
	l := recvList(b)
	elems, _ := iterValues(l)
	sorted, err := sortValues(th, elems, key, reverse)
	if err != nil {
		return nil, err
	}
	return starlark.None, setList(l, sorted)
}

func lCopy(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	elems, _ := iterValues(recvList(b))
	return starlark.NewList(append([]starlark.Value(nil), elems...)), nil
}

func lCount(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := unpack("count", args, kwargs, "value", &x); err != nil {
		return nil, err
	}
	elems, _ := iterValues(recvList(b))
	n := 0
	for _, e := range elems {
		if eq, err := pyEqual(e, x); err != nil {
			return nil, err
		} else if eq {
			n++
		}
	}
	return starlark.MakeInt(n), nil
}

// pyEqual is Python's ==, where True == 1.
func pyEqual(x, y starlark.Value) (bool, error) {
	return starlark.Equal(boolToInt(x), boolToInt(y))
}

func lIndex(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	var start, end starlark.Value = starlark.None, starlark.None
	if err := unpack("index", args, kwargs, "value", &x, "start?", &start, "stop?", &end); err != nil {
		return nil, err
	}
	elems, _ := iterValues(recvList(b))
	lo, hi, _, err := sliceIndices(len(elems), start, end, starlark.None)
	if err != nil {
		return nil, err
	}
	for i := lo; i < hi; i++ {
		if eq, err := pyEqual(elems[i], x); err != nil {
			return nil, err
		} else if eq {
			return starlark.MakeInt(i), nil
		}
	}
	return nil, pyErr(excValueError, "%s is not in list", pyRepr(x))
}

func lReverse(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	l := recvList(b)
	elems, _ := iterValues(l)
	for i, j := 0, len(elems)-1; i < j; i, j = i+1, j-1 {
		elems[i], elems[j] = elems[j], elems[i]
	}
	return starlark.None, setList(l, elems)
}

func dCopy(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	src := b.Receiver().(*starlark.Dict)
	d := starlark.NewDict(src.Len())
	for k, v := range src.Entries() {
		if err := d.SetKey(k, v); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func setCopy(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	src := b.Receiver().(*starlark.Set)
	s := starlark.NewSet(src.Len())
	for e := range src.Elements() {
		if err := s.Insert(e); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func sJoin(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var it starlark.Value
	if err := unpack("join", args, kwargs, "iterable", &it); err != nil {
		return nil, err
	}
	elems, err := iterValues(it)
	if err != nil {
		return nil, pyErr(excTypeError, "can only join an iterable")
	}
	sep := recvStr(b)
	var sb strings.Builder
	for i, e := range elems {
		s, ok := e.(starlark.String)
		if !ok {
			return nil, pyErr(excTypeError, "sequence item %d: expected str instance, %s found", i, typeOf(e).name)
		}
		if i > 0 {
			sb.WriteString(sep)
		}
		sb.WriteString(string(s))
		if sb.Len() > maxValueLen {
			return nil, limitErr("joined string exceeds the size limit")
		}
	}
	return starlark.String(sb.String()), nil
}

func lExtend(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var it starlark.Value
	if err := unpack("extend", args, kwargs, "iterable", &it); err != nil {
		return nil, err
	}
	elems, err := iterValues(it)
	if err != nil {
		return nil, err
	}
	l := recvList(b)
	if l.Len()+len(elems) > maxValueLen {
		return nil, limitErr("list exceeds the limit of %d items", maxValueLen)
	}
	for _, e := range elems {
		if err := l.Append(e); err != nil {
			return nil, pyErr(excRuntimeError, "%s", err.Error())
		}
	}
	return starlark.None, nil
}
