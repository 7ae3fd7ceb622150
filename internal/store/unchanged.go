package store

import (
	"fmt"
	"strings"
)

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
