package engine

import "github.com/waymark-bpm/waymark/internal/engine/script"

// SetEnv replaces the environment an instance runs with: a host that keeps
// an instance in memory between calls, instead of restoring it from its
// snapshot each time, gives it each call's clock, services and script
// helpers.
func (in *Instance) SetEnv(env Env) {
	in.env = env
	in.senv = script.Env{Funcs: env.Funcs, Lookup: in.scriptLookup, MaxSteps: env.MaxSteps, Timeout: env.ScriptTimeout, MaxBytes: env.ScriptMaxBytes}
	if env.Clock != nil {
		in.senv.Now = env.Clock.Now
	}
}
