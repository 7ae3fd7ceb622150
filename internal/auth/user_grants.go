package auth

import (
	"slices"
	"strings"
)

// RuleGrant is one line of a user's effective permissions: an action on a
// target, and the rule of the permissions file that gives (or, for Deny,
// takes away) it.
type RuleGrant struct {
	Action string
	Target string
	Deny   bool
	Rule   string
	// Via is how the rule reaches the user: "group <name>" or "user
	// <name>".
	Via string
}

// UserGrants lists, in rule-name order, the actions and targets that the
// rules of p give or deny the user, each with the rule and the group or
// user entry through which it applies. It answers "why can carol do
// this"; deciding a request is the evaluator's job.
func UserGrants(p *Permissions, u User) []RuleGrant {
	if p == nil {
		return nil
	}
	var out []RuleGrant
	for _, name := range sortedKeys(p.Rules) {
		r := p.Rules[name]
		var via []string
		for _, g := range r.Groups {
			if u.InGroup(g) {
				via = append(via, "group "+g)
			}
		}
		for _, m := range r.Users {
			if m == u.Username || (u.Email != "" && strings.EqualFold(m, u.Email)) {
				via = append(via, "user "+m)
			}
		}
		if len(via) == 0 {
			continue
		}
		actions := r.RuleActions()
		slices.Sort(actions)
		for _, a := range slices.Compact(actions) {
			g := RuleGrant{Action: a, Target: r.URI, Rule: name, Via: strings.Join(via, ", ")}
			if rest, ok := strings.CutPrefix(a, "DENY:"); ok {
				g.Action, g.Deny = rest, true
			}
			out = append(out, g)
		}
	}
	return out
}
