package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// Script helpers: the functions SpiffArena gives scripts, with its names,
// arguments and results (see docs/SCRIPT-HELPERS.md). Those that only
// read or change the task data live in engine/script; these need the
// instance, the users, the permissions or the database.
//
// Privileged helpers follow SpiffArena's rule: the user who started the
// instance must hold "create" on /can-run-privileged-script/<helper>
// (SUPPORT, ELEVATED and ALL grant it), so a model cannot change users or
// permissions beyond what the person who started it may do.
//
// Effects. A helper never writes while the step runs: the step may still
// fail, be refused as a conflict, or be thrown away and run again. The one
// exception is create_unique_kkv_top_level_key, whose number is committed
// when it is given so that no other step can receive it.
//   - save_process_instance_metadata and set_user_properties are written in
//     the step's own transaction: they are stored exactly when the step is.
//   - add_permission, add_user_to_group, refresh_permissions and set_secret
//     change state that internal/auth and internal/secrets own and cache,
//     so they are checked while the script runs (a bad argument or a refused
//     privilege fails the task) and applied once the step has committed.
//     Each is idempotent (a rule has a name derived from what it grants,
//     adding a member twice keeps one membership, refresh replaces what
//     scripts set), so applying one again after a crash does no harm; a
//     crash between the commit and the apply loses it, and the failure to
//     apply is logged with the instance.
//
// A step that leaves the instance in error keeps none of these: the task
// whose script failed will run again on retry and ask again.

// Directory answers the helpers about users, groups and permissions and
// applies the changes privileged helpers ask for. cmd/web passes one
// backed by internal/auth; nil makes those helpers fail with a clear
// error.
type Directory interface {
	// MayRunPrivileged reports whether the user holds create on
	// /can-run-privileged-script/<helper>.
	MayRunPrivileged(ctx context.Context, username, helper string) (bool, error)
	// AllPermissions lists what every group may do, one entry per group
	// and uri, as get_all_permissions returns it.
	AllPermissions(ctx context.Context) ([]GroupPermission, error)
	// CheckPermission tells whether a rule granting action on uri would
	// load; the error says what is wrong.
	CheckPermission(action, uri string) error
	// AddPermission grants action on uri to the group (idempotent).
	AddPermission(ctx context.Context, group, action, uri, by string) error
	// AddUserToGroup puts the user in the group (idempotent).
	AddUserToGroup(ctx context.Context, username, group string) error
	// RefreshPermissions replaces every permission and membership that
	// scripts set with the given ones; with groupPermissionsOnly the
	// memberships stay as they are.
	RefreshPermissions(ctx context.Context, groups []GroupPermissions, groupPermissionsOnly bool, by string) error
}

// GroupPermission is what one group may do on one uri.
type GroupPermission struct {
	Group   string
	URI     string
	Actions []string
}

// GroupPermissions is one entry of refresh_permissions' argument.
type GroupPermissions struct {
	Name        string
	Users       []string
	Permissions []PermissionGrant
}

// PermissionGrant is actions on one uri.
type PermissionGrant struct {
	Actions []string
	URI     string
}

// scriptCtx is what the helpers of one step know: the instance (its id is
// 0 while a start has not been saved), who started it and who acts.
type scriptCtx struct {
	ctx        context.Context
	instanceID int64
	modelID    string
	starter    string
	actor      string
	fx         scriptFx
	// files are uploaded by the step and stored with it.
	files []store.TaskFile
}

// scriptFx is what the helpers of a step asked for beyond their results.
type scriptFx struct {
	// askedID: a script asked for the id of an instance not yet saved.
	askedID bool
	// metadata is written in the step's transaction (JSON text by key).
	metadata map[string]string
	// properties are user properties (JSON text by key), by username,
	// written in the step's transaction.
	properties map[string]map[string]string
	// after are applied once the step has committed.
	after []scriptChange
	// deletes are instances delete_process_instances_with_criteria
	// deletes in the step's transaction.
	deletes []int64
}

type scriptChange struct {
	helper string
	apply  func(ctx context.Context) error
}

// reset forgets what a discarded run asked for.
func (fx *scriptFx) reset() { *fx = scriptFx{} }

// helperFunc is a helper that needs no task.
type helperFunc = func(sc *scriptCtx, args []any, kwargs map[string]any) (any, error)

// taskHelperFunc is a helper that reads the instance or the task.
type taskHelperFunc = func(c engine.ScriptCall, sc *scriptCtx, args []any, kwargs map[string]any) (any, error)

// helperTable builds the helpers once per runner; each call finds its
// step's scriptCtx in ScriptCall.Host (see env).
func (r *Runner) helperTable() map[string]engine.Helper {
	plain := map[string]helperFunc{
		"get_current_user": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) { return r.userDict(sc.ctx, sc.actor, true) },
		"get_process_initiator_user": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
			return r.userDict(sc.ctx, sc.starter, true)
		},
		"get_user": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			name, err := strArg("get_user", args, kw, 0, "username", true)
			if err != nil {
				return nil, err
			}
			return r.userDict(sc.ctx, name, false)
		},
		"get_env":          func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) { return r.envName, nil },
		"get_frontend_url": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) { return r.frontendURL, nil },
		"get_toplevel_process_info": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
			return r.processInfo(sc), nil
		},
		"get_process_info": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) { return r.processInfo(sc), nil },
		"get_group_members": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			group, err := strArg("get_group_members", args, kw, 0, "group_identifier", true)
			if err != nil {
				return nil, err
			}
			g, ok, err := r.group(sc.ctx, group)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("Script 'get_group_members' could not find group with identifier '%s'.", group)
			}
			members := slices.Clone(g.Members)
			sort.Strings(members)
			return strList(members), nil
		},
		"get_groups_for_user": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
			u, err := r.store.UserByUsername(sc.ctx, sc.actor)
			if errors.Is(err, store.ErrNotFound) {
				return []any{}, nil
			}
			if err != nil {
				return nil, err
			}
			names, err := r.store.UserGroups(sc.ctx, u.ID)
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, len(names))
			for _, n := range names {
				out = append(out, map[string]any{"identifier": n, "name": n})
			}
			return out, nil
		},
		"get_user_properties": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
			props, err := r.store.UserProperties(sc.ctx, sc.actor)
			if err != nil {
				return nil, err
			}
			out := make(map[string]any, len(props))
			for k, v := range props {
				out[k] = v
			}
			// What this step set is not stored yet, but already true.
			for k, v := range sc.fx.properties[sc.actor] {
				var x any
				if err := json.Unmarshal([]byte(v), &x); err == nil {
					out[k] = x
				}
			}
			return out, nil
		},
		"set_user_properties": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			props, ok := firstArg(args, kw, "properties").(map[string]any)
			if !ok {
				return nil, fmt.Errorf("Args to set_user_properties must be a dict. '%v' is invalid.", firstArg(args, kw, "properties"))
			}
			if sc.actor == "" {
				return nil, errors.New("set_user_properties: no user is acting in this step")
			}
			for k, v := range props {
				b, err := json.Marshal(v)
				if err != nil {
					return nil, fmt.Errorf("set_user_properties: %s: %w", k, err)
				}
				if sc.fx.properties == nil {
					sc.fx.properties = map[string]map[string]string{}
				}
				if sc.fx.properties[sc.actor] == nil {
					sc.fx.properties[sc.actor] = map[string]string{}
				}
				sc.fx.properties[sc.actor][k] = string(b)
			}
			return nil, nil
		},
		"user_has_started_instance": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
			n, err := r.timesStarted(sc)
			return n > 0, err
		},
		"times_executed_by_user": func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) { return r.timesStarted(sc) },
		"get_encoded_file_data": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			ref, err := strArg("get_encoded_file_data", args, kw, 0, "digest_reference", true)
			if err != nil {
				return nil, err
			}
			f, err := r.fileOf(sc, ref)
			if err != nil {
				return nil, err
			}
			return "data:" + f.MimeType + ";name=" + f.Name + ";base64," + base64.StdEncoding.EncodeToString(f.Content), nil
		},
		"markdown_file_download_link": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			return r.downloadLink(sc, args, kw)
		},
		"get_markdown_file_download_link": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			return r.downloadLink(sc, args, kw)
		},
		"create_unique_kkv_top_level_key": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			id, err := strArg("create_unique_kkv_top_level_key", args, kw, 0, "identifier", true)
			if err != nil {
				return nil, err
			}
			prefix, err := strArg("create_unique_kkv_top_level_key", args, kw, 1, "top_level_key_prefix", true)
			if err != nil {
				return nil, err
			}
			f, ok := r.specs.(dataStoreFinder)
			var loc string
			if ok {
				loc, _, ok = f.DataStoreLocation(sc.modelID, "kkv", id)
			}
			if !ok {
				return nil, fmt.Errorf("Could not find KKV data store with the identifier '%s'", id)
			}
			n, err := r.store.NextKKVKeyNumber(sc.ctx, loc, id)
			if err != nil {
				return nil, err
			}
			return prefix + strconv.FormatInt(n, 10), nil
		},
		"fact_service": func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			typ, ok := kw["type"].(string)
			if !ok {
				return nil, errors.New("Please specify a 'type' of fact as a keyword argument.")
			}
			switch typ {
			case "cat":
				return "The cat in the hat", nil
			case "norris":
				return "Chuck Norris doesn’t read books. He stares them down until he gets the information he wants.", nil
			case "buzzword":
				return "Move the Needle.", nil
			}
			return "unknown fact type.", nil
		},

		// Privileged helpers.
		"get_secret": r.privileged("get_secret", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			if r.secrets == nil {
				return nil, errors.New("get_secret: no secrets are configured")
			}
			name, err := strArg("get_secret", args, kw, 0, "key", true)
			if err != nil {
				return nil, errors.New("get_secret(key) takes the name of a secret")
			}
			return r.secrets.Value(sc.ctx, name)
		}),
		"set_secret": r.privileged("set_secret", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			if r.secrets == nil {
				return nil, errors.New("set_secret: no secrets are configured")
			}
			if len(args) < 2 {
				return nil, errors.New("Expected at least two arguments: secret_key and secret_value")
			}
			name, _ := args[0].(string)
			value, _ := args[1].(string)
			if name == "" {
				return nil, errors.New("set_secret: the secret_key is a non-empty string")
			}
			by := sc.starter
			sc.fx.after = append(sc.fx.after, scriptChange{"set_secret", func(ctx context.Context) error {
				return r.secrets.Set(ctx, name, value, by)
			}})
			return nil, nil
		}),
		"delete_process_instances_with_criteria": r.privileged("delete_process_instances_with_criteria", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			return r.deleteInstances(sc, args, kw)
		}),
		"save_process_instance_metadata": r.privileged("save_process_instance_metadata", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			m, ok := firstArg(args, kw, "metadata_dict").(map[string]any)
			if !ok {
				return nil, errors.New("save_process_instance_metadata(metadata_dict) takes a dict")
			}
			for k, v := range m {
				b, err := json.Marshal(v)
				if err != nil {
					return nil, fmt.Errorf("save_process_instance_metadata: %s: %w", k, err)
				}
				if sc.fx.metadata == nil {
					sc.fx.metadata = map[string]string{}
				}
				sc.fx.metadata[k] = string(b)
			}
			return nil, nil
		}),
		"get_all_permissions": r.privileged("get_all_permissions", func(sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
			perms, err := r.dir.AllPermissions(sc.ctx)
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, len(perms))
			for _, p := range perms {
				out = append(out, map[string]any{"group_identifier": p.Group, "uri": p.URI, "permissions": strList(p.Actions)})
			}
			return out, nil
		}),
		"add_permission": r.privileged("add_permission", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			if len(args) != 3 {
				return nil, errors.New(`add_permission(permission, target, group) takes three strings, e.g. add_permission("read", "PG:finance", "Editors")`)
			}
			action, _ := args[0].(string)
			uri, _ := args[1].(string)
			group, _ := args[2].(string)
			if group == "" {
				return nil, errors.New("add_permission: the group is a non-empty string")
			}
			if err := r.dir.CheckPermission(action, uri); err != nil {
				return nil, fmt.Errorf("add_permission: %w", err)
			}
			by := sc.starter
			sc.fx.after = append(sc.fx.after, scriptChange{"add_permission", func(ctx context.Context) error {
				return r.dir.AddPermission(ctx, group, action, uri, by)
			}})
			return nil, nil
		}),
		"add_user_to_group": r.privileged("add_user_to_group", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			user, err := strArg("add_user_to_group", args, kw, 0, "username", true)
			if err != nil {
				return nil, err
			}
			group, err := strArg("add_user_to_group", args, kw, 1, "group_identifier", true)
			if err != nil {
				return nil, err
			}
			if _, err := r.store.UserByUsername(sc.ctx, user); err != nil {
				return nil, fmt.Errorf("add_user_to_group: no user named %q: %w", user, err)
			}
			sc.fx.after = append(sc.fx.after, scriptChange{"add_user_to_group", func(ctx context.Context) error {
				return r.dir.AddUserToGroup(ctx, user, group)
			}})
			return nil, nil
		}),
		"refresh_permissions": r.privileged("refresh_permissions", func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
			groups, err := groupInfo(firstArg(args, kw, "group_info"))
			if err != nil {
				return nil, fmt.Errorf("refresh_permissions: %w", err)
			}
			for _, g := range groups {
				for _, p := range g.Permissions {
					for _, a := range p.Actions {
						if err := r.dir.CheckPermission(a, p.URI); err != nil {
							return nil, fmt.Errorf("refresh_permissions: group %q: %w", g.Name, err)
						}
					}
				}
			}
			only, _ := kw["group_permissions_only"].(bool)
			by := sc.starter
			sc.fx.after = append(sc.fx.after, scriptChange{"refresh_permissions", func(ctx context.Context) error {
				return r.dir.RefreshPermissions(ctx, groups, only, by)
			}})
			return nil, nil
		}),
	}
	task := map[string]taskHelperFunc{}
	task["get_current_task_info"] = func(c engine.ScriptCall, sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
		t := c.Task
		children := []any{}
		for _, x := range c.Instance.Tasks() {
			if x.From == t.ID {
				children = append(children, int64(x.ID))
			}
		}
		var parent any
		if t.From != 0 {
			parent = int64(t.From)
		}
		return map[string]any{
			"id": int64(t.ID), "parent": parent, "children": children, "state": t.State.String(),
			"task_spec": t.Node.ID, "last_state_change": float64(t.Updated.UnixMicro()) / 1e6,
			"triggered": false, "internal_data": map[string]any{}, "typename": "Task",
		}, nil
	}
	task["get_last_user_completing_task"] = func(c engine.ScriptCall, sc *scriptCtx, args []any, kw map[string]any) (any, error) {
		process, err := strArg("get_last_user_completing_task", args, kw, 0, "bpmn_process_identifier", true)
		if err != nil {
			return nil, err
		}
		node, err := strArg("get_last_user_completing_task", args, kw, 1, "task_bpmn_identifier", true)
		if err != nil {
			return nil, err
		}
		return r.lastCompleter(sc, c.Instance, process, node)
	}
	task["get_url_for_task_with_bpmn_identifier"] = func(c engine.ScriptCall, sc *scriptCtx, args []any, kw map[string]any) (any, error) {
		id, err := strArg("get_url_for_task_with_bpmn_identifier", args, kw, 0, "bpmn_identifier", true)
		if err != nil {
			return nil, errors.New("Bpmn identifier is required for get_url_for_task_with_bpmn_identifier")
		}
		var found *engine.Task
		for _, t := range c.Instance.Tasks() {
			if t.Node.ID == id && t.State != engine.Cancelled {
				found = t // the latest one
			}
		}
		node := (*spec.Node)(nil)
		if found != nil {
			node = found.Node
		} else if scope := c.Task.Node.Scope; scope != nil && scope.Process != nil {
			node = findNode(&scope.Process.Scope, id)
		}
		if node == nil {
			return nil, fmt.Errorf("Could not find a task with bpmn identifier '%s' in get_url_for_task_with_bpmn_identifier", id)
		}
		if !node.Kind.IsHuman() {
			return nil, fmt.Errorf("Given bpmn identifier (%s) represents a task that cannot be completed by people and therefore it does not have a url to retrieve", id)
		}
		if found == nil {
			// Not reached yet (the script runs before it, as SpiffArena's
			// examples have it): the task page resolves the element to
			// its open task when the link is followed.
			return r.taskURLFor(sc, url.PathEscape(id)), nil
		}
		return r.taskURL(sc, found.ID), nil
	}
	task["get_url_for_task"] = func(c engine.ScriptCall, sc *scriptCtx, args []any, kw map[string]any) (any, error) {
		id, err := taskIDArg("get_url_for_task", args, kw)
		if err != nil {
			return nil, err
		}
		if t := c.Instance.Task(id); t == nil || !isHuman(t) {
			return nil, fmt.Errorf("Could not find human task with guid '%d'", id)
		}
		return r.taskURL(sc, id), nil
	}
	task["get_data_sizes"] = func(c engine.ScriptCall, sc *scriptCtx, _ []any, _ map[string]any) (any, error) {
		size := 0
		byTask := map[string]any{}
		for _, t := range c.Instance.Tasks() {
			if len(t.Data) == 0 {
				continue
			}
			b, err := json.Marshal(t.Data)
			if err != nil {
				return nil, err
			}
			size += len(b)
			keys := make([]string, 0, len(t.Data))
			for k := range t.Data {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			byTask[t.Node.ID] = strList(keys)
		}
		return map[string]any{"python_env_size": int64(0), "python_env_keys": []any{}, "task_data_size": int64(size), "task_data_keys_by_task": byTask}, nil
	}
	task["get_task_potential_owners"] = func(c engine.ScriptCall, sc *scriptCtx, args []any, kw map[string]any) (any, error) {
		users, groups, err := r.taskOwners(sc, args, kw, "get_task_potential_owners")
		if err != nil {
			return nil, err
		}
		return map[string]any{"users": strList(users), "groups": strList(groups)}, nil
	}
	task["get_users_assigned_to_task"] = func(c engine.ScriptCall, sc *scriptCtx, args []any, kw map[string]any) (any, error) {
		users, _, err := r.taskOwners(sc, args, kw, "get_users_assigned_to_task")
		if err != nil {
			return nil, err
		}
		return strList(users), nil
	}
	out := make(map[string]engine.Helper, len(plain)+len(task))
	for name, f := range plain {
		out[name] = func(c engine.ScriptCall, args []any, kw map[string]any) (any, error) {
			return f(stepOf(c), args, kw)
		}
	}
	for name, f := range task {
		out[name] = func(c engine.ScriptCall, args []any, kw map[string]any) (any, error) {
			return f(c, stepOf(c), args, kw)
		}
	}
	return out
}

// stepOf is the step context a call runs in; a call without one (a
// restored instance only read, never stepped) gets an empty context.
func stepOf(c engine.ScriptCall) *scriptCtx {
	if sc, ok := c.Host.(*scriptCtx); ok && sc != nil {
		if sc.ctx == nil {
			sc.ctx = context.Background()
		}
		return sc
	}
	return &scriptCtx{ctx: context.Background()}
}

// privileged wraps a helper with SpiffArena's check: the instance's
// initiator must hold create on /can-run-privileged-script/<name>.
func (r *Runner) privileged(name string, f helperFunc) helperFunc {
	return func(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
		if r.dir == nil {
			return nil, fmt.Errorf("%s: this Waymark has no user directory for privileged helpers", name)
		}
		if sc.starter == "" {
			return nil, fmt.Errorf("the instance has no initiator, so it may not run privileged script '%s'", name)
		}
		ok, err := r.dir.MayRunPrivileged(sc.ctx, sc.starter, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if !ok {
			return nil, fmt.Errorf("User %s does not have access to run privileged script '%s'", sc.starter, name)
		}
		return f(sc, args, kw)
	}
}

// applyScriptChanges applies what privileged helpers asked for, after the
// step committed. A failure is logged: the step stands.
func (r *Runner) applyScriptChanges(ctx context.Context, instanceID int64, sc *scriptCtx) {
	if sc == nil {
		return
	}
	// The step is stored: a request that ends now must not stop its
	// changes halfway.
	ctx = context.WithoutCancel(ctx)
	for _, c := range sc.fx.after {
		if err := c.apply(ctx); err != nil {
			r.log.Error("script helper change not applied", "instance", instanceID, "helper", c.helper, "err", err)
		}
	}
	sc.fx.after = nil
}

// userDict is a user as SpiffArena's scripts return one. An unknown name
// gives {"username": name} when loose (the acting user of a step made by
// the scheduler), else None.
func (r *Runner) userDict(ctx context.Context, name string, loose bool) (any, error) {
	u, err := r.store.UserByUsername(ctx, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && name == "") {
		if loose {
			return map[string]any{"username": name}, nil
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var display any
	if u.DisplayName != "" {
		display = u.DisplayName
	}
	var email any
	if u.Email != "" {
		email = u.Email
	}
	return map[string]any{
		"id": u.ID, "username": u.Username, "email": email, "display_name": display,
		"service": u.Source, "service_id": u.Username,
		"created_at_in_seconds": u.CreatedAt.Unix(), "updated_at_in_seconds": u.UpdatedAt.Unix(),
	}, nil
}

// processInfo is get_toplevel_process_info's answer.
func (r *Runner) processInfo(sc *scriptCtx) map[string]any {
	var id any
	if sc.instanceID != 0 {
		id = sc.instanceID
	} else {
		sc.fx.askedID = true
	}
	return map[string]any{"process_instance_id": id, "process_model_identifier": sc.modelID}
}

func (r *Runner) group(ctx context.Context, name string) (store.Group, bool, error) {
	groups, err := r.store.Groups(ctx)
	if err != nil {
		return store.Group{}, false, err
	}
	for _, g := range groups {
		if g.Name == name {
			return g, true, nil
		}
	}
	return store.Group{}, false, nil
}

// timesStarted counts the instances of the model the acting user started,
// this one included.
func (r *Runner) timesStarted(sc *scriptCtx) (int64, error) {
	if sc.actor == "" || sc.modelID == "" {
		return 0, nil
	}
	n, err := r.store.CountStartedBy(sc.ctx, sc.modelID, sc.actor)
	if err != nil {
		return 0, err
	}
	if sc.instanceID == 0 && sc.starter == sc.actor {
		n++ // this start, not saved yet
	}
	return int64(n), nil
}

// taskURL is the address of a task's page.
func (r *Runner) taskURL(sc *scriptCtx, taskID int) string {
	return r.taskURLFor(sc, strconv.Itoa(taskID))
}

// taskURLFor is the address of a task's page by task id or element id.
func (r *Runner) taskURLFor(sc *scriptCtx, task string) string {
	if sc.instanceID == 0 {
		sc.fx.askedID = true
	}
	return strings.TrimRight(r.frontendURL, "/") + "/tasks/" + strconv.FormatInt(sc.instanceID, 10) + "/" + task
}

// findNode finds an element by id in a scope or the subprocesses in it.
func findNode(sc *spec.Scope, id string) *spec.Node {
	if n := sc.ByID[id]; n != nil {
		return n
	}
	for _, n := range sc.Nodes {
		if n.Sub != nil {
			if found := findNode(n.Sub, id); found != nil {
				return found
			}
		}
	}
	return nil
}

// fileOf finds a file of this instance from its data reference
// ("data:<type>;name=<name>;base64,spifffiledatadigest+<digest>").
func (r *Runner) fileOf(sc *scriptCtx, ref string) (store.TaskFile, error) {
	if len(ref) < 64 {
		return store.TaskFile{}, fmt.Errorf("%q is not a file reference from task data", ref)
	}
	digest := ref[len(ref)-64:]
	if !isDigest(digest) {
		return store.TaskFile{}, fmt.Errorf("%q is not a file reference from task data", ref)
	}
	for _, f := range sc.files {
		if f.Digest == digest {
			return f, nil
		}
	}
	f, err := r.store.TaskFile(sc.ctx, sc.instanceID, digest)
	if err != nil {
		return store.TaskFile{}, fmt.Errorf("no file %s in instance %d: %w", digest, sc.instanceID, err)
	}
	return f, nil
}

// downloadLink is markdown_file_download_link: a Markdown link to the
// file's download address.
func (r *Runner) downloadLink(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
	ref, err := strArg("markdown_file_download_link", args, kw, 0, "digest_reference", true)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(ref, ";")
	if len(parts) < 3 || !strings.HasPrefix(parts[1], "name=") || !strings.Contains(parts[2], ",") {
		return nil, fmt.Errorf("%q is not a file reference from task data", ref)
	}
	label, _ := url.PathUnescape(strings.TrimPrefix(parts[1], "name="))
	digest := strings.SplitN(parts[2], ",", 2)[1]
	if len(digest) < 64 {
		return nil, fmt.Errorf("%q is not a file reference from task data", ref)
	}
	digest = digest[len(digest)-64:]
	if !isDigest(digest) {
		return nil, fmt.Errorf("%q is not a file reference from task data", ref)
	}
	if sc.instanceID == 0 {
		sc.fx.askedID = true
	}
	label = strings.NewReplacer("[", `\[`, "]", `\]`).Replace(label)
	return fmt.Sprintf("[%s](%s/instances/%d/files/%s)", label, strings.TrimRight(r.frontendURL, "/"), sc.instanceID, digest), nil
}

// lastCompleter is get_last_user_completing_task: the user who completed
// the latest task of that element in that process; None when none did.
func (r *Runner) lastCompleter(sc *scriptCtx, in *engine.Instance, process, node string) (any, error) {
	var last *engine.Task
	for _, t := range in.Tasks() {
		if t.Node.ID == node && processOf(t) == process && t.State == engine.Completed && isHuman(t) && (last == nil || t.Seq > last.Seq) {
			last = t
		}
	}
	if last == nil {
		return nil, nil
	}
	by := ""
	if sc.instanceID != 0 {
		h, err := r.store.HumanTask(sc.ctx, sc.instanceID, last.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		by = h.CompletedBy
	}
	if by == "" {
		// Completed in this step, which is not stored yet: by whoever acts.
		by = sc.actor
	}
	return r.userDict(sc.ctx, by, true)
}

// taskOwners lists who may act on a human task of this instance: users
// named directly or through their groups, and the groups.
func (r *Runner) taskOwners(sc *scriptCtx, args []any, kw map[string]any, helper string) (users, groups []string, err error) {
	id, err := taskIDArg(helper, args, kw)
	if err != nil {
		return nil, nil, err
	}
	h, err := r.store.HumanTask(sc.ctx, sc.instanceID, id)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: no human task %d in instance %d: %w", helper, id, sc.instanceID, err)
	}
	seen := map[string]bool{}
	var byName map[string]store.Group // the groups, read once when an owner is one
	for _, o := range h.Owners {
		switch {
		case strings.HasPrefix(o, "user:"):
			seen[strings.TrimPrefix(o, "user:")] = true
		case strings.HasPrefix(o, "group:"):
			name := strings.TrimPrefix(o, "group:")
			groups = append(groups, name)
			if byName == nil {
				all, err := r.store.Groups(sc.ctx)
				if err != nil {
					return nil, nil, err
				}
				byName = make(map[string]store.Group, len(all))
				for _, g := range all {
					byName[g.Name] = g
				}
			}
			for _, m := range byName[name].Members {
				seen[m] = true
			}
		}
	}
	for u := range seen {
		users = append(users, u)
	}
	sort.Strings(users)
	sort.Strings(groups)
	return users, groups, nil
}

// ---- arguments ----

func firstArg(args []any, kw map[string]any, name string) any {
	if len(args) > 0 {
		return args[0]
	}
	return kw[name]
}

// strArg reads a string argument by position or keyword.
func strArg(helper string, args []any, kw map[string]any, pos int, name string, required bool) (string, error) {
	var v any
	if len(args) > pos {
		v = args[pos]
	} else if x, ok := kw[name]; ok {
		v = x
	}
	s, ok := v.(string)
	if (!ok || s == "") && required {
		return "", fmt.Errorf("%s: the argument %s is a non-empty string, not %v", helper, name, v)
	}
	return s, nil
}

// taskIDArg reads the task_guid argument: a task id of this instance (an
// int, or its text).
func taskIDArg(helper string, args []any, kw map[string]any) (int, error) {
	v := firstArg(args, kw, "task_guid")
	switch x := v.(type) {
	case int64:
		return int(x), nil
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n, nil
		}
	}
	if v == nil {
		return 0, errors.New("Expected task_guid as first argument or keyword argument")
	}
	return 0, fmt.Errorf("%s: task_guid %v is not a task id of this instance", helper, v)
}

func strList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// groupInfo reads refresh_permissions' argument: a list of {name, users,
// permissions: [{actions, uri}]}.
func groupInfo(v any) ([]GroupPermissions, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("group_info is a list of {name, users, permissions}, not %T", v)
	}
	strs := func(x any, what string) ([]string, error) {
		if x == nil {
			return nil, nil
		}
		l, ok := x.([]any)
		if !ok {
			return nil, fmt.Errorf("%s is a list of strings", what)
		}
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s is a list of strings, not %v", what, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	var out []GroupPermissions
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("group_info[%d] is a dict", i)
		}
		name, _ := m["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("group_info[%d] has no name", i)
		}
		g := GroupPermissions{Name: name}
		var err error
		if g.Users, err = strs(m["users"], fmt.Sprintf("group_info[%d].users", i)); err != nil {
			return nil, err
		}
		perms, _ := m["permissions"].([]any)
		if m["permissions"] != nil && perms == nil {
			return nil, fmt.Errorf("group_info[%d].permissions is a list", i)
		}
		for j, p := range perms {
			pm, ok := p.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("group_info[%d].permissions[%d] is a dict with actions and uri", i, j)
			}
			uri, _ := pm["uri"].(string)
			actions, err := strs(pm["actions"], fmt.Sprintf("group_info[%d].permissions[%d].actions", i, j))
			if err != nil {
				return nil, err
			}
			if uri == "" || len(actions) == 0 {
				return nil, fmt.Errorf("group_info[%d].permissions[%d] needs actions and a uri", i, j)
			}
			g.Permissions = append(g.Permissions, PermissionGrant{Actions: actions, URI: uri})
		}
		out = append(out, g)
	}
	return out, nil
}

// startOver handles a start whose scripts asked for the instance id
// (get_toplevel_process_info, a task link): the id exists only once the
// instance is stored, so the row is reserved now and the start runs again
// with it. The engine is deterministic and the first run left nothing
// outside memory (helpers defer their effects to the save), so the second
// run is the start as it would have been with the id known. It reports
// the reserved id (0 when nothing was reserved); the caller deletes it
// when the step is not saved.
func (r *Runner) startOver(ctx context.Context, l *loaded, start func(engine.Env) (*engine.Instance, error)) (int64, error) {
	if l.sc == nil || !l.sc.fx.askedID || l.row.ID != 0 {
		return 0, nil
	}
	snap, err := l.inst.Snapshot()
	if err != nil {
		return 0, err
	}
	row := l.row
	row.Status, row.Snapshot = store.StatusRunning, snap
	row.StartedAt, row.UpdatedAt = r.now(), r.now()
	id, err := r.store.ReserveInstance(ctx, row)
	if err != nil {
		return 0, fmt.Errorf("reserve the instance id: %w", err)
	}
	l.sc.instanceID = id
	l.sc.fx.reset()
	l.svc = &serviceCalls{model: l.row.ModelID}
	in, err := start(r.env(l.svc, l.sc))
	if err != nil {
		r.dropReserved(ctx, id)
		return 0, err
	}
	l.inst = in
	l.row.ID, l.row.Version, l.row.StartedAt = id, 1, row.StartedAt
	return id, nil
}

// dropReserved deletes a reserved instance whose first step was not saved.
func (r *Runner) dropReserved(ctx context.Context, id int64) {
	if id == 0 {
		return
	}
	if err := r.store.DeleteReservedInstance(context.WithoutCancel(ctx), id); err != nil {
		r.log.Error("delete reserved instance", "instance", id, "err", err)
	}
}

// nextDerived is what the instance's derived rows hold once the step is
// stored over stored: its timers and subscriptions, the values of the
// model's metadata paths, and the values scripts saved with
// save_process_instance_metadata, in this step or before (a script's
// value wins over a path of the same key).
func nextDerived(stored *store.DerivedRows, extracted map[string]string, sc *scriptCtx, timers []store.Timer, subs []store.Subscription) *store.DerivedRows {
	var saved map[string]string
	if sc != nil {
		saved = sc.fx.metadata
	}
	next := &store.DerivedRows{Timers: store.TimerKeys(timers), Subscriptions: store.SubscriptionKeys(subs), ScriptMetadata: stored.ScriptMetadata}
	if len(saved) > 0 {
		next.ScriptMetadata = make(map[string]string, len(stored.ScriptMetadata)+len(saved))
		for k, v := range stored.ScriptMetadata {
			next.ScriptMetadata[k] = v
		}
		for k, v := range saved {
			next.ScriptMetadata[k] = v
		}
	}
	if len(next.ScriptMetadata) > 0 {
		merged := make(map[string]string, len(extracted)+len(next.ScriptMetadata))
		for k, v := range extracted {
			merged[k] = v
		}
		for k, v := range next.ScriptMetadata {
			merged[k] = v
		}
		extracted = merged
	}
	next.Metadata = extracted
	return next
}

// saveMetadata writes the instance's metadata in the step's transaction,
// from what stored holds to what next does (see nextDerived). User
// properties scripts set are written here too.
func (r *Runner) saveMetadata(ctx context.Context, tx *store.Tx, id int64, sc *scriptCtx, stored, next *store.DerivedRows) error {
	var fx scriptFx
	if sc != nil {
		fx = sc.fx
	}
	if len(fx.metadata) > 0 {
		if err := tx.SaveScriptMetadata(ctx, id, fx.metadata); err != nil {
			return err
		}
	}
	if err := tx.SetMetadata(ctx, id, stored.Metadata, next.Metadata); err != nil {
		return err
	}
	if len(fx.deletes) > 0 {
		if err := tx.DeleteInstances(ctx, fx.deletes); err != nil {
			return fmt.Errorf("delete_process_instances_with_criteria: %w", err)
		}
	}
	for _, u := range slices.Sorted(maps.Keys(fx.properties)) {
		if err := tx.SetUserProperties(ctx, u, fx.properties[u]); err != nil {
			return fmt.Errorf("set_user_properties: %w", err)
		}
	}
	return nil
}

// spiffStatuses maps SpiffArena's instance statuses to Waymark's.
var spiffStatuses = map[string]string{
	"complete": store.StatusCompleted, "completed": store.StatusCompleted, "error": store.StatusError,
	"terminated": store.StatusTerminated, "suspended": store.StatusSuspended, "running": store.StatusRunning,
	"user_input_required": store.StatusRunning, "waiting": store.StatusRunning, "not_started": store.StatusRunning,
}

// deleteInstances is delete_process_instances_with_criteria(criteria,
// limit=100, return_summary=False): it finds the instances now, returns
// their count (or a summary by model and status) and deletes them in the
// step's transaction. The running instance itself is never deleted.
func (r *Runner) deleteInstances(sc *scriptCtx, args []any, kw map[string]any) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("criteria list is required")
	}
	list, ok := args[0].([]any)
	if !ok {
		return nil, errors.New("delete_process_instances_with_criteria: the criteria are a list of dicts")
	}
	limit := int64(100)
	if len(args) > 1 {
		limit, _ = args[1].(int64)
	}
	if v, ok := kw["limit"]; ok {
		limit, _ = v.(int64)
	}
	if limit < 1 {
		return nil, errors.New("limit must be greater than zero")
	}
	summary, _ := kw["return_summary"].(bool)
	now := r.now()
	var criteria []store.InstanceCriteria
	for i, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("criteria[%d] is a dict with status and last_updated_delta", i)
		}
		var crit store.InstanceCriteria
		statuses, _ := m["status"].([]any)
		if len(statuses) == 0 {
			return nil, fmt.Errorf("criteria[%d]: status is a list of instance statuses", i)
		}
		for _, s := range statuses {
			name, _ := s.(string)
			st, ok := spiffStatuses[name]
			if !ok {
				return nil, fmt.Errorf("criteria[%d]: unknown status %v", i, s)
			}
			if !slices.Contains(crit.Statuses, st) {
				crit.Statuses = append(crit.Statuses, st)
			}
		}
		var delta float64
		switch d := m["last_updated_delta"].(type) {
		case int64:
			delta = float64(d)
		case float64:
			delta = d
		default:
			return nil, fmt.Errorf("criteria[%d]: last_updated_delta is a number of seconds", i)
		}
		crit.UpdatedBefore = now.Add(-time.Duration(delta * float64(time.Second)))
		crit.Model, _ = m["name"].(string)
		for _, key := range []string{"exclude_names", "exclude_name_prefixes"} {
			l, _ := m[key].([]any)
			for _, x := range l {
				s, _ := x.(string)
				if key == "exclude_names" {
					crit.ExcludeModels = append(crit.ExcludeModels, s)
				} else if s != "" {
					crit.ExcludePrefixes = append(crit.ExcludePrefixes, s)
				}
			}
		}
		criteria = append(criteria, crit)
	}
	found, err := r.store.InstancesMatching(sc.ctx, criteria, sc.instanceID, int(limit))
	if err != nil {
		return nil, err
	}
	type key struct{ model, status string }
	counts := map[key]int64{}
	for _, in := range found {
		sc.fx.deletes = append(sc.fx.deletes, in.ID)
		counts[key{in.ModelID, in.Status}]++
	}
	if !summary {
		return int64(len(found)), nil
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].model != keys[j].model {
			return keys[i].model < keys[j].model
		}
		return keys[i].status < keys[j].status
	})
	by := make([]any, 0, len(keys))
	for _, k := range keys {
		by = append(by, map[string]any{"process_model_identifier": k.model, "status": k.status, "deleted": counts[k]})
	}
	return map[string]any{"total_deleted": int64(len(found)), "limit": limit, "criteria_count": int64(len(list)), "by_model_status": by}, nil
}

// isDigest reports whether s is a hex SHA-256, as file references end.
func isDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
