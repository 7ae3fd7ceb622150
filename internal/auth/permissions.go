package auth

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed default_permissions.yml
var defaultPermissions []byte

// Permissions is the content of a permissions file.
type Permissions struct {
	// DefaultGroup, when set, is a group every user of the file belongs to.
	DefaultGroup string               `yaml:"default_group"`
	Users        map[string]FileUser  `yaml:"users"`
	Groups       map[string]FileGroup `yaml:"groups"`
	Rules        map[string]Rule      `yaml:"permissions"`

	// grants are the rules expanded into single permissions, indexed by
	// group and by user (lower-case username or email).
	grants          []grant
	byGroup, byUser map[string][]int
}

// FileUser is one entry under users:, keyed by username.
type FileUser struct {
	Email             string `yaml:"email"`
	Password          string `yaml:"password"`
	PreferredUsername string `yaml:"preferred_username"`
	// Service names the identity provider of the user in SpiffArena (its
	// issuer URL). When set, only accounts of that issuer are linked to the
	// user at sign-in through a provider.
	Service string `yaml:"service"`
}

// FileGroup is one entry under groups:, keyed by group name. Members are
// usernames or email addresses.
type FileGroup struct {
	Users []string `yaml:"users"`
}

// Rule is one entry under permissions:. SpiffArena accepts actions under
// either "actions" or the older "allowed_permissions".
type Rule struct {
	Groups             []string `yaml:"groups"`
	Users              []string `yaml:"users"`
	Actions            []string `yaml:"actions"`
	AllowedPermissions []string `yaml:"allowed_permissions"`
	URI                string   `yaml:"uri"`
}

// knownActions are the actions a rule may list, each also with a "DENY:"
// prefix.
var knownActions = []string{"all", "create", "read", "update", "delete", "start"}

// denyPrefix marks an action that takes a permission away again.
const denyPrefix = "DENY:"

// LoadPermissions reads the permissions file at path, or the built-in
// default (an admin group allowed everything, no users) when path is empty.
func LoadPermissions(path string) (*Permissions, error) {
	if path == "" {
		return ParsePermissions(defaultPermissions, "built-in permissions")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read permissions: %w", err)
	}
	return ParsePermissions(data, path)
}

// ParsePermissions parses and checks a permissions file and expands its
// rules into grants; name is used in error messages, which name the file,
// the permission and the value that is wrong.
func ParsePermissions(data []byte, name string) (*Permissions, error) {
	var p Permissions
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	var problems []string
	for _, username := range sortedKeys(p.Users) {
		if strings.TrimSpace(username) == "" {
			problems = append(problems, "users: empty username")
		}
	}
	for _, group := range sortedKeys(p.Groups) {
		if strings.TrimSpace(group) == "" {
			problems = append(problems, "groups: empty group name")
		}
	}
	for _, ruleName := range sortedKeys(p.Rules) {
		r := p.Rules[ruleName]
		where := fmt.Sprintf("permission %q", ruleName)
		if r.URI == "" {
			problems = append(problems, where+": missing uri")
			continue
		}
		actions := r.RuleActions()
		if len(actions) == 0 {
			problems = append(problems, where+": no actions")
		}
		for _, a := range actions {
			perms, deny, err := expand(a, r.URI)
			if err != nil {
				problems = append(problems, where+": "+err.Error())
				continue
			}
			for _, pm := range perms {
				p.grants = append(p.grants, grant{rule: ruleName, groups: r.Groups, users: r.Users,
					action: pm.action, pattern: pm.uri, deny: deny})
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", name, strings.Join(problems, "; "))
	}
	p.index()
	return &p, nil
}

// RuleActions returns the rule's actions from whichever key the file used.
func (r Rule) RuleActions() []string {
	return append(slices.Clone(r.Actions), r.AllowedPermissions...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
