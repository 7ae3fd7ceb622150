package models

import (
	"context"
	"fmt"
	"sort"

	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// ProcessesStartedBy lists the executable processes of the repository
// with a start event caught by the message or signal of that name (kind
// is "message" or "signal"), or with any timer start event (kind "timer",
// name ignored), ordered by process id. The runner routes a message no
// instance waits for to them and schedules the timers. Files with
// problems are skipped: they cannot start anything.
func (r *Repo) ProcessesStartedBy(ctx context.Context, kind, name string) ([]*spec.Process, error) {
	var typ spec.EventType
	switch kind {
	case "message":
		typ = spec.EventMessage
	case "signal":
		typ = spec.EventSignal
	case "timer":
		typ, name = spec.EventTimer, ""
	default:
		return nil, fmt.Errorf("processes started by %q: kind must be message, signal or timer", kind)
	}
	st := r.state()
	ids := make([]string, 0, len(st.procs))
	for id := range st.procs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*spec.Process
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// The scan's parse of the file: every change made through the
		// repository rescans, so nothing is read from disk per call.
		p := st.parsed[st.procs[id].path()]
		if p == nil {
			var err error
			if p, err = r.parsedAt(st.procs[id]); err != nil {
				continue
			}
		}
		if len(p.problems) > 0 {
			continue
		}
		proc := p.lib.Process(id)
		if proc == nil || !proc.Executable {
			continue
		}
		if startedBy(proc, typ, name) {
			out = append(out, proc)
		}
	}
	return out, nil
}

func startedBy(p *spec.Process, typ spec.EventType, name string) bool {
	for _, st := range p.Starts {
		for _, d := range st.Events {
			if d.Type == typ && (typ == spec.EventTimer || d.Name == name) {
				return true
			}
		}
	}
	return false
}
