package dmn

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FEEL's temporal literals (DMN 1.3, section 10.3.2.3.5 and the conversion
// functions of 10.3.4.1) in input and output entries:
//
//	date("2024-03-01")
//	date and time("2024-03-01T10:30:00"), also with "Z" or an offset
//	time("10:30:00"), also with an offset
//	duration("P2DT3H"), days-and-time durations only
//
// Each becomes the Python value the script dialect compares: a date, a
// datetime, a time or a timedelta. An input entry holding one also reads
// the input value as that kind when it is text (an ISO string, as date
// fields of forms store it), and a datetime input as its date for date
// literals, so `< date("2024-01-01")` works on "2023-12-24". A literal that
// is not a valid value is a problem of the file, naming the rule and cell.
// Years-and-months durations ("P1Y") have no timedelta and are refused.

// temporalKind is one literal function.
type temporalKind string

const (
	kindDate     temporalKind = "date"
	kindDateTime temporalKind = "date and time"
	kindTime     temporalKind = "time"
	kindDuration temporalKind = "duration"
)

// temporalRe finds a literal call; group 1 is the function (spaces in
// "date and time" may vary), group 2 the quoted text.
var temporalRe = regexp.MustCompile(`\b(date\s+and\s+time|date|time|duration)\s*\(\s*("[^"\\]*"|'[^'\\]*')\s*\)`)

// temporalLiterals rewrites the temporal literals of src into Python.
// first is the kind of the first literal (empty when there is none), for
// reading the input value; err names a malformed literal.
func temporalLiterals(src string) (out string, first temporalKind, err error) {
	quoted := quotedRanges(src)
	var b strings.Builder
	last := 0
	for _, m := range temporalRe.FindAllStringSubmatchIndex(src, -1) {
		start := m[0]
		if inRanges(quoted, start) || start > 0 && isWordByte(src[start-1]) || attribute(src, start) {
			continue
		}
		kind := temporalKind(strings.Join(strings.Fields(src[m[2]:m[3]]), " "))
		text := src[m[4]+1 : m[5]-1]
		py, perr := temporalPython(kind, text)
		if perr != nil {
			return "", "", perr
		}
		if first == "" {
			first = kind
		}
		b.WriteString(src[last:start])
		b.WriteString(py)
		last = m[1]
	}
	if first == "" {
		return src, "", nil
	}
	b.WriteString(src[last:])
	return b.String(), first, nil
}

// temporalPython checks one literal and gives its Python expression.
func temporalPython(kind temporalKind, text string) (string, error) {
	q := strconv.Quote(text)
	switch kind {
	case kindDate:
		if _, err := time.Parse("2006-01-02", text); err != nil {
			return "", fmt.Errorf("date(%s) is not a date of the form YYYY-MM-DD", q)
		}
		return "datetime.fromisoformat(" + q + ").date()", nil
	case kindDateTime:
		if !validDateTime(text) {
			return "", fmt.Errorf("date and time(%s) is not a date and time of the form YYYY-MM-DDThh:mm:ss, with an optional Z or offset", q)
		}
		return "datetime.fromisoformat(" + q + ")", nil
	case kindTime:
		if !validDateTime("1970-01-01T" + text) {
			return "", fmt.Errorf("time(%s) is not a time of the form hh:mm:ss, with an optional Z or offset", q)
		}
		return "datetime.fromisoformat(" + strconv.Quote("1970-01-01T"+text) + ")." + timeMethod(text) + "()", nil
	case kindDuration:
		us, err := dayTimeDuration(text)
		if err != nil {
			return "", fmt.Errorf("duration(%s): %v", q, err)
		}
		return fmt.Sprintf("timedelta(microseconds=%d)", us), nil
	}
	return "", fmt.Errorf("unknown temporal literal %s", kind)
}

// timeMethod keeps the offset of a time that names one.
func timeMethod(text string) string {
	if strings.ContainsAny(text, "Z+") || strings.Count(text, "-") > 0 {
		return "timetz"
	}
	return "time"
}

// validDateTime accepts the forms Python's fromisoformat reads that FEEL
// writes: a date, or a date, "T" and a time with optional fraction, and
// an optional "Z" or ±hh:mm.
func validDateTime(s string) bool {
	for _, layout := range []string{
		"2006-01-02",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
	} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// durationRe reads an ISO 8601 duration as FEEL writes it.
var durationRe = regexp.MustCompile(`^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,6})?)S)?)?$`)

// dayTimeDuration gives a days-and-time duration in microseconds.
func dayTimeDuration(s string) (int64, error) {
	m := durationRe.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "-P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("not an ISO 8601 duration such as P2DT3H30M")
	}
	if m[2] != "" || m[3] != "" {
		return 0, fmt.Errorf("years and months have no fixed length; use days (P30D) or compare months as numbers")
	}
	num := func(x string) int64 {
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	const day = int64(24 * time.Hour / time.Microsecond)
	// Each of the four parts at most 25 million days keeps their sum
	// inside int64 microseconds, as the script dialect's timedelta needs.
	const most = 25_000_000 * day
	sec, frac, _ := strings.Cut(m[7], ".")
	for i, unit := range []int64{day, int64(time.Hour / time.Microsecond), int64(time.Minute / time.Microsecond), int64(time.Second / time.Microsecond)} {
		part := sec
		if i < 3 {
			part = m[4+i]
		}
		if part != "" && (len(part) > 15 || num(part) > most/unit) {
			return 0, fmt.Errorf("longer than the largest timedelta")
		}
	}
	us := num(m[4])*day + num(m[5])*int64(time.Hour/time.Microsecond) + num(m[6])*int64(time.Minute/time.Microsecond)
	us += num(sec) * int64(time.Second/time.Microsecond)
	if frac != "" {
		us += num((frac + "00000")[:6])
	}
	if m[1] == "-" {
		us = -us
	}
	return us, nil
}

// coerceInput gives the Python expression reading the input value as kind.
func coerceInput(kind temporalKind, v string) string {
	switch kind {
	case kindDate:
		return "(datetime.fromisoformat(" + v + ").date() if isinstance(" + v + ", str) else (" + v + ".date() if isinstance(" + v + ", datetime) else " + v + "))"
	case kindDateTime:
		return "(datetime.fromisoformat(" + v + ") if isinstance(" + v + ", str) else " + v + ")"
	case kindTime:
		return "(datetime.fromisoformat(\"1970-01-01T\" + " + v + ").time() if isinstance(" + v + ", str) else " + v + ")"
	}
	return v
}

// pyDurationRe reads Python's str() of a timedelta: "2:00:00",
// "1 day, 2:00:00.500000", "-3 days, 23:59:59".
var pyDurationRe = regexp.MustCompile(`^(?:(-?\d{1,9}) days?, )?(\d{1,2}):(\d\d):(\d\d)(?:\.(\d{6}))?$`)

// durationInput reads an input value compared with duration literals: a
// timedelta stays one; text is an ISO 8601 days-and-time duration or what
// Python's str() writes for a timedelta (task data holds timedeltas so).
func durationInput(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	if us, err := dayTimeDuration(s); err == nil {
		return time.Duration(us) * time.Microsecond, nil
	}
	m := pyDurationRe.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("the input value %q is not a duration (an ISO 8601 duration such as P2DT3H, or H:MM:SS)", s)
	}
	n := func(x string) time.Duration {
		i, _ := strconv.ParseInt(x, 10, 64)
		return time.Duration(i)
	}
	if n(m[1]) > 25_000_000 || n(m[1]) < -25_000_000 {
		return nil, fmt.Errorf("the input value %q is longer than the largest timedelta", s)
	}
	d := n(m[1])*24*time.Hour + n(m[2])*time.Hour + n(m[3])*time.Minute + n(m[4])*time.Second + n(m[5])*time.Microsecond
	return d, nil
}

// quotedRanges lists the [start, end) byte ranges of string literals.
func quotedRanges(s string) [][2]int {
	var out [][2]int
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				out = append(out, [2]int{start, i + 1})
				quote = 0
			}
		case c == '"' || c == '\'':
			quote, start = c, i
		}
	}
	return out
}

func inRanges(rs [][2]int, i int) bool {
	for _, r := range rs {
		if i > r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// attribute reports whether the name at i follows a single dot (x.date(...)
// is a method call), not the ".." of an interval.
func attribute(s string, i int) bool {
	return i > 0 && s[i-1] == '.' && (i < 2 || s[i-2] != '.')
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
