package engine

import "time"

// Visits returns how many tasks the instance's steps have looked at so far.
func Visits(in *Instance) int { return in.visits }

// PrefixTasks is how many leading tasks the instance's snapshots copy
// from an earlier encoding instead of encoding them again.
func PrefixTasks(in *Instance) int { return in.enc.n }

// FullSnapshot encodes the instance without the reused prefix (and drops
// it).
func FullSnapshot(in *Instance) ([]byte, error) {
	in.enc = encPrefix{}
	return in.Snapshot()
}

// TouchTask sets the updated time of a task, as a repair that reopens and
// closes it again would.
func TouchTask(in *Instance, id int, at time.Time) { in.Task(id).Updated = at }
