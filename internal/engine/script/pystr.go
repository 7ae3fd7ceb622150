package script

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// Python's str(), repr() and the three formatting mini-languages
// (format specs, %-formatting and str.format), which Starlark either lacks
// or spells differently (Starlark quotes strings with double quotes).

// pyStrer and pyReprer are implemented by the package's value types.
type pyStrer interface{ pyStr() string }
type pyReprer interface{ pyRepr() string }

// pyStr is Python's str(v).
func pyStr(v starlark.Value) string {
	switch v := v.(type) {
	case starlark.String:
		return string(v)
	case *pyExc:
		return v.str()
	case pyStrer:
		return v.pyStr()
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(v).
func pyRepr(v starlark.Value) string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

func writeRepr(b *strings.Builder, v starlark.Value, depth int) {
	if depth > 100 || b.Len() > maxValueLen {
		b.WriteString("...")
		return
	}
	switch v := v.(type) {
	case starlark.NoneType:
		b.WriteString("None")
	case starlark.Bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case starlark.Int:
		b.WriteString(v.String())
	case starlark.Float:
		b.WriteString(floatRepr(float64(v)))
	case starlark.String:
		b.WriteString(strRepr(string(v)))
	case starlark.Bytes:
		b.WriteString("b" + strRepr(string(v)))
	case *starlark.List:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, v.Index(i), depth+1)
		}
		b.WriteByte(']')
	case starlark.Tuple:
		b.WriteByte('(')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e, depth+1)
		}
		if len(v) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *starlark.Dict:
		b.WriteByte('{')
		i := 0
		for k, e := range v.Entries() {
			if i > 0 {
				b.WriteString(", ")
			}
			i++
			writeRepr(b, k, depth+1)
			b.WriteString(": ")
			writeRepr(b, e, depth+1)
		}
		b.WriteByte('}')
	case *starlark.Set:
		if v.Len() == 0 {
			b.WriteString("set()")
			return
		}
		b.WriteByte('{')
		i := 0
		for e := range v.Elements() {
			if i > 0 {
				b.WriteString(", ")
			}
			i++
			writeRepr(b, e, depth+1)
		}
		b.WriteByte('}')
	case *starlark.Function:
		b.WriteString("<function " + v.Name() + ">")
	case *starlark.Builtin:
		b.WriteString("<built-in function " + v.Name() + ">")
	case *pyExc:
		b.WriteString(v.repr())
	case pyReprer:
		b.WriteString(v.pyRepr())
	default:
		b.WriteString(v.String())
	}
}

// strRepr quotes s as Python's repr does.
func strRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r > 0x7f && !unicode.IsPrint(r):
			if r <= 0xff {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else if r <= 0xffff {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// floatRepr is Python's repr(float): the shortest round-tripping digits,
// positional for 1e-4 <= |f| < 1e16, scientific otherwise.
func floatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	if exp < -4 || exp >= 16 {
		return fmt.Sprintf("%se%+03d", mant, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// ---- format specs ----

type fmtSpec struct {
	fill     rune
	align    byte // '<', '>', '^', '=' or 0
	sign     byte // '+', '-', ' ' or 0
	alt      bool
	zero     bool
	width    int
	grouping byte // ',', '_' or 0
	prec     int  // -1 if absent
	typ      byte
}

func parseSpec(spec string) (fmtSpec, error) {
	s := fmtSpec{fill: ' ', prec: -1}
	rs := []rune(spec)
	i := 0
	isAlign := func(r rune) bool { return r == '<' || r == '>' || r == '^' || r == '=' }
	if len(rs) >= 2 && isAlign(rs[1]) {
		s.fill, s.align = rs[0], byte(rs[1])
		i = 2
	} else if len(rs) >= 1 && isAlign(rs[0]) {
		s.align = byte(rs[0])
		i = 1
	}
	if i < len(rs) && (rs[i] == '+' || rs[i] == '-' || rs[i] == ' ') {
		s.sign = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == 'z' {
		i++
	}
	if i < len(rs) && rs[i] == '#' {
		s.alt = true
		i++
	}
	if i < len(rs) && rs[i] == '0' {
		s.zero = true
		i++
	}
	start := i
	for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
		i++
	}
	if i > start {
		w, _ := strconv.Atoi(string(rs[start:i]))
		s.width = w
	}
	if i < len(rs) && (rs[i] == ',' || rs[i] == '_') {
		s.grouping = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == '.' {
		i++
		start = i
		for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
			i++
		}
		if i == start {
			return s, pyErr(excValueError, "Format specifier missing precision")
		}
		s.prec, _ = strconv.Atoi(string(rs[start:i]))
	}
	if i < len(rs) {
		s.typ = byte(rs[i])
		i++
	}
	if i != len(rs) {
		return s, pyErr(excValueError, "Invalid format specifier '%s'", spec)
	}
	if s.width > maxValueLen || s.prec > 10000 {
		return s, limitErr("format width or precision too large")
	}
	return s, nil
}

// pyFormatter is implemented by values with their own __format__
// (datetime: strftime directives; Decimal: exact digits).
type pyFormatter interface {
	pyFormat(spec string) (string, error)
}

// formatValue is Python's format(v, spec).
func formatValue(v starlark.Value, spec string) (string, error) {
	if f, ok := v.(pyFormatter); ok {
		return f.pyFormat(spec)
	}
	if spec == "" {
		return pyStr(v), nil
	}
	s, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case starlark.Bool:
		// A non-empty spec formats a bool as the int it is.
		if s.typ == 's' {
			return "", pyErr(excValueError, "Unknown format code 's' for object of type 'bool'")
		}
		if v {
			return formatInt(big.NewInt(1), s)
		}
		return formatInt(big.NewInt(0), s)
	case starlark.Int:
		switch s.typ {
		case 'e', 'E', 'f', 'F', 'g', 'G', '%':
			f, _ := starlark.AsFloat(v)
			return formatFloat(f, s)
		}
		return formatInt(v.BigInt(), s)
	case starlark.Float:
		return formatFloat(float64(v), s)
	case starlark.String:
		if s.typ != 0 && s.typ != 's' {
			return "", pyErr(excValueError, "Unknown format code '%c' for object of type 'str'", s.typ)
		}
		str := string(v)
		if s.prec >= 0 {
			if rs := []rune(str); len(rs) > s.prec {
				str = string(rs[:s.prec])
			}
		}
		return pad(str, s, '<'), nil
	}
	if s.typ != 0 && s.typ != 's' {
		return "", pyErr(excTypeError, "unsupported format string passed to %s.__format__", typeOf(v).name)
	}
	return pad(pyStr(v), s, '<'), nil
}

// pad applies width, fill and alignment.
func pad(s string, spec fmtSpec, defAlign byte) string {
	n := utf8.RuneCountInString(s)
	if spec.width <= n {
		return s
	}
	align := spec.align
	if align == 0 {
		align = defAlign
	}
	fill := string(spec.fill)
	gap := spec.width - n
	switch align {
	case '<':
		return s + strings.Repeat(fill, gap)
	case '^':
		left := gap / 2
		return strings.Repeat(fill, left) + s + strings.Repeat(fill, gap-left)
	case '=':
		sign := ""
		if s != "" && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
			sign, s = s[:1], s[1:]
		}
		prefix := ""
		if len(s) >= 2 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
			prefix, s = s[:2], s[2:]
		}
		return sign + prefix + strings.Repeat(fill, gap) + s
	}
	return strings.Repeat(fill, gap) + s
}

func numSpec(s fmtSpec) fmtSpec {
	if s.zero && s.align == 0 {
		s.fill, s.align = '0', '='
	}
	return s
}

func group(digits string, sep byte, every int) string {
	if sep == 0 || len(digits) <= every {
		return digits
	}
	var b strings.Builder
	first := len(digits) % every
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += every {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+every])
	}
	return b.String()
}

func signOf(neg bool, spec fmtSpec) string {
	switch {
	case neg:
		return "-"
	case spec.sign == '+':
		return "+"
	case spec.sign == ' ':
		return " "
	}
	return ""
}

func formatInt(n *big.Int, spec fmtSpec) (string, error) {
	spec = numSpec(spec)
	neg := n.Sign() < 0
	abs := new(big.Int).Abs(n)
	var digits, prefix string
	every := 3
	switch spec.typ {
	case 0, 'd', 'n':
		digits = abs.String()
	case 'b':
		digits, prefix, every = abs.Text(2), "0b", 4
	case 'o':
		digits, prefix, every = abs.Text(8), "0o", 4
	case 'x':
		digits, prefix, every = abs.Text(16), "0x", 4
	case 'X':
		digits, prefix, every = strings.ToUpper(abs.Text(16)), "0X", 4
	case 'c':
		return pad(string(rune(n.Int64())), spec, '<'), nil
	case 's':
		return "", pyErr(excValueError, "Unknown format code 's' for object of type 'int'")
	default:
		return "", pyErr(excValueError, "Unknown format code '%c' for object of type 'int'", spec.typ)
	}
	digits = group(digits, spec.grouping, every)
	if !spec.alt {
		prefix = ""
	}
	return pad(signOf(neg, spec)+prefix+digits, spec, '>'), nil
}

func formatFloat(f float64, spec fmtSpec) (string, error) {
	spec = numSpec(spec)
	neg := math.Signbit(f) && !math.IsNaN(f)
	a := math.Abs(f)
	prec := spec.prec
	var body string
	switch spec.typ {
	case 'f', 'F', '%':
		if prec < 0 {
			prec = 6
		}
		if spec.typ == '%' {
			a *= 100
		}
		body = strconv.FormatFloat(a, 'f', prec, 64)
		if spec.typ == '%' {
			body += "%"
		}
	case 'e', 'E':
		if prec < 0 {
			prec = 6
		}
		body = strconv.FormatFloat(a, 'e', prec, 64)
	case 'g', 'G', 'n':
		if prec < 0 {
			prec = 6
		}
		if prec == 0 {
			prec = 1
		}
		body = pyGeneral(a, prec, spec.alt)
	case 0:
		if prec < 0 {
			body = floatRepr(a)
		} else {
			if prec == 0 {
				prec = 1
			}
			body = pyGeneral(a, prec, spec.alt)
			if !strings.ContainsAny(body, ".en") {
				body += ".0"
			}
		}
	default:
		return "", pyErr(excValueError, "Unknown format code '%c' for object of type 'float'", spec.typ)
	}
	if math.IsInf(a, 0) {
		body = "inf"
	} else if math.IsNaN(a) {
		body = "nan"
	}
	if spec.typ == 'E' || spec.typ == 'G' || spec.typ == 'F' {
		body = strings.ToUpper(body)
	}
	if spec.grouping != 0 {
		intPart, rest := body, ""
		if i := strings.IndexAny(body, ".e%"); i >= 0 {
			intPart, rest = body[:i], body[i:]
		}
		body = group(intPart, spec.grouping, 3) + rest
	}
	return pad(signOf(neg, spec)+body, spec, '>'), nil
}

// pyGeneral is Python's 'g' presentation with precision p.
func pyGeneral(a float64, p int, alt bool) string {
	if a == 0 {
		return "0"
	}
	e := strconv.FormatFloat(a, 'e', p-1, 64)
	_, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	var s string
	if exp >= -4 && exp < p {
		s = strconv.FormatFloat(a, 'f', p-1-exp, 64)
		if !alt && strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	mant, _, _ := strings.Cut(e, "e")
	if !alt && strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	return fmt.Sprintf("%se%+03d", mant, exp)
}

// ---- %-formatting ----

// percentFormat is Python's format % args.
func percentFormat(format string, args starlark.Value) (string, error) {
	var items starlark.Tuple
	var mapping starlark.Mapping
	switch a := args.(type) {
	case starlark.Tuple:
		items = a
	case *starlark.Dict:
		mapping = a
		items = starlark.Tuple{a}
	default:
		items = starlark.Tuple{a}
	}
	next := 0
	nextArg := func() (starlark.Value, error) {
		if next >= len(items) {
			return nil, pyErr(excTypeError, "not enough arguments for format string")
		}
		v := items[next]
		next++
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", pyErr(excValueError, "incomplete format")
		}
		var v starlark.Value
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 || mapping == nil {
				return "", pyErr(excTypeError, "format requires a mapping")
			}
			key := format[i+1 : i+end]
			x, found, err := mapping.Get(starlark.String(key))
			if err != nil {
				return "", err
			}
			if !found {
				return "", &raised{exc: newExc(excKeyError, starlark.String(key))}
			}
			v = x
			i += end + 1
		}
		spec := fmtSpec{fill: ' ', prec: -1}
		for ; i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0; i++ {
			switch format[i] {
			case '-':
				spec.align = '<'
			case '+':
				spec.sign = '+'
			case ' ':
				if spec.sign == 0 {
					spec.sign = ' '
				}
			case '#':
				spec.alt = true
			case '0':
				spec.zero = true
			}
		}
		if i < len(format) && format[i] == '*' {
			w, err := nextArg()
			if err != nil {
				return "", err
			}
			n, _ := starlark.AsInt32(w)
			spec.width = n
			i++
		} else {
			for ; i < len(format) && isDigit(format[i]); i++ {
				spec.width = spec.width*10 + int(format[i]-'0')
			}
		}
		if i < len(format) && format[i] == '.' {
			i++
			spec.prec = 0
			if i < len(format) && format[i] == '*' {
				p, err := nextArg()
				if err != nil {
					return "", err
				}
				n, _ := starlark.AsInt32(p)
				spec.prec = n
				i++
			} else {
				for ; i < len(format) && isDigit(format[i]); i++ {
					spec.prec = spec.prec*10 + int(format[i]-'0')
				}
			}
		}
		for i < len(format) && (format[i] == 'l' || format[i] == 'h' || format[i] == 'L') {
			i++
		}
		if i >= len(format) {
			return "", pyErr(excValueError, "incomplete format")
		}
		if spec.width > maxValueLen {
			return "", limitErr("format width too large")
		}
		conv := format[i]
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		if v == nil {
			x, err := nextArg()
			if err != nil {
				return "", err
			}
			v = x
		}
		if spec.zero && spec.align != '<' {
			spec.fill, spec.align = '0', '='
		}
		var s string
		var err error
		switch conv {
		case 's':
			s = pyStr(v)
		case 'r', 'a':
			s = pyRepr(v)
		case 'd', 'i', 'u':
			// The common "%d" of a small int, without big.Int.
			if i, ok := v.(starlark.Int); ok && spec == (fmtSpec{fill: ' ', prec: -1}) {
				if i64, ok := i.Int64(); ok {
					s = strconv.FormatInt(i64, 10)
					break
				}
			}
			n, e := toBigInt(v, conv)
			if e != nil {
				return "", e
			}
			spec.typ = 'd'
			s, err = formatInt(n, spec)
		case 'o', 'x', 'X':
			n, e := toBigInt(v, conv)
			if e != nil {
				return "", e
			}
			spec.typ = conv
			s, err = formatInt(n, spec)
		case 'e', 'E', 'f', 'F', 'g', 'G':
			f, ok := numberAsFloat(v)
			if !ok {
				return "", pyErr(excTypeError, "must be real number, not %s", typeOf(v).name)
			}
			spec.typ = conv
			s, err = formatFloat(f, spec)
		case 'c':
			if str, ok := v.(starlark.String); ok {
				s = string(str)
			} else {
				n, e := toBigInt(v, conv)
				if e != nil {
					return "", e
				}
				s = string(rune(n.Int64()))
			}
		default:
			return "", pyErr(excValueError, "unsupported format character '%c' (0x%x)", conv, conv)
		}
		if err != nil {
			return "", err
		}
		if conv == 's' || conv == 'r' || conv == 'a' || conv == 'c' {
			if spec.prec >= 0 {
				if rs := []rune(s); len(rs) > spec.prec {
					s = string(rs[:spec.prec])
				}
			}
			spec.fill = ' '
			if spec.align == '=' {
				spec.align = '>'
			}
			s = pad(s, spec, '>')
		}
		b.WriteString(s)
		if b.Len() > maxValueLen {
			return "", limitErr("formatted string exceeds the size limit")
		}
	}
	if mapping == nil && next < len(items) {
		return "", pyErr(excTypeError, "not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func toBigInt(v starlark.Value, conv byte) (*big.Int, error) {
	switch v := v.(type) {
	case starlark.Int:
		return v.BigInt(), nil
	case starlark.Bool:
		if v {
			return big.NewInt(1), nil
		}
		return big.NewInt(0), nil
	case starlark.Float:
		f := math.Trunc(float64(v))
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, pyErr(excOverflowError, "cannot convert float infinity to integer")
		}
		n, _ := new(big.Float).SetFloat64(f).Int(nil)
		return n, nil
	case *decimalValue:
		return v.truncInt(), nil
	}
	return nil, pyErr(excTypeError, "%%%c format: a real number is required, not %s", conv, typeOf(v).name)
}

func numberAsFloat(v starlark.Value) (float64, bool) {
	switch v := v.(type) {
	case starlark.Int:
		f, _ := starlark.AsFloat(v)
		return f, true
	case starlark.Float:
		return float64(v), true
	case starlark.Bool:
		if v {
			return 1, true
		}
		return 0, true
	case *decimalValue:
		return v.float(), true
	}
	return 0, false
}

// ---- str.format ----

func strFormat(th *starlark.Thread, format string, args starlark.Tuple, kwargs []starlark.Tuple) (string, error) {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '}' {
			if i+1 < len(format) && format[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", pyErr(excValueError, "Single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		// find the matching '}'
		depth := 0
		j := i + 1
		for ; j < len(format); j++ {
			if format[j] == '{' {
				depth++
			} else if format[j] == '}' {
				if depth == 0 {
					break
				}
				depth--
			}
		}
		if j >= len(format) {
			return "", pyErr(excValueError, "expected '}' before end of string")
		}
		field := format[i+1 : j]
		i = j
		name, spec, hasSpec := cutTop(field, ':')
		conv := ""
		if k := strings.IndexByte(name, '!'); k >= 0 {
			name, conv = name[:k], name[k+1:]
		}
		if hasSpec && strings.Contains(spec, "{") {
			s, err := strFormat(th, spec, args, kwargs)
			if err != nil {
				return "", err
			}
			spec = s
		}
		v, err := formatField(name, &auto, args, kwargs)
		if err != nil {
			return "", err
		}
		switch conv {
		case "":
		case "r", "a":
			v = starlark.String(pyRepr(v))
		case "s":
			v = starlark.String(pyStr(v))
		default:
			return "", pyErr(excValueError, "Unknown conversion specifier %s", conv)
		}
		s, err := formatValue(v, spec)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		if b.Len() > maxValueLen {
			return "", limitErr("formatted string exceeds the size limit")
		}
	}
	return b.String(), nil
}

func cutTop(s string, sep byte) (string, string, bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case sep:
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

func formatField(name string, auto *int, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// split the first component from the accessors
	k := strings.IndexAny(name, ".[")
	first, rest := name, ""
	if k >= 0 {
		first, rest = name[:k], name[k:]
	}
	var v starlark.Value
	switch {
	case first == "":
		if *auto < 0 {
			return nil, pyErr(excValueError, "cannot switch from manual field specification to automatic field numbering")
		}
		if *auto >= len(args) {
			return nil, pyErr(excIndexError, "Replacement index %d out of range for positional args tuple", *auto)
		}
		v = args[*auto]
		*auto++
	case isAllDigits(first):
		n, _ := strconv.Atoi(first)
		if n >= len(args) {
			return nil, pyErr(excIndexError, "Replacement index %d out of range for positional args tuple", n)
		}
		v = args[n]
	default:
		for _, kv := range kwargs {
			if string(kv[0].(starlark.String)) == first {
				v = kv[1]
			}
		}
		if v == nil {
			return nil, &raised{exc: newExc(excKeyError, starlark.String(first))}
		}
	}
	for rest != "" {
		if rest[0] == '.' {
			end := strings.IndexAny(rest[1:], ".[")
			attr := rest[1:]
			if end >= 0 {
				attr, rest = rest[1:1+end], rest[1+end:]
			} else {
				rest = ""
			}
			x, err := getAttr(v, attr)
			if err != nil {
				return nil, err
			}
			v = x
			continue
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, pyErr(excValueError, "Missing ']' in format string")
		}
		key := rest[1:end]
		rest = rest[end+1:]
		var kv starlark.Value = starlark.String(key)
		if isAllDigits(key) {
			n, _ := strconv.Atoi(key)
			kv = starlark.MakeInt(n)
		}
		x, err := indexValue(v, kv)
		if err != nil {
			return nil, err
		}
		v = x
	}
	return v, nil
}

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
