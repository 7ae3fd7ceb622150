package script

import (
	"errors"
	"strings"
	"testing"
)

// The re module behaves as Python's: the expected values below are what
// CPython 3.11 gives for the same calls.
func TestRePythonSyntax(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "lookahead", src: `import re
r = re.findall(r"\d+(?=%)", "10% of 200 and 5%")`, want: map[string]any{"r": []any{"10", "5"}}},
		{name: "lookbehind", src: `import re
r = re.sub(r"(?<=\$)\d+", "X", "$12 and 34")`, want: map[string]any{"r": "$X and 34"}},
		{name: "backreference", src: `import re
r = re.search(r"(\w)\1", "hello").group()`, want: map[string]any{"r": "ll"}},
		{name: "named backreference", src: `import re
r = re.search(r"(?P<q>['\"]).*?(?P=q)", "say 'hi' now").group()`, want: map[string]any{"r": "'hi'"}},
		{name: "groups numbered left to right, named or not", src: `import re
m = re.match(r"(?P<a>x)(y)", "xy")
r = [m.group(1), m.group(2), m.groupdict(), m.lastindex, m.re.groups]
del m`, want: map[string]any{"r": []any{"x", "y", map[string]any{"a": "x"}, int64(2), int64(2)}}},
		{name: "positions in characters", src: `import re
r = [re.search("b", "äb").start(), re.search("b", "äb").span()]`, want: map[string]any{"r": []any{int64(1), []any{int64(1), int64(2)}}}},
		{name: "\\Z is the very end", src: `import re
r = [re.search(r"a\Z", "a\n") is None, re.search(r"a$", "a\n") is None]`, want: map[string]any{"r": []any{true, false}}},
		{name: "{,n}", src: `import re
r = [bool(re.fullmatch(r"a{,2}", "aa")), bool(re.fullmatch(r"a{,2}", "aaa"))]`, want: map[string]any{"r": []any{true, false}}},
		{name: "conditional", src: `import re
r = [re.match(r"(<)?\w+(?(1)>)", "<a>").group(), re.match(r"(<)?\w+(?(1)>)", "a>").group()]`, want: map[string]any{"r": []any{"<a>", "a"}}},
		{name: "escape", src: `import re
r = re.escape("a.b c#")`, want: map[string]any{"r": `a\.b\ c\#`}},
		{name: "split keeps groups", src: `import re
r = re.split(r"(,)", "a,b")`, want: map[string]any{"r": []any{"a", ",", "b"}}},
		{name: "split on empty matches", src: `import re
r = re.split(r"\s*", "a b")`, want: map[string]any{"r": []any{"", "a", "", "b", ""}}},
		{name: "empty matches replaced", src: `import re
r = re.sub("x*", "-", "abc")`, want: map[string]any{"r": "-a-b-c-"}},
		{name: "unicode word characters", src: `import re
r = re.findall(r"\w+", "café naïve")`, want: map[string]any{"r": []any{"café", "naïve"}}},
		{name: "] first in a set is literal", src: `import re
r = re.findall(r"[]a]+", "]a]b")`, want: map[string]any{"r": []any{"]a]"}}},
		{name: "named groups in a replacement", src: `import re
r = re.sub(r"(?P<y>\d{4})-(?P<m>\d\d)", r"\g<m>/\g<y>", "2024-05")`, want: map[string]any{"r": "05/2024"}},
		{name: "verbose", src: `import re
r = re.match(r"""(\d+)  # the number
  \s* (?P<unit>[a-z]+)""", "12 kg", re.VERBOSE).groups()`, want: map[string]any{"r": []any{"12", "kg"}}},
	})
}

// A pattern Python refuses is a re.error (a ValueError) naming the pattern,
// and scripts can catch it.
func TestReBadPattern(t *testing.T) {
	runExecCases(t, []execCase{
		{name: "caught", src: `import re
try:
    re.compile("(a")
    r = "compiled"
except ValueError as e:
    r = str(e)`, want: map[string]any{"r": "re.error: missing closing ) in pattern '(a'"}},
		{name: "unknown group name", src: `import re
try:
    re.compile("(?P=nope)")
    r = "compiled"
except ValueError as e:
    r = str(e)`, want: map[string]any{"r": "re.error: unknown group name 'nope' in pattern '(?P=nope)'"}},
	})
}

// A match that backtracks without end is stopped with an error that names
// the pattern; scripts cannot catch it.
func TestReRunawayPatternStops(t *testing.T) {
	p, err := Compile("runaway", `import re
try:
    r = re.match(r"(a+)+$", "a" * 40 + "b")
except ValueError:
    r = "caught"`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Exec(&Env{Now: testClock}, nil)
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "took longer than") || !strings.Contains(err.Error(), "(a+)+$") {
		t.Fatalf("got %v, want the time-out naming the pattern", err)
	}
}
