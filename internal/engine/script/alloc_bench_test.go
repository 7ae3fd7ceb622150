package script

import "testing"

// BenchmarkExecStrings runs the string and dict methods the allocation
// budget routes through __w_getattr (strip, upper, join, keys, split), to
// watch what the charging costs.
func BenchmarkExecStrings(b *testing.B) {
	p, err := Compile("bench", "label = name.strip().upper() + ' ' + str(amount)\nparts = ', '.join(items).split(', ')\nks = list({'a': 1, 'b': 2}.keys())")
	if err != nil {
		b.Fatal(err)
	}
	data := benchData()
	env := &Env{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Exec(env, data); err != nil {
			b.Fatal(err)
		}
	}
}
