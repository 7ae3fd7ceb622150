package runner

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

type timeT = time.Time

var timeZero time.Time

// initiatorLane matches lanes SpiffArena gives to the instance's starter.
var initiatorLane = regexp.MustCompile(`(?i)(process.?)initiator`)

// owners says who may act on a task.
type owners struct {
	keys       []string // owner keys: "user:<name>", "group:<name>"
	group      string   // the lane's group when the lane decides
	waitingFor string   // readable list for the inbox
	// note explains a fallback worth recording in the instance's event log.
	note string
}

// resolveOwners applies SpiffArena's lane rules: lane_owners[lane] in the
// task data names users (username or email) and "group:<name>" entries;
// otherwise the lane name is the group; no lane (or a "process initiator"
// lane) means the instance's starter. Names of users who have not signed
// in yet are kept: they see the task once they do.
//
// Where SpiffArena stops the instance with "No users found in task data
// lane owner list" (a lane_owners entry for the lane that names nobody),
// Waymark offers the task to the lane's group, as if lane_owners did not
// name the lane, and says so in the event log: the lane is the modeller's
// statement of who does the work, and an empty list is a data mistake the
// group can still act on.
func resolveOwners(lane string, data map[string]any, starter string) owners {
	if strings.TrimSpace(lane) == "" || initiatorLane.MatchString(lane) {
		return owners{keys: []string{"user:" + starter}, waitingFor: starter}
	}
	if lo, ok := data["lane_owners"].(map[string]any); ok {
		if list, ok := lo[lane].([]any); ok {
			var o owners
			var names []string
			for _, e := range list {
				s, ok := e.(string)
				if !ok || strings.TrimSpace(s) == "" {
					continue
				}
				s = strings.TrimSpace(s)
				if g, ok := strings.CutPrefix(s, "group:"); ok {
					o.keys = append(o.keys, "group:"+g)
					names = append(names, "group "+g)
					continue
				}
				if strings.Contains(s, "@") {
					s = strings.ToLower(s)
				}
				o.keys = append(o.keys, "user:"+s)
				names = append(names, s)
			}
			if len(o.keys) > 0 {
				slices.Sort(o.keys)
				o.keys = slices.Compact(o.keys)
				o.waitingFor = strings.Join(names, ", ")
				return o
			}
			return owners{keys: []string{"group:" + lane}, group: lane, waitingFor: lane,
				note: "lane_owners names nobody for the lane " + lane + "; the task is offered to the group " + lane}
		}
	}
	return owners{keys: []string{"group:" + lane}, group: lane, waitingFor: lane}
}

// mayAct reports whether any of the actor's keys (Actor.Keys) owns the
// task. It compares the owner keys with the actor's names where they are,
// since building the keys cost an allocation per group on every task
// read and completion.
func mayAct(a Actor, taskOwners []string) bool {
	email := ""
	for _, o := range taskOwners {
		if name, ok := strings.CutPrefix(o, "user:"); ok {
			if name == a.Username {
				return true
			}
			if a.Email != "" {
				if email == "" {
					email = strings.ToLower(a.Email)
				}
				if name == email {
					return true
				}
			}
		} else if group, ok := strings.CutPrefix(o, "group:"); ok && slices.Contains(a.Groups, group) {
			return true
		}
	}
	return false
}

func bytesReader(s string) *strings.Reader { return strings.NewReader(s) }
