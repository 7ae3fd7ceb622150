package auth

import (
	"fmt"
	"slices"
	"strings"
)

// How a permissions file decides access, as SpiffArena reads it.
//
// Every rule is expanded, when the file loads, into grants: one action
// (create, read, update or delete) on one URI pattern for the rule's
// groups and users. A request asks for one action on one target URI,
// written as SpiffArena writes its API paths (model and group ids with ':'
// for '/'). The request is allowed when at least one grant of the user's
// groups or of the user matches and no matching grant is a DENY.
//
// A pattern is a URI, or a URI ending in '*', which then stands for any
// rest (SQL LIKE '%' in SpiffArena). As in SpiffArena, a pattern ending in
// "/*" or ":*" also matches the URI without that ending, so
// "/process-groups/finance:*" matches "/process-groups/finance" itself.
//
// Target macros expand as SpiffArena expands them:
//
//	PG:<group>  /process-groups/<group>:* and /process-models/<group>:*
//	PM:<model>  /process-models/<model>/*
//	            (PG:ALL and PM:ALL: every group and model)
//	BASIC       what every signed-in user needs (basicPermissions)
//	SUPPORT     BASIC, reading every group, model and instance,
//	            operating instances and running privileged script helpers
//	            (supportPermissions)
//	ELEVATED    SUPPORT plus secrets, authentications and service accounts
//	ALL         /* (every route)
//	/a/uri*     the pattern itself
//
// Action macros: "all" is create, read, update and delete, and on PG:/PM:
// also the instance paths of allPathSegments; "start" (PG:/PM: only)
// creates instances and reads their logs and files. BASIC, SUPPORT and
// ELEVATED bring their own actions, whatever the rule lists.

// grant is one expanded permission of one rule.
type grant struct {
	rule    string
	groups  []string
	users   []string
	action  string
	pattern string
	deny    bool
}

// permission is one action on one URI pattern.
type permission struct {
	action string
	uri    string
}

var crud = []string{"create", "read", "update", "delete"}

// allPathSegments are the instance-related paths that "all" on a PG: or PM:
// target also grants, under the group's or model's path segment.
var allPathSegments = []struct {
	path    string
	actions []string
}{
	{"/event-error-details", []string{"read"}},
	{"/logs", []string{"read"}},
	{"/process-data", []string{"read"}},
	{"/process-data-file-download", []string{"read"}},
	{"/process-instance-suspend", []string{"create"}},
	{"/process-instance-resume", []string{"create"}},
	{"/process-instance-terminate", []string{"create"}},
	{"/process-instance-reset", []string{"create"}},
	{"/process-instance-migrate", []string{"create"}},
	{"/process-instances", []string{"create", "read", "delete"}},
	{"/process-model-publish", []string{"create"}},
	{"/process-model-tests", []string{"create"}},
	{"/send-event", []string{"create"}},
	{"/task-assign", []string{"create"}},
	{"/task-complete", []string{"create"}},
	{"/task-data", []string{"read", "update"}},
}

// basicPermissions is BASIC: tasks, the inbox, one's own instances and the
// lists every signed-in user reads.
var basicPermissions = []permission{
	{"read", "/active-users/*"}, {"create", "/active-users/*"},
	{"read", "/connector-proxy/typeahead/*"}, {"create", "/connector-proxy/typeahead/*"},
	{"read", "/debug/version-info"},
	{"read", "/onboarding"},
	{"read", "/process-instances/for-me/*"},
	{"read", "/process-instances/report-metadata"},
	{"read", "/process-instances/find-by-id/*"},
	{"read", "/processes/*"},
	{"read", "/service-tasks"},
	{"read", "/user-groups/for-current-user"},
	{"read", "/users/search"},
	{"read", "/script-assist/enabled"},
	{"read", "/upsearch-locations"},
	{"create", "/process-instances/reports/*"}, {"read", "/process-instances/reports/*"},
	{"update", "/process-instances/reports/*"}, {"delete", "/process-instances/reports/*"},
	{"create", "/tasks/*"}, {"read", "/tasks/*"}, {"update", "/tasks/*"}, {"delete", "/tasks/*"},
}

// supportPermissions is SUPPORT without BASIC.
var supportPermissions = []permission{
	{"read", "/process-groups/*"}, {"read", "/process-models/*"},
	{"read", "/process-instances/*"},
	{"read", "/logs/*"}, {"read", "/process-data/*"}, {"read", "/process-data-file-download/*"},
	{"read", "/event-error-details/*"},
	{"create", "/process-instance-suspend/*"}, {"create", "/process-instance-resume/*"},
	{"create", "/process-instance-terminate/*"}, {"create", "/process-instance-reset/*"},
	{"create", "/process-instance-migrate/*"},
	{"create", "/send-event/*"}, {"create", "/task-complete/*"}, {"create", "/task-assign/*"},
	{"create", "/messages/*"}, {"read", "/messages/*"},
	{"read", "/task-data/*"}, {"update", "/task-data/*"},
	// Privileged script helpers (refresh_permissions, get_secret, ...):
	// the instance's initiator needs this, as in SpiffArena.
	{"create", "/can-run-privileged-script/*"},
}

// elevatedPaths get every action under ELEVATED, beyond SUPPORT.
var elevatedPaths = []string{"/secrets/*", "/authentications/*", "/authentication/*", "/service-accounts/*"}

// expand turns one action of a rule and the rule's uri into permissions.
// deny reports a "DENY:" action.
func expand(action, target string) (perms []permission, deny bool, err error) {
	if rest, ok := strings.CutPrefix(action, denyPrefix); ok {
		action, deny = rest, true
	}
	if !slices.Contains(knownActions, action) {
		return nil, false, fmt.Errorf("unknown action %q (want one of %s, each also as DENY:<action>)", action, strings.Join(knownActions, ", "))
	}
	actions := []string{action}
	if action == "all" {
		actions = crud
	}
	each := func(uris ...string) []permission {
		var out []permission
		for _, u := range uris {
			for _, a := range actions {
				out = append(out, permission{a, u})
			}
		}
		return out
	}

	switch {
	case strings.HasPrefix(target, "PG:"), strings.HasPrefix(target, "PM:"):
		id := strings.Trim(strings.ReplaceAll(target[3:], "/", ":"), ":")
		if id == "" {
			return nil, false, fmt.Errorf("uri %q names no process group or model", target)
		}
		if strings.Contains(id, "*") {
			return nil, false, fmt.Errorf("uri %q: no '*' in %s ids (use %sALL for every one)", target, target[:3], target[:3])
		}
		segment := id + ":*"
		if target[:3] == "PM:" {
			segment = id + "/*"
		}
		if id == "ALL" {
			segment = "*"
		}
		if action == "start" {
			return []permission{
				{"create", "/process-instances/" + segment},
				{"read", "/logs/" + segment},
				{"read", "/process-data-file-download/" + segment},
			}, deny, nil
		}
		uris := []string{"/process-models/" + segment}
		if target[:3] == "PG:" {
			uris = []string{"/process-groups/" + segment, "/process-models/" + segment}
		}
		perms = each(uris...)
		if action == "all" {
			for _, ps := range allPathSegments {
				for _, a := range ps.actions {
					perms = append(perms, permission{a, ps.path + "/" + segment})
				}
			}
		}
		return perms, deny, nil
	case action == "start":
		return nil, false, fmt.Errorf("action \"start\" works only with PG: and PM: targets, not uri %q", target)
	case target == "BASIC":
		return slices.Clone(basicPermissions), deny, nil
	case target == "SUPPORT":
		return append(slices.Clone(basicPermissions), supportPermissions...), deny, nil
	case target == "ELEVATED":
		perms = append(slices.Clone(basicPermissions), supportPermissions...)
		for _, u := range elevatedPaths {
			for _, a := range crud {
				perms = append(perms, permission{a, u})
			}
		}
		return perms, deny, nil
	case target == "ALL":
		return each("/*"), deny, nil
	case strings.HasPrefix(target, "/"):
		if i := strings.Index(target, "*"); i >= 0 && i != len(target)-1 {
			return nil, false, fmt.Errorf("uri %q: '*' may only end a uri", target)
		}
		return each(target), deny, nil
	default:
		return nil, false, fmt.Errorf("unknown uri %q (want PG:<group>, PM:<model>, BASIC, SUPPORT, ELEVATED, ALL or a path starting with /)", target)
	}
}

// matches reports whether a grant's pattern covers the target URI.
func matches(pattern, target string) bool {
	prefix, wild := strings.CutSuffix(pattern, "*")
	if !wild {
		return pattern == target
	}
	if strings.HasPrefix(target, prefix) {
		return true
	}
	base := strings.TrimSuffix(strings.TrimSuffix(prefix, "/"), ":")
	return len(base) < len(prefix) && target == base
}

// Decision is the answer to one access question.
type Decision struct {
	Allowed bool
	// Rule names the permission that allowed or, when Denied, took the
	// access away; empty when no rule matched.
	Rule   string
	Denied bool
}

// index files the grants by the groups and users they are for, so a
// question looks only at the user's own grants.
func (p *Permissions) index() {
	p.byGroup, p.byUser = map[string][]int{}, map[string][]int{}
	for i, g := range p.grants {
		for _, name := range g.groups {
			p.byGroup[name] = append(p.byGroup[name], i)
		}
		for _, name := range g.users {
			p.byUser[strings.ToLower(name)] = append(p.byUser[strings.ToLower(name)], i)
		}
	}
}

// Decide answers whether the user may do action (create, read, update or
// delete) on the target URI: the grants of the user's groups, of the
// file's default group and of the user's name or email count. A nil
// Permissions allows nothing.
func (p *Permissions) Decide(u User, action, target string) Decision {
	if p == nil {
		return Decision{}
	}
	d := Decision{}
	first := len(p.grants)
	check := func(list []int) bool {
		for _, i := range list {
			g := p.grants[i]
			if g.action != action || !matches(g.pattern, target) {
				continue
			}
			if g.deny {
				d = Decision{Rule: g.rule, Denied: true}
				return false
			}
			// The earliest grant names the rule, whatever the order
			// of the user's groups.
			if i < first {
				first = i
				d = Decision{Allowed: true, Rule: g.rule}
			}
		}
		return true
	}
	if p.DefaultGroup != "" && !u.InGroup(p.DefaultGroup) && !check(p.byGroup[p.DefaultGroup]) {
		return d
	}
	for _, name := range u.Groups {
		if !check(p.byGroup[name]) {
			return d
		}
	}
	if !check(p.byUser[strings.ToLower(u.Username)]) {
		return d
	}
	if u.Email != "" && !strings.EqualFold(u.Email, u.Username) && !check(p.byUser[strings.ToLower(u.Email)]) {
		return d
	}
	return d
}

// Allowed is Decide reduced to yes or no.
func (p *Permissions) Allowed(u User, action, target string) bool {
	return p.Decide(u, action, target).Allowed
}
