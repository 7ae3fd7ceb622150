package models

import "strings"

// DiffLine is one line of a text diff: Op is ' ' (both), '-' (only in the
// old text) or '+' (only in the new one); OldLine and NewLine are 1-based
// line numbers, 0 where the line is absent.
type DiffLine struct {
	Op      byte
	Text    string
	OldLine int
	NewLine int
}

// maxDiffCells bounds the LCS table; larger changes show as a whole
// replacement of the differing middle.
const maxDiffCells = 4_000_000

// DiffText compares two texts line by line (longest common subsequence
// over the lines between the common head and tail).
func DiffText(a, b string) []DiffLine {
	al, bl := splitLines(a), splitLines(b)
	var out []DiffLine
	head := 0
	for head < len(al) && head < len(bl) && al[head] == bl[head] {
		out = append(out, DiffLine{' ', al[head], head + 1, head + 1})
		head++
	}
	tail := 0
	for tail < len(al)-head && tail < len(bl)-head && al[len(al)-1-tail] == bl[len(bl)-1-tail] {
		tail++
	}
	am, bm := al[head:len(al)-tail], bl[head:len(bl)-tail]
	out = append(out, diffMiddle(am, bm, head, head)...)
	for i := 0; i < tail; i++ {
		ai, bi := len(al)-tail+i, len(bl)-tail+i
		out = append(out, DiffLine{' ', al[ai], ai + 1, bi + 1})
	}
	return out
}

func diffMiddle(a, b []string, aoff, boff int) []DiffLine {
	var out []DiffLine
	if len(a)*len(b) > maxDiffCells {
		for i, l := range a {
			out = append(out, DiffLine{'-', l, aoff + i + 1, 0})
		}
		for j, l := range b {
			out = append(out, DiffLine{'+', l, 0, boff + j + 1})
		}
		return out
	}
	// lcs[i][j] = LCS length of a[i:], b[j:]
	w := len(b) + 1
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, DiffLine{' ', a[i], aoff + i + 1, boff + j + 1})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
			out = append(out, DiffLine{'-', a[i], aoff + i + 1, 0})
			i++
		default:
			out = append(out, DiffLine{'+', b[j], 0, boff + j + 1})
			j++
		}
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}
