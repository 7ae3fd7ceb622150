package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// sameRows reports whether query returns the rows want holds (as rowKey
// of their columns), in any order and ignoring repeats. The Replace*
// methods use it to skip rewriting rows a step did not change: an
// unchanged row deleted and inserted again still costs its pages in the
// log.
func (tx *Tx) sameRows(ctx context.Context, want []string, query string, args ...any) (bool, error) {
	rows, err := tx.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return false, err
	}
	var have []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return false, err
		}
		have = append(have, rowKey(vals...))
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	want = slices.Clone(want)
	slices.Sort(want)
	slices.Sort(have)
	return slices.Equal(slices.Compact(want), slices.Compact(have)), nil
}

// rowKey joins column values into one comparable string.
func rowKey(vals ...any) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(0)
		}
		switch v := v.(type) {
		case []byte:
			b.Write(v)
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}
