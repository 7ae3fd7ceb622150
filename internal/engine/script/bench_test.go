package script

import "testing"

func benchData() map[string]any {
	return map[string]any{
		"x": int64(1), "amount": int64(1500), "name": "Ada",
		"approved": true, "items": []any{"a", "b"},
	}
}

func BenchmarkExecSmall(b *testing.B) {
	p, err := Compile("bench", "x = x + 1")
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

func BenchmarkEvalCondition(b *testing.B) {
	e, err := CompileExpr("bench", "amount > 1000")
	if err != nil {
		b.Fatal(err)
	}
	data := benchData()
	env := &Env{}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := e.EvalBool(env, data)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkExecParallel(b *testing.B) {
	p, err := Compile("bench", "x = x + 1")
	if err != nil {
		b.Fatal(err)
	}
	data := benchData()
	env := &Env{}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Exec(env, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
