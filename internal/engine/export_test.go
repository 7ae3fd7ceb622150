package engine

// Visits returns how many tasks the instance's steps have looked at so far.
func Visits(in *Instance) int { return in.visits }
